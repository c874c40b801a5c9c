import json
import shutil
import time

import pytest

from assistant import Assistant
from assistant.errors import EmbeddingMismatchError

from .conftest import SEEDS


def write_jsonl(path, articles):
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))


def test_reingest_unchanged_writes_nothing(make_assistant):
    a = make_assistant()
    first = a.ingest([SEEDS])
    assert len(first.added) == 1 and first.chunks_written >= 4
    chunks = a.store.count_chunks()
    again = a.ingest([SEEDS])
    assert again.added == [] and again.replaced == [] and len(again.unchanged) == 1
    assert again.chunks_written == 0
    assert a.store.count_chunks() == chunks and a.store.count_articles() == 1


def test_edited_file_replaces_its_chunks(make_assistant, tmp_path):
    folder = tmp_path / "arts"
    folder.mkdir()
    shutil.copy(SEEDS / "000_85b558e37aca63af.txt", folder / "seed.txt")
    a = make_assistant()
    a.ingest([folder])
    old_chunks = set(a.store.chunks.get()["ids"])
    text = (folder / "seed.txt").read_text().replace("This is hogwash.", "This is balderdash.")
    (folder / "seed.txt").write_text(text)
    report = a.ingest([folder])
    assert len(report.replaced) == 1 and not report.added
    assert a.store.count_articles() == 1
    new_chunks = set(a.store.chunks.get()["ids"])
    assert new_chunks and old_chunks - new_chunks  # stale chunks gone
    docs = a.store.chunks.get(include=["documents"])["documents"]
    assert not any("hogwash" in d for d in docs)
    assert any("balderdash" in d for d in docs)
    assert "balderdash" in a.ask("What did the Israeli leader call the claims of control?").text


def test_jsonl_article_with_same_id_is_replaced(make_assistant, tmp_path):
    p = tmp_path / "news.jsonl"
    write_jsonl(p, [{"id": "a1", "title": "Floods", "text": "Floods hit the town of Abcville on Monday."},
                    {"id": "a2", "title": "Fires", "text": "Fires burned near Defton for three days."}])
    a = make_assistant()
    assert len(a.ingest([p]).added) == 2
    write_jsonl(p, [{"id": "a1", "title": "Floods", "text": "Floods hit the town of Abcville on Tuesday."},
                    {"id": "a2", "title": "Fires", "text": "Fires burned near Defton for three days."}])
    r = a.ingest([p])
    assert r.replaced == ["a1"] and r.unchanged == ["a2"]
    docs = a.store.chunks.get(where={"doc_id": "a1"}, include=["documents"])["documents"]
    assert docs == ["Floods hit the town of Abcville on Tuesday."]


def test_prune_removes_articles_whose_files_are_gone(make_assistant, tmp_path):
    folder = tmp_path / "arts"
    folder.mkdir()
    (folder / "one.txt").write_text("Harbour reopens\nThe harbour at Port Elwyn reopened after repairs.")
    (folder / "two.txt").write_text("Bridge closes\nThe old bridge in Norvale closed for inspection.")
    p = tmp_path / "more.jsonl"
    write_jsonl(p, [{"id": "j1", "text": "Grain shipments rose in March."}, {"id": "j2", "text": "Oil fell."}])
    a = make_assistant()
    a.ingest([folder, p])
    assert a.store.count_articles() == 4
    (folder / "two.txt").unlink()
    write_jsonl(p, [{"id": "j1", "text": "Grain shipments rose in March."}])
    without = a.ingest([folder, p])  # no --prune: nothing removed
    assert without.pruned == [] and a.store.count_articles() == 4
    report = a.ingest([folder, p], prune=True)
    assert len(report.pruned) == 2 and "j2" in report.pruned
    titles = sorted(r.title for r in a.articles())
    assert "Bridge closes" not in titles and "Harbour reopens" in titles
    assert not a.store.chunks.get(where={"doc_id": "j2"})["ids"]


