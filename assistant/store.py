"""The Chroma store: chunks with their embeddings, and a registry of complete articles.

Two collections:
- ``<collection>``: one record per chunk (embedding, text, metadata incl. offsets);
- ``<collection>-articles``: one record per article (full text, metadata, content hash,
  chunk count). An article's record is written only after all its chunks are, so the
  registry is the list of complete articles.

The chunk collection records the embedding model and dimension that built it; opening it
with another model raises :class:`EmbeddingMismatchError`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import EmbeddingMismatchError, StoreError, StoreUnavailableError
from .schema import Article, Chunk, Passage

_PLACEHOLDER = [0.0]  # registry records carry no meaningful vector


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    title: str
    source: str
    date: str
    url: str
    path: str
    content_hash: str
    chunks: int
    ingested_at: float

    @classmethod
    def from_meta(cls, doc_id: str, meta: dict[str, Any]) -> "ArticleRecord":
        return cls(
            id=doc_id,
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            date=str(meta.get("date", "")),
            url=str(meta.get("url", "")),
            path=str(meta.get("path", "")),
            content_hash=str(meta.get("content_hash", "")),
            chunks=int(meta.get("chunks", 0)),
            ingested_at=float(meta.get("ingested_at", 0.0)),
        )


def make_client(chroma_url: str | None, data_dir: Path):
    """An HttpClient for ``chroma_url``, else a PersistentClient under ``data_dir/chroma``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        u = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=u.hostname or "localhost",
                port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https",
                settings=settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {chroma_url} ({exc.__class__.__name__}).",
                hint="start it with `chroma run --path DIR --port PORT`, or unset ASSISTANT_CHROMA_URL "
                "to use the embedded store",
            ) from None
        return client
    path = data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:
        raise StoreError(
            f"Cannot open the Chroma store at {path}: {exc}",
            hint="check the folder's permissions, or choose another with --data-dir / ASSISTANT_DATA_DIR",
        ) from None


