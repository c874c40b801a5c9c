"""The :class:`Assistant`: settings, store, embedder, retriever and answerer wired together."""

from __future__ import annotations

import threading
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from .answer import Answerer, ExtractiveAnswerer
from .config import Settings
from .errors import InputError, LLMUnavailableError
from .ingest import Ingestor, IngestProgress
from .filters import Filters, explain_miss
from .retrieval import DenseRetriever, HybridRetriever, PassageRetriever, Retrieval
from .schema import Answer, FilterMiss, IngestReport
from .store import ArticleRecord, ArticleStore, make_client

if TYPE_CHECKING:
    from .quotes import Quote

MAX_QUESTION_CHARS = 4000


def build_embedder(settings: Settings) -> Embeddings:
    if settings.embeddings == "openai":
        from .embeddings import openai_embeddings

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return openai_embeddings(settings.openai_embedding_model, key, settings.openai_base_url)
    from .embeddings import LocalMiniLMEmbeddings

    return LocalMiniLMEmbeddings(batch_size=settings.embed_batch_size, threads=settings.embed_threads)


class Assistant:
    """Question answering over the articles in one store.

    >>> a = Assistant()                       # settings from ASSISTANT_* / .env
    >>> a.ingest(["articles/"])               # doctest: +SKIP
    >>> a.ask("What did Netanyahu say about the alliance?").text  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embeddings | None = None,
                 answerer: Answerer | None = None, **overrides: Any) -> None:
        self.settings = settings.model_copy(update=overrides) if settings else Settings.load(**overrides)
        self._embedder = embedder
        self._answerer = answerer
        self._store: ArticleStore | None = None
        self._bm25 = None
        self._lock = threading.RLock()
        self._seed_checked = False
        self._embed_cache = None
        self._local = None
        self._metas: tuple[tuple, list[dict[str, Any]]] | None = None  # (store state, article metadata)

    # --- parts, built on first use ------------------------------------------------------

    @property
    def embedder(self) -> Embeddings:
        if self._embedder is None:
            self._embedder = build_embedder(self.settings)
        return self._embedder

    @property
    def store(self) -> ArticleStore:
        with self._lock:
            if self._store is None:
                from .embeddings import embedding_identity

                model_id, dim = embedding_identity(self.embedder)
                from .store_migrations import migrate, opening_lock

                client = make_client(self.settings.chroma_url, self.settings.data_dir)
                where = self.settings.chroma_url or str(self.settings.data_dir / "chroma")
                # One process at a time opens and migrates an embedded store: another one opening it
                # mid-migration would create the collection being swapped in.
                with opening_lock(None if self.settings.chroma_url else self.settings.data_dir, where):
                    store = ArticleStore(client, self.settings.collection, model_id, dim, where,
                                         spacy_model=self.settings.spacy_model)
                    changes = migrate(store)
                for change in changes:
                    print(f"Migrated the store at {where}: {change} (once; plain Chroma and LangChain tools "
                          "now read them).", file=sys.stderr)
                self._store = store
            return self._store

    @property
    def embed_cache(self):
        """The disk cache of chunk vectors used by ingest (None when ``embed_cache`` is off or the
        store is a Chroma server: nothing is then written under data_dir)."""
        with self._lock:
            if self._embed_cache is None and self.settings.embed_cache and not self.settings.chroma_url:
                from .embed_cache import EmbeddingCache
                from .embeddings import embedding_identity

                model_id, dim = embedding_identity(self.embedder)
                self._embed_cache = EmbeddingCache(self.settings.data_dir / "embed-cache", model_id, dim)
            return self._embed_cache

    @property
    def retriever(self) -> DenseRetriever:
        """Hybrid (dense + BM25, fused) or dense retrieval, per ``settings.retrieval``."""
        s = self.settings
        reranker = None
        if s.rerank == "lexical":
            from .rerank import LexicalReranker

            reranker = LexicalReranker(s.rerank_weight, s.rerank_top)
        if s.retrieval == "dense":
            return DenseRetriever(self.store, self.embedder, s.top_k, s.min_relevance, s.max_per_article, reranker)
        return HybridRetriever(self.store, self.embedder, self.bm25, s.top_k, s.min_relevance,
                               candidates=s.fusion_candidates, rrf_k=s.rrf_k, dense_weight=s.dense_weight,
                               bm25_weight=s.bm25_weight, max_per_article=s.max_per_article, reranker=reranker)

    @property
    def bm25(self):
        """The lexical (BM25) index over the store's chunks, on tantivy (see :mod:`assistant.lexical`)."""
        with self._lock:
            if self._bm25 is None:
                from .lexical import LexicalIndex, index_folder

                self._bm25 = LexicalIndex(self.store, index_folder(self.settings.data_dir, self.settings.collection,
                                                                   self.settings.chroma_url))
            return self._bm25

    @property
    def answerer(self) -> Answerer:
        """The answer step for ``answer_mode``: extractive (offline) or an LLM behind the OpenAI API."""
        if self.settings.effective_answer_mode == "local" and (self._local is None or not self._local.alive()):
            self._answerer = None  # (re)start the server and point a new answerer at it
        if self._answerer is None:
            mode = self.settings.effective_answer_mode
            if mode == "local":
                from .llm import LLMAnswerer

                server = self.local_server()
                s = self.settings.model_copy(update={
                    "openai_base_url": server.url, "openai_api_key": None, "chat_model": server.alias,
                    # tiktoken counts ~20 % fewer tokens than SmolLM2's tokenizer: keep a margin
                    "context_tokens": min(self.settings.context_tokens, int(self.settings.local_ctx * 0.75)),
                    "answer_tokens": min(self.settings.answer_tokens, 256, self.settings.local_ctx // 4)})
                self._answerer = LLMAnswerer(s, self.embedder, mode="local")
            elif mode == "llm":
                from .llm import LLMAnswerer

                self._answerer = LLMAnswerer(self.settings, self.embedder)
            else:
                self._answerer = self._extractive()
        return self._answerer

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
            from .ingest import refuse_skips

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
                                on_written=bm25.add if bm25 is not None else None)
            if self.settings.chroma_url:  # the server is shared: no local lock or marker
                report = ingestor.run(list(paths), prune=prune)
                if bm25 is not None:
                    bm25.sync(show_progress=False)  # the ingest shows its own progress
                return report
            from .locking import IngestLock
            from .schema import IngestNotice

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
            speech = self._speech(q, retrieval, k or self.settings.top_k, filters)
            if speech:
                retrieval.extra["speech"] = speech
        retrieval.seconds = time.perf_counter() - t
        return retrieval

    def _prepare(self, question: str, history: Sequence[Answer | str] | None) -> tuple[str, str | None]:
        q = self._clean_question(question)
        if not history:
            return q, None
        from .conversation import rewrite

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
            answerer = self.answerer
            if hasattr(answerer, "stream"):
                yield from answerer.stream(q, retrieval)
            else:
                answer = answerer.answer(q, retrieval)
                yield answer.text
                yield answer
        except LLMUnavailableError:
            crash = self.local_crash()
            if crash is None:
                raise
            yield from self._extractive_after(crash, q, retrieval)

    def _extractive(self) -> ExtractiveAnswerer:
        return ExtractiveAnswerer(self.embedder, max_sentences=self.settings.max_sentences,
                                  min_answer_score=self.settings.min_answer_score)

    def _extractive_after(self, crash: LLMUnavailableError, q: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        self._answerer = None  # the next question starts the server again
        answer = self._extractive().answer(q, retrieval)
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
        """For "what did X say…" questions: X's quotations that fit the question, and their
        passages put first in ``retrieval``. None when it is not such a question or X has none."""
        from .speech import asks_what_someone_said, boost, match_quotes, question_speakers

        if not self.settings.quote_index or not asks_what_someone_said(question):
            return None
        self.store.ensure_quotes()
        from .quotes import speaker_matches

        names = question_speakers(question)
        retrieval.extra["asked_speakers"] = names
        records = self.store.find_quotes(speakers=names, doc_ids=filters.doc_ids if filters else None)
        if filters and not filters.empty:
            records = [r for r in records if filters.match(r)]
        # Only the names that are speakers leave the topic ("What did Vance say about Turkey?")
        speakers = [n for n in names if any(speaker_matches(n, r.get("speaker", ""), r.get("aliases", "").split("|"))
                                            for r in records)]
        # Words of other speakers in the retrieved articles are no answer to "what did X say".
        docs = sorted({p.doc_id for p in retrieval.passages})
        retrieval.extra["foreign_quotes"] = [
            (r["doc_id"], r["char_start"], r["char_end"]) for r in self.store.find_quotes(doc_ids=docs)
            if r.get("speaker") and not any(speaker_matches(n, r["speaker"], r.get("aliases", "").split("|"))
                                            for n in names)
        ] if docs else []
        matches = match_quotes(question, records[:300], self.embedder, speakers, cache=self.embed_cache)
        if not matches:
            return None
        chunk_ids = list(dict.fromkeys(m.record.get("chunk_id", "") for m in matches[:k] if m.record.get("chunk_id")))
        got = self.store.get_passages(chunk_ids, retrieval.query_vector.tolist())
        passages = {cid: p for cid, (p, _meta) in got.items()}
        boost(retrieval, [passages[c] for c in chunk_ids if c in passages], k, self.settings.max_per_article)
        return matches, passages

    def quotes(self, speaker: str | None = None, about: str | None = None, limit: int = 20,
               filters: Filters | None = None) -> list["Quote"]:
        """Quotations in the stored articles, with their speakers.

        ``speaker``: a name (surname or full) to keep only that person's words; ``about``: text
        the quotes should be about (best first); otherwise in date and reading order.
        """
        from .quotes import Quote
        from .speech import match_quotes

        self.ensure_seeded()
        self.store.ensure_quotes()
        if speaker is not None and not speaker.strip():
            raise InputError("The speaker name is empty.", hint="give a name, e.g. --speaker Netanyahu")
        records = self.store.find_quotes(speakers=[speaker] if speaker else None,
                                         doc_ids=filters.doc_ids if filters else None)
        if filters and not filters.empty:
            records = [r for r in records if filters.match(r)]
        if about and about.strip():
            records = [m.record for m in match_quotes(about, records[:2000], self.embedder, [speaker] if speaker else [],
                                                      keep_all=True, cache=self.embed_cache)]
        else:
            records.sort(key=lambda r: (r.get("date", ""), r["doc_id"], r["char_start"]))
        out = []
        for r in records[:limit]:
            out.append(Quote(
                doc_id=r["doc_id"], speaker=r.get("speaker", ""), text=r["text"], char_start=r["char_start"],
                char_end=r["char_end"], sentence="", sentence_start=r.get("sentence_start", 0),
                sentence_end=r.get("sentence_end", 0), paragraph=r.get("paragraph", 0),
                attribution=r.get("attribution", ""), speaker_title=r.get("speaker_title", ""),
                aliases=[a for a in r.get("aliases", "").split("|") if a], title=r.get("title", ""),
                date=r.get("date", ""), source=r.get("outlet") or r.get("source", ""),
                kind=r.get("kind", ""), confidence=float(r.get("confidence", 0.0)),
            ))
        return out

    def local_crash(self) -> LLMUnavailableError | None:
        """How the local model server ended, when it crashed (None while it runs, or never ran)."""
        return self._local.crashed() if self._local is not None else None

    def local_server(self):
        """The llama.cpp server of local mode, started on first use (stopped by :meth:`close`)."""
        with self._lock:
            if self._local is None or not self._local.alive():
                from .local_llm import LocalServer, resolve_model

                s = self.settings
                model = resolve_model(s.local_model)
                log = None if s.chroma_url else s.data_dir / "local-llm.log"
                if log:
                    log.parent.mkdir(parents=True, exist_ok=True)
                self._local = LocalServer(model, n_ctx=s.local_ctx, threads=s.local_threads,
                                          startup_timeout=s.local_startup_timeout, log_path=log,
                                          command=s.local_server_command)
                self._local.start()
            return self._local

    def close(self) -> None:
        """Stop the local model server, if one was started, and let go of the store's files
        (its Chroma client, the vector cache). The assistant stays usable: they reopen on next use."""
        with self._lock:
            if self._local is not None:
                self._local.stop()
                self._local = None
                if self.settings.effective_answer_mode == "local":
                    self._answerer = None
            if self._store is not None:
                close = getattr(self._store.client, "close", None)
                if close is not None:
                    close()
                self._store, self._bm25 = None, None
            if self._embed_cache is not None:
                self._embed_cache.close()
                self._embed_cache = None

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
        self.settings = self.settings.model_copy(update={"answer_mode": mode})
        self._answerer = None

    def chat(self, k: int | None = None) -> "Chat":
        """A conversation: each question sees the earlier ones (follow-ups are rewritten)."""
        return Chat(self, k=k)

    # --- store views ------------------------------------------------------------------

    def articles(self) -> list[ArticleRecord]:
        return sorted(self.store.list_articles(), key=lambda r: (r.outlet or r.source, r.date, r.title))

    def info(self) -> dict[str, Any]:
        from .embeddings import embedding_identity

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
        from .runnable import build_runnable

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
    from .citations import fold_copies

    if answer.citations:
        answer.text, answer.citations = fold_copies(answer.text, answer.citations, answer.passages)
    return answer


def _local_model(embedder) -> bool:
    """True for the bundled CPU model (it uses every core; writes overlapping it slow it down)."""
    from .embeddings import LocalMiniLMEmbeddings

    return isinstance(embedder, LocalMiniLMEmbeddings)
