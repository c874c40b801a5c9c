"""The Chroma store: chunks with their embeddings, and a registry of complete articles.

Three collections, each a real vector collection with its texts as Chroma documents and the
store's embedding function registered (:mod:`assistant.chroma_embedding`):
- ``<collection>``: one record per chunk: its embedding, its text as the document, and
  metadata after LangChain's conventions (``source`` = URL or path, ``title``, ``url``,
  ``outlet``, ``published`` as an ISO date when the day is known, ``chunk_index``, offsets);
- ``<collection>-articles``: one record per article: its full text, the mean of its chunk
  vectors, content hash, chunk count. An article's record is written only after all its
  chunks are, so the registry is the list of complete articles;
- ``<collection>-quotes``: the articles' quotations: the quoted words, the vector of the
  passage they were said in, speaker (filterable by ``speaker_key``/``speaker_last`` and
  ``doc_id``) and how the speaker was found.

So plain ``chromadb`` (``get``, ``where_document``, ``query``) and LangChain's ``Chroma`` read
the store as it is. Older layouts are migrated once when opened (:mod:`assistant.store_migrations`).
The chunk collection records the embedding model and dimension that built it; opening it
with another model raises :class:`EmbeddingMismatchError`. Every write leaves a new token in
its metadata (:meth:`ArticleStore.stamp_write`), which derived indexes in other processes watch.
"""

from __future__ import annotations

import errno
import functools
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ..errors import EmbeddingMismatchError, StoreError, StoreUnavailableError
from ..nlp.quotes import Quote
from ..nlp.text import STOPWORDS
from ..types import Article, ArticleFacts, Chunk, Passage

ROLE_ARTICLES = {"role": "article registry"}
ROLE_QUOTES = {"role": "quotations by speaker"}

_DAMAGED = ("not a database", "malformed", "corrupt", "log store", "backfill", "no such table")


def store_error(exc: Exception, action: str, where: str = "") -> StoreError:
    """Chroma's and SQLite's errors as a :class:`StoreError` that says what to do."""
    if isinstance(exc, StoreError):
        return exc
    msg = str(exc)
    low = msg.lower()
    place = f" at {where}" if where else ""
    if "disk is full" in low or "no space left" in low or getattr(exc, "errno", None) == errno.ENOSPC:
        return StoreError(
            f"The disk is full: {action} failed.",
            hint="free some space, then run the same command again: articles reported done are complete "
            "and kept, the rest are written then (nothing is half-stored)",
        )
    if where.startswith("http") and _connection_lost(exc):
        return StoreUnavailableError(
            f"Cannot reach the Chroma server at {where}: {action} failed ({exc.__class__.__name__}).",
            hint="the server stopped or the network dropped: start it again (`chroma run --path DIR --port PORT`) "
            "and repeat the command; nothing stored was lost")
    if any(m in low for m in _DAMAGED):
        return StoreError(
            f"The store{place} is damaged: {action} failed ({msg.strip()[:200]}).",
            hint="move its folder aside (or choose another with --data-dir / ASSISTANT_DATA_DIR) and ingest "
            "your articles again; the source files are untouched",
        )
    return StoreError(f"{action[:1].upper()}{action[1:]} failed: {exc.__class__.__name__}: {msg.strip()[:300]}",
                      hint="check the store's folder or server, then try again")


def _connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a failed or dropped connection (httpx, OS)."""
    while exc is not None:
        if isinstance(exc, ConnectionError) or "connect" in type(exc).__name__.lower() \
                or "connection refused" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _guarded(action: str):
    """Turn any Chroma/SQLite error inside the method into a :class:`StoreError`."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(self, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception as exc:
                raise store_error(exc, action, self.where) from exc

        return inner

    return wrap


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
    outlet: str = ""

    @classmethod
    def from_meta(cls, doc_id: str, meta: dict[str, Any]) -> "ArticleRecord":
        meta = unpacked(meta)
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
            outlet=str(meta.get("outlet", "")),
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
        if any(m in str(exc).lower() for m in _DAMAGED):
            raise store_error(exc, "opening it", str(path)) from None
        raise StoreError(
            f"Cannot open the Chroma store at {path}: {exc}",
            hint="check the folder's permissions, or choose another with --data-dir / ASSISTANT_DATA_DIR",
        ) from None


