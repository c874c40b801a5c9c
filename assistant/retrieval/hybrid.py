"""Dense retrieval over the store, as a typed call and as a LangChain ``BaseRetriever``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .citations import article_ref, near_identical
from .filters import Filters
from ..types import ArticleRef, Passage
from ..index.store import ArticleStore

if TYPE_CHECKING:
    from .speakers import SpeakerEvidence


@dataclass
@dataclass(frozen=True)
class ForeignQuote:
    """Where a quotation by someone other than the asked speaker sits in an article."""

    doc_id: str
    char_start: int
    char_end: int


@dataclass
class Evidence:
    """What retrieval hands the answerers: passages for a question, best first, with the
    question's vector for later scoring; for "what did X say…" questions, the speakers asked
    about, X's quotations that fit (``speech``) and where others' quotations sit
    (``foreign_quotes``); the filters applied and the time taken."""

    question: str
    passages: list[Passage]
    query_vector: np.ndarray
    min_relevance: float
    seconds: float = 0.0
    filters: Filters | None = None
    asked_speakers: list[str] = field(default_factory=list)
    speech: SpeakerEvidence | None = None
    foreign_quotes: list[ForeignQuote] = field(default_factory=list)

    @property
    def relevant(self) -> list[Passage]:
        return [p for p in self.passages if p.score >= self.min_relevance]


Retrieval = Evidence  # its name before the answerers' hand-off was typed; kept for one release


class Retriever(Protocol):
    """What :class:`~assistant.core.Assistant` asks for passages (``Assistant(retriever=...)``
    plugs in another): the best passages for a question as :class:`Evidence`."""

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None,
                 filters: Filters | None = None) -> Evidence: ...


class DenseRetriever:
    """Top-k cosine search in Chroma."""

    def __init__(self, store: ArticleStore, embedder: Embeddings, k: int = 5, min_relevance: float = 0.2,
                 max_per_article: int = 0, reranker=None) -> None:
        self.store = store
        self.embedder = embedder
        self.k = k
        self.min_relevance = min_relevance
        self.max_per_article = max_per_article
        self.reranker = reranker

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _dense(self, qv: np.ndarray, n: int, filters: Filters | None) -> list[Passage]:
        where = filters.where() if filters else None
        hits = self.store.search(qv.tolist(), n, where=where)
        if filters and filters.title:  # Chroma cannot match words inside a title
            hits = [p for p in hits if filters.title_ok(p.title)]
        return hits

    def _pool(self, question: str, qv: np.ndarray, k: int, filters: Filters | None) -> "_Pool":
        n = k * 3 if self.max_per_article else k
        return _Pool(self._dense(qv, n, filters))

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None,
                 filters: Filters | None = None) -> Retrieval:
        t = time.perf_counter()
        k = k or self.k
        qv = self.embed_query(question)
        if where is not None:  # a raw Chroma filter (advanced use)
            passages = self.store.search(qv.tolist(), k, where=where)
        else:
            # Read few passages first (reading is most of a query's cost); read more only when
            # the per-article cap had to be exceeded for want of other articles.
            pool = self._pool(question, qv, k, filters)
            want = max(2 * k + 2, getattr(self.reranker, "top_n", 0) + 2)
            passages, backfilled = self._finish(question, pool.take(want), k)
            if backfilled and pool.more:  # once, three times as many
                passages, _ = self._finish(question, pool.take(3 * want), k)
        return Evidence(question, passages, qv, self.min_relevance, seconds=time.perf_counter() - t, filters=filters)

    def _finish(self, question: str, candidates: list[Passage], k: int) -> tuple[list[Passage], bool]:
        """Reranked and diversified candidates; True if an article went over its cap."""
        if self.reranker is not None:
            candidates = self.reranker.rerank(question, candidates)
        return _diversify(candidates, k, self.max_per_article)


class HybridRetriever(DenseRetriever):
    """Dense and BM25 results fused by reciprocal rank fusion, then diversified.

    Every passage keeps its cosine similarity as ``score`` (BM25-only hits are scored against
    the question's vector too), so the relevance threshold means the same in both methods.
    """

    def __init__(self, store: ArticleStore, embedder: Embeddings, bm25, k: int = 5, min_relevance: float = 0.2,
                 candidates: int = 30, rrf_k: int = 60, dense_weight: float = 1.0, bm25_weight: float = 1.0,
                 max_per_article: int = 2, reranker=None) -> None:
        super().__init__(store, embedder, k, min_relevance, max_per_article, reranker)
        self.bm25 = bm25
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight

    def _pool(self, question: str, qv: np.ndarray, k: int, filters: Filters | None) -> "_Pool":
        """Fuse the two rankings on chunk ids; the pool reads text and metadata for the best
        fused ids only, as many as asked for (reading documents is most of a query's cost in
        Chroma), skipping those the filters or incomplete articles rule out."""
        n = max(self.candidates, k * 3)
        filtering = bool(filters and not filters.empty)
        dense = self.store.search_ids(qv.tolist(), n, where=filters.where() if filters else None)
        lexical = self.bm25.search(question, n * (4 if filtering else 1))
        fused: dict[str, float] = {}
        for rank, (cid, _) in enumerate(dense, 1):
            fused[cid] = fused.get(cid, 0.0) + self.dense_weight / (self.rrf_k + rank)
        for rank, (cid, _) in enumerate(lexical, 1):
            fused[cid] = fused.get(cid, 0.0) + self.bm25_weight / (self.rrf_k + rank)
        ordered = sorted(fused, key=lambda c: fused[c], reverse=True)
        cosine = dict(dense)
        query = qv.tolist()

        def read(batch: list[str]) -> list[Passage]:
            got = self.store.get_passages(batch, query, scores=cosine)
            return [got[c].passage for c in batch
                    if c in got and not (filtering and not filters.match(got[c].facts))]  # BM25 hits are not pre-filtered

        return _Pool([], ordered, read)


class _Pool:
    """Candidate passages in ranked order, read from the store on demand."""

    def __init__(self, passages: list[Passage], ids: list[str] | None = None, read=None) -> None:
        self.passages = passages
        self.ids = ids or []
        self.pos = 0
        self.read = read

    @property
    def more(self) -> bool:
        return self.pos < len(self.ids)

    def take(self, n: int) -> list[Passage]:
        """At least ``n`` passages (all there are if fewer), best first."""
        while self.more and len(self.passages) < n:
            batch = self.ids[self.pos : self.pos + n - len(self.passages)]
            self.pos += len(batch)
            self.passages.extend(self.read(batch))
        return list(self.passages)


def diversify(passages: list[Passage], k: int, max_per_article: int) -> list[Passage]:
    """The best k passages, skipping near-duplicates (a chunk mostly inside one already taken,
    or a near-identical text under another id (:func:`assistant.citations.near_identical`): that
    article goes into the kept one's ``also_in`` and ``also_in_articles``). An article contributes at most ``max_per_article``
    passages (0 = no cap) while other articles can fill the k places; if they cannot, its
    further passages fill the rest. When the first ``max_per_article + 1`` distinct candidates
    all come from one article, the question is about that article: the cap is one higher."""
    return _diversify(passages, k, max_per_article)[0]


def _duplicate_of(p: Passage, taken: list[Passage]) -> Passage | None:
    """The passage of ``taken`` that ``p`` repeats: mostly the same span of one article, or a
    near-identical text under another id (wire copies of one story)."""
    for q in taken:
        if q.doc_id == p.doc_id:
            inter = min(p.char_end, q.char_end) - max(p.char_start, q.char_start)
            if inter > 0.5 * (p.char_end - p.char_start):
                return q
        elif near_identical(q.text, p.text):
            return q
    return None


def _diversify(passages: list[Passage], k: int, max_per_article: int) -> tuple[list[Passage], bool]:
    """``diversify``, and whether an article had to fill a place over its cap."""
    if max_per_article:
        head: list[Passage] = []  # the first max_per_article + 1 distinct candidates
        for p in passages:
            if len(head) > max_per_article:
                break
            if _duplicate_of(p, head) is None:
                head.append(p)
        if len(head) > max_per_article and len({p.doc_id for p in head}) == 1:
            max_per_article += 1
    out: list[Passage] = []
    held: list[Passage] = []  # over the per-article cap, kept for backfill
    per_doc: dict[str, int] = {}
    copies: dict[int, list[ArticleRef]] = {}  # id(kept passage) -> other articles with its text

    def is_dup(p: Passage) -> bool:
        q = _duplicate_of(p, out)
        if q is not None and q.doc_id != p.doc_id and p.doc_id not in {a.id for a in copies.setdefault(id(q), [])}:
            copies[id(q)].append(article_ref(p))
        return q is not None

    for p in passages:
        if len(out) >= k:
            break
        if is_dup(p):
            continue
        if max_per_article and per_doc.get(p.doc_id, 0) >= max_per_article:
            held.append(p)
            continue
        out.append(p)
        per_doc[p.doc_id] = per_doc.get(p.doc_id, 0) + 1
    backfilled = False
    for p in held:
        if len(out) >= k:
            break
        if not is_dup(p):
            out.append(p)
            backfilled = True
    rank = {id(p): i for i, p in enumerate(passages)}
    out.sort(key=lambda p: rank[id(p)])
    return [replace(p, also_in=tuple(a.id for a in copies[id(p)]), also_in_articles=tuple(copies[id(p)]))
            if copies.get(id(p)) else p for p in out], backfilled


def passage_to_document(p: Passage) -> Document:
    """A passage as a LangChain ``Document`` whose metadata are scalars only (``also_in``, the
    wire copies' article ids, joined by commas; absent when there are none), so the document
    can be added to any LangChain vector store, Chroma included."""
    meta = p.to_dict()
    text = meta.pop("text")
    also = meta.pop("also_in", None)
    meta.pop("also_in_articles", None)  # the same articles, as records: ids are what a metadata value can hold
    if also:
        meta["also_in"] = ",".join(also)
    return Document(page_content=text, metadata={k: v for k, v in meta.items() if v is not None}, id=p.chunk_id)


class PassageRetriever(BaseRetriever):
    """LangChain retriever over the assistant's store: relevant passages as ``Document``s.

    ``metadata`` carries doc_id, title, source, date, paragraph, char offsets and ``score``
    (cosine similarity); passages under the relevance threshold are left out. ``k`` and
    ``filter`` set defaults that every call may override: ``retriever.invoke(q, k=2,
    filter={"outlet": "Reuters"})``. A filter is a Chroma ``where`` mapping or :class:`Filters`.

    >>> from assistant import Assistant                                     # doctest: +SKIP
    >>> docs = Assistant().as_retriever(search_kwargs={"k": 3}).invoke("What did Vance say?")  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: DenseRetriever
    k: int | None = None
    filter: dict | Filters | None = None
    search: Callable[..., Retrieval] | None = None  # question, k=, where=, filters= -> Retrieval; overrides ``retriever``

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filter: dict | Filters | None = None, **kwargs) -> list[Document]:
        k = k if k is not None else self.k
        if k is not None and k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        chosen = filter if filter is not None else self.filter
        where = chosen if isinstance(chosen, dict) and chosen else None
        filters = chosen if isinstance(chosen, Filters) else None
        result = (self.search or self.retriever.retrieve)(query, k=k, where=where, filters=filters)
        return [passage_to_document(p) for p in result.relevant][: k or None]
