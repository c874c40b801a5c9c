"""The :class:`Assistant`: settings, store, embedder, retriever and answerer wired together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from .answering.protocol import Answerer
from .components import Components, build_embedder  # noqa: F401 (build_embedder: its old home)
from .config import Settings
from .errors import InputError, LLMUnavailableError
from .ingestion.pipeline import Ingestor, IngestProgress
from .retrieval.filters import Filters, explain_miss
from .retrieval.hybrid import PassageRetriever, Retrieval, Retriever
from .types import Answer, FilterMiss, IngestReport
from .index.store import ArticleRecord, ArticleStore

if TYPE_CHECKING:
    from .nlp.quotes import Quote

MAX_QUESTION_CHARS = 4000


class Assistant:
    """Question answering over the articles in one store.

    >>> a = Assistant()                       # settings from ASSISTANT_* / .env
    >>> a.ingest(["articles/"])               # doctest: +SKIP
    >>> a.ask("What did Netanyahu say about the alliance?").text  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embeddings | None = None,
                 answerer: Answerer | None = None, retriever: Retriever | None = None, **overrides: Any) -> None:
        settings = settings.model_copy(update=overrides) if settings else Settings.load(**overrides)
        self.parts = Components(settings, embedder, answerer, retriever)
        self._lock = self.parts.lock
        self._seed_checked = False
        self._metas: tuple[tuple, list[dict[str, Any]]] | None = None  # (store state, article metadata)

    # --- parts, built on first use (:class:`assistant.components.Components`) ------------

    @property
    def settings(self) -> Settings:
        return self.parts.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.parts.settings = settings

    @property
    def embedder(self) -> Embeddings:
        return self.parts.embedder

    @property
    def store(self) -> ArticleStore:
        return self.parts.store

    @property
    def embed_cache(self):
        return self.parts.embed_cache

    @property
    def retriever(self) -> Retriever:
        return self.parts.retriever

    @property
    def bm25(self):
        return self.parts.bm25

    @property
    def answerer(self) -> Answerer:
        return self.parts.answerer

    # --- ingest -----------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | Path], prune: bool = False,
               on_progress: Callable[[IngestProgress], None] | None = None,
               on_wait: Callable[[str], None] | None = None, strict: bool = False) -> IngestReport:
        """Ingest files, folders or ``.jsonl`` files. Unchanged articles are skipped.

        Files a folder holds that ingest does not read (other types, hidden ones) are listed in
        ``report.skipped``; with ``strict`` they raise :class:`IngestError` and nothing is ingested.

        One ingest at a time per embedded store: a second process waits (``on_wait`` gets a
        message) up to ``settings.lock_timeout`` seconds. Chunks left by an ingest that was
        killed are swept first; the articles it did not finish are written by this one.
        """
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        if strict:
            from .ingestion.pipeline import refuse_skips

            refuse_skips(paths)  # before the store is opened or locked: a refused ingest changes nothing
        with self._lock:
            # The BM25 index follows the ingest: each stored batch is added to it, and at the end
            # it drops what the ingest replaced or pruned and is saved (nothing is rebuilt).
            bm25 = self.bm25 if self.settings.retrieval == "hybrid" else None
            ingestor = Ingestor(self.store, self.embedder, self.settings.chunk_tokens,
                                self.settings.chunk_overlap, on_progress=on_progress, cache=self.embed_cache,
                                max_article_bytes=int(self.settings.max_article_mb * 2**20),
                                batch_chunks=self.settings.ingest_batch,
                                overlap_writes=not _local_model(self.embedder),
                                on_written=bm25.add if bm25 is not None else None,
                                spacy_model=self.settings.spacy_model)
            if self.settings.chroma_url:  # the server is shared: no local lock or marker
                report = ingestor.run(list(paths), prune=prune)
                if bm25 is not None:
                    bm25.sync(show_progress=False)  # the ingest shows its own progress
                return report
            from .ingestion.locking import IngestLock
            from .types import IngestNotice

            with IngestLock(self.settings.data_dir, self.settings.lock_timeout, on_wait) as lock:
                swept = self.store.sweep_incomplete() if lock.interrupted_before else 0
                lock.begin()
                report = ingestor.run(list(paths), prune=prune)
                if bm25 is not None:
                    bm25.sync(show_progress=False)  # the ingest shows its own progress
                lock.done()
            if swept:
                report.notices.insert(0, IngestNotice(
                    str(self.settings.data_dir),
                    f"the previous ingest was interrupted; removed {swept} chunks of articles it had not finished"))
            return report

    def has_store(self) -> bool:
        """True when the store exists: a Chroma server, or an embedded store already made in
        ``data_dir`` (by an ingest or an earlier use). Checking creates nothing."""
        return bool(self.settings.chroma_url) or (self.settings.data_dir / "chroma").is_dir()

    def needs_seeding(self) -> bool:
        """True when the store is empty and the seed articles should be ingested first."""
        s = self.settings
        if self._seed_checked or not s.auto_seed or not s.seeds_dir.is_dir():
            return False
        if self.store.count_articles() > 0:
            self._seed_checked = True
            return False
        return True

    def ensure_seeded(self, on_progress: Callable[[IngestProgress], None] | None = None) -> IngestReport | None:
        """On first use of an empty store, ingest the seed articles (``auto_seed``)."""
        if not self.needs_seeding():
            return None
        report = self.ingest([self.settings.seeds_dir], on_progress=on_progress)
        self._seed_checked = True
        return report

    # --- questions --------------------------------------------------------------------

    @staticmethod
    def _clean_question(question: str) -> str:
        if not isinstance(question, str):
            raise InputError(f"A question must be text, not {type(question).__name__}.")
        q = " ".join("".join(ch if ch.isprintable() or ch.isspace() else " " for ch in question).split())
        if not q:
            raise InputError("The question is empty.", hint='ask something, e.g. assistant ask "Who met Netanyahu?"')
        return q[:MAX_QUESTION_CHARS]

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None,
                 filters: Filters | None = None) -> Retrieval:
        """Passages for a question, best first: what ``ask`` answers from. For a "what did X
        say…" question, the passages holding X's quotations that fit it come first (the quote
        index; ``settings.quote_index``)."""
        self.ensure_seeded()
        return self._retrieve(self._clean_question(question), k, where, self._check_filters(filters)[0])

    def _retrieve(self, q: str, k: int | None, where: dict | None, filters: Filters | None) -> Retrieval:
        t = time.perf_counter()
        retrieval = self.retriever.retrieve(q, k=k, where=where, filters=filters)
        if where is None:
            retrieval.speech = self._speech(q, retrieval, k or self.settings.top_k, filters)
        retrieval.seconds = time.perf_counter() - t
        return retrieval

    def _prepare(self, question: str, history: Sequence[Answer | str] | None) -> tuple[str, str | None]:
        q = self._clean_question(question)
        if not history:
            return q, None
        from .retrieval.followups import rewrite

        previous = [h if isinstance(h, str) else (h.rewritten or h.question) for h in history]
        standalone = rewrite(q, previous, self.settings.spacy_model)
        return standalone, (standalone if standalone != q else None)

    def ask(self, question: str, k: int | None = None, where: dict | None = None,
            history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Answer:
        """Answer a question from the stored articles, with numbered citations.

        ``history``: earlier turns of the conversation (Answers or questions, oldest first).
        A follow-up ("And what did Vance say?") is rewritten into a standalone question,
        kept on ``Answer.rewritten``. ``filters`` restricts the articles searched (source, date
        range, ids, title words).
        """
        final = None
        for part in self.stream(question, k=k, where=where, history=history, filters=filters):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(self, question: str, k: int | None = None, where: dict | None = None,
               history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is produced (str deltas), then the final :class:`Answer`
        with verified citations. In extractive mode the text comes in one piece. When ``filters``
        match no stored article, the answer says so (``Answer.filter_miss``, nothing searched)."""
        t0 = time.perf_counter()
        q, rewritten = self._prepare(question, history)
        self.ensure_seeded()
        filters, miss = self._check_filters(filters)
        t1 = time.perf_counter()
        if miss is not None:
            parts = self._missed(q, miss)
        else:
            parts = self._answer(q, self._retrieve(q, k, where, filters))
        t2 = time.perf_counter()
        answer = None
        for part in parts:
            if isinstance(part, Answer):
                answer = _fold_copies(part)
            else:
                yield part
        t3 = time.perf_counter()
        if len(" ".join(question.split())) > MAX_QUESTION_CHARS:
            answer.warnings.append(f"The question was cut to {MAX_QUESTION_CHARS} characters.")
        answer.question = question[:MAX_QUESTION_CHARS]
        answer.rewritten = rewritten
        answer.timings.update(
            {"setup": round(t1 - t0, 4), "retrieve": round(t2 - t1, 4), "answer": round(t3 - t2, 4),
             "total": round(t3 - t0, 4)}
        )
        yield answer

    def _answer(self, q: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """The answerer's text deltas, then its :class:`Answer`. When the local model server
        crashes (at start or on this question), the extractive answer, with a notice that says
        how it ended, where its log is and what to do."""
        try:
            yield from self.answerer.stream(q, retrieval)
        except LLMUnavailableError:
            crash = self.local_crash()
            if crash is None:
                raise
            yield from self._extractive_after(crash, q, retrieval)

    def _extractive_after(self, crash: LLMUnavailableError, q: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        self.parts.reset_answerer()  # the next question starts the server again
        answer = self.parts.extractive().answer(q, retrieval)
        answer.warnings.insert(0, f"{crash.message} This is the extractive answer; {crash.hint}.")
        answer.mode = "extractive-fallback"
        yield answer.text
        yield answer

    def _missed(self, q: str, miss: FilterMiss) -> Iterator[str | Answer]:
        """The answer to a question whose filters match no stored article: it says so."""
        answer = Answer(question=q, text=miss.message(), abstained=True, mode=self.settings.effective_answer_mode,
                        filter_miss=miss)
        yield answer.text
        yield answer

    def _check_filters(self, filters: Filters | None) -> tuple[Filters | None, FilterMiss | None]:
        """The filters with their source resolved to its stored spellings (any case), and what
        they miss when no stored article matches them."""
        if filters is None or filters.empty:
            return filters, None
        metas = self._article_metas()
        return filters.resolve(metas), explain_miss(filters, metas)

    def _article_metas(self) -> list[dict[str, Any]]:
        """The stored articles' metadata for filters, read again when the store has changed."""
        with self._lock:
            key = (id(self.store), self.store.write_token())  # any process's write changes it
            if self._metas is None or self._metas[0] != key:
                self._metas = (key, self.store.article_metas())
            return self._metas[1]

    def _speech(self, question: str, retrieval: Retrieval, k: int, filters: Filters | None):
        """For "what did X say…" questions: X's quotations that fit the question, their passages
        put first in ``retrieval`` (:func:`assistant.retrieval.speakers.speaker_evidence`)."""
        from .retrieval.speakers import asks_what_someone_said, speaker_evidence

        if not self.settings.quote_index or not asks_what_someone_said(question):
            return None
        self._ensure_quotes()
        return speaker_evidence(question, retrieval, self.store, self.embedder, k, self.settings.max_per_article,
                                filters, cache=self.embed_cache)

    def quotes(self, speaker: str | None = None, about: str | None = None, limit: int = 20,
               filters: Filters | None = None) -> list["Quote"]:
        """Quotations in the stored articles, with their speakers.

        ``speaker``: a name (surname or full) to keep only that person's words; ``about``: text
        the quotes should be about (best first); otherwise in date and reading order.
        """
        from .retrieval.speakers import find_quotations

        self.ensure_seeded()
        self._ensure_quotes()
        if speaker is not None and not speaker.strip():
            raise InputError("The speaker name is empty.", hint="give a name, e.g. --speaker Netanyahu")
        return find_quotations(self.store, self.embedder, speaker, about, limit, filters, cache=self.embed_cache)

    def local_crash(self) -> LLMUnavailableError | None:
        """How the local model server ended, when it crashed (None while it runs, or never ran)."""
        return self.parts.local_crash()

    def local_server(self):
        """The llama.cpp server of local mode, started on first use (stopped by :meth:`close`)."""
        return self.parts.local_server()

    def _ensure_quotes(self) -> int:
        """Index the quotations of a store made before the quote index existed (once)."""
        from .ingestion.quote_index import ensure_quotes

        return ensure_quotes(self.store, self.settings.spacy_model)

    def close(self) -> None:
        """Stop the local model server, if one was started, and let go of the store's files
        (its Chroma client, the vector cache). The assistant stays usable: they reopen on next use."""
        self.parts.close()

    def __enter__(self) -> "Assistant":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def set_mode(self, mode: str) -> None:
        """Switch the answer mode (``llm``, ``local``, ``extractive`` or ``auto``) for the next questions."""
        if mode not in ("llm", "extractive", "auto", "local"):
            raise InputError(f"Unknown answer mode '{mode}'.", hint="use llm, local, extractive or auto")
        if mode == "llm" and not self.settings.llm_configured:
            raise InputError("llm mode needs a chat model.", hint="set OPENAI_API_KEY or OPENAI_BASE_URL first")
        self.settings = self.settings.model_copy(update={"answer_mode": mode})  # a new answerer is built

    def chat(self, k: int | None = None) -> "Chat":
        """A conversation: each question sees the earlier ones (follow-ups are rewritten)."""
        return Chat(self, k=k)

    # --- store views ------------------------------------------------------------------

    def articles(self) -> list[ArticleRecord]:
        return sorted(self.store.list_articles(), key=lambda r: (r.outlet or r.source, r.date, r.title))

    def info(self) -> dict[str, Any]:
        from .index.embeddings import embedding_identity

        model_id, dim = embedding_identity(self.embedder)
        s = self.settings
        return {
            "store": s.chroma_url or str(s.data_dir / "chroma"),
            "collection": s.collection,
            "articles": self.store.count_articles(),
            "chunks": self.store.count_chunks(),
            "embedding_model": model_id,
            "embedding_dim": self.store.dimension or dim,
            "answer_mode": self.answerer.mode,
            "chunking": f"{s.chunk_tokens} tokens, {s.chunk_overlap} overlap (cl100k_base)",
        }

    # --- LangChain --------------------------------------------------------------------

    def as_retriever(self, k: int | None = None, search_kwargs: dict | None = None) -> PassageRetriever:
        """The store as a LangChain ``BaseRetriever`` (relevant passages as Documents).
        ``search_kwargs`` as in LangChain's vector stores: ``{"k": 3, "filter": {...}}``."""
        self.ensure_seeded()
        kwargs = dict(search_kwargs or {})
        unknown = set(kwargs) - {"k", "filter"}
        if unknown:
            raise InputError(f"Unknown search_kwargs: {', '.join(sorted(unknown))}.", hint="use k and filter")
        return PassageRetriever(retriever=self.retriever, k=kwargs.get("k", k), filter=kwargs.get("filter"),
                                search=self.retrieve)

    def as_runnable(self):
        """``ask`` as a LangChain ``Runnable``: a question or ``{"question", "chat_history",
        "filters"}`` in, a JSON-ready dict out (``answer`` and the citations); it streams, and
        shows its retrieval step in ``astream_events`` (:mod:`assistant.runnable`)."""
        from .interfaces.langchain import build_runnable

        return build_runnable(self)


class Chat:
    """A conversation with an :class:`Assistant`; keeps the history follow-ups need.

    >>> chat = Assistant().chat()                                   # doctest: +SKIP
    >>> chat.ask("What did Netanyahu say about the alliance?")      # doctest: +SKIP
    >>> chat.ask("And what did Vance say?").rewritten               # doctest: +SKIP
    """

    def __init__(self, assistant: Assistant, k: int | None = None, max_turns: int = 20,
                 filters: Filters | None = None) -> None:
        self.assistant = assistant
        self.k = k
        self.filters = filters
        self.max_turns = max_turns
        self.history: list[Answer] = []

    @property
    def last(self) -> Answer | None:
        return self.history[-1] if self.history else None

    def stream(self, question: str, where: dict | None = None) -> Iterator[str | Answer]:
        for part in self.assistant.stream(question, k=self.k, where=where, history=self.history or None,
                                          filters=self.filters):
            if isinstance(part, Answer):
                self.history = (self.history + [part])[-self.max_turns:]
            yield part

    def ask(self, question: str, where: dict | None = None) -> Answer:
        final = None
        for part in self.stream(question, where=where):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def reset(self) -> None:
        self.history.clear()


_default: Assistant | None = None
_default_lock = threading.Lock()


def get_assistant() -> Assistant:
    """The shared default instance used by the module-level ``ask`` and ``ingest``."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
        return _default


def ask(question: str, k: int | None = None, where: dict | None = None,
        history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Answer:
    """Answer a question with the default :class:`Assistant` (see :meth:`Assistant.ask`)."""
    return get_assistant().ask(question, k=k, where=where, history=history, filters=filters)


def ingest(paths: Iterable[str | Path] | str | Path, prune: bool = False, strict: bool = False) -> IngestReport:
    """Ingest files, folders or ``.jsonl`` files into the default store (see :meth:`Assistant.ingest`)."""
    return get_assistant().ingest(paths, prune=prune, strict=strict)


def _fold_copies(answer: Answer) -> Answer:
    """``answer`` with one citation per quoted text: wire copies among its passages are named on
    the citation (``also_in``), not cited again (:func:`assistant.citations.fold_copies`)."""
    from .retrieval.citations import fold_copies

    if answer.citations:
        answer.text, answer.citations = fold_copies(answer.text, answer.citations, answer.passages)
    return answer


def _local_model(embedder) -> bool:
    """True for the bundled CPU model (it uses every core; writes overlapping it slow it down)."""
    from .index.embeddings import LocalMiniLMEmbeddings

    return isinstance(embedder, LocalMiniLMEmbeddings)
