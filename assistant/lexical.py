"""BM25 over the chunk collection (``bm25s``), kept in step with the store.

The index is built from the chunks in Chroma (the source of truth), saved under
``data_dir/bm25/<collection>``, and rebuilt when the store's chunk ids change (after any
ingest, prune or replacement, by this process or another). Tokens are the same stems the
answerer uses, stop words removed.

Query-side weighting: names, numbers and quoted phrases of the question count double, so
"what did Netanyahu say" prefers passages where Netanyahu appears.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from pathlib import Path

import numpy as np

from .store import ArticleStore
from .text import STEM_VERSION, content_terms, key_terms

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')


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


class BM25Index:
    recheck_seconds = 1.0  # how often the query path counts the store's chunks (other processes' writes)

    def __init__(self, store: ArticleStore, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._model = None
        self._ids: list[str] = []
        self._checked: tuple[int, int] | None = None  # (chunk count, store generation) last verified
        self._checked_at = 0.0  # time.monotonic() of that check

    def _current_ids(self) -> list[str]:
        return sorted(self.store.chunks.get(include=[])["ids"])

    @staticmethod
    def _fp(ids: list[str]) -> str:
        # The stemmer's version is part of it: a changed stemmer means other tokens.
        return hashlib.sha1("\n".join([f"stem-v{STEM_VERSION}", *ids]).encode()).hexdigest()

    def ensure(self) -> None:
        """Load or (re)build the index so it matches the store's chunks.

        Cheap on the query path. A write through this process's store is seen at once (its
        generation changes); a write by another process is noticed within ``recheck_seconds``,
        by counting the chunks (a count costs ~15 ms at 100k chunks, too much for every
        question). The full id list is read only when the count or the generation changed
        (another process that replaces chunks without changing their number is noticed at the
        next count change). Until then its new chunks are found by dense search only; chunks it
        removed are never served (passages are read from the store).
        """
        now = time.monotonic()
        generation = self.store.generation
        if (self._fingerprint is not None and self._checked is not None and self._checked[1] == generation
                and now - self._checked_at < self.recheck_seconds):
            return
        state = (self.store.count_chunks(), generation)
        if state == self._checked and self._fingerprint is not None:
            self._checked_at = now
            return
        ids = self._current_ids()
        fp = self._fp(ids)
        with self._lock:
            if fp != self._fingerprint and not self._load(fp):
                self._build(ids, fp)
            self._checked, self._checked_at = state, now

    def _load(self, fp: str) -> bool:
        import bm25s

        if not self.cache_dir:
            return False
        meta = self.cache_dir / "meta.json"
        try:
            info = json.loads(meta.read_text())
            if info.get("fingerprint") != fp:
                return False
            model = bm25s.BM25.load(str(self.cache_dir / "index"))
            self._model, self._ids, self._fingerprint = model, info["ids"], fp
            return True
        except (OSError, ValueError, KeyError):
            return False

    def _build(self, ids: list[str], fp: str) -> None:
        import bm25s

        tokens: list[list[str]] = []
        page = 2000
        got_ids: list[str] = []
        for b in range(0, len(ids), page):
            part = self.store.chunks.get(ids=ids[b : b + page], include=["documents"])
            order = {i: d for i, d in zip(part["ids"], part["documents"])}
            for i in ids[b : b + page]:
                got_ids.append(i)
                tokens.append(content_terms(order.get(i) or "") or ["\x00empty"])
        model = bm25s.BM25()
        if tokens:
            model.index(tokens, show_progress=False)
        self._model, self._ids, self._fingerprint = (model if tokens else None), got_ids, fp
        if self.cache_dir and tokens:
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                model.save(str(self.cache_dir / "index"))
                (self.cache_dir / "meta.json").write_text(json.dumps({"fingerprint": fp, "ids": got_ids}))
            except OSError:
                pass  # a read-only data dir: the in-memory index still works

    def search(self, question: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks, best first."""
        self.ensure()
        if self._model is None or not self._ids:
            return []
        weights = query_weights(question)
        vocab = self._model.vocab_dict
        matrix = self._model.scores  # bm25s's precomputed term x document scores, CSC arrays
        data, indptr, indices = matrix["data"], matrix["indptr"], matrix["indices"]
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for term, w in weights.items():
            tid = vocab.get(term)
            if tid is not None:  # add the term's posting list: cost grows with its length, not the corpus
                start, end = indptr[tid], indptr[tid + 1]
                scores[indices[start:end]] += w * data[start:end]
        if not scores.any():
            return []
        k = min(k, len(self._ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]
