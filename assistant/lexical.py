"""BM25 over the chunk collection, kept in step with the store incrementally.

The store (Chroma) is the source of truth; the index mirrors its chunks as a few *segments*,
each holding the term counts of the chunks added together (one ingest, say), and a live mask
for chunks deleted since. ``sync()`` compares the store's chunk ids with the index's: new
chunks are read, stemmed and appended as a segment; gone ones are masked. Nothing already
indexed is stemmed again. Trailing segments of similar size are merged from their stored
counts (so there are about log2(N) of them), and a segment mostly deleted is compacted.

Ingest calls ``add()`` with the texts it has just written (nothing is read back) and
``sync()`` at its end; questions call ``ensure()``, which notices this process's writes at
once and another process's within ``recheck_seconds``. The index is saved under
``data_dir/bm25/<collection>``: one file a segment and a manifest replaced atomically, so an
ingest of ten articles into a 100k-chunk store writes one small file, not the whole index.

Scores are Lucene's BM25 (k1 1.5, b 0.75, idf ``log(1 + (N - df + 0.5) / (df + 0.5))``), the
default of ``bm25s``, computed at query time from live statistics (the tests check them
against ``bm25s``). Tokens are the same stems the answerer uses, stop words removed.

Query-side weighting: names, numbers and quoted phrases of the question count double, so
"what did Netanyahu say" prefers passages where Netanyahu appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import ArticleStore, record_text
from .text import STEM_VERSION, content_terms, key_terms

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
FORMAT = 1  # bump when the files' layout changes
K1, B = 1.5, 0.75
EMPTY = "\x00empty"  # the token of a chunk with no content terms (it still counts in N)
READ_PAGE = 2000  # chunk texts read from the store at once


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
    return content_terms(text or "") or [EMPTY]


@dataclass
class Segment:
    """Term counts of some chunks: postings by term (CSC), chunk lengths, a live mask."""

    ids: list[str]
    terms: dict[str, int]  # term -> column
    indptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32 chunk positions, grouped by term
    tf: np.ndarray  # uint16 counts, aligned with rows
    lengths: np.ndarray  # int32 tokens per chunk
    live: np.ndarray  # bool per chunk
    name: str = ""  # file name once saved

    @classmethod
    def build(cls, ids: Sequence[str], token_lists: Sequence[Sequence[str]]) -> "Segment":
        terms: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(ids), dtype=np.int32)
        for r, toks in enumerate(token_lists):
            lengths[r] = len(toks)
            for t, n in Counter(toks).items():
                rows.append(r)
                cols.append(terms.setdefault(t, len(terms)))
                counts.append(min(n, 65535))
        return cls._from_coo(list(ids), terms, np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.int64),
                             np.asarray(counts, dtype=np.uint16), lengths)

    @classmethod
    def _from_coo(cls, ids, terms, rows, cols, counts, lengths) -> "Segment":
        order = np.lexsort((rows, cols))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=len(terms)), out=indptr[1:])
        return cls(ids, terms, indptr, rows[order], counts[order], lengths, np.ones(len(ids), dtype=bool))

    @classmethod
    def merge(cls, segments: Sequence["Segment"]) -> "Segment":
        """One segment with the live chunks of ``segments``, from their counts (no stemming)."""
        terms: dict[str, int] = {}
        ids: list[str] = []
        parts_r, parts_c, parts_n, lengths = [], [], [], []
        for seg in segments:
            newpos = np.cumsum(seg.live) - 1 + len(ids)  # live chunk -> its row in the merged segment
            ids.extend(i for i, keep in zip(seg.ids, seg.live) if keep)
            lengths.append(seg.lengths[seg.live])
            colmap = np.fromiter((terms.setdefault(t, len(terms)) for t in seg.terms), dtype=np.int64,
                                 count=len(seg.terms))
            cols = np.repeat(colmap, np.diff(seg.indptr))
            keep = seg.live[seg.rows]
            parts_r.append(newpos[seg.rows[keep]].astype(np.int32))
            parts_c.append(cols[keep])
            parts_n.append(seg.tf[keep])
        cat = lambda xs, dt: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
        merged = cls._from_coo(ids, terms, cat(parts_r, np.int32), cat(parts_c, np.int64), cat(parts_n, np.uint16),
                               cat(lengths, np.int32))
        used = np.flatnonzero(np.diff(merged.indptr))  # drop terms only deleted chunks had
        if len(used) < len(terms):
            names = list(terms)
            merged.terms = {names[c]: n for n, c in enumerate(used)}
            merged.indptr = np.concatenate([[0], merged.indptr[used + 1]])
        return merged

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        col = self.terms.get(term)
        if col is None:
            return None
        s, e = self.indptr[col], self.indptr[col + 1]
        rows, tf = self.rows[s:e], self.tf[s:e]
        keep = self.live[rows]
        return rows[keep], tf[keep]

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, indptr=self.indptr, rows=self.rows, tf=self.tf, lengths=self.lengths,
                     ids=_utf8(self.ids), terms=_utf8(list(self.terms)))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, deleted: Iterable[int]) -> "Segment":
        with np.load(path, allow_pickle=False) as z:
            terms = _from_utf8(z["terms"])
            seg = cls(_from_utf8(z["ids"]), {t: n for n, t in enumerate(terms)}, z["indptr"], z["rows"],
                      z["tf"], z["lengths"], np.ones(len(z["lengths"]), dtype=bool), path.name)
        seg.live[list(deleted)] = False
        return seg


def _utf8(strings: list[str]) -> np.ndarray:
    return np.frombuffer(json.dumps(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _from_utf8(a: np.ndarray) -> list[str]:
    return json.loads(a.tobytes().decode("utf-8", "surrogatepass"))


class BM25Index:
    recheck_seconds = 1.0  # how often the query path counts the store's chunks (other processes' writes)
    merge_ratio = 2  # a segment absorbs the one after it when it is at most this many times larger
    compact_below = 0.5  # a segment with fewer live chunks than this share is rewritten

    def __init__(self, store: ArticleStore, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._lock = threading.RLock()
        self._segments: list[Segment] = []
        self._where: dict[str, tuple[int, int]] = {}  # live chunk id -> (segment, row)
        self._loaded = False
        self._dirty = False
        self._manifest_mtime = 0.0
        self._checked: tuple[int, int] | None = None  # (chunk count, store generation) last verified
        self._checked_at = 0.0  # time.monotonic() of that check
        self.stats = {"stemmed": 0, "read": 0}  # chunks stemmed and read back from the store, this object's life
        self._version = 0  # bumped by every change of the segments or their live masks
        self._norms: tuple[int, list[np.ndarray]] | None = None  # (version, per-segment length norms)

    # --- what it holds -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._where)

    @property
    def segment_sizes(self) -> list[int]:
        return [int(s.live.sum()) for s in self._segments]

    # --- keeping in step with the store ---------------------------------------------------

    def ensure(self) -> None:
        """Bring the index in step with the store, cheaply on the query path.

        A write through this process's store is seen at once (its generation changes); a write
        by another process within ``recheck_seconds``, by counting the chunks (a count costs
        ~15 ms at 100k chunks, too much for every question). Only then are the store's ids read
        and compared. Until then another process's new chunks are found by dense search only;
        chunks it removed are never served (passages are read from the store).
        """
        now = time.monotonic()
        generation = self.store.generation
        if (self._loaded and self._checked is not None and self._checked[1] == generation
                and now - self._checked_at < self.recheck_seconds):
            return
        state = (self.store.count_chunks(), generation)
        if state == self._checked and self._loaded:
            self._checked_at = now
            return
        self.sync()
        self._checked, self._checked_at = state, now

    def sync(self) -> None:
        """Add the store's chunks the index lacks, mask the ones the store no longer has, save."""
        with self._lock:
            if not self._loaded or self._saved_by_another():
                self._load()
            generation = self.store.generation  # before the ids: a write in between is seen next time
            ids = self.store.chunks.get(include=[])["ids"]
            have = set(ids)
            gone = [i for i in self._where if i not in have]
            new = [i for i in ids if i not in self._where]
            self._remove(gone)
            for b in range(0, len(new), READ_PAGE):
                part = self.store.chunks.get(ids=new[b : b + READ_PAGE], include=["documents", "metadatas"])
                self.stats["read"] += len(part["ids"])
                self._append(part["ids"], [record_text(d, m) for d, m in zip(part["documents"], part["metadatas"])])
            self._tidy()
            self._checked, self._checked_at = (len(ids), generation), time.monotonic()
            self.save()

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Index chunks just written to the store (their texts given, so nothing is read back)."""
        with self._lock:
            if not self._loaded:
                self._load()
            self._remove([i for i in ids if i in self._where])  # rewritten under the same id
            self._append(list(ids), list(texts))
            self._tidy()

    def _append(self, ids: list[str], texts: list[str]) -> None:
        if not ids:
            return
        seg = Segment.build(ids, [tokens_of(t) for t in texts])
        self.stats["stemmed"] += len(ids)
        n = len(self._segments)
        self._segments.append(seg)
        for row, cid in enumerate(ids):
            self._where[cid] = (n, row)
        self._dirty = True
        self._version += 1

    def _remove(self, ids: Iterable[str]) -> None:
        for cid in ids:
            where = self._where.pop(cid, None)
            if where is not None:
                self._segments[where[0]].live[where[1]] = False
                self._dirty = True
                self._version += 1

    def _tidy(self) -> None:
        """Merge trailing segments of similar size; compact mostly-deleted ones; drop empty ones."""
        segs = [s for s in self._segments if s.live.any()]
        changed = len(segs) != len(self._segments)
        out: list[Segment] = []
        for seg in segs:
            if seg.live.mean() < self.compact_below:
                seg, changed = Segment.merge([seg]), True
            out.append(seg)
            while len(out) > 1 and out[-2].live.sum() <= self.merge_ratio * out[-1].live.sum():
                out[-2:] = [Segment.merge(out[-2:])]
                changed = True
        if changed:
            self._segments = out
            self._where = {cid: (n, r) for n, s in enumerate(out) for r, cid in enumerate(s.ids) if s.live[r]}
            self._dirty = True
            self._version += 1

    # --- files ---------------------------------------------------------------------------

    def _manifest(self) -> Path | None:
        return self.cache_dir / "manifest.json" if self.cache_dir else None

    def _saved_by_another(self) -> bool:
        m = self._manifest()
        try:
            return m is not None and m.stat().st_mtime != self._manifest_mtime
        except OSError:
            return False

    def _load(self) -> None:
        """The saved segments, if they were made with this format and stemmer; else nothing."""
        self._segments, self._where, self._loaded, self._dirty = [], {}, True, False
        self._version += 1
        m = self._manifest()
        if m is None:
            return
        try:
            self._manifest_mtime = m.stat().st_mtime
            info = json.loads(m.read_text())
            if info.get("format") != FORMAT or info.get("stem") != STEM_VERSION:
                return
            segs = [Segment.load(self.cache_dir / s["file"], s.get("deleted", [])) for s in info["segments"]]
        except (OSError, ValueError, KeyError, TypeError):
            return  # missing, damaged or half-collected files: rebuilt from the store
        self._segments = segs
        self._where = {cid: (n, r) for n, s in enumerate(segs) for r, cid in enumerate(s.ids) if s.live[r]}
        self._version += 1

    def save(self) -> None:
        """Write new segments and the manifest; remove files no manifest names any more.
        Skipped without a cache folder, and when another process is saving."""
        if not self.cache_dir or not self._dirty:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with open(self.cache_dir / ".lock", "a+") as lock:
                if fcntl is not None:
                    try:
                        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        return  # another process is saving; this one's index stays in memory
                for seg in self._segments:
                    if not seg.name:
                        seg.name = f"seg-{uuid.uuid4().hex[:12]}.npz"
                        seg.save(self.cache_dir / seg.name)
                info = {"format": FORMAT, "stem": STEM_VERSION, "chunks": len(self._where),
                        "segments": [{"file": s.name, "chunks": len(s.ids),
                                      "deleted": np.flatnonzero(~s.live).tolist()} for s in self._segments]}
                m = self._manifest()
                tmp = m.with_name("manifest.json.tmp")
                tmp.write_text(json.dumps(info))
                os.replace(tmp, m)
                self._manifest_mtime = m.stat().st_mtime
                self._dirty = False
                keep = {s.name for s in self._segments}
                for f in self.cache_dir.glob("seg-*.npz"):
                    if f.name not in keep:
                        f.unlink(missing_ok=True)
                (self.cache_dir / "meta.json").unlink(missing_ok=True)  # the rebuild-only index of 0.1
                shutil.rmtree(self.cache_dir / "index", ignore_errors=True)
        except OSError:
            pass  # a read-only or full data dir: the in-memory index still works

    # --- questions -----------------------------------------------------------------------

    def search(self, question: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks, best first."""
        self.ensure()
        with self._lock:
            segs = list(self._segments)
            n_docs = len(self._where)
            if not n_docs:
                return []
            if self._norms is None or self._norms[0] != self._version:
                avgdl = sum(float(s.lengths[s.live].sum()) for s in segs) / n_docs
                self._norms = (self._version, [K1 * ((1 - B) + B * s.lengths / avgdl) for s in segs])
            norms = self._norms[1]
            scores = [None] * len(segs)
            for term, w in query_weights(question).items():
                found = [(n, p) for n, s in enumerate(segs) if (p := s.postings(term)) is not None and len(p[0])]
                df = sum(len(p[0]) for _, p in found)
                if not df:
                    continue
                idf = w * np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
                for n, (rows, tf) in found:  # cost grows with the term's postings, not the corpus
                    if scores[n] is None:
                        scores[n] = np.zeros(len(segs[n].ids), dtype=np.float32)
                    tf = tf.astype(np.float32)
                    scores[n][rows] += idf * tf / (norms[n][rows] + tf)
        best: list[tuple[float, str]] = []
        for seg, sc in zip(segs, scores):
            if sc is None:
                continue
            top = np.flatnonzero(sc)
            if len(top) > k:
                top = top[np.argpartition(-sc[top], k - 1)[:k]]
            best.extend((float(sc[i]), seg.ids[i]) for i in top)
        best.sort(key=lambda x: -x[0])
        return [(cid, s) for s, cid in best[:k]]
