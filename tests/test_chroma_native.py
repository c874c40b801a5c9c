"""The store as plain Chroma and LangChain users see it: texts are documents, metadata follow
LangChain's conventions, and stores of the old layout (texts as metadata) migrate once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEEDS


@pytest.fixture
def seeded_store(make_assistant, tmp_path):
    a = make_assistant(seeds_dir=SEEDS, auto_seed=True)
    a.ensure_seeded()
    a.close()
    return tmp_path / "store"


def plain(script: str, store: Path) -> str:
    """Run ``script`` in a fresh Python process, as a user of plain chromadb would (STORE is
    the path of the store's Chroma folder); its output."""
    r = subprocess.run([sys.executable, "-c", script.replace("STORE", repr(str(store / "chroma")))],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_plain_chromadb_reads_texts_as_documents_and_filters_on_them(seeded_store):
    out = plain("""
import chromadb
col = chromadb.PersistentClient(path=STORE).get_collection("news")
got = col.get(limit=50, include=["documents", "metadatas"])
assert got["ids"] and all(isinstance(d, str) and d for d in got["documents"])
meta = got["metadatas"][0]
assert "text" not in meta, meta
for key in ("source", "title", "chunk_index", "char_start", "char_end", "doc_id"):
    assert key in meta, key
hits = col.get(where_document={"$contains": "vassal state"}, include=["documents"])
assert hits["ids"] and all("vassal state" in d for d in hits["documents"])
print("ok", len(hits["ids"]))
""", seeded_store)
    assert out.startswith("ok")


def test_langchain_chroma_on_the_collection_finds_passages(seeded_store):
    out = plain("""
import chromadb
from langchain_chroma import Chroma
from assistant.embeddings import LocalMiniLMEmbeddings
client = chromadb.PersistentClient(path=STORE)
vs = Chroma(client=client, collection_name="news", embedding_function=LocalMiniLMEmbeddings())
docs = vs.similarity_search("Is Israel a vassal state of the United States?", k=2)
assert docs and any("vassal" in d.page_content for d in docs), docs
assert all(d.metadata.get("title") for d in docs)
print("ok")
""", seeded_store)
    assert out.startswith("ok")


def _downgrade_to_texts_as_metadata(path: Path) -> int:
    """Rewrite a store the way 0.2 wrote it: chunk texts in metadata, no documents."""
    from assistant.store import make_client

    col = make_client(None, path).get_collection("news")
    got = col.get(include=["documents", "metadatas", "embeddings"])
    col.delete(ids=got["ids"])
    metas = [{**{k: v for k, v in m.items() if k != "chunk_index"}, "text": d}
             for m, d in zip(got["metadatas"], got["documents"])]
    col.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=metas)
    return len(got["ids"])


def test_an_old_store_migrates_once_on_open_and_loses_nothing(seeded_store, tmp_path):
    n = _downgrade_to_texts_as_metadata(seeded_store)
    exe = Path(sys.executable).parent / "assistant"
    env = {"PATH": str(exe.parent), "HOME": str(tmp_path), "ASSISTANT_AUTO_SEED": "false", "COLUMNS": "200"}
    ask = lambda: subprocess.run([str(exe), "--data-dir", str(seeded_store), "ask", "What did Vance say about a vassal state?"],
                                 capture_output=True, text=True, timeout=300, env=env)
    first = ask()
    assert first.returncode == 0, first.stderr
    assert f"{n} chunk texts moved" in first.stderr
    assert "vassal state" in first.stdout
    second = ask()
    assert second.returncode == 0 and "moved" not in second.stderr  # once
    from assistant.store import make_client

    col = make_client(None, seeded_store).get_collection("news")
    got = col.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == n
    assert all(d for d in got["documents"]) and not any("text" in m for m in got["metadatas"])


def test_plain_chromadb_embeds_query_texts_with_the_stores_model(seeded_store):
    out = plain("""
import chromadb
client = chromadb.PersistentClient(path=STORE)
col = client.get_collection("news")
assert col.metadata["embedding_model"] == "all-MiniLM-L6-v2-int8-onnx" and col.metadata["embedding_dim"] == 384
assert col.configuration_json["embedding_function"]["name"] == "news-assistant"
try:  # without the import Chroma cannot build the function, and says which one it needs
    col.query(query_texts=["vassal state"], n_results=1)
    raise SystemExit("query_texts worked without the registration")
except Exception as exc:
    assert "news-assistant" in str(exc), exc
import assistant.chroma_embedding  # registers it
col = client.get_collection("news")
hits = col.query(query_texts=["Is Israel a vassal state of the United States?"], n_results=2,
                 include=["documents", "distances"])
assert any("vassal" in d for d in hits["documents"][0]), hits
print("ok")
""", seeded_store)
    assert out.startswith("ok")


def test_a_store_without_a_registered_function_gets_one_on_open(tmp_path, embedder):
    from assistant.store import ArticleStore, make_client

    client = make_client(None, tmp_path)
    client.get_or_create_collection("news", metadata={"hnsw:space": "cosine", "embedding_model": embedder.model_id,
                                                      "embedding_dim": 384}, embedding_function=None)
    assert client.get_collection("news").configuration_json["embedding_function"] is None
    ArticleStore(client, "news", embedder.model_id, 384)
    config = make_client(None, tmp_path).get_collection("news").configuration_json["embedding_function"]
    assert config["name"] == "news-assistant" and config["config"] == {"model_id": embedder.model_id}


def test_registry_and_quotations_are_searchable_collections(seeded_store):
    out = plain("""
import chromadb, assistant.chroma_embedding
client = chromadb.PersistentClient(path=STORE)
articles = client.get_collection("news-articles")
got = articles.get(include=["documents", "embeddings", "metadatas"])
assert got["ids"] and all(len(d) > 500 for d in got["documents"]) and len(got["embeddings"][0]) == 384
assert "text" not in got["metadatas"][0]
quotes = client.get_collection("news-quotes")
found = quotes.query(query_texts=["Is Israel a vassal state?"], n_results=3, where={"speaker_last": "vance"},
                     include=["documents", "metadatas"])
assert found["ids"][0] and any("vassal" in d for d in found["documents"][0]), found
print("ok")
""", seeded_store)
    assert out.startswith("ok")


def _downgrade_side_collections(path: Path) -> tuple[dict, dict]:
    """Rewrite the registry and quotations the way 0.2 wrote them: one-number placeholder
    vectors, texts in metadata. Returns the texts by id, to compare after the migration."""
    from assistant.store import make_client, packed, unpacked

    client = make_client(None, path)
    texts = []
    for name, keys in (("news-articles", ("path", "content_hash", "text")),
                       ("news-quotes", ("doc_id", "content_hash", "speaker_key", "speaker_last"))):
        got = client.get_collection(name).get(include=["documents", "metadatas"])
        client.delete_collection(name)
        old = client.create_collection(name, embedding_function=None)
        metas = [packed({**unpacked(m), "text": d}, keys) for m, d in zip(got["metadatas"], got["documents"])]
        old.add(ids=got["ids"], embeddings=[[0.0]] * len(got["ids"]), metadatas=metas)
        texts.append(dict(zip(got["ids"], got["documents"])))
    return texts[0], texts[1]


def _side_texts(path: Path) -> tuple[dict, dict]:
    from assistant.store import make_client

    client = make_client(None, path)
    out = []
    for name in ("news-articles", "news-quotes"):
        got = client.get_collection(name).get(include=["documents", "embeddings"])
        assert all(len(e) == 384 for e in got["embeddings"])
        out.append(dict(zip(got["ids"], got["documents"])))
    return out[0], out[1]


def _ask_cli(store: Path, home: Path, question: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "assistant"
    env = {"PATH": str(exe.parent), "HOME": str(home), "ASSISTANT_AUTO_SEED": "false", "COLUMNS": "200"}
    return subprocess.run([str(exe), "--data-dir", str(store), "ask", question], capture_output=True, text=True,
                          timeout=300, env=env)


def test_old_side_collections_migrate_once_with_nothing_lost(seeded_store, tmp_path):
    articles, quotes = _downgrade_side_collections(seeded_store)
    assert quotes  # the seed quotes people
    first = _ask_cli(seeded_store, tmp_path, "What did Vance say about a vassal state?")
    assert first.returncode == 0, first.stderr
    assert "records given their texts as documents and real vectors" in first.stderr and "vassal" in first.stdout
    assert _side_texts(seeded_store) == (articles, quotes)
    second = _ask_cli(seeded_store, tmp_path, "What did Vance say about a vassal state?")
    assert second.returncode == 0 and "Migrated" not in second.stderr


def test_a_migration_killed_at_any_step_loses_nothing(seeded_store, tmp_path):
    """The copy is made under another name: killed while copying, the old collection is intact
    and the copy is made again; killed after dropping the old one, the copy takes its name."""
    from assistant.store import make_client

    articles, quotes = _downgrade_side_collections(seeded_store)
    client = make_client(None, seeded_store)
    half = client.create_collection("news-articles-next", embedding_function=None)  # a copy cut short
    half.add(ids=["x"], embeddings=[[1.0] * 384], documents=["partial"])
    first = _ask_cli(seeded_store, tmp_path, "What did Vance say about a vassal state?")
    assert first.returncode == 0 and "vassal" in first.stdout, first.stderr
    assert _side_texts(seeded_store) == (articles, quotes)
    # Now the step between dropping the old registry and renaming the finished copy.
    client = make_client(None, seeded_store)
    client.get_collection("news-articles").modify(name="news-articles-next")
    again = _ask_cli(seeded_store, tmp_path, "What did Vance say about a vassal state?")
    assert again.returncode == 0 and "vassal" in again.stdout, again.stderr
    assert _side_texts(seeded_store) == (articles, quotes)
    # And when another client created an empty registry in that moment (a shared Chroma server).
    client = make_client(None, seeded_store)
    client.get_collection("news-articles").modify(name="news-articles-next")
    client.create_collection("news-articles", embedding_function=None)
    last = _ask_cli(seeded_store, tmp_path, "What did Vance say about a vassal state?")
    assert last.returncode == 0 and "vassal" in last.stdout, last.stderr
    assert _side_texts(seeded_store) == (articles, quotes)


def test_a_users_own_text_metadata_key_never_replaces_the_document(seeded_store, make_assistant):
    from langchain_core.documents import Document

    a = make_assistant(data_dir=seeded_store)
    doc_id = a.store.list_articles()[0].id
    a.store.vectorstore().add_documents([Document(page_content="A note added with LangChain.",
                                                  metadata={"text": "a field of the user's", "doc_id": "mine"})],
                                        ids=["users-note"])
    a.close()
    b = make_assistant(data_dir=seeded_store)  # opening runs the migrations
    got = b.store.chunks.get(ids=["users-note"], include=["documents", "metadatas"])
    assert got["documents"] == ["A note added with LangChain."] and got["metadatas"][0]["text"] == "a field of the user's"
    assert b.store.article_text(doc_id)  # the store's own records still read
