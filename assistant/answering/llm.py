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
from dataclasses import dataclass, field

from .extractive import NO_ANSWER, ExtractiveAnswerer
from .protocol import StreamingAnswerer
from ..nlp.sentences import count_tokens
from ..config import Settings
from .prompts import build_context, load_prompt
from ..errors import (
    LLMAuthError,
    LLMContextLengthError,
    LLMError,
    LLMModelNotFoundError,
    LLMUnavailableError,
)
from ..retrieval.hybrid import Retrieval
from ..types import Answer
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
        from ..errors import ConfigError

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


@dataclass
class _Generation:
    """What one model call produced: text pieces, token counts and timings."""

    started: float
    chunks: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    server_usage: dict | None = None
    first_token: float | None = None
    structured_ok: bool | None = None  # None: no structured reply was parsed


def _fallback(answer: Answer, usage: dict, warning: str) -> Answer:
    """The extractive ``answer`` shown in place of the model's, saying why."""
    answer.warnings.insert(0, warning)
    answer.mode = "extractive-fallback"
    answer.usage = usage
    return answer


class LLMAnswerer(StreamingAnswerer):
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

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Text deltas as the model writes, then the verified :class:`Answer`."""
        passages = retrieval.relevant
        if not passages:
            yield self._abstain(question, retrieval, "no passage cleared the relevance threshold")
            return
        scored = None  # sentence scores, computed once: for the gate, and again useful on fallback
        if self.settings.llm_evidence_gate:
            scored = self.extractive.score(question, retrieval)
            if not self._evidence_found(question, retrieval, scored):
                yield self._abstain(question, retrieval, "no passage sentence passed the evidence gate")
                return
        ctx, values = self._context(question, passages)
        gen = _Generation(time.perf_counter())
        try:
            yield from self._generate(values, gen)
        except LLMError:
            raise
        except Exception as exc:
            raise map_llm_error(exc, self.settings) from None
        yield self._verified(question, retrieval, ctx, gen, scored)

    def _evidence_found(self, question: str, retrieval: Retrieval, scored) -> bool:
        """Does a passage sentence pass the extractive evidence gate, or does the quote index hold
        the asked speaker's words? (It knows "Carson said" is Joe Carson from the article's first
        mention, where the sentence gate only sees the passage.)"""
        gate = self.extractive.evidence_gate(question, retrieval.relevant, retrieval.foreign_quotes,
                                             retrieval.asked_speakers or None)
        return any(gate(c) for c in scored) or bool(retrieval.speech)

    def _context(self, question: str, passages):
        """The numbered passages that fit the context budget, and the prompt's values."""
        s = self.settings
        fixed = count_tokens(self.system_template) + count_tokens(self.user_template) + count_tokens(question) + 64
        budget = s.context_tokens - s.answer_tokens - fixed
        if budget < 100:
            raise LLMContextLengthError(
                f"ASSISTANT_CONTEXT_TOKENS={s.context_tokens} leaves no room for passages.",
                hint="raise ASSISTANT_CONTEXT_TOKENS or lower ASSISTANT_ANSWER_TOKENS")
        ctx = build_context(passages, budget)
        return ctx, {"nonce": ctx.nonce, "context": ctx.text, "question": question}

    def _generate(self, values: dict, gen: _Generation) -> Iterator[str]:
        """The model's text: one structured (JSON) reply rendered as claims where the server
        takes a response format, else streamed deltas. Fills ``gen`` as it goes."""
        fmt = response_format(self.structured)
        messages = (self.structured_prompt if fmt else self.prompt).format_messages(**values)
        gen.prompt_tokens = sum(count_tokens(m.content) + 4 for m in messages)
        if fmt:
            reply = self._structured_reply(messages, fmt)
            if reply is not None:
                gen.first_token = time.perf_counter() - gen.started
                gen.server_usage = getattr(reply, "usage_metadata", None)
                text, gen.structured_ok = render_claims(reply.content if isinstance(reply.content, str) else "")
                gen.chunks.append(text)
                yield text
                return
        for chunk in self.chat.stream(self.prompt.format_messages(**values)):
            delta = chunk.content if isinstance(chunk.content, str) else ""
            if delta:
                if gen.first_token is None:
                    gen.first_token = time.perf_counter() - gen.started
                gen.chunks.append(delta)
                yield delta
            if getattr(chunk, "usage_metadata", None):
                gen.server_usage = chunk.usage_metadata

    def _structured_reply(self, messages, fmt):
        """The model's JSON reply; an empty one (with the tokens spent) when the token limit cut
        it off; ``None`` when the server refuses response formats (plain text from then on)."""
        import openai
        from langchain_core.messages import AIMessage

        try:
            return self.chat.bind(response_format=fmt).invoke(messages)
        except openai.LengthFinishReasonError as exc:
            # Nothing verifiable came back: the extractive answer follows, with a warning.
            spent = exc.completion.usage
            return AIMessage(content="", usage_metadata={
                "input_tokens": spent.prompt_tokens, "output_tokens": spent.completion_tokens,
                "total_tokens": spent.total_tokens} if spent else None)
        except Exception as exc:
            if not (isinstance(exc, openai.BadRequestError) and "response_format" in str(exc).lower()):
                raise
            self.structured = "off"
            return None

    def _verified(self, question: str, retrieval: Retrieval, ctx, gen: _Generation, scored) -> Answer:
        """The model's text verified against the passages; the extractive answer instead when the
        model cited nothing, or found nothing where the quote index holds the asked speaker's words."""
        raw = "".join(gen.chunks)
        verified = verify_answer(raw, ctx.passages)
        usage = self._usage(gen.prompt_tokens, raw, gen.server_usage)
        usage["first_token_s"] = round(gen.first_token, 4) if gen.first_token is not None else None
        usage["generate_s"] = round(time.perf_counter() - gen.started, 4)
        usage["structured"] = self.structured if gen.structured_ok is not None else "off"
        if gen.structured_ok is False:
            usage["structured_parse_failed"] = True
        answer = Answer(question=question, text=verified.text, citations=verified.citations, passages=ctx.passages,
                        abstained=verified.abstained, mode=self.mode, warnings=list(verified.warnings), usage=usage)
        answer.unsupported = list(verified.unsupported)
        if verified.abstained and retrieval.speech:
            # "What did X say…" and the quote index holds X's words on it: the model's "not found"
            # is wrong; show X's words.
            fallback = self.extractive.answer(question, retrieval, scored=scored)
            if not fallback.abstained:
                return _fallback(fallback, usage, "Fallback: the model found no answer, but the articles quote the "
                                                  "person asked about on it; their words are shown instead.")
        if not verified.abstained and not verified.citations:
            return _fallback(self.extractive.answer(question, retrieval, scored=scored), usage,
                             "Fallback: the model's answer cited no passage, so the extractive answer is shown "
                             "instead. Model said: " + " ".join(raw.split())[:300])
        return answer

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