@dataclass(frozen=True)
class ArticleWrite:
    """One article to store: its chunks, their vectors (one per chunk, in order), and whether it
    may already have chunks of an older version (stale ones are then looked for and dropped)."""

    article: Article
    chunks: Sequence[Chunk]
    vectors: Any  # an array or sequence of vectors
    replacing: bool = False


@dataclass(frozen=True)
class StoredPassage:
    """A chunk read back as a :class:`Passage`, with its stored metadata (what filters read)."""

    passage: Passage
    meta: dict[str, Any]

    @property
    def facts(self) -> ArticleFacts:
        return ArticleFacts.from_meta(self.meta, self.passage.doc_id)


@dataclass(frozen=True)
class StoredQuote:
    """A quotation as the quote index holds it: the :class:`Quote`, the id of the chunk it was said
    in, and its stored metadata (what :meth:`Filters.match` reads: source, outlet, date, title)."""

    id: str
    chunk_id: str
    quote: Quote
    meta: dict[str, Any]

    @property
    def facts(self) -> ArticleFacts:
        return ArticleFacts.from_meta(self.meta, self.quote.doc_id)


class ArticleStore:
    """Chunks and articles in Chroma, for one embedding model."""

    def __init__(self, client, collection: str, model_id: str, dimension: int, where: str = "") -> None:
        self.client = client
        self.name = collection
        self.model_id = model_id
        self.where = where  # the store's folder or URL, for messages
        from .chroma_embedding import StoreEmbeddingFunction

        self._function = StoreEmbeddingFunction(model_id)
        try:
            self.chunks = client.get_or_create_collection(
                collection,
                metadata={"hnsw:space": "cosine", "embedding_model": model_id, "embedding_dim": dimension},
                embedding_function=self._function,
            )
            from .migrations import finish_interrupted_swaps

            finish_interrupted_swaps(client, collection)
            self.open_side_collections()
        except Exception as exc:
            raise store_error(exc, f"opening collection '{collection}'", where) from None
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
        self._register_function()
        self.generation = 0  # bumped by every write through this object (derived indexes watch it)
        self._complete: dict[str, str] = {}  # doc_id -> content hash of its registry record (seen complete)
        self._quotes_ready = False  # ensure_quotes found the quote index in step with the articles
        self._max_batch = max(1, min(int(client.get_max_batch_size()), 1000))

    def open_side_collections(self) -> None:
        """The article registry and the quotation collection (created when missing)."""
        self.articles = self.client.get_or_create_collection(
            f"{self.name}-articles", metadata={**ROLE_ARTICLES, "hnsw:space": "cosine"},
            embedding_function=self._function)
        self.quotes = self.client.get_or_create_collection(
            f"{self.name}-quotes", metadata={**ROLE_QUOTES, "hnsw:space": "cosine"},
            embedding_function=self._function)

    @_guarded("recording the embedding model")
    def _register_function(self) -> None:
        """Record the store's embedding function in the chunk collection's Chroma configuration
        (stores made before 0.3 have none), so plain Chroma clients can embed query texts."""
        current = (self.chunks.configuration_json or {}).get("embedding_function") or {}
        if current.get("name") != self._function.name() or current.get("config") != self._function.get_config():
            self.chunks.modify(configuration={"embedding_function": self._function})

    @_guarded("recording a write")
    def stamp_write(self) -> None:
        """Mark the chunk collection as written (a new token in its metadata), so derived
        indexes in other processes, or on other machines sharing a Chroma server, notice."""
        self.generation += 1
        meta = {k: v for k, v in (self.chunks.metadata or {}).items() if not k.startswith("hnsw:")}
        self.chunks.modify(metadata={**meta, "written": uuid.uuid4().hex})

    @_guarded("reading the store's state")
    def write_token(self) -> str:
        """The token of the chunk collection's last write by any process ('' before the first)."""
        fresh = self.client.get_collection(self.name, embedding_function=self._function)
        return str((fresh.metadata or {}).get("written", ""))

    # --- articles ---------------------------------------------------------------------

    @_guarded("reading the article registry")
    def get_records(self, ids: Sequence[str]) -> dict[str, ArticleRecord]:
        if not ids:
            return {}
        got = self.articles.get(ids=list(ids), include=["metadatas"])
        return {i: ArticleRecord.from_meta(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])}

    @_guarded("reading the article registry")
    def records_by_path(self, path: str) -> list[ArticleRecord]:
        got = self.articles.get(where={"path": path}, include=["metadatas"])
        return [ArticleRecord.from_meta(i, m or {}) for i, m in zip(got["ids"], got["metadatas"])]

    def _registry(self, page: int = 1000) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, metadata) of every registry record, a page at a time."""
        offset = 0
        while True:
            got = self.articles.get(include=["metadatas"], limit=page, offset=offset)
            yield from zip(got["ids"], (m or {} for m in got["metadatas"]))
            if len(got["ids"]) < page:
                return
            offset += page

    @_guarded("listing the articles")
    def list_articles(self) -> list[ArticleRecord]:
        return [ArticleRecord.from_meta(i, m) for i, m in self._registry()]

    @_guarded("listing the articles")
    def article_facts(self) -> list[ArticleFacts]:
        """Every stored article as filters see it (id, source, outlet, title, date key)."""
        return [ArticleFacts.from_meta(unpacked(m), i) for i, m in self._registry()]

    @_guarded("reading an article")
    def article_text(self, doc_id: str) -> str | None:
        got = self.articles.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return record_text(got["documents"][0], got["metadatas"][0])  # 0.2's records kept it in metadata

    @_guarded("counting the articles")
    def count_articles(self) -> int:
        return self.articles.count()

    @_guarded("counting the chunks")
    def count_chunks(self) -> int:
        return self.chunks.count()

    # --- writes -----------------------------------------------------------------------

    @_guarded("writing to the store")
    def write_articles(
        self, items: Sequence[ArticleWrite],
        quotes: Sequence[Sequence[Quote]],
    ) -> None:
        """Store several articles: all chunks first, then their quotations, then the registry
        records that mark them complete (the switch: readers serve chunks whose content hash
        matches the record), then stale chunks of the replaced versions dropped.

        ``items``: each article with its chunks and their vectors (:class:`ArticleWrite`). ``quotes`` holds each
        article's attributed quotations (found by the ingest pipeline, not here).
        """
        ids: list[str] = []
        vectors: list = []
        metas: list[dict[str, Any]] = []
        texts: list[str] = []
        for article, chunks, embeddings in ((w.article, w.chunks, w.vectors) for w in items):
            if len(chunks) != len(embeddings):
                raise StoreError("internal: chunks and embeddings differ in number")
            base = _article_meta(article)
            for c, e in zip(chunks, embeddings):
                ids.append(c.id)
                texts.append(c.text)
                vectors.append(e)
                metas.append({**base, "index": c.index, "chunk_index": c.index, "paragraph": c.paragraph,
                              "char_start": c.char_start, "char_end": c.char_end, "tokens": c.tokens})
        for b in range(0, len(ids), self._max_batch):
            sl = slice(b, b + self._max_batch)
            self.chunks.upsert(ids=ids[sl], embeddings=np.asarray(vectors[sl], dtype=np.float32), metadatas=metas[sl],
                               documents=texts[sl])
        self.generation += 1
        vectors_by_chunk = dict(zip(ids, vectors))
        article_vectors = [mean_vector(w.vectors) for w in items]
        self._write_quotes([(w.article, w.chunks) for w in items], quotes, vectors_by_chunk, article_vectors)
        self._write_records([w.article for w in items], [len(w.chunks) for w in items], article_vectors)
        # Only now are the old versions' chunks unreachable (their content hash no longer
        # matches the record), so dropping them cannot leave an article half-present.
        replacing = [w.article.id for w in items if w.replacing]
        if replacing:
            keep = set(ids)
            hashes = {w.article.id: w.article.content_hash for w in items}
            for b in range(0, len(replacing), 100):
                part = replacing[b : b + 100]
                got = self.chunks.get(where={"doc_id": {"$in": part}}, include=[])
                self._delete_ids([i for i in got["ids"] if i not in keep])
                old = self.quotes.get(where={"doc_id": {"$in": part}}, include=["metadatas"])
                stale = [i for i, m in zip(old["ids"], old["metadatas"])
                         if (m or {}).get("content_hash") != hashes.get((m or {}).get("doc_id"))]
                if stale:
                    self.quotes.delete(ids=stale)
        self.stamp_write()

    def _write_records(self, articles: Sequence[Article], counts: Sequence[int], vectors: Sequence) -> None:
        """Registry records: the article's text as the document, the mean of its chunk vectors as
        its vector (so the registry is a searchable collection of whole articles)."""
        now = time.time()
        for b in range(0, len(articles), self._max_batch):
            sl = slice(b, b + self._max_batch)
            self.articles.upsert(
                ids=[a.id for a in articles[sl]], embeddings=np.asarray(vectors[sl], dtype=np.float32),
                documents=[a.text for a in articles[sl]],
                metadatas=[packed({**_article_meta(a), "chunks": n, "ingested_at": now}, _REGISTRY_KEYS)
                           for a, n in zip(articles[sl], counts[sl])])

    def _write_quotes(self, items: Sequence[tuple[Article, Sequence[Chunk]]], found: Sequence[Sequence[Quote]],
                      chunk_vectors: dict[str, Any], article_vectors: Sequence) -> None:
        """The quotations of these articles (``found``, one list per article) into the quotes
        collection: the quote as the document, the vector of the passage it was said in as its vector."""
        ids, metas, texts, vectors = [], [], [], []
        for (article, chunks), quotes, fallback in zip(items, found, article_vectors):
            for n, q in enumerate(quotes):
                chunk = next((c for c in chunks if c.char_start <= q.char_start < c.char_end), None)
                ids.append(f"{article.id}:q{n}:{article.content_hash[:12]}")
                metas.append(packed(_quote_meta(q, article, chunk.id if chunk else ""), _QUOTE_KEYS))
                texts.append(q.text)
                vectors.append(chunk_vectors.get(chunk.id, fallback) if chunk else fallback)
        for b in range(0, len(ids), self._max_batch):
            sl = slice(b, b + self._max_batch)
            self.quotes.upsert(ids=ids[sl], metadatas=metas[sl], documents=texts[sl],
                               embeddings=np.asarray(vectors[sl], dtype=np.float32))

    def quotes_need_backfill(self) -> bool:
        """True when articles were stored before the quote index existed and their quotations
        were never indexed (checked once per store object: later articles get theirs as they
        are written)."""
        if not self._quotes_ready:
            backfilled = bool((self.quotes.metadata or {}).get("backfilled"))
            if self.quotes.count() > 0 or backfilled or self.articles.count() == 0:
                self._quotes_ready = self.quotes.count() > 0 or backfilled
        return not self._quotes_ready

    @_guarded("reading articles for the quote index")
    def stored_articles(self) -> Iterator[tuple[Article, list[Chunk], dict[str, Any]]]:
        """Every complete article with its chunks (offsets, no text) and their vectors by id."""
        for rec in self.list_articles():
            text = self.article_text(rec.id)
            got = self.chunks.get(where={"doc_id": rec.id}, include=["metadatas", "embeddings"]) if text else None
            if not got or not got["ids"]:
                continue
            chunks = [Chunk(id=i, doc_id=rec.id, index=int(m.get("index", 0)), text="", paragraph=int(m.get("paragraph", 0)),
                            char_start=int(m.get("char_start", 0)), char_end=int(m.get("char_end", 0)),
                            tokens=int(m.get("tokens", 0)))
                      for i, m in zip(got["ids"], got["metadatas"]) if m]
            article = Article(id=rec.id, title=rec.title, text=text, content_hash=rec.content_hash, source=rec.source,
                              date=rec.date, url=rec.url, path=rec.path, outlet=rec.outlet)
            yield article, chunks, dict(zip(got["ids"], got["embeddings"]))

    @_guarded("indexing quotations")
    def write_quotes(self, article: Article, chunks: Sequence[Chunk], quotes: Sequence[Quote],
                     vectors: dict[str, Any]) -> None:
        """One stored article's quotations into the quote index (the backfill of an old store)."""
        self._write_quotes([(article, chunks)], [quotes], vectors, [mean_vector(list(vectors.values()))])

    def mark_quotes_backfilled(self) -> None:
        """Record that every stored article's quotations are indexed (even if none quotes anyone)."""
        self.quotes.modify(metadata={**ROLE_QUOTES, "backfilled": True})
        self._quotes_ready = True

    @_guarded("reading quotations")
    def find_quotes(self, speakers: Sequence[str] | None = None, doc_ids: Sequence[str] | None = None,
                    limit: int = 10000) -> list[StoredQuote]:
        """Quotations of complete articles, as :class:`StoredQuote`, optionally only those
        whose speaker's surname or full name is one of ``speakers`` (case-insensitive)."""
        conds = []
        if speakers:
            keys = sorted({" ".join(x.lower().split()) for x in speakers if x.strip()})
            # any word of a name may be the surname a speaker is stored under ("Governor Ole’ Kipte’m")
            lasts = sorted({w.strip(".,’'") for k in keys for w in k.split() if len(w.strip(".,’'")) >= 3}
                           - STOPWORDS)
            conds.append({"$or": [{"speaker_key": {"$in": keys}}, {"speaker_last": {"$in": lasts}}]})
        if doc_ids:
            conds.append({"doc_id": {"$in": list(doc_ids)}})
        where = conds[0] if len(conds) == 1 else ({"$and": conds} if conds else None)
        got = self.quotes.get(where=where, include=["documents", "metadatas"], limit=limit)
        metas = [unpacked(m or {}) for m in got["metadatas"]]
        live = self._live(metas)
        return [StoredQuote(i, str(m.get("chunk_id", "")), Quote.from_record({**m, "text": record_text(d, m)}), m)
                for i, d, m, ok in zip(got["ids"], got["documents"], metas, live) if ok and m.get("doc_id")]

    @_guarded("cleaning up after an interrupted ingest")
    def sweep_incomplete(self) -> int:
        """Delete chunks that belong to no complete article (left by an ingest that was killed
        before writing the article's record). Returns how many were removed."""
        live: dict[str, str] = {}
        offset, page = 0, 2000
        while True:
            got = self.articles.get(include=["metadatas"], limit=page, offset=offset)
            live.update({i: str((m or {}).get("content_hash", "")) for i, m in zip(got["ids"], got["metadatas"])})
            if len(got["ids"]) < page:
                break
            offset += page
        stale: list[str] = []
        offset = 0
        while True:
            got = self.chunks.get(include=["metadatas"], limit=page, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"]):
                m = m or {}
                if live.get(str(m.get("doc_id", ""))) != m.get("content_hash"):
                    stale.append(i)
            if len(got["ids"]) < page:
                break
            offset += page
        if stale:
            self.generation += 1
            self._delete_ids(stale)
        got = self.quotes.get(include=["metadatas"])
        dead = [i for i, m in zip(got["ids"], got["metadatas"])
                if (m or {}).get("doc_id") and live.get(str(m.get("doc_id"))) != (m or {}).get("content_hash")]
        if dead:
            self.quotes.delete(ids=dead)
        if stale:
            self.stamp_write()
        return len(stale)

    def _delete_ids(self, ids: list[str]) -> None:
        for b in range(0, len(ids), self._max_batch):
            self.chunks.delete(ids=ids[b : b + self._max_batch])

    def _delete_chunks(self, doc_id: str, keep: set[str] | None = None) -> None:
        got = self.chunks.get(where={"doc_id": doc_id}, include=[])
        self._delete_ids([i for i in got["ids"] if not keep or i not in keep])

    @_guarded("deleting an article")
    def delete_article(self, doc_id: str) -> None:
        """Remove an article: its registry record first (so it is never half-listed), then its chunks."""
        self.generation += 1
        self.articles.delete(ids=[doc_id])
        self._complete.pop(doc_id, None)
        self._delete_chunks(doc_id)
        self.quotes.delete(where={"doc_id": doc_id})
        self.stamp_write()

    # --- reads ------------------------------------------------------------------------

    def vectorstore(self, embeddings=None):
        """The chunk collection as LangChain's own ``Chroma`` vector store (chunk texts are
        its ``page_content``, chunk metadata its ``metadata``). ``embeddings`` must be the
        store's model (:class:`EmbeddingMismatchError` otherwise); by default it is built from
        the model the store records."""
        from langchain_chroma import Chroma

        from .embeddings import embedding_identity

        if embeddings is None:
            embeddings = self._function.langchain_embeddings()
        model_id, dim = embedding_identity(embeddings)
        if model_id != self.model_id or (dim and self.dimension and dim != self.dimension):
            raise EmbeddingMismatchError(
                f"The store '{self.name}' was built with the embedding model {self.model_id}; "
                f"these embeddings are {model_id}.",
                hint="pass the store's own model, or call vectorstore() without embeddings")
        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)

    @_guarded("migrating the store")
    def migrate_chunk_texts(self, page: int = 500) -> int:
        """Move chunk texts kept as metadata (stores written by 0.2) into Chroma documents, with
        their vectors unchanged. Returns how many chunks moved (0 when none had to). Each page
        is rewritten whole, so a migration cut short resumes where it stopped."""
        sample = self.chunks.get(limit=1, include=["documents", "metadatas"])
        if not sample["ids"] or sample["documents"][0] or not isinstance((sample["metadatas"][0] or {}).get("text"), str):
            return 0
        moved, offset = 0, 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas", "embeddings"], limit=page, offset=offset)
            if not got["ids"]:
                return moved
            old = [n for n, m in enumerate(got["metadatas"])  # no document: a user's own "text" key is left alone
                   if isinstance((m or {}).get("text"), str) and not got["documents"][n]]
            if old:
                self.chunks.upsert(
                    ids=[got["ids"][n] for n in old], embeddings=[got["embeddings"][n] for n in old],
                    documents=[got["metadatas"][n]["text"] for n in old],
                    metadatas=[{**got["metadatas"][n], "text": None,  # None removes the key
                                "chunk_index": got["metadatas"][n].get("index", 0)} for n in old])
                moved += len(old)
            offset += page

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

    @_guarded("reading passages")
    def get_passages(self, ids: Sequence[str], query_embedding: Sequence[float],
                     scores: dict[str, float] | None = None) -> dict[str, StoredPassage]:
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
                out[i] = StoredPassage(passage_from(i, doc, meta, score), meta)
        return out

    @_guarded("searching the store")
    def search_ids(self, query_embedding: Sequence[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first: the index alone,
        no documents read (that is most of a query's cost)."""
        res = self.chunks.query(query_embeddings=[list(map(float, query_embedding))], n_results=max(1, k),
                                where=where, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    @_guarded("searching the store")
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
    from ..nlp.dates import date_key, iso_day

    meta: dict[str, Any] = {
        "doc_id": article.id,
        "title": article.title,
        "source": article.source,
        "outlet": article.outlet,
        "url": article.url,
        "date": article.date,
        "path": article.path,
        "content_hash": article.content_hash,
    }
    key = date_key(article.date)
    if key is not None:
        meta["date_key"] = key  # YYYYMMDD, for date-range filters
    published = iso_day(article.date)
    if published:
        meta["published"] = published
    return meta


def _quote_meta(q, article: Article, chunk_id: str) -> dict[str, Any]:
    meta = {
        "doc_id": article.id, "content_hash": article.content_hash, "chunk_id": chunk_id,
        "speaker": q.speaker, "speaker_key": q.speaker.lower(), "speaker_last": q.speaker.split()[-1].lower() if q.speaker else "",
        "aliases": "|".join(q.aliases), "speaker_title": q.speaker_title, "attribution": q.attribution,
        "kind": q.kind, "confidence": q.confidence,
        "title": article.title, "date": article.date, "source": article.source, "outlet": article.outlet,
        "char_start": q.char_start, "char_end": q.char_end, "sentence_start": q.sentence_start,
        "sentence_end": q.sentence_end, "paragraph": q.paragraph, "sentence": q.sentence,
    }
    from ..nlp.dates import date_key

    key = date_key(article.date)
    if key is not None:
        meta["date_key"] = key
    return meta


# Registry and quotation records keep as metadata keys of their own only what is filtered on or
# read without the rest; the other fields go in one JSON string, ``payload``. Chroma stores each
# metadata key as an indexed row, so fewer keys are cheaper writes (reuters-grain: quotation
# writes 0.41 -> 0.27 s, registry 0.70 -> 0.60 s). Records written before read as they are.
_REGISTRY_KEYS = ("path", "content_hash")
_QUOTE_KEYS = ("doc_id", "content_hash", "speaker_key", "speaker_last")
_PAYLOAD = "payload"


def packed(meta: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """``meta`` with every key but ``keys`` folded into one JSON string."""
    out = {k: meta[k] for k in keys if k in meta}
    out[_PAYLOAD] = json.dumps({k: v for k, v in meta.items() if k not in keys}, ensure_ascii=False)
    return out


def unpacked(meta: dict[str, Any]) -> dict[str, Any]:
    """A record's metadata with its ``payload`` (if any) unfolded."""
    payload = meta.get(_PAYLOAD)
    if not isinstance(payload, str):
        return meta
    try:
        fields = json.loads(payload)
    except ValueError:
        fields = {}
    rest = {k: v for k, v in meta.items() if k != _PAYLOAD}
    return {**fields, **rest} if isinstance(fields, dict) else rest


def mean_vector(vectors) -> np.ndarray:
    """The unit-length mean of some unit vectors (an article's, from its chunks')."""
    v = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-12)


def record_text(document: str | None, meta: dict[str, Any] | None) -> str:
    """A record's text: its Chroma document; for a record of 0.2's layout (no document, the text
    in metadata) its ``text`` metadata. A user's own ``text`` metadata key never hides the document."""
    if document:
        return document
    text = (meta or {}).get("text")
    return text if isinstance(text, str) else ""


def passage_from(chunk_id: str, text: str | None, meta: dict[str, Any], score: float) -> Passage:
    text = record_text(text, meta)
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        date=str(meta.get("date", "")),
        text=text,
        outlet=str(meta.get("outlet", "")),
        url=str(meta.get("url", "")),
        paragraph=int(meta.get("paragraph", 0)),
        char_start=int(meta.get("char_start", 0)),
        char_end=int(meta.get("char_end", 0)),
        score=round(score, 6),
        path=str(meta.get("path", "")),
    )
