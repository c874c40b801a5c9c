"""Ingest: files -> articles -> chunks -> embeddings -> the store, idempotently.

- An unchanged article (same id, same content hash) writes nothing.
- A changed article (same id, or for one-article files the same path) gets its new chunks
  written, then its old ones deleted, then its registry record updated.
- ``prune`` removes articles whose source file is gone, and articles that have left a
  ``.jsonl`` file ingested in this run.

Chunks of many articles are embedded together (the embedder sorts them by length, so
batches pad little); each article is then written and marked complete on its own.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .chunking import chunk_article
from .quote_index import find_quotes
from ..index.embed_cache import EmbeddingCache, embed_with_cache
from .parsers import expand_paths, parse_file
from .parsers import DEFAULT_MAX_BYTES
from ..errors import IngestError
from ..types import Article, Chunk, IngestFailure, IngestNotice, IngestReport, IngestSkip
from ..index.store import ArticleStore, ArticleWrite

LOOKUP_BATCH = 64  # articles looked up in the registry at once
EMBED_FLUSH = 2048  # chunks gathered, sorted by length, embedded, then written together
EMBED_SLICE = 256  # chunks per embedding call inside a batch (progress and cache granularity)
READ_AHEAD = 256  # parsed-and-chunked articles the reader thread may hold ready


def read_ahead(items: Iterator, maxsize: int = READ_AHEAD) -> Iterator:
    """Run the generator ``items`` on a thread, ``maxsize`` items ahead of the consumer.

    Parsing and chunking the next articles then overlaps with embedding the current ones,
    and memory stays bounded by ``maxsize``. Exceptions are re-raised in the consumer; if the
    consumer stops early, the thread stops too.
    """
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()
    done = object()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for x in items:
                if not put((None, x)):
                    return
        except BaseException as exc:  # handed to the consumer
            put((exc, None))
            return
        put((None, done))

    t = threading.Thread(target=work, name="ingest-reader", daemon=True)
    t.start()
    try:
        while True:
            exc, x = q.get()
            if exc is not None:
                raise exc
            if x is done:
                return
            yield x
    finally:
        stop.set()


@dataclass
class IngestProgress:
    """A progress snapshot passed to the ``on_progress`` callback."""

    articles_done: int
    articles_total: int
    chunks_done: int  # written to the store (their articles complete)
    elapsed: float
    current: str = ""
    chunks_embedded: int = 0  # vectors computed, written or about to be (moves during a batch)
    articles_embedded: float = 0.0  # articles done plus the embedded share of the batch in progress

    @property
    def rate(self) -> float | None:
        """Articles a second so far, counting the embedded share of the batch in progress (so it
        moves from the first batch on); None until there is something to count."""
        done = max(self.articles_embedded, self.articles_done)
        return done / self.elapsed if done > 0 and self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far (None while there is no rate)."""
        rate = self.rate
        if rate is None:
            return None
        return max(0.0, self.articles_total - max(self.articles_embedded, self.articles_done)) / rate


def estimate_articles(files: Iterable[Path]) -> int:
    total = 0
    for f in files:
        if f.suffix.lower() == ".jsonl":
            try:
                with f.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


