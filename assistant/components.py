"""The parts of an assistant, built once from its settings on first use: the embedder, the store
(opened and migrated), the vector cache, the keyword index, the retriever, the answerer and the
local model server. :class:`~assistant.api.Assistant` is the facade over them."""

from __future__ import annotations

import sys
import threading

from langchain_core.embeddings import Embeddings

from .answering.extractive import ExtractiveAnswerer
from .answering.protocol import Answerer
from .config import Settings
from .errors import LLMUnavailableError
from .index.store import ArticleStore, make_client
from .plugins import build_plugin
from .retrieval.hybrid import DenseRetriever, HybridRetriever, Retriever


def build_embedder(settings: Settings) -> Embeddings:
    """The embedding model the settings name: the bundled MiniLM, or OpenAI's."""
    if settings.embeddings == "openai":
        from .index.embeddings import openai_embeddings

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return openai_embeddings(settings.openai_embedding_model, key, settings.openai_base_url)
    from .index.embeddings import LocalMiniLMEmbeddings

    return LocalMiniLMEmbeddings(batch_size=settings.embed_batch_size, threads=settings.embed_threads)


class Components:
    """Each part built on first use and kept; ``embedder``, ``answerer`` and ``retriever`` given
    here replace the built ones (see ARCHITECTURE.md, "Where your own parts plug in")."""

    def __init__(self, settings: Settings, embedder: Embeddings | None = None, answerer: Answerer | None = None,
                 retriever: Retriever | None = None) -> None:
        self._settings = settings
        self._embedder = embedder
        self._answerer = answerer
        self._retriever = retriever
        self._plugin_retriever: Retriever | None = None
        self._store: ArticleStore | None = None
        self._bm25 = None
        self._embed_cache = None
        self._local = None
        self.lock = threading.RLock()

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings (a mode switch, a timeout): the answerer is built again from them."""
        self._settings = settings
        self._plugin_retriever = None
        self.reset_answerer()

    def reset_answerer(self) -> None:
        self._answerer = None

    @property
    def embedder(self) -> Embeddings:
        if self._embedder is None:
            self._embedder = build_embedder(self.settings)
        return self._embedder

    @property
    def store(self) -> ArticleStore:
        """The Chroma store, opened and migrated once (one process at a time opens and migrates an
        embedded store: another one opening it mid-migration would create the collection being
        swapped in)."""
        with self.lock:
            if self._store is None:
                from .index.embeddings import embedding_identity
                from .index.migrations import migrate, opening_lock

                model_id, dim = embedding_identity(self.embedder)
                s = self.settings
                client = make_client(s.chroma_url, s.data_dir)
                where = s.chroma_url or str(s.data_dir / "chroma")
                with opening_lock(None if s.chroma_url else s.data_dir, where):
                    store = ArticleStore(client, s.collection, model_id, dim, where)
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
        with self.lock:
            if self._embed_cache is None and self.settings.embed_cache and not self.settings.chroma_url:
                from .index.embed_cache import EmbeddingCache
                from .index.embeddings import embedding_identity

                model_id, dim = embedding_identity(self.embedder)
                self._embed_cache = EmbeddingCache(self.settings.data_dir / "embed-cache", model_id, dim)
            return self._embed_cache

    @property
    def bm25(self):
        """The keyword (BM25) index over the store's chunks, on tantivy (:mod:`assistant.index.lexical`)."""
        with self.lock:
            if self._bm25 is None:
                from .index.lexical import LexicalIndex, index_folder

                s = self.settings
                self._bm25 = LexicalIndex(self.store, index_folder(s.data_dir, s.collection, s.chroma_url))
            return self._bm25

    @property
    def retriever(self) -> Retriever:
        """The retriever given, else the plugin ``settings.retriever`` names (built once), else
        hybrid (dense + keyword, fused) or dense retrieval per ``settings.retrieval``."""
        if self._retriever is not None:
            return self._retriever
        s = self.settings
        if s.retriever:
            with self.lock:
                if self._plugin_retriever is None:
                    self._plugin_retriever = build_plugin("retriever", s.retriever, self)
                return self._plugin_retriever
        reranker = None
        if s.rerank == "lexical":
            from .retrieval.rerank import LexicalReranker

            reranker = LexicalReranker(s.rerank_weight, s.rerank_top)
        if s.retrieval == "dense":
            return DenseRetriever(self.store, self.embedder, s.top_k, s.min_relevance, s.max_per_article, reranker)
        return HybridRetriever(self.store, self.embedder, self.bm25, s.top_k, s.min_relevance,
                               candidates=s.fusion_candidates, rrf_k=s.rrf_k, dense_weight=s.dense_weight,
                               bm25_weight=s.bm25_weight, max_per_article=s.max_per_article, reranker=reranker)

    @property
    def answerer(self) -> Answerer:
        """The answerer given, else the plugin ``settings.answerer`` names, else the one for
        ``answer_mode``: extractive (offline), an LLM behind the OpenAI API, or the bundled local
        model (its server started, or started again)."""
        mode = self.settings.effective_answer_mode
        if mode == "local" and not self.settings.answerer and (self._local is None or not self._local.alive()):
            self._answerer = None  # (re)start the server and point a new answerer at it
        if self._answerer is None:
            if self.settings.answerer:
                self._answerer = build_plugin("answerer", self.settings.answerer, self)
            elif mode in ("local", "llm"):
                from .answering.llm import LLMAnswerer

                self._answerer = LLMAnswerer(self._local_settings() if mode == "local" else self.settings,
                                             self.embedder, mode=mode)
            else:
                self._answerer = self.extractive()
        return self._answerer

    def _local_settings(self) -> Settings:
        """The settings pointed at the local server (started here)."""
        server = self.local_server()
        s = self.settings
        return s.model_copy(update={
            "openai_base_url": server.url, "openai_api_key": None, "chat_model": server.alias,
            # tiktoken counts ~20 % fewer tokens than SmolLM2's tokenizer: keep a margin
            "context_tokens": min(s.context_tokens, int(s.local_ctx * 0.75)),
            "answer_tokens": min(s.answer_tokens, 256, s.local_ctx // 4)})

    def extractive(self) -> ExtractiveAnswerer:
        return ExtractiveAnswerer(self.embedder, max_sentences=self.settings.max_sentences,
                                  min_answer_score=self.settings.min_answer_score)

    def local_crash(self) -> LLMUnavailableError | None:
        """How the local model server ended, when it crashed (None while it runs, or never ran)."""
        return self._local.crashed() if self._local is not None else None

    def local_server(self):
        """The llama.cpp server of local mode, started on first use (stopped by :meth:`close`)."""
        with self.lock:
            if self._local is None or not self._local.alive():
                from .answering.local_server import LocalServer, resolve_model

                s = self.settings
                log = None if s.chroma_url else s.data_dir / "local-llm.log"
                if log:
                    log.parent.mkdir(parents=True, exist_ok=True)
                self._local = LocalServer(resolve_model(s.local_model), n_ctx=s.local_ctx, threads=s.local_threads,
                                          startup_timeout=s.local_startup_timeout, log_path=log,
                                          command=s.local_server_command)
                self._local.start()
            return self._local

    def close(self) -> None:
        """Stop the local model server, if one was started, and let go of the store's files (its
        Chroma client, the vector cache). Every part reopens on next use."""
        with self.lock:
            if self._local is not None:
                self._local.stop()
                self._local = None
                if self.settings.effective_answer_mode == "local":
                    self._answerer = None
            self._plugin_retriever = None  # a plugin holds the store it was given: built again on next use
            if self.settings.answerer:
                self._answerer = None
            if self._store is not None:
                close = getattr(self._store.client, "close", None)
                if close is not None:
                    close()
                self._store, self._bm25 = None, None
            if self._embed_cache is not None:
                self._embed_cache.close()
                self._embed_cache = None
