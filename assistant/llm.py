"""LLM answers through any OpenAI-compatible chat server, with guardrails.

The chain is LangChain runnables: ``ChatPromptTemplate`` (prompts read from ``prompts/``) piped
into ``ChatOpenAI``. Around it:

- abstention before generation: no relevant passage, or (``llm_evidence_gate``) no sentence that
  passes the offline evidence gate, means the model is not called at all;
- a tiktoken budget for the passages (context window minus the answer's room and the prompt);
- verification after generation (:mod:`assistant.verify`); an answer that cites no passage at
  all is replaced by the extractive answer, with the reason in ``warnings``;
- errors from the server become one-line :class:`LLMError` subclasses with a remedy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from .answer import NO_ANSWER, ExtractiveAnswerer
from .chunking import count_tokens
from .config import Settings
from .context import build_context, load_prompt
from .errors import (
    LLMAuthError,
    LLMContextLengthError,
    LLMError,
    LLMModelNotFoundError,
    LLMUnavailableError,
)
from .retrieval import Retrieval
from .schema import Answer
from .verify import verify_answer

# USD per million tokens (input, output) for models whose price is public; others: settings.
KNOWN_PRICES = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def build_chat_model(settings: Settings):
    """``ChatOpenAI`` for the configured server and model."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    if not key and not settings.openai_base_url:
        from .errors import ConfigError

        raise ConfigError(
            "LLM mode needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server).",
            hint="set one, or use ASSISTANT_ANSWER_MODE=extractive for offline answers",
        )
    return ChatOpenAI(
        model=settings.chat_model,
        api_key=key or "not-needed",  # local servers accept any key
        base_url=settings.openai_base_url,
        temperature=settings.temperature,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        max_tokens=settings.answer_tokens,
        stream_usage=True,
    )


def map_llm_error(exc: Exception, settings: Settings) -> LLMError:
    """One clear error for what the OpenAI client raised."""
    import openai

    where = settings.openai_base_url or "api.openai.com"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMAuthError(f"The LLM server rejected the API key ({getattr(exc, 'status_code', 401)}).",
                            hint="check OPENAI_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return LLMModelNotFoundError(f"The LLM server at {where} does not serve the model '{settings.chat_model}'.",
                                     hint="set ASSISTANT_CHAT_MODEL to a model it serves")
    if isinstance(exc, openai.BadRequestError):
        body = str(exc).lower()
        if "context" in body and ("length" in body or "window" in body) or "maximum context" in body:
            return LLMContextLengthError(
                "The prompt does not fit the model's context window.",
                hint="lower ASSISTANT_CONTEXT_TOKENS to the model's real window, or ASSISTANT_TOP_K",
            )
        return LLMError(f"The LLM server refused the request: {exc}")
    if isinstance(exc, openai.APITimeoutError):
        return LLMUnavailableError(f"The LLM server at {where} did not answer within {settings.llm_timeout:g} s.",
                                   hint="raise ASSISTANT_LLM_TIMEOUT, or check the server's load")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"Cannot reach the LLM server at {where}.",
                                   hint="start the server or fix OPENAI_BASE_URL")
    if isinstance(exc, openai.RateLimitError):
        return LLMUnavailableError(
            f"The LLM server kept rate-limiting after {settings.llm_max_retries} retries (429).",
            hint="wait and ask again, or raise ASSISTANT_LLM_MAX_RETRIES")
    if isinstance(exc, openai.APIStatusError):
        return LLMUnavailableError(
            f"The LLM server failed with HTTP {exc.status_code} after {settings.llm_max_retries} retries.",
            hint="check the server's logs")
    return LLMError(f"The LLM call failed: {exc.__class__.__name__}: {exc}")


