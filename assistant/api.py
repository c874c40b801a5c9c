"""The :class:`Assistant`: the facade every face uses (CLI, chat, LangChain, evals) over the parts
built once from its settings (:class:`~assistant.components.Components`), the ingest service and
the question pipeline; and the module-level ``ask`` and ``ingest`` on a shared default one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from .answering.protocol import Answerer, final_answer
from .components import Components, build_embedder  # noqa: F401 (build_embedder: its old home)
from .config import Settings
from .errors import InputError, LLMUnavailableError
from .index.store import ArticleRecord, ArticleStore
from .ingestion.pipeline import IngestProgress
from .ingestion.service import IngestService
from .questions import MAX_QUESTION_CHARS, QuestionPipeline, ensure_quotes  # noqa: F401 (MAX_QUESTION_CHARS: its old home)
from .retrieval.filters import Filters
from .retrieval.hybrid import PassageRetriever, Retrieval, Retriever
from .types import Answer, IngestReport

if TYPE_CHECKING:
    from .nlp.quotes import Quote


class Assistant:
    """Question answering over the articles in one store.

    >>> a = Assistant()                       # settings from ASSISTANT_* / .env
    >>> a.ingest(["articles/"])               # doctest: +SKIP
    >>> a.ask("What did Netanyahu say about the alliance?").text  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embeddings | None = None,
                 answerer: Answerer | str | None = None, retriever: Retriever | str | None = None,
                 **overrides: Any) -> None:
        """``answerer`` and ``retriever``: your own objects, or the names of installed plugins
        (the settings ``answerer`` / ``retriever``); ``overrides``: any other settings."""
        for name, given in (("answerer", answerer), ("retriever", retriever)):
            if isinstance(given, str):
                overrides[name] = given
        answerer = None if isinstance(answerer, str) else answerer
        retriever = None if isinstance(retriever, str) else retriever
        settings = settings.model_copy(update=overrides) if settings else Settings.load(**overrides)
        self.parts = Components(settings, embedder, answerer, retriever)
        self.ingestion = IngestService(self.parts)
        self.questions = QuestionPipeline(self.parts, before=self.ensure_seeded)

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

    # --- ingest (:class:`assistant.ingestion.service.IngestService`) --------------------

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
        return self.ingestion.ingest(paths, prune=prune, on_progress=on_progress, on_wait=on_wait, strict=strict)

    def has_store(self) -> bool:
        """True when the store exists: a Chroma server, or an embedded store already made in
        ``data_dir`` (by an ingest or an earlier use). Checking creates nothing."""
        return bool(self.settings.chroma_url) or (self.settings.data_dir / "chroma").is_dir()

    def needs_seeding(self) -> bool:
        """True when the store is empty and the seed articles should be ingested first."""
        return self.ingestion.needs_seeding()

    def ensure_seeded(self, on_progress: Callable[[IngestProgress], None] | None = None) -> IngestReport | None:
        """On first use of an empty store, ingest the seed articles (``auto_seed``)."""
        return self.ingestion.ensure_seeded(on_progress)

    # --- questions (:class:`assistant.questions.QuestionPipeline`) -------------------------

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None,
                 filters: Filters | None = None) -> Retrieval:
        """Passages for a question, best first: what ``ask`` answers from. For a "what did X
        say…" question, the passages holding X's quotations that fit it come first (the quote
        index; ``settings.quote_index``)."""
        return self.questions.retrieve(question, k, where, filters)

    def ask(self, question: str, k: int | None = None, where: dict | None = None,
            history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Answer:
        """Answer a question from the stored articles, with numbered citations.

        ``history``: earlier turns of the conversation (Answers or questions, oldest first).
        A follow-up ("And what did Vance say?") is rewritten into a standalone question,
        kept on ``Answer.rewritten``. ``filters`` restricts the articles searched (source, date
        range, ids, title words).
        """
        return final_answer(self.stream(question, k=k, where=where, history=history, filters=filters))

    def stream(self, question: str, k: int | None = None, where: dict | None = None,
               history: Sequence[Answer | str] | None = None, filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is produced (str deltas), then the final :class:`Answer`
        with verified citations. In extractive mode the text comes in one piece. When ``filters``
        match no stored article, the answer says so (``Answer.filter_miss``, nothing searched)."""
        return self.questions.stream(question, k=k, where=where, history=history, filters=filters)

    def quotes(self, speaker: str | None = None, about: str | None = None, limit: int = 20,
               filters: Filters | None = None) -> list[Quote]:
        """Quotations in the stored articles, with their speakers.

        ``speaker``: a name (surname or full) to keep only that person's words; ``about``: text
        the quotes should be about (best first); otherwise in date and reading order.
        """
        from .retrieval.speakers import find_quotations

        self.ensure_seeded()
        ensure_quotes(self.parts)
        if speaker is not None and not speaker.strip():
            raise InputError("The speaker name is empty.", hint="give a name, e.g. --speaker Netanyahu")
        return find_quotations(self.store, self.embedder, speaker, about, limit, filters, cache=self.embed_cache)

    def local_crash(self) -> LLMUnavailableError | None:
        """How the local model server ended, when it crashed (None while it runs, or never ran)."""
        return self.parts.local_crash()

    def local_server(self):
        """The llama.cpp server of local mode, started on first use (stopped by :meth:`close`)."""
        return self.parts.local_server()

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
        return final_answer(self.stream(question, where=where))

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
