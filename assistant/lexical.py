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
from pathlib import Path

import numpy as np

from .store import ArticleStore
from .text import content_terms, key_terms

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
    def __init__(self, store: ArticleStore, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._model = None
        self._ids: list[str] = []
        self._checked: tuple[int, int] | None = None  # (chunk count, store generation) last verified

    def _current_ids(self) -> list[str]:
        return sorted(self.store.chunks.get(include=[])["ids"])

    @staticmethod
    def _fp(ids: list[str]) -> str:
        return hashlib.sha1("\n".join(ids).encode()).hexdigest()

    def ensure(self) -> None:
        """Load or (re)build the index so it matches the store's chunks.

        Cheap on the query path: the full id list is read only when the chunk count or this
        process's write generation changed since the last check (another process that replaces
        chunks without changing their number is noticed at the next count change).
        """
        state = (self.store.count_chunks(), self.store.generation)
        if state == self._checked and self._fingerprint is not None:
            return
        ids = self._current_ids()
        fp = self._fp(ids)
        with self._lock:
            if fp != self._fingerprint and not self._load(fp):
                self._build(ids, fp)
            self._checked = state

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
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for term, w in weights.items():
            if term in vocab:
                scores += w * self._model.get_scores([term])
        if not scores.any():
            return []
        k = min(k, len(self._ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]
