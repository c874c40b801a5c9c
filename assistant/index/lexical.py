"""Lexical search (BM25) over the chunk collection, on tantivy, kept in step with the store.

The store (Chroma) is the source of truth; a tantivy index mirrors its chunks under
``data_dir/lexical/<collection>`` (for a Chroma server: ``data_dir/lexical/<host>-<port>/<collection>``).
Each chunk is one tantivy document: its id (raw) and its terms, the same stems the answerer
uses, stop words removed, joined by spaces and indexed with tantivy's whitespace tokenizer
(term frequencies, no positions). Tantivy scores BM25 (k1 1.2, b 0.75, Lucene's idf).

Keeping in step:
- ingest calls :meth:`LexicalIndex.add` with each batch it has just written (nothing is read
  back) and :meth:`LexicalIndex.sync` at its end, which drops the chunks the store no longer has;
- every write to the store leaves a new *write token* in the chunk collection's metadata
  (:meth:`ArticleStore.stamp_write`); the index records the token it reflects in
  ``state.json`` beside its files. The query path (:meth:`ensure`) compares the two at most
  every ``recheck_seconds`` (and at once after a write through this process). When they
  differ it reloads tantivy's readers (another process may have committed already) and, if
  still behind, syncs: the store's chunk ids against the index's, new chunks read, gone ones
  deleted. So a second process sees a re-ingest on its next query after the writer's commit,
  even when the chunk count did not change; a server's index on another machine is brought
  up to date from the server's documents, with a progress bar on stderr.
- One writer at a time (tantivy's lock); a query process that finds the lock taken leaves the
  sync to the writer and serves what is committed. A missing, damaged or outdated index is
  rebuilt from the store.

Query-side weighting: names, numbers and quoted phrases of the question count double, so
"what did Netanyahu say" prefers passages where Netanyahu appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlparse

import tantivy

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from ..errors import StoreError
from .store import ArticleStore, record_text
from ..nlp.text import STEM_VERSION, content_terms, key_terms

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
FORMAT = 2  # bump when the index's layout or tokens change (1: the numpy segments of 0.2)
READ_PAGE = 2000  # chunk texts read from the store at once
WRITER_HEAP = 50_000_000


def query_weights(question: str) -> dict[str, float]:
    """Stemmed query terms with their weights: 2 for names, numbers and quoted words, else 1."""
    weights: dict[str, float] = {}
    for t in content_terms(question):
        weights[t] = 1.0
    strong = set(key_terms(question))
    for a, b in _QUOTED.findall(question):
        strong.update(content_terms(a or b))
    for t in strong:
        if t in weights or t.isdigit():
            weights[t] = 2.0
    return weights


def tokens_of(text: str) -> list[str]:
    """The terms a chunk is indexed under (stems, stop words removed)."""
    return content_terms(text or "")


def index_folder(data_dir: Path, collection: str, chroma_url: str | None = None) -> Path:
    """Where the lexical index of a collection lives: under ``data_dir/lexical``, one folder per
    Chroma server. The hand-written index of 0.2 (``data_dir/bm25``) is removed."""
    shutil.rmtree(data_dir / "bm25" / collection, ignore_errors=True)
    base = data_dir / "lexical"
    if chroma_url:
        u = urlparse(chroma_url)
        port = u.port or (443 if u.scheme == "https" else 8000)  # as make_client connects
        base = base / re.sub(r"[^A-Za-z0-9.-]+", "-", f"{u.hostname or 'localhost'}-{port}")
    return base / collection


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    return sb.build()


class LexicalIndex:
    """BM25 over the store's chunks in a tantivy index (on disk, or in memory without a folder)."""

    recheck_seconds = 1.0  # how often the query path asks the store for its write token

    def __init__(self, store: ArticleStore, folder: Path | None,
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self.store = store
        self.folder = folder
        self.on_progress = on_progress  # (done, total) while syncing many chunks; default: a bar on stderr
        self._lock = threading.RLock()
        self._schema = _schema()
        self._index: tantivy.Index | None = None
        self._token: str | None = None  # the store's write token the index reflects
        self._checked: tuple[int, float] = (-1, 0.0)  # (store generation, monotonic time) of the last check
        self.stats = {"indexed": 0, "read": 0}  # chunks indexed and read back from the store, this object's life

    # --- what it holds -------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return self._open().searcher().num_docs

    # --- files ---------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        """The tantivy index, opened (or created, or rebuilt when its files are damaged or
        were made with another format or stemmer)."""
        if self._index is not None:
            return self._index
        if self.folder is not None:
            try:
                self._index = self._open_folder()
                self._token = self._read_state().get("token")
                return self._index
            except OSError:  # a read-only or full data dir: the index lives in memory instead
                self.folder = None
        self._index = tantivy.Index(self._schema)
        return self._index

    def _open_folder(self) -> tantivy.Index:
        """Open the index files under a lock beside the folder, so two processes never both
        reset them (one would delete the other's fresh files)."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        with open(self.folder.parent / f".{self.folder.name}.lock", "a+") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            return self._open_or_reset()

    def _open_or_reset(self) -> tantivy.Index:
        state = self._read_state()
        if state.get("format") != FORMAT or state.get("stem") != STEM_VERSION:
            self._reset_files()
        try:
            index = tantivy.Index(self._schema, path=str(self.folder), reuse=True)
            index.searcher().num_docs  # noqa: B018 - fails on damaged files
            return index
        except ValueError:
            self._reset_files()
            return tantivy.Index(self._schema, path=str(self.folder), reuse=True)

    def _reset_files(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_state(None)

    def _read_state(self) -> dict:
        try:
            return json.loads((self.folder / "state.json").read_text())
        except (OSError, ValueError, TypeError):
            return {}

    def _write_state(self, token: str | None) -> None:
        self._token = token
        if self.folder is None:
            return
        tmp = self.folder / "state.json.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "stem": STEM_VERSION, "token": token}))
        os.replace(tmp, self.folder / "state.json")

    # --- writes --------------------------------------------------------------------------

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Index chunks just written to the store (their texts given, so nothing is read back).
        When another process holds the writer, they are left to the next sync."""
        with self._lock:
            writer = self._writer()
            if writer is None:
                return
            try:
                self._commit(writer, list(zip(ids, texts)), [])
            finally:
                self._release(writer)

    def _writer(self):
        """The index's writer, or None when another process holds it (tantivy's lock)."""
        try:
            return self._open().writer(WRITER_HEAP, 1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                return None
            raise self._error(exc) from None

    def _commit(self, writer, added: list[tuple[str, str]], deleted: Iterable[str]) -> None:
        """Commit ``added`` (id, text) and the deletion of ``deleted`` ids in one commit."""
        try:
            # An id being added is deleted first too: another process's sync may have indexed it.
            for cid in [*deleted, *(cid for cid, _ in added)]:
                writer.delete_documents_by_term("id", cid)
            for cid, text in added:
                writer.add_document(tantivy.Document(id=cid, terms=" ".join(tokens_of(text))))
            writer.commit()
        except ValueError as exc:
            writer.rollback()
            raise self._error(exc) from None
        self._index.reload()
        self.stats["indexed"] += len(added)

    @staticmethod
    def _release(writer) -> None:
        writer.wait_merging_threads()  # ends the writer and releases its lock

    def _error(self, exc: Exception) -> StoreError:
        return StoreError(f"The keyword index at {self.folder or 'memory'} cannot be written: {exc}",
                          hint="free some space or fix the folder's permissions; deleting the folder is safe "
                          "(it is rebuilt from the store)")

    def _indexed_ids(self) -> set[str]:
        """The chunk ids the index holds (0.4 s at 100k chunks)."""
        searcher = self._open().searcher()
        n = searcher.num_docs
        hits = searcher.search(tantivy.Query.all_query(), limit=n).hits if n else []
        return {searcher.doc(addr)["id"][0] for _, addr in hits}

    def sync(self, show_progress: bool = True) -> None:
        """Make the index hold exactly the store's chunks: read the ones it lacks, delete the
        ones the store no longer has; record the store's write token. Nothing is scanned when
        another process holds the writer (it is writing; the next check sees its commit).
        ``show_progress``: report reading many chunks (``on_progress``, else a bar on stderr)."""
        with self._lock:
            writer = self._writer()
            if writer is None:
                return
            try:
                self._sync_with(writer, show_progress)
            finally:
                self._release(writer)
            self._checked = (self.store.generation, time.monotonic())

    def _sync_with(self, writer, show_progress: bool) -> None:
        token = self.store.write_token()
        self._index.reload()
        have = self._indexed_ids()
        ids = self.store.chunks.get(include=[])["ids"]
        new = [i for i in ids if i not in have]
        gone = have.difference(ids)
        if gone:
            self._commit(writer, [], gone)
        progress = self.on_progress or (_stderr_bar if len(new) >= 5 * READ_PAGE else None)
        for b in range(0, len(new), READ_PAGE):
            part = self.store.chunks.get(ids=new[b : b + READ_PAGE], include=["documents", "metadatas"])
            self.stats["read"] += len(part["ids"])
            self._commit(writer, list(zip(part["ids"], [record_text(d, m) for d, m in
                                                        zip(part["documents"], part["metadatas"])])), [])
            if progress and show_progress:
                progress(min(b + READ_PAGE, len(new)), len(new))
        self._write_state(token)

    def ensure(self) -> None:
        """Bring the index in step with the store, cheaply on the query path: the store's write
        token is read at most every ``recheck_seconds`` (at once after this process wrote)."""
        generation, now = self.store.generation, time.monotonic()
        if generation == self._checked[0] and now - self._checked[1] < self.recheck_seconds:
            return
        with self._lock:
            token = self.store.write_token()
            self._open()
            if token != self._token and self.folder is not None:
                self._index.reload()  # another process may have committed this write already
                self._token = self._read_state().get("token")
            if token != self._token:
                self.sync()
            self._checked = (generation, now)

    # --- questions -----------------------------------------------------------------------

    def search(self, question: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks, best first."""
        self.ensure()
        weights = query_weights(question)
        if not weights or k <= 0:
            return []
        clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(self._schema, "terms", t), w)) for t, w in weights.items()]
        with self._lock:
            searcher = self._open().searcher()
            hits = searcher.search(tantivy.Query.boolean_query(clauses), limit=k).hits
            return [(searcher.doc(addr)["id"][0], float(score)) for score, addr in hits if score > 0]


def _stderr_bar(done: int, total: int) -> None:
    """A one-line progress bar for rebuilding the index from a large store."""
    width = 30
    filled = int(width * done / max(total, 1))
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\rIndexing {total} chunks for keyword search [{'#' * filled}{'.' * (width - filled)}] "
                     f"{done}/{total}{end}")
    sys.stderr.flush()

