"""A disk cache of chunk embeddings, keyed by the embedding model and the chunk's text.

Ingest looks every chunk up here before calling the model, so re-ingesting an edited article
embeds only the chunks whose text changed, and a store rebuilt from the same files (a new
collection, a moved data dir, a Chroma server) costs writes, not model time.

One SQLite file per model under ``data_dir/embed-cache/``; vectors are float32 blobs.
The cache is an optimisation only: any error reading or writing it is ignored and the
model is called instead.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_CHUNK = 500  # keys per SQL statement (SQLite's variable limit is 999 on old builds)


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    def __init__(self, folder: Path, model_id: str, dimension: int) -> None:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:80] or "model"
        self.path = folder / f"{safe}-{dimension}.sqlite"
        self.dimension = dimension
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None  # read-only or broken folder: run without a cache

    def close(self) -> None:
        """Close the database (WAL and all); a closed cache answers nothing and stores nothing."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def get_many(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Cached vectors by position in ``texts``."""
        found: dict[int, np.ndarray] = {}
        if self._db is None or not texts:
            return found
        keys = [_key(t) for t in texts]
        by_key: dict[bytes, bytes] = {}
        try:
            with self._lock:
                for b in range(0, len(keys), _CHUNK):
                    part = list(dict.fromkeys(keys[b : b + _CHUNK]))
                    marks = ",".join("?" * len(part))
                    for k, v in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                        by_key[k] = v
        except sqlite3.Error:
            return found
        for i, k in enumerate(keys):
            blob = by_key.get(k)
            if blob is not None and len(blob) == 4 * self.dimension:
                found[i] = np.frombuffer(blob, dtype=np.float32)
        self.hits += len(found)
        self.misses += len(texts) - len(found)
        return found

    def put_many(self, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        if self._db is None or not texts:
            return
        rows = [(_key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)]
        try:
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
                self._db.commit()
        except sqlite3.Error:
            pass


def embed_with_cache(embedder, texts: list[str], cache: EmbeddingCache | None) -> np.ndarray:
    """Vectors for ``texts`` as one float32 array (a row each): from the cache where present,
    from ``embedder`` (once per distinct text) otherwise, storing what it computed."""
    if cache is None:
        return _embed(embedder, texts).reshape(len(texts), -1)
    found = cache.get_many(texts)
    missing = list(dict.fromkeys(texts[i] for i in range(len(texts)) if i not in found))
    computed: dict[str, np.ndarray] = {}
    if missing:
        vectors = _embed(embedder, missing)
        cache.put_many(missing, vectors)
        computed = dict(zip(missing, vectors))
    return np.stack([found[i] if i in found else computed[t] for i, t in enumerate(texts)]) if texts else \
        np.zeros((0, cache.dimension), dtype=np.float32)


def _embed(embedder, texts: list[str]) -> np.ndarray:
    """The embedder's vectors as a float32 array; from its own array when it makes one (the
    bundled model), not through lists of Python floats."""
    embed_array = getattr(embedder, "embed_array", None)
    if callable(embed_array):
        return np.asarray(embed_array(texts), dtype=np.float32)
    return np.asarray(embedder.embed_documents(texts), dtype=np.float32)