class ArticleStore:
    """Chunks and articles in Chroma, for one embedding model."""

    def __init__(self, client, collection: str, model_id: str, dimension: int) -> None:
        self.client = client
        self.name = collection
        self.model_id = model_id
        try:
            self.chunks = client.get_or_create_collection(
                collection,
                metadata={"hnsw:space": "cosine", "embedding_model": model_id, "embedding_dim": dimension},
                embedding_function=None,
            )
            self.articles = client.get_or_create_collection(
                f"{collection}-articles", metadata={"role": "article registry"}, embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"Cannot open collection '{collection}': {exc}") from None
        meta = self.chunks.metadata or {}
        stored_model = meta.get("embedding_model")
        stored_dim = int(meta.get("embedding_dim") or 0)
        if stored_model != model_id or (dimension and stored_dim and stored_dim != dimension):
            raise EmbeddingMismatchError(
                f"The store '{collection}' was built with the embedding model {stored_model} "
                f"({stored_dim} dimensions), not the configured {model_id}.",
                hint="re-ingest into a new store (another --data-dir or ASSISTANT_COLLECTION), "
                "or set ASSISTANT_EMBEDDINGS back to the model that built it",
            )
        self.dimension = stored_dim or dimension
        self.generation = 0  # bumped by every write through this object (derived indexes watch it)
        self._complete: dict[str, str] = {}  # doc_id -> content hash of its registry record (seen complete)
        self._max_batch = max(1, min(int(client.get_max_batch_size()), 1000))

    # --- articles ---------------------------------------------------------------------

    def get_records(self, ids: Sequence[str]) -> dict[str, ArticleRecord]:
        if not ids:
            return {}
        got = self.articles.get(ids=list(ids), include=["metadatas"])
        return {i: ArticleRecord.from_meta(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])}

    def records_by_path(self, path: str) -> list[ArticleRecord]:
        got = self.articles.get(where={"path": path}, include=["metadatas"])
        return [ArticleRecord.from_meta(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])]

    def list_articles(self) -> list[ArticleRecord]:
        out: list[ArticleRecord] = []
        offset, page = 0, 1000
        while True:
            got = self.articles.get(include=["metadatas"], limit=page, offset=offset)
            out.extend(ArticleRecord.from_meta(i, m or {}) for i, m in zip(got["ids"], got["metadatas"]))
            if len(got["ids"]) < page:
                return out
            offset += page

    def article_text(self, doc_id: str) -> str | None:
        got = self.articles.get(ids=[doc_id], include=["documents"])
        return got["documents"][0] if got["ids"] else None

    def count_articles(self) -> int:
        return self.articles.count()

    def count_chunks(self) -> int:
        return self.chunks.count()

    # --- writes -----------------------------------------------------------------------

    def write_articles(
        self, items: Sequence[tuple[Article, Sequence[Chunk], Sequence[Sequence[float]], bool]]
    ) -> None:
        """Store several articles: all chunks first, then the registry records that mark them
        complete (the switch: readers serve chunks whose content hash matches the record), then
        stale chunks of the replaced versions dropped.

        ``items`` holds ``(article, chunks, embeddings, replacing)``; ``replacing`` says the
        article may already have chunks (so stale ones must be looked for).
        """
        ids: list[str] = []
        vectors: list[list[float]] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        for article, chunks, embeddings, _ in items:
            if len(chunks) != len(embeddings):
                raise StoreError("internal: chunks and embeddings differ in number")
            base = _article_meta(article)
            for c, e in zip(chunks, embeddings):
                ids.append(c.id)
                vectors.append([float(x) for x in e])
                docs.append(c.text)
                metas.append({**base, "index": c.index, "paragraph": c.paragraph, "char_start": c.char_start,
                              "char_end": c.char_end, "tokens": c.tokens})
        for b in range(0, len(ids), self._max_batch):
            sl = slice(b, b + self._max_batch)
            self.chunks.upsert(ids=ids[sl], embeddings=vectors[sl], documents=docs[sl], metadatas=metas[sl])
        self.generation += 1
        now = time.time()
        arts = [a for a, _, _, _ in items]
        counts = [len(c) for _, c, _, _ in items]
        for b in range(0, len(arts), self._max_batch):
            part = arts[b : b + self._max_batch]
            self.articles.upsert(
                ids=[a.id for a in part],
                embeddings=[_PLACEHOLDER for _ in part],
                documents=[a.text for a in part],
                metadatas=[{**_article_meta(a), "url": a.url, "chunks": n, "ingested_at": now}
                           for a, n in zip(part, counts[b : b + self._max_batch])],
            )
        # Only now are the old versions' chunks unreachable (their content hash no longer
        # matches the record), so dropping them cannot leave an article half-present.
        replacing = [a.id for a, _, _, r in items if r]
        if replacing:
            keep = set(ids)
            for b in range(0, len(replacing), 100):
                got = self.chunks.get(where={"doc_id": {"$in": replacing[b : b + 100]}}, include=[])
                self._delete_ids([i for i in got["ids"] if i not in keep])

    def _delete_ids(self, ids: list[str]) -> None:
        for b in range(0, len(ids), self._max_batch):
            self.chunks.delete(ids=ids[b : b + self._max_batch])

    def _delete_chunks(self, doc_id: str, keep: set[str] | None = None) -> None:
        got = self.chunks.get(where={"doc_id": doc_id}, include=[])
        self._delete_ids([i for i in got["ids"] if not keep or i not in keep])

    def delete_article(self, doc_id: str) -> None:
        """Remove an article: its registry record first (so it is never half-listed), then its chunks."""
        self.generation += 1
        self.articles.delete(ids=[doc_id])
        self._complete.pop(doc_id, None)
        self._delete_chunks(doc_id)

    # --- reads ------------------------------------------------------------------------

    def vectorstore(self, embeddings):
        """The chunk collection as a LangChain ``Chroma`` vector store."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)

    def _live(self, metas: Sequence[dict[str, Any]]) -> list[bool]:
        """Which chunks belong to a complete article: one whose registry record exists with the
        chunk's content hash. Chunks left by an interrupted ingest (no record yet, or a record of
        another version) are never served, so no article is ever half-present in answers.
        Records seen complete are remembered; unknown or mismatching ones are read again."""
        need = {str(m.get("doc_id", "")) for m in metas
                if self._complete.get(str(m.get("doc_id", ""))) != m.get("content_hash")}
        if need:
            got = self.articles.get(ids=sorted(need), include=["metadatas"])
            for i, meta in zip(got["ids"], got["metadatas"]):
                self._complete[i] = str((meta or {}).get("content_hash", ""))
            for i in need.difference(got["ids"]):
                self._complete.pop(i, None)
        return [self._complete.get(str(m.get("doc_id", ""))) == m.get("content_hash") for m in metas]

    def get_passages(self, ids: Sequence[str], query_embedding: Sequence[float],
                     scores: dict[str, float] | None = None) -> dict[str, tuple[Passage, dict]]:
        """Chunks of complete articles by id, scored by cosine similarity to ``query_embedding``
        (or taken from ``scores`` where given, without reading the vector); with their metadata."""
        import numpy as np

        if not ids:
            return {}
        scores = scores or {}
        need_vectors = any(i not in scores for i in ids)
        include = ["documents", "metadatas"] + (["embeddings"] if need_vectors else [])
        got = self.chunks.get(ids=list(ids), include=include)
        q = np.asarray(query_embedding, dtype=np.float32)
        vectors = got["embeddings"] if need_vectors else [None] * len(got["ids"])
        out = {}
        metas = [m or {} for m in got["metadatas"]]
        for i, doc, meta, emb, ok in zip(got["ids"], got["documents"], metas, vectors, self._live(metas)):
            if ok:
                score = scores[i] if i in scores else float(np.dot(np.asarray(emb, dtype=np.float32), q))
                out[i] = (passage_from(i, doc, meta, score), meta)
        return out

    def search_ids(self, query_embedding: Sequence[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first: the index alone,
        no documents read (that is most of a query's cost)."""
        res = self.chunks.query(query_embeddings=[list(map(float, query_embedding))], n_results=max(1, k),
                                where=where, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def search(self, query_embedding: Sequence[float], k: int, where: dict | None = None) -> list[Passage]:
        """The k nearest chunks of complete articles, best first; ``score`` is cosine similarity."""
        res = self.chunks.query(
            query_embeddings=[list(map(float, query_embedding))],
            n_results=max(1, k),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        metas = [m or {} for m in res["metadatas"][0]]
        return [
            passage_from(i, doc, meta, 1.0 - float(dist))
            for i, doc, meta, dist, ok in zip(res["ids"][0], res["documents"][0], metas, res["distances"][0],
                                              self._live(metas))
            if ok
        ]


def _article_meta(article: Article) -> dict[str, Any]:
    from .filters import date_key

    meta: dict[str, Any] = {
        "doc_id": article.id,
        "title": article.title,
        "source": article.source,
        "date": article.date,
        "path": article.path,
        "content_hash": article.content_hash,
    }
    key = date_key(article.date)
    if key is not None:
        meta["date_key"] = key  # YYYYMMDD, for date-range filters
    return meta


def passage_from(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        date=str(meta.get("date", "")),
        text=text or "",
        paragraph=int(meta.get("paragraph", 0)),
        char_start=int(meta.get("char_start", 0)),
        char_end=int(meta.get("char_end", 0)),
        score=round(score, 6),
        path=str(meta.get("path", "")),
    )