def test_failures_are_reported_and_do_not_stop_the_batch(make_assistant, tmp_path):
    (tmp_path / "good.txt").write_text("Good\nA perfectly good article about ferries.")
    (tmp_path / "bad.txt").write_bytes(b"Bad\n\xff\xfe\x00 not utf8")
    a = make_assistant()
    r = a.ingest([tmp_path / "good.txt", tmp_path / "bad.txt", tmp_path / "missing.md"])
    assert len(r.added) == 1
    assert {f.path.split("/")[-1] for f in r.failed} == {"bad.txt", "missing.md"}


def test_store_remembers_its_embedding_model(make_assistant, tmp_path):
    a = make_assistant()
    a.ingest([SEEDS])

    class OtherModel:
        model_id = "some-other-model"
        dimension = 384

        def embed_query(self, text):
            return [0.0] * 384

        def embed_documents(self, texts):
            return [[0.0] * 384 for _ in texts]

    b = Assistant(embedder=OtherModel(), data_dir=tmp_path / "store", auto_seed=False)
    with pytest.raises(EmbeddingMismatchError, match="re-ingest"):
        b.store


def test_seeds_are_ingested_on_first_use(make_assistant):
    a = make_assistant(auto_seed=True, seeds_dir=SEEDS)
    assert a.store.count_articles() == 0
    ans = a.ask("Who did Vance meet in Jerusalem?")
    assert a.store.count_articles() == 1
    assert not ans.abstained and "Netanyahu" in ans.text


def test_embedding_cache_skips_the_model_for_known_text(make_assistant, tmp_path, monkeypatch):
    """Re-ingesting the same text (here under new ids, in a fresh collection) reuses the
    cached vectors: the model is not called again, and answers are unchanged."""
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"x{i}", "title": f"Note {i}", "text": f"Harbour crane number {i} "
                                         "was repaired on Tuesday after the storm damaged its cable drum."})
                             for i in range(3)) + "\n")
    a = make_assistant(data_dir=tmp_path / "d")
    calls: list[int] = []
    real = a.embedder.embed_array
    monkeypatch.setattr(a.embedder, "embed_array", lambda texts: calls.append(len(texts)) or real(texts))
    a.ingest([src])
    assert sum(calls) == 3
    b = make_assistant(data_dir=tmp_path / "d", collection="other")
    calls.clear()
    b.ingest([src])
    assert calls == [] and b.store.count_chunks() == 3
    assert b.embed_cache.hits == 3
    got = b.retrieve("Which crane was repaired after the storm?").passages
    assert got and "repaired" in got[0].text


def test_progress_moves_while_a_batch_is_embedded_and_vectors_keep_their_chunks(make_assistant, tmp_path):
    # Articles of very different lengths: the batch is embedded shortest first, in slices,
    # and every chunk must still get its own vector back.
    rows = [{"id": f"n{i}", "title": f"Note {i}",
             "text": " ".join([f"Harbour pilots counted {i} ships in port today."] * (1 + (i * 7) % 40))}
            for i in range(60)]
    f = tmp_path / "notes.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    seen = []
    a = make_assistant()
    a.ingest([f], on_progress=seen.append)
    assert any(p.chunks_embedded > p.chunks_done for p in seen)  # before the batch is written
    assert seen[-1].chunks_done == a.store.count_chunks() > 60
    got = a.store.chunks.get(include=["documents", "embeddings"])
    again = a.embedder.embed_documents(got["documents"][:20])
    for stored, fresh in zip(got["embeddings"][:20], again):
        assert sum(x * y for x, y in zip(stored, fresh)) > 0.999  # each chunk kept its own vector