class Ingestor:
    def __init__(
        self,
        store: ArticleStore,
        embedder: Embeddings,
        chunk_tokens: int = 250,
        chunk_overlap: int = 40,
        on_progress: Callable[[IngestProgress], None] | None = None,
        cache: EmbeddingCache | None = None,
        max_article_bytes: int = DEFAULT_MAX_BYTES,
        batch_chunks: int = EMBED_FLUSH,
        overlap_writes: bool = True,
        on_written: Callable[[list[str], list[str]], None] | None = None,
        spacy_model: str | None = None,
    ) -> None:
        self.spacy_model = spacy_model  # who-said-what's pipeline (None: the bundled one)
        # ``on_written(chunk_ids, texts)`` after each batch is stored: the BM25 index adds them
        # without reading them back.
        self.on_written = on_written
        self.max_article_bytes = max_article_bytes
        self.batch_chunks = batch_chunks
        # Write batch N while batch N+1 is embedded: a win when embedding waits on a remote
        # API; with a local model on every core, the writes only preempt the model's threads
        # (reuters-grain on 2 cores: overlapped 197.5 s, one after the other 193.3 s, model
        # alone 181.0 s), so the caller turns it off then. Now that the writes include spaCy's
        # quotation extraction it is still no gain (500 articles, 4 runs each: 23.9 s overlapped,
        # 23.5 s not): spaCy beside the model's two threads halves the model's speed.
        self.overlap_writes = overlap_writes
        self.store = store
        self.embedder = embedder
        self.cache = cache
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.on_progress = on_progress

    def run(self, paths: Iterable[str | Path], prune: bool = False) -> IngestReport:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer:
            self._writer = writer
            self._inflight = None
            try:
                return self._run(paths, prune)
            finally:
                if self._inflight is not None:  # an error while a batch was in flight: let it land
                    self._inflight[0].exception()
                    self._inflight = None

    def _run(self, paths: Iterable[str | Path], prune: bool) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files: list[Path] = []
        for item in expand_paths(paths):
            if isinstance(item, IngestFailure):
                report.failed.append(item)
            elif isinstance(item, IngestSkip):
                report.skipped.append(item)
            else:
                files.append(item)
        self._total = estimate_articles(files)
        self._done = 0
        self._embedded = 0
        self._unwritten = 0.0  # articles' worth of chunks embedded whose articles are not yet recorded
        self._started = started
        self._seen: dict[str, str] = {}  # id -> path, within this run
        pending: list[tuple[Article, list[Chunk], list[str]]] = []  # (article, chunks, ids it replaces)
        pending_chunks = 0
        for kind, item in read_ahead(self._read(files)):
            if kind == "notice":
                report.notices.append(item)
            elif kind == "failed":
                report.failed.append(item)
                self._tick(report, item.path)
            elif kind == "unchanged":
                report.unchanged.append(item.id)
                self._tick(report, item.path)
            else:
                pending.append(item)
                pending_chunks += len(item[1])
                if pending_chunks >= self.batch_chunks:
                    self._flush(pending, report)
                    pending_chunks = 0
        self._flush(pending, report)
        self._finish_write(report)
        if prune:
            self._prune(files, report)
        report.seconds = time.perf_counter() - started
        return report

    def _tick(self, report: IngestReport, current: str = "", n: int = 1) -> None:
        self._done += n
        if self.on_progress:
            self.on_progress(
                IngestProgress(
                    articles_done=self._done,
                    articles_total=max(self._total, self._done),
                    chunks_done=report.chunks_written,
                    elapsed=time.perf_counter() - self._started,
                    current=current,
                    chunks_embedded=max(self._embedded, report.chunks_written),
                    articles_embedded=self._done + self._unwritten,
                )
            )

    def _read(self, files: list[Path]) -> Iterator[tuple[str, object]]:
        """Parse the files and sort their articles (on the reader thread):
        ("notice", IngestNotice) | ("failed", IngestFailure) | ("unchanged", Article) | ("write", (article, chunks, replaces))."""
        lookup: list[Article] = []
        for f in files:
            for item in parse_file(f, self.max_article_bytes):
                if isinstance(item, IngestNotice):
                    yield "notice", item
                    continue
                if isinstance(item, IngestFailure):
                    yield "failed", item
                    continue
                if item.id in self._seen:
                    yield "failed", IngestFailure(
                        item.path, f"duplicate article id '{item.id}' (first in {self._seen[item.id]}); skipped"
                    )
                    continue
                self._seen[item.id] = item.path
                lookup.append(item)
                if len(lookup) >= LOOKUP_BATCH:
                    yield from self._classify(lookup)
                    lookup = []
        yield from self._classify(lookup)

    def _classify(self, articles: list[Article]) -> Iterator[tuple[str, object]]:
        """Unchanged articles, and the others chunked with the ids they replace."""
        if not articles:
            return
        records = self.store.get_records([a.id for a in articles])
        for a in articles:
            rec = records.get(a.id)
            if rec is not None and rec.content_hash == a.content_hash:
                yield "unchanged", a
                continue
            replaces: list[str] = []
            if a.path and not a.path.endswith(".jsonl"):
                # A one-article file whose content (so its content-hash id) changed.
                replaces = [r.id for r in self.store.records_by_path(a.path) if r.id != a.id]
            chunks = chunk_article(a, self.chunk_tokens, self.chunk_overlap)
            yield "write", (a, chunks, replaces if rec is None else replaces + [a.id])

    def _flush(self, pending: list, report: IngestReport) -> None:
        """Embed the queued articles' chunks, then hand them to the writer thread.

        Writing one batch to Chroma overlaps with embedding the next; at most one batch is
        being written at a time, so memory stays bounded.
        """
        if not pending:
            return
        batch = list(pending)
        pending.clear()
        chunks_all = [c for _, chunks, _ in batch for c in chunks]
        # Embedded shortest first across the whole batch, in slices that report progress and fill
        # the vector cache. Shortest in the model's own tokens when it can count them: sorted by
        # tiktoken's counts instead, the slices padded 3 % more tokens and embedded 4 % slower
        # (1,000 Reuters articles: 88.3 s against 84.6 s for one call over all the chunks).
        counts = getattr(self.embedder, "token_counts", None)
        lengths = counts([c.text for c in chunks_all]) if callable(counts) else [c.tokens for c in chunks_all]
        order = sorted(range(len(chunks_all)), key=lengths.__getitem__)
        vectors = None
        base = self._unwritten
        for s in range(0, len(order), EMBED_SLICE):
            idx = order[s : s + EMBED_SLICE]
            t = time.perf_counter()
            got = embed_with_cache(self.embedder, [chunks_all[i].text for i in idx], self.cache)
            report.embed_seconds += time.perf_counter() - t
            if vectors is None:
                vectors = np.empty((len(chunks_all), got.shape[1]), dtype=np.float32)
            vectors[idx] = got
            self._embedded += len(idx)
            self._unwritten = base + len(batch) * (s + len(idx)) / len(order)
            self._tick(report, batch[-1][0].path, n=0)
        self._unwritten = base + len(batch)
        items = []
        pos = 0
        for article, chunks, replaces in batch:
            items.append(ArticleWrite(article, chunks, vectors[pos : pos + len(chunks)], article.id in replaces))
            pos += len(chunks)
        self._finish_write(report)
        self._inflight = (self._writer.submit(self._write, items, report), batch)
        if not self.overlap_writes:
            self._finish_write(report)

    def _write(self, items: list[ArticleWrite], report: IngestReport) -> None:
        t = time.perf_counter()
        try:
            quotes = find_quotes([w.article for w in items], self.spacy_model)
            self.store.write_articles(items, quotes)
            if self.on_written:
                chunks = [c for w in items for c in w.chunks]
                self.on_written([c.id for c in chunks], [c.text for c in chunks])
        finally:
            report.write_seconds += time.perf_counter() - t

    def _finish_write(self, report: IngestReport) -> None:
        """Wait for the batch being written, then record it (and drop what it replaced)."""
        if self._inflight is None:
            return
        future, batch = self._inflight
        self._inflight = None
        future.result()  # re-raises a write error here
        for article, chunks, replaces in batch:
            for old in replaces:
                if old != article.id:
                    self.store.delete_article(old)
            (report.replaced if replaces else report.added).append(article.id)
            report.chunks_written += len(chunks)
        self._unwritten = max(0.0, self._unwritten - len(batch))
        self._tick(report, batch[-1][0].path, n=len(batch))

    def _prune(self, files: list[Path], report: IngestReport) -> None:
        ingested_jsonl = {str(f) for f in files if f.suffix.lower() == ".jsonl"}
        for rec in self.store.list_articles():
            if not rec.path:
                continue
            gone = not Path(rec.path).exists()
            left_file = rec.path in ingested_jsonl and rec.id not in self._seen
            if gone or left_file:
                self.store.delete_article(rec.id)
                report.pruned.append(rec.id)


def refuse_skips(paths: Iterable[str | Path]) -> None:
    """For a strict ingest: raise :class:`IngestError` when a folder among ``paths`` holds files
    of a type ingest does not read, saying how many of which kind and naming the first. Hidden
    files and folders (``.DS_Store``, ``.git``) are not refused: no tool reads them as content,
    and the report still lists them."""
    report = IngestReport(skipped=[item for item in expand_paths(paths)
                                   if isinstance(item, IngestSkip) and item.kind != "hidden"])
    if not report.skipped:
        return
    skipped = report.skipped
    summary = ", ".join(f"{n} {kind}" for kind, n in report.skipped_by_kind().items())
    named = "; ".join(s.path for s in skipped[:3]) + (f"; and {len(skipped) - 3} more" if len(skipped) > 3 else "")
    raise IngestError(f"Strict ingest: {len(skipped)} files would be skipped ({summary}): {named}. "
                      "Nothing was ingested.", hint="move them out of the folder, or ingest without --strict to skip them")
