"""The incremental BM25 index: same scores as bm25s over the live chunks, through ingests,
replacements and prunes, without re-stemming what it already holds, shared through its files."""

import json

import bm25s
import numpy as np
import pytest

from assistant.lexical import BM25Index, query_weights, tokens_of

from .conftest import SEEDS

QUESTIONS = [
    "What did Netanyahu say about the alliance?",
    "Kansas wheat exports in February",
    "Who met in Jerusalem to discuss the Gaza ceasefire?",
    "drought in New South Wales",
    "harbour pier repairs",
]


def seed_paragraphs() -> list[str]:
    text = next(SEEDS.glob("*.txt")).read_text()
    return [p for p in text.split("\n") if len(p.split()) > 8]


def articles(prefix: str, texts: list[str]) -> list[dict]:
    return [{"id": f"{prefix}{n}", "title": f"{prefix.upper()} {n}", "text": t} for n, t in enumerate(texts)]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def reference_scores(index: BM25Index, question: str) -> dict[str, float]:
    """bm25s (Lucene BM25, its defaults) over the store's chunks, with our query weights."""
    got = index.store.chunks.get(include=["documents"])
    ids, docs = got["ids"], got["documents"]
    ref = bm25s.BM25()
    ref.index([tokens_of(d) for d in docs], show_progress=False)
    scores = np.zeros(len(ids))
    for term, w in query_weights(question).items():
        if term in ref.vocab_dict:
            scores += w * ref.get_scores([term])
    return {i: float(s) for i, s in zip(ids, scores) if s > 0}


def assert_matches_bm25s(index: BM25Index) -> None:
    for q in QUESTIONS:
        want = reference_scores(index, q)
        got = dict(index.search(q, k=10_000))
        assert set(got) == set(want), q
        for cid, s in want.items():
            assert got[cid] == pytest.approx(s, rel=1e-4), (q, cid)


@pytest.fixture
def store_with_news(make_assistant, tmp_path):
    paras = seed_paragraphs()
    a = make_assistant()
    report = a.ingest([write_jsonl(tmp_path / "one.jsonl", articles("s", paras[: len(paras) // 2]))])
    # Even the first ingest into an empty index hands its texts over: nothing is read back.
    assert a.bm25.stats == {"stemmed": report.chunks_written, "read": 0}
    return a, paras


def test_scores_equal_bm25s_through_ingests_replacements_and_prunes(store_with_news, tmp_path):
    a, paras = store_with_news
    assert_matches_bm25s(a.bm25)
    more = articles("s", paras[len(paras) // 2 :])
    two = write_jsonl(tmp_path / "two.jsonl", more + [
        {"id": "w1", "title": "Wheat", "text": "Wheat exports from Kansas rose sharply in February, the grain board said."},
        {"id": "p1", "title": "Pier", "text": "Harbour master Jo Quinn said the pier repairs cost more than planned."}])
    a.ingest([two])
    assert len(a.bm25._segments) >= 1
    assert_matches_bm25s(a.bm25)
    # A changed article (same id) and a pruned one: their old chunks leave the statistics too.
    rows = [r for r in json.loads("[" + ",".join(two.read_text().split("\n")[:-1]) + "]") if r["id"] != "p1"]
    rows[-1]["text"] = "Kansas farmers planted less winter wheat after the drought."
    write_jsonl(two, rows)
    a.ingest([two], prune=True)
    assert not [cid for cid, _ in a.bm25.search("pier harbour Quinn", 10) if cid.startswith("p1:")]
    assert_matches_bm25s(a.bm25)


def test_an_ingest_stems_only_its_own_chunks_and_reads_nothing_back(store_with_news, tmp_path):
    a, _ = store_with_news
    a.bm25.search("Gaza", 3)
    before = dict(a.bm25.stats)
    n_before = len(a.bm25)
    f = write_jsonl(tmp_path / "z.jsonl", [{"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}])
    report = a.ingest([f])
    assert a.bm25.stats["stemmed"] - before["stemmed"] == report.chunks_written == 1
    assert a.bm25.stats["read"] == before["read"]  # the ingest handed its texts over
    assert len(a.bm25) == n_before + 1
    assert a.bm25.search("Zanzibar", 5)[0][0].startswith("z1:")


def test_another_process_loads_the_saved_index_and_follows_its_ingests(store_with_news, make_assistant, tmp_path):
    a, _ = store_with_news
    folder = a.settings.data_dir / "bm25" / a.settings.collection
    assert (folder / "manifest.json").exists() and list(folder.glob("seg-*.npz"))
    b = make_assistant()  # same data dir: what a second process sees
    assert b.bm25.search("Netanyahu alliance", 3)
    assert b.bm25.stats == {"stemmed": 0, "read": 0}  # loaded from the files, not rebuilt
    f = write_jsonl(tmp_path / "z.jsonl", [{"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}])
    a.ingest([f])
    b.bm25.recheck_seconds = 0  # b notices another writer at its next count
    assert b.bm25.search("Zanzibar", 5)[0][0].startswith("z1:")
    assert b.bm25.stats == {"stemmed": 0, "read": 0}  # a's saved segment, not a re-read of the store


def test_damaged_files_are_rebuilt_from_the_store(store_with_news, make_assistant):
    a, _ = store_with_news
    folder = a.settings.data_dir / "bm25" / a.settings.collection
    for f in folder.glob("seg-*.npz"):
        f.write_bytes(b"not a segment")
    b = make_assistant()
    assert b.bm25.search("Netanyahu alliance", 3)
    assert b.bm25.stats["read"] == len(b.bm25) == b.store.count_chunks()
    assert_matches_bm25s(b.bm25)


def test_segments_stay_few_as_small_ingests_pile_up(make_assistant, tmp_path):
    paras = seed_paragraphs()
    a = make_assistant()
    for n in range(8):
        a.ingest([write_jsonl(tmp_path / f"b{n}.jsonl", articles(f"b{n}-", paras[n * 2 : n * 2 + 2] or paras[:2]))])
    sizes = a.bm25.segment_sizes
    assert len(sizes) <= 4 and sum(sizes) == a.store.count_chunks()
    assert all(x > 2 * y for x, y in zip(sizes, sizes[1:]))  # each larger than twice the next
    assert_matches_bm25s(a.bm25)
