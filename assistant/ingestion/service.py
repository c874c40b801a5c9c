"""Ingest into an assistant's store: the :class:`Ingestor` run with the assistant's parts (store,
embedder, vector cache, keyword index) under the store's ingest lock, and the seed articles
ingested on first use of an empty store."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings

from ..config import Settings
from ..index.store import ArticleStore
from ..types import IngestNotice, IngestReport
from .pipeline import Ingestor, IngestProgress, refuse_skips


class IngestParts(Protocol):
    """What ingest needs of an assistant's parts (:class:`assistant.components.Components` has it)."""

    settings: Settings
    store: ArticleStore
    embedder: Embeddings
    embed_cache: Any
    bm25: Any
    lock: threading.RLock


class IngestService:
    """Ingests files into the store of ``parts``; one ingest at a time per embedded store."""

    def __init__(self, parts: IngestParts) -> None:
        self.parts = parts
        self._seed_checked = False

    def ingest(self, paths: Iterable[str | Path], prune: bool = False,
               on_progress: Callable[[IngestProgress], None] | None = None,
               on_wait: Callable[[str], None] | None = None, strict: bool = False) -> IngestReport:
        """See :meth:`assistant.api.Assistant.ingest`."""
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        if strict:
            refuse_skips(paths)  # before the store is opened or locked: a refused ingest changes nothing
        with self.parts.lock:
            ingestor = self._ingestor(on_progress)
            if self.parts.settings.chroma_url:  # the server is shared: no local lock or marker
                return self._run(ingestor, paths, prune)
            return self._run_locked(ingestor, paths, prune, on_wait)

    def _ingestor(self, on_progress: Callable[[IngestProgress], None] | None) -> Ingestor:
        # The keyword index follows the ingest: each stored batch is added to it, and at the end
        # it drops what the ingest replaced or pruned and is saved (nothing is rebuilt).
        s, parts = self.parts.settings, self.parts
        bm25 = parts.bm25 if s.retrieval == "hybrid" else None
        return Ingestor(parts.store, parts.embedder, s.chunk_tokens, s.chunk_overlap, on_progress=on_progress,
                        cache=parts.embed_cache, max_article_bytes=int(s.max_article_mb * 2**20),
                        batch_chunks=s.ingest_batch, overlap_writes=not _local_model(parts.embedder),
                        on_written=bm25.add if bm25 is not None else None, spacy_model=s.spacy_model)

    def _run(self, ingestor: Ingestor, paths: list, prune: bool) -> IngestReport:
        report = ingestor.run(paths, prune=prune)
        if self.parts.settings.retrieval == "hybrid":
            self.parts.bm25.sync(show_progress=False)  # the ingest shows its own progress
        return report

    def _run_locked(self, ingestor: Ingestor, paths: list, prune: bool,
                    on_wait: Callable[[str], None] | None) -> IngestReport:
        """The run under the embedded store's lock: chunks of an ingest that was killed are swept
        first (its unfinished articles are written by this one)."""
        from .locking import IngestLock

        s = self.parts.settings
        with IngestLock(s.data_dir, s.lock_timeout, on_wait) as lock:
            swept = self.parts.store.sweep_incomplete() if lock.interrupted_before else 0
            lock.begin()
            report = self._run(ingestor, paths, prune)
            lock.done()
        if swept:
            report.notices.insert(0, IngestNotice(
                str(s.data_dir), f"the previous ingest was interrupted; removed {swept} chunks of articles it had not finished"))
        return report

    def needs_seeding(self) -> bool:
        """True when the store is empty and the seed articles should be ingested first."""
        s = self.parts.settings
        if self._seed_checked or not s.auto_seed or not s.seeds_dir.is_dir():
            return False
        if self.parts.store.count_articles() > 0:
            self._seed_checked = True
            return False
        return True

    def ensure_seeded(self, on_progress: Callable[[IngestProgress], None] | None = None) -> IngestReport | None:
        """On first use of an empty store, ingest the seed articles (``auto_seed``)."""
        if not self.needs_seeding():
            return None
        report = self.ingest([self.parts.settings.seeds_dir], on_progress=on_progress)
        self._seed_checked = True
        return report


def _local_model(embedder) -> bool:
    """True for the bundled CPU model (it uses every core; writes overlapping it slow it down)."""
    from ..index.embeddings import LocalMiniLMEmbeddings

    return isinstance(embedder, LocalMiniLMEmbeddings)
