"""LangChain's own standard test suites (langchain-tests) on our retriever and embeddings, and
the retriever's per-call k and filter."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import (
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
    VectorStoreIntegrationTests,
)
from langchain_tests.unit_tests import EmbeddingsUnitTests

from assistant import Assistant
from assistant.embeddings import LocalMiniLMEmbeddings

HARBOUR = [
    ("Ferry terminal opens late", "The new ferry terminal will open in spring, the harbour authority said on Monday."),
    ("Dredging dispute settled", "The harbour authority and its contractor settled the dispute over dredging the channel."),
    ("Island fares frozen", "Ferry fares for island residents will not rise this year, the harbour board decided."),
    ("Second berth planned", "A second ferry berth is planned at the harbour once the terminal is finished."),
    ("Harbour traffic record", "The harbour handled a record number of ferry passengers over the summer."),
]


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Assistant:
    folder = tmp_path_factory.mktemp("harbour-articles")
    for n, (title, body) in enumerate(HARBOUR):
        (folder / f"{n}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
    a = Assistant(data_dir=tmp_path_factory.mktemp("harbour-store"), auto_seed=False, min_relevance=0.0,
                  max_per_article=1)
    a.ingest([folder])
    yield a
    a.close()


class TestRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _store(self, harbour):
        type(self)._assistant = harbour

    @property
    def retriever_constructor(self):
        return lambda **kw: self._assistant.as_retriever(**kw)

    @property
    def retriever_constructor_params(self) -> dict:
        return {"k": 2}

    @property
    def retriever_query_example(self) -> str:
        return "When will the ferry terminal open?"


class TestVectorStoreStandard(VectorStoreIntegrationTests):
    """The store's chunk collection as a LangChain vector store (``ArticleStore.vectorstore``),
    on a fresh collection built for the suite's own embeddings."""

    @pytest.fixture()
    def vectorstore(self, tmp_path):
        from assistant.embeddings import embedding_identity
        from assistant.store import ArticleStore, make_client

        embeddings = self.get_embeddings()
        model_id, _ = embedding_identity(embeddings)
        store = ArticleStore(make_client(None, tmp_path), "suite", model_id, 0)
        yield store.vectorstore(embeddings)


def test_vectorstore_refuses_another_model(harbour):
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from assistant.errors import EmbeddingMismatchError

    with pytest.raises(EmbeddingMismatchError, match="built with the embedding model"):
        harbour.store.vectorstore(DeterministicFakeEmbedding(size=384))
    docs = harbour.store.vectorstore().similarity_search("ferry fares", k=1)
    assert docs and "fares" in docs[0].page_content


class BundledEmbeddings:
    """What both embedding suites construct: the bundled model, no parameters."""

    @property
    def embeddings_class(self):
        return LocalMiniLMEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {}


class TestEmbeddingsUnit(BundledEmbeddings, EmbeddingsUnitTests):
    pass


class TestEmbeddingsIntegration(BundledEmbeddings, EmbeddingsIntegrationTests):
    pass


def test_filter_per_call_and_search_kwargs(harbour):
    r = harbour.as_retriever(search_kwargs={"k": 3})
    assert len(r.invoke("ferry harbour")) == 3
    only = r.invoke("ferry harbour", filter={"title": "Island fares frozen"})
    assert [d.metadata["title"] for d in only] == ["Island fares frozen"]
    with pytest.raises(Exception):
        harbour.as_retriever(search_kwargs={"top": 3})


def test_runnable_takes_a_dict_returns_json_and_streams_the_retrieval_step(harbour):
    import asyncio
    import json

    chain = harbour.as_runnable()
    out = chain.invoke({"question": "When will the ferry terminal open?", "chat_history": [],
                        "filters": {"title": "Ferry terminal opens late"}})
    json.dumps(out)  # JSON-serialisable
    assert "spring" in out["answer"] and out["citations"][0]["title"] == "Ferry terminal opens late"
    assert chain.invoke("When will the ferry terminal open?")["citations"]
    chunks = list(chain.stream("When will the ferry terminal open?"))
    assert any("answer" in c for c in chunks) and any("citations" in c for c in chunks)

    async def events():
        return [e["event"] async for e in chain.astream_events("When will the ferry terminal open?", version="v2")]

    kinds = asyncio.run(events())
    assert "on_retriever_start" in kinds and "on_retriever_end" in kinds


def test_retrieved_documents_round_trip_into_other_vector_stores(harbour, tmp_path):
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.vectorstores import InMemoryVectorStore

    docs = harbour.as_retriever(search_kwargs={"k": 3}).invoke("ferry harbour")
    assert all(isinstance(v, (str, int, float, bool)) for d in docs for v in d.metadata.values())
    for store in (InMemoryVectorStore(harbour.embedder),
                  Chroma(client=chromadb.PersistentClient(path=str(tmp_path)), collection_name="mine",
                         embedding_function=harbour.embedder)):
        store.add_documents(docs)
        back = store.similarity_search("island ferry fares", k=1)
        assert back[0].page_content in {d.page_content for d in docs}
        assert back[0].metadata["title"] and back[0].metadata["doc_id"]
