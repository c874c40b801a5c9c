"""A question's way through an assistant's parts: cleaned (and rewritten when it follows up on
earlier turns), its filters checked against the stored articles, passages retrieved (the asked
speaker's quotations first for "what did X say…"), answered, wire copies folded in its citations.
The answer's text streams as it is produced, then the :class:`Answer` comes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from .components import Components
from .errors import AssistantError, InputError, LLMUnavailableError
from .retrieval.filters import Filters, explain_miss
from .retrieval.hybrid import Evidence
from .types import Answer, ArticleFacts, FilterMiss

MAX_QUESTION_CHARS = 4000


def clean_question(question: str) -> str:
    """The question on one line, without control characters, at most MAX_QUESTION_CHARS long."""
    if not isinstance(question, str):
        raise InputError(f"A question must be text, not {type(question).__name__}.")
    q = " ".join("".join(ch if ch.isprintable() or ch.isspace() else " " for ch in question).split())
    if not q:
        raise InputError("The question is empty.", hint='ask something, e.g. assistant ask "Who met Netanyahu?"')
    return q[:MAX_QUESTION_CHARS]


class QuestionPipeline:
    """Answers questions with the parts of one assistant; ``before`` runs first on each question
    (the assistant seeds an empty store there)."""

    def __init__(self, parts: Components, before: Callable[[], object] = lambda: None) -> None:
        self.parts = parts
        self.before = before
        self._facts: tuple[tuple, list[ArticleFacts]] | None = None  # (store state, the stored articles)

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None,
                 filters: Filters | None = None) -> Evidence:
        """See :meth:`assistant.api.Assistant.retrieve`."""
        self.before()
        return self._retrieve(clean_question(question), k, where, self.check_filters(filters)[0])

    def stream(self, question: str, k: int | None = None, where: dict | None = None,
               history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Iterator[str | Answer]:
        """See :meth:`assistant.api.Assistant.stream`."""
        t0 = time.perf_counter()
        q, rewritten = self._prepare(question, history)
        self.before()
        filters, miss = self.check_filters(filters)
        t1 = time.perf_counter()
        parts = self._missed(q, miss) if miss is not None else self._answer(q, self._retrieve(q, k, where, filters))
        t2 = time.perf_counter()
        answer = None
        for part in parts:
            if isinstance(part, Answer):
                answer = _fold_copies(part)
            else:
                yield part
        t3 = time.perf_counter()
        if answer is None:
            raise AssistantError(f"The answerer {type(self.parts.answerer).__name__} ended its stream without an Answer.")
        if len(" ".join(question.split())) > MAX_QUESTION_CHARS:
            answer.warnings.append(f"The question was cut to {MAX_QUESTION_CHARS} characters.")
        answer.question = question[:MAX_QUESTION_CHARS]
        answer.rewritten = rewritten
        answer.timings.update({"setup": round(t1 - t0, 4), "retrieve": round(t2 - t1, 4),
                               "answer": round(t3 - t2, 4), "total": round(t3 - t0, 4)})
        yield answer

    def _prepare(self, question: str, history: Sequence[Answer | str] | None) -> tuple[str, str | None]:
        """The question to answer, and its standalone rewrite when it follows up on ``history``."""
        q = clean_question(question)
        if not history:
            return q, None
        from .retrieval.followups import rewrite

        previous = [h if isinstance(h, str) else (h.rewritten or h.question) for h in history]
        standalone = rewrite(q, previous, self.parts.settings.spacy_model)
        return standalone, (standalone if standalone != q else None)

    def _retrieve(self, q: str, k: int | None, where: dict | None, filters: Filters | None) -> Evidence:
        t = time.perf_counter()
        evidence = self.parts.retriever.retrieve(q, k=k, where=where, filters=filters)
        if where is None:
            evidence.speech = self._speech(q, evidence, k or self.parts.settings.top_k, filters)
        evidence.seconds = time.perf_counter() - t
        return evidence

    def _speech(self, question: str, evidence: Evidence, k: int, filters: Filters | None):
        """For "what did X say…" questions: X's quotations that fit the question, their passages
        put first in ``evidence`` (:func:`assistant.retrieval.speakers.speaker_evidence`)."""
        from .retrieval.speakers import asks_what_someone_said, speaker_evidence

        parts = self.parts
        if not parts.settings.quote_index or not asks_what_someone_said(question):
            return None
        ensure_quotes(parts)
        return speaker_evidence(question, evidence, parts.store, parts.embedder, k, parts.settings.max_per_article,
                                filters, cache=parts.embed_cache)

    def _answer(self, q: str, evidence: Evidence) -> Iterator[str | Answer]:
        """The answerer's text deltas, then its :class:`Answer`. When the local model server
        crashes (at start or on this question), the extractive answer, with a notice that says
        how it ended, where its log is and what to do."""
        try:
            yield from self.parts.answerer.stream(q, evidence)
        except LLMUnavailableError:
            crash = self.parts.local_crash()
            if crash is None:
                raise
            self.parts.reset_answerer()  # the next question starts the server again
            answer = self.parts.extractive().answer(q, evidence)
            answer.warnings.insert(0, f"{crash.message} This is the extractive answer; {crash.hint}.")
            answer.mode = "extractive-fallback"
            yield answer.text
            yield answer

    def _missed(self, q: str, miss: FilterMiss) -> Iterator[str | Answer]:
        """The answer to a question whose filters match no stored article: it says so."""
        answer = Answer(question=q, text=miss.message(), abstained=True,
                        mode=self.parts.settings.effective_answer_mode, filter_miss=miss)
        yield answer.text
        yield answer

    def check_filters(self, filters: Filters | None) -> tuple[Filters | None, FilterMiss | None]:
        """The filters with their source resolved to its stored spellings (any case), and what
        they miss when no stored article matches them."""
        if filters is None or filters.empty:
            return filters, None
        articles = self._article_facts()
        return filters.resolve(articles), explain_miss(filters, articles)

    def _article_facts(self) -> list[ArticleFacts]:
        """The stored articles as filters see them, read again when the store has changed."""
        with self.parts.lock:
            store = self.parts.store
            key = (id(store), store.write_token())  # any process's write changes it
            if self._facts is None or self._facts[0] != key:
                self._facts = (key, store.article_facts())
            return self._facts[1]


def ensure_quotes(parts: Components) -> int:
    """Index the quotations of a store made before the quote index existed (once)."""
    from .ingestion.quote_index import ensure_quotes as backfill

    return backfill(parts.store, parts.settings.spacy_model)


def _fold_copies(answer: Answer) -> Answer:
    """``answer`` with one citation per quoted text: wire copies among its passages are named on
    the citation (``also_in``), not cited again (:func:`assistant.retrieval.citations.fold_copies`)."""
    from .retrieval.citations import fold_copies

    if answer.citations:
        answer.text, answer.citations = fold_copies(answer.text, answer.citations, answer.passages)
    return answer
