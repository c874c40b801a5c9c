"""Dense retrieval over the store, as a typed call and as a LangChain ``BaseRetriever``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .schema import Passage
from .store import ArticleStore


@dataclass
class Retrieval:
    """Passages for a question, best first, with the question's vector for later scoring."""

    question: str
    passages: list[Passage]
    query_vector: np.ndarray
    min_relevance: float
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def relevant(self) -> list[Passage]:
        return [p for p in self.passages if p.score >= self.min_relevance]


class DenseRetriever:
    def __init__(self, store: ArticleStore, embedder: Embeddings, k: int = 5, min_relevance: float = 0.2) -> None:
        self.store = store
        self.embedder = embedder
        self.k = k
        self.min_relevance = min_relevance

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def retrieve(self, question: str, k: int | None = None, where: dict | None = None) -> Retrieval:
        import time

        t = time.perf_counter()
        qv = self.embed_query(question)
        passages = self.store.search(qv.tolist(), k or self.k, where=where)
        return Retrieval(question, passages, qv, self.min_relevance, seconds=time.perf_counter() - t)


def passage_to_document(p: Passage) -> Document:
    meta = p.to_dict()
    text = meta.pop("text")
    return Document(page_content=text, metadata=meta, id=p.chunk_id)


class PassageRetriever(BaseRetriever):
    """LangChain retriever over the assistant's store: relevant passages as ``Document``s.

    ``metadata`` carries doc_id, title, source, date, paragraph, char offsets and ``score``
    (cosine similarity); passages under the relevance threshold are left out.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: DenseRetriever
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.retriever.retrieve(query, k=self.k)
        return [passage_to_document(p) for p in result.relevant]