CLAIMS_SCHEMA = {
    "type": "object",
    "properties": {
        "answer_found": {"type": "boolean"},
        "claims": {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "object",
                "properties": {
                    "statement": {"type": "string"},
                    "passage": {"type": "integer"},
                    "quote": {"type": "string"},
                },
                "required": ["statement", "passage", "quote"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["answer_found", "claims"],
    "additionalProperties": False,
}


def response_format(kind: str) -> dict | None:
    """The ``response_format`` request field for structured claims on this kind of server."""
    if kind == "json_schema":  # OpenAI
        return {"type": "json_schema", "json_schema": {"name": "cited_answer", "schema": CLAIMS_SCHEMA, "strict": True}}
    if kind == "json_object":  # llama.cpp: a grammar from the schema
        return {"type": "json_object", "schema": CLAIMS_SCHEMA}
    return None


def render_claims(content: str) -> tuple[str, bool]:
    """The JSON claims as answer text with [n] markers and quoted words; (text, parsed ok).

    ``{"answer_found": true, "claims": [{"statement": "S", "passage": 2, "quote": "Q"}]}`` becomes
    ``S: "Q" [2]``, which the usual verification then checks (the quote must be verbatim in
    passage 2, else it carries a warning; a number that is no passage is dropped)."""
    try:
        data = json.loads(content)
    except ValueError:
        return content, False
    if not isinstance(data, dict):
        return content, False
    claims = data.get("claims") if isinstance(data.get("claims"), list) else []
    if not data.get("answer_found") or not claims:
        return NO_ANSWER, True
    parts = []
    for c in claims:
        if not isinstance(c, dict):
            continue
        statement = " ".join(str(c.get("statement", "")).split()).rstrip(".")
        quote = " ".join(str(c.get("quote", "")).split()).strip('"“” ')
        n = c.get("passage")
        marker = f" [{n}]" if isinstance(n, int) else ""
        if quote:
            parts.append(f'{statement}: "{quote}"{marker}' if statement else f'"{quote}"{marker}')
        elif statement:
            parts.append(f"{statement}.{marker}")
    return (" ".join(parts) or NO_ANSWER), True


class LLMAnswerer:
    """Writes answers with a chat model from the retrieved passages, then verifies them."""

    def __init__(self, settings: Settings, embedder, chat_model=None, mode: str = "llm") -> None:
        from langchain_core.prompts import ChatPromptTemplate

        self.settings = settings
        self.mode = mode
        self.extractive = ExtractiveAnswerer(embedder, max_sentences=settings.max_sentences,
                                             min_answer_score=settings.min_answer_score)
        self._chat = chat_model
        kind = settings.structured_output
        self.structured = ("json_object" if mode == "local" else "off") if kind == "auto" else kind
        self.system_template = load_prompt("answer_system.md")
        self.user_template = load_prompt("answer_user.md")
        self.prompt = ChatPromptTemplate.from_messages([("system", self.system_template), ("human", self.user_template)])
        self.structured_prompt = ChatPromptTemplate.from_messages(
            [("system", self.system_template + load_prompt("answer_structured.md")), ("human", self.user_template)])

    @property
    def chat(self):
        if self._chat is None:
            self._chat = build_chat_model(self.settings)
        return self._chat

    def _abstain(self, question: str, retrieval: Retrieval, reason: str) -> Answer:
        return Answer(question=question, text=NO_ANSWER, passages=retrieval.relevant, abstained=True,
                      mode=self.mode, usage={"llm_called": False, "reason": reason})

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        final = None
        for part in self.stream(question, retrieval):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Text deltas as the model writes, then the verified :class:`Answer`."""
        s = self.settings
        passages = retrieval.relevant
        if not passages:
            yield self._abstain(question, retrieval, "no passage cleared the relevance threshold")
            return
        scored = None  # sentence scores, computed once: for the gate, and again useful on fallback
        if s.llm_evidence_gate:
            gate = self.extractive.evidence_gate(question, passages, retrieval.extra.get("foreign_quotes"),
                                                 retrieval.extra.get("asked_speakers"))
            scored = self.extractive.score(question, retrieval)
            # The quote index is evidence too: it knows "Carson said" is Joe Carson from the
            # article's first mention, where the sentence gate only sees the passage.
            if not any(gate(c) for c in scored) and not retrieval.extra.get("speech"):
                yield self._abstain(question, retrieval, "no passage sentence passed the evidence gate")
                return
        fixed = count_tokens(self.system_template) + count_tokens(self.user_template) + count_tokens(question) + 64
        budget = s.context_tokens - s.answer_tokens - fixed
        if budget < 100:
            raise LLMContextLengthError(
                f"ASSISTANT_CONTEXT_TOKENS={s.context_tokens} leaves no room for passages.",
                hint="raise ASSISTANT_CONTEXT_TOKENS or lower ASSISTANT_ANSWER_TOKENS")
        ctx = build_context(passages, budget)
        values = {"nonce": ctx.nonce, "context": ctx.text, "question": question}
        fmt = response_format(self.structured)
        messages = (self.structured_prompt if fmt else self.prompt).format_messages(**values)
        prompt_tokens = sum(count_tokens(m.content) + 4 for m in messages)
        chunks: list[str] = []
        server_usage = None
        t0 = time.perf_counter()
        first_token = None
        structured_ok = None
        try:
            if fmt:
                import openai

                try:
                    reply = self.chat.bind(response_format=fmt).invoke(messages)
                except openai.LengthFinishReasonError as exc:
                    # The JSON was cut off by the token limit: nothing verifiable came back, so
                    # the answer falls back to the extractive one below, with a warning. The
                    # tokens were still spent: keep the server's counts.
                    from langchain_core.messages import AIMessage

                    spent = exc.completion.usage
                    reply = AIMessage(content="", usage_metadata={
                        "input_tokens": spent.prompt_tokens, "output_tokens": spent.completion_tokens,
                        "total_tokens": spent.total_tokens} if spent else None)
                except Exception as exc:
                    if not (isinstance(exc, openai.BadRequestError) and "response_format" in str(exc).lower()):
                        raise
                    self.structured = "off"  # the server refuses it: plain text from now on
                    reply = None
                if reply is not None:
                    first_token = time.perf_counter() - t0
                    content = reply.content if isinstance(reply.content, str) else ""
                    server_usage = getattr(reply, "usage_metadata", None)
                    text, structured_ok = render_claims(content)
                    chunks.append(text)
                    yield text
            if not chunks and structured_ok is None:
                messages = self.prompt.format_messages(**values)
                for chunk in self.chat.stream(messages):
                    delta = chunk.content if isinstance(chunk.content, str) else ""
                    if delta:
                        if first_token is None:
                            first_token = time.perf_counter() - t0
                        chunks.append(delta)
                        yield delta
                    if getattr(chunk, "usage_metadata", None):
                        server_usage = chunk.usage_metadata
        except LLMError:
            raise
        except Exception as exc:
            raise map_llm_error(exc, s) from None
        raw = "".join(chunks)
        verified = verify_answer(raw, ctx.passages)
        usage = self._usage(prompt_tokens, raw, server_usage)
        usage["first_token_s"] = round(first_token, 4) if first_token is not None else None
        usage["generate_s"] = round(time.perf_counter() - t0, 4)
        usage["structured"] = self.structured if structured_ok is not None else "off"
        if structured_ok is False:
            usage["structured_parse_failed"] = True
        answer = Answer(question=question, text=verified.text, citations=verified.citations, passages=ctx.passages,
                        abstained=verified.abstained, mode=self.mode, warnings=list(verified.warnings), usage=usage)
        answer.unsupported = list(verified.unsupported)
        if verified.abstained and retrieval.extra.get("speech"):
            # "What did X say…" and the quote index holds X's words on it (attribution precision
            # 1.000 on the hand labels): the model's "not found" is wrong; show X's words.
            fallback = self.extractive.answer(question, retrieval, scored=scored)  # X's quoted words
            if not fallback.abstained:
                fallback.warnings.insert(0, "Fallback: the model found no answer, but the articles quote the person "
                                            "asked about on it; their words are shown instead.")
                fallback.mode = "extractive-fallback"
                fallback.usage = usage
                yield fallback
                return
        if not verified.abstained and not verified.citations:
            fallback = self.extractive.answer(question, retrieval, scored=scored)
            fallback.warnings.insert(0, "Fallback: the model's answer cited no passage, so the extractive answer "
                                        "is shown instead. Model said: " + " ".join(raw.split())[:300])
            fallback.mode = "extractive-fallback"
            fallback.usage = usage
            yield fallback
            return
        yield answer

    def _usage(self, prompt_tokens: int, completion: str, server) -> dict:
        s = self.settings
        usage = {
            "llm_called": True,
            "model": s.chat_model,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": count_tokens(completion),
            "source": "tiktoken",
        }
        if server:
            usage.update(prompt_tokens=int(server.get("input_tokens", prompt_tokens)),
                         completion_tokens=int(server.get("output_tokens", usage["completion_tokens"])),
                         source="server")
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        price_in, price_out = KNOWN_PRICES.get(s.chat_model, (None, None))
        price_in = s.price_input_per_mtok if s.price_input_per_mtok is not None else price_in
        price_out = s.price_output_per_mtok if s.price_output_per_mtok is not None else price_out
        usage["cost_usd"] = (
            round((usage["prompt_tokens"] * price_in + usage["completion_tokens"] * price_out) / 1e6, 6)
            if price_in is not None and price_out is not None else None
        )
        return usage