def test_report_says_where_the_time_went(make_assistant, tmp_path, monkeypatch):
    # The model is slow here on purpose: its time must show as embedding, the store's as
    # writing, and an unchanged re-ingest must spend neither.
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": f"t{i}", "title": f"Tug {i}",
                                       "text": f"Tug {i} towed a grain barge up the river on Monday."}) + "\n"
                           for i in range(4)))
    a = make_assistant()
    real = a.embedder.embed_array
    monkeypatch.setattr(a.embedder, "embed_array", lambda texts: time.sleep(0.3) or real(texts))
    real_write = a.store.write_articles
    monkeypatch.setattr(a.store, "write_articles", lambda *args: time.sleep(0.2) or real_write(*args))
    report = a.ingest([src])
    assert report.chunks_written == 4
    assert report.embed_seconds >= 0.3 and report.write_seconds >= 0.2
    assert report.embed_seconds + report.write_seconds <= report.seconds
    assert report.to_dict()["embed_seconds"] == round(report.embed_seconds, 3)
    again = a.ingest([src])
    assert again.embed_seconds == 0 and again.write_seconds == 0


def test_chunks_are_embedded_shortest_first_in_the_models_own_tokens(make_assistant, tmp_path, monkeypatch):
    # Runs of punctuation are one tiktoken token but a word piece per character, plain words
    # one of each: sorted by tiktoken, the slices of a batch would mix lengths and pad more.
    rows = []
    for i in range(40):
        words = " ".join(["harvest"] * (5 + i)) if i % 2 else " ".join(["Yes!!!!!!!!"] * (2 + i // 2))
        rows.append({"id": f"m{i}", "title": f"Mixed {i}", "text": f"Item {i}: {words}."})
    f = tmp_path / "mixed.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = make_assistant()
    from assistant.ingestion import pipeline

    monkeypatch.setattr(pipeline, "EMBED_SLICE", 8)
    seen: list[str] = []
    real = a.embedder.embed_array
    monkeypatch.setattr(a.embedder, "embed_array", lambda texts: seen.extend(texts) or real(texts))
    a.ingest([f])
    assert len(seen) == 40
    model = a.embedder.token_counts(seen)
    assert model == sorted(model)  # across slices, not only within each
    from assistant.chunking import count_tokens

    assert [count_tokens(t) for t in seen] != sorted(count_tokens(t) for t in seen)  # the two orders differ here


def test_skipped_files_are_reported_by_type_and_strict_refuses_them(make_assistant, tmp_path):
    from assistant.errors import IngestError

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferry resumes\nThe ferry to Skerry resumed on Saturday.\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "photo.PNG").write_bytes(b"\x89PNG\r\n")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    a = make_assistant()
    with pytest.raises(IngestError, match="2 files would be skipped"):  # the hidden one is only reported
        a.ingest([folder], strict=True)
    assert not (a.settings.data_dir / "chroma").exists()  # refused before the store was opened
    report = a.ingest([folder])
    assert len(report.added) == 1 and not report.failed
    assert report.skipped_by_kind() == {".pdf": 1, ".png": 1, "hidden": 1}
    assert {s.path.rsplit("/", 1)[-1]: s.kind for s in report.skipped} == {
        "scan.pdf": ".pdf", "photo.PNG": ".png", ".DS_Store": "hidden"}
    assert [s["kind"] for s in report.to_dict()["skipped"]] == [s.kind for s in report.skipped]


def test_progress_has_a_rate_and_eta_before_the_first_batch_is_written(make_assistant, tmp_path):
    rows = [{"id": f"n{i}", "title": f"Note {i}", "text": f"Note {i} about the harbour. " * 120} for i in range(30)]
    (tmp_path / "notes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    seen = []
    a = make_assistant(chunk_tokens=64, chunk_overlap=8, ingest_batch=10000, embed_cache=False)
    a.ingest([tmp_path / "notes.jsonl"], on_progress=seen.append)
    before = [p for p in seen if p.articles_done == 0 and p.chunks_embedded > 0]
    assert before, "no progress while the batch was embedded"
    assert all(p.rate and p.rate > 0 and p.eta is not None for p in before)
    assert before[-1].articles_embedded == 30 and seen[-1].articles_done == 30
