"""Changes to stored data, run once when a store is opened, in order (numbered, as simonw/llm does).

1. ``chunk_texts`` (stores of 0.2): chunk texts kept as metadata become Chroma documents
   (:meth:`ArticleStore.migrate_chunk_texts`), page by page, resumable.
2. ``side_collections`` (stores of 0.2 and earlier): the article registry and the quotations
   held one-number placeholder vectors with their texts in metadata. They are copied into new
   collections where the text is the document and the vector is real (an article: the mean of
   its chunk vectors; a quotation: the vector of the passage it was said in), then the old
   collection is dropped and the new one takes its name. A copy cut short is thrown away and
   made again on the next open; one that finished before the swap is swapped then (never
   both dropped), so nothing is lost whenever the process dies.

:func:`migrate` runs them and returns one message a migration that did something.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..errors import StoreError
from .store import _QUOTE_KEYS, _REGISTRY_KEYS, ROLE_ARTICLES, ROLE_QUOTES, ArticleStore, mean_vector, packed, store_error, unpacked

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

PAGE = 500
NEXT = "-next"  # suffix of a collection being filled to replace another


@contextlib.contextmanager
def opening_lock(data_dir: Path | None, where: str):
    """Hold ``data_dir/open.lock`` (an exclusive ``flock``) while a store is opened and migrated,
    so no process opens it half-migrated. Nothing to hold for a Chroma server (``data_dir`` None)
    or where ``flock`` is missing."""
    if data_dir is None or fcntl is None:
        yield
        return
    try:
        fh = open(data_dir / "open.lock", "a+")
    except OSError as exc:
        raise store_error(exc, "opening it", where) from None
    with fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def finish_interrupted_swaps(client, collection: str) -> None:
    """A side collection copied in full whose old version was already dropped takes its name
    (run before the store opens its collections, which would otherwise create empty ones). Where
    an empty collection already took the name (a Chroma server, opened by another client at that
    moment), the copy replaces it."""
    names = set(_names(client))
    for base in (f"{collection}-articles", f"{collection}-quotes"):
        if base + NEXT not in names:
            continue
        if base in names and client.get_collection(base, embedding_function=None).count() == 0 \
                and client.get_collection(base + NEXT, embedding_function=None).count() > 0:
            client.delete_collection(base)
            names.discard(base)
        if base not in names:
            client.get_collection(base + NEXT, embedding_function=None).modify(name=base)


def migrate(store: ArticleStore) -> list[str]:
    """Run the migrations the store needs; a message for each one that changed something.
    Chroma's errors come out as :class:`StoreError` (nothing is lost: see the module docstring)."""
    try:
        return _migrate(store)
    except StoreError:
        raise
    except Exception as exc:
        raise store_error(exc, "migrating the store", store.where) from exc


def _migrate(store: ArticleStore) -> list[str]:
    done = []
    moved = store.migrate_chunk_texts()
    if moved:
        done.append(f"{moved} chunk texts moved from metadata into Chroma documents")
    copied = migrate_side_collections(store)
    if copied:
        done.append(f"{copied} article and quotation records given their texts as documents and real vectors")
    return done


def migrate_side_collections(store: ArticleStore) -> int:
    """Migration 2 (see the module docstring). Returns how many records were copied."""
    copied, swapped = 0, False
    for base, copy in ((f"{store.name}-articles", _copy_articles), (f"{store.name}-quotes", _copy_quotes)):
        old = store.client.get_collection(base, embedding_function=None)
        if not _has_placeholders(old):
            continue
        if base + NEXT in set(_names(store.client)):
            store.client.delete_collection(base + NEXT)  # a copy cut short
        role = ROLE_ARTICLES if base.endswith("-articles") else ROLE_QUOTES
        new = store.client.create_collection(base + NEXT, metadata={**role, "hnsw:space": "cosine"},
                                             embedding_function=store._function)
        copied += copy(store, old, new)
        store.client.delete_collection(base)
        new.modify(name=base)
        swapped = True
    if swapped:
        store.open_side_collections()  # the handles of the dropped collections are dead
    return copied


def _names(client) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def _has_placeholders(col) -> bool:
    got = col.get(limit=1, include=["embeddings"])
    return bool(got["ids"]) and len(got["embeddings"][0]) == 1


def _pages(col, include: list[str]):
    offset = 0
    while True:
        got = col.get(include=include, limit=PAGE, offset=offset)
        if not got["ids"]:
            return
        yield got
        offset += PAGE


def _chunk_vectors(store: ArticleStore, doc_ids: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Chunk vectors by chunk id, and article vectors (mean of their chunks') by article id."""
    got = store.chunks.get(where={"doc_id": {"$in": doc_ids}}, include=["embeddings", "metadatas"])
    by_chunk = dict(zip(got["ids"], got["embeddings"]))
    grouped: dict[str, list] = defaultdict(list)
    for cid, meta in zip(got["ids"], got["metadatas"]):
        grouped[str((meta or {}).get("doc_id", ""))].append(by_chunk[cid])
    return by_chunk, {d: mean_vector(v) for d, v in grouped.items()}


def _fallback(store: ArticleStore) -> np.ndarray:
    """The vector of a record whose article has no chunks left: the same unit vector for all."""
    return np.full(store.dimension, 1.0 / np.sqrt(store.dimension), dtype=np.float32)


def _copy_articles(store: ArticleStore, old, new) -> int:
    n = 0
    for got in _pages(old, ["documents", "metadatas"]):
        metas = [unpacked(m or {}) for m in got["metadatas"]]
        _, vectors = _chunk_vectors(store, list(got["ids"]))
        texts = [str(m.pop("text", None) or d or "") for m, d in zip(metas, got["documents"])]
        fallback = _fallback(store)
        new.upsert(ids=got["ids"], documents=texts, metadatas=[packed(m, _REGISTRY_KEYS) for m in metas],
                   embeddings=np.asarray([vectors.get(i, fallback) for i in got["ids"]], dtype=np.float32))
        n += len(got["ids"])
    return n


def _copy_quotes(store: ArticleStore, old, new) -> int:
    n = 0
    for got in _pages(old, ["documents", "metadatas"]):
        keep = [k for k, i in enumerate(got["ids"]) if i != "__none__"]  # 0.2's "no quotations" marker
        if not keep:
            continue
        metas = [unpacked(got["metadatas"][k] or {}) for k in keep]
        ids = [got["ids"][k] for k in keep]
        texts = [str(m.pop("text", None) or got["documents"][k] or "") for m, k in zip(metas, keep)]
        by_chunk, by_article = _chunk_vectors(store, sorted({str(m.get("doc_id", "")) for m in metas}))
        fallback = _fallback(store)
        vectors = [by_chunk.get(str(m.get("chunk_id", "")), by_article.get(str(m.get("doc_id", "")), fallback))
                   for m in metas]  # the passage it was said in; else its article; else the shared fallback
        new.upsert(ids=ids, documents=texts, metadatas=[packed(m, _QUOTE_KEYS) for m in metas],
                   embeddings=np.asarray(vectors, dtype=np.float32))
        n += len(ids)
    if n == 0:
        new.modify(metadata={**ROLE_QUOTES, "backfilled": True})  # the marker's meaning, kept
    return n
