"""The assistant as a LangChain Runnable: typed input, JSON output, streaming, retrieval events.

Input: a question (str) or ``{"question": str, "chat_history": [str | dict], "filters": {...}}``
(``filters`` as :class:`~assistant.filters.Filters` fields: source, since, until, doc_ids,
title). Output: a JSON-ready dict: ``answer`` (the text, with [n] markers) and the rest of
``Answer.to_dict()`` (citations with passage text and metadata, passages, abstained, mode...).
``stream``/``astream`` yield ``{"answer": delta}`` chunks as the answer is produced (token by
token in LLM modes), then the rest of the result (citations, passages, abstained, mode...), so ``invoke`` returns one dict whose
``answer`` is the whole text; the retrieval step runs as a LangChain retriever, so
``astream_events`` shows it.

>>> chain = Assistant().as_runnable()                          # doctest: +SKIP
>>> chain.invoke("What did Netanyahu say about the alliance?")["answer"]   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.runnables import RunnableConfig, RunnableGenerator
from langchain_core.runnables.config import run_in_executor
from langchain_core.runnables.utils import AddableDict
from pydantic import BaseModel, Field

from ..errors import InputError
from ..retrieval.filters import Filters


class AskInput(BaseModel):
    """What the runnable takes (a plain string is the question)."""

    question: str = Field(min_length=1)
    chat_history: list[str | dict[str, Any]] = Field(default_factory=list)
    filters: dict[str, Any] = Field(default_factory=dict)


def _parse(value: Any) -> AskInput:
    if isinstance(value, str):
        return AskInput(question=value)
    if isinstance(value, AskInput):
        return value
    if isinstance(value, dict):
        try:
            return AskInput(**value)
        except Exception as exc:  # pydantic's ValidationError, said in our terms
            raise InputError(f"Bad input for the assistant runnable: {exc}") from None
    raise InputError(f"The assistant runnable takes a question or a dict, not {type(value).__name__}.")


def _history(items: list[str | dict[str, Any]]) -> list[str]:
    """Earlier questions: strings, or dicts with a "question" (or LangChain's "content")."""
    return [i if isinstance(i, str) else str(i.get("question") or i.get("content") or "") for i in items if i]


def _parts(assistant, inp: AskInput, filters: Filters | None) -> Iterator[AddableDict]:
    for part in assistant.stream(inp.question, history=_history(inp.chat_history) or None, filters=filters):
        if isinstance(part, str):
            yield AddableDict(answer=part)
        else:  # the rest of the result; "answer" (the text) is what the deltas add up to
            yield AddableDict({k: v for k, v in part.to_dict().items() if k != "text"})


def build_runnable(assistant) -> RunnableGenerator:
    """``assistant`` as a Runnable (see the module docstring)."""

    def prepared(raw: Any):
        inp = _parse(raw)
        filters = Filters(**inp.filters) if inp.filters else None
        retriever = assistant.as_retriever(search_kwargs={"filter": filters} if filters else None)
        return inp, filters, retriever

    def run(inputs: Iterator[Any], config: RunnableConfig | None = None) -> Iterator[AddableDict]:
        raw = None
        for raw in inputs:  # the whole input arrives as one value
            pass
        inp, filters, retriever = prepared(raw)
        retriever.invoke(inp.question, config=config)  # the retrieval step, seen by callbacks
        yield from _parts(assistant, inp, filters)

    async def arun(inputs: AsyncIterator[Any], config: RunnableConfig | None = None) -> AsyncIterator[AddableDict]:
        raw = None
        async for raw in inputs:
            pass
        inp, filters, retriever = prepared(raw)
        await retriever.ainvoke(inp.question, config=config)
        for part in await run_in_executor(config, lambda: list(_parts(assistant, inp, filters))):
            yield part

    return RunnableGenerator(run, arun, name="assistant.ask")
