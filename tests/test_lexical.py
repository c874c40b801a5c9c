"""The lexical index (tantivy): BM25 as bm25s scores it over the live chunks, through ingests,
replacements and prunes; shared through its files with other processes, which see each write."""

import json
import shutil

import bm25s
import numpy as np
import pytest

from assistant.lexical import LexicalIndex, index_folder, query_weights, tokens_of

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


def reference_scores(index: LexicalIndex, question: str) -> dict[str, float]:
    """bm25s (Lucene BM25 with tantivy's k1 1.2, b 0.75) over the store's chunks, with our query weights."""
    got = index.store.chunks.get(include=["documents"])
    ids, docs = got["ids"], got["documents"]
    ref = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    ref.index([tokens_of(d) or ["\x00"] for d in docs], show_progress=False)
    scores = np.zeros(len(ids))
    for term, w in query_weights(question).items():
        if term in ref.vocab_dict:
            scores += w * ref.get_scores([term])
    return {i: float(s) for i, s in zip(ids, scores) if s > 0}


def assert_matches_bm25s(index: LexicalIndex, after_deletions: bool = False) -> None:
    """The same chunks match; scores are bm25s's times (1 + k1), as tantivy scales them, within the
    3 % that tantivy's one-byte document lengths cost. After deletions only the matches and the
    best chunk are compared: like Lucene, tantivy counts deleted chunks in its statistics until
    their segment is merged, which moves scores by up to a fifth in a store this small."""
    for q in QUESTIONS:
        want = reference_scores(index, q)
        got = dict(index.search(q, k=10_000))
        assert set(got) == set(want), q
        if after_deletions and want:
            assert max(got, key=got.get) == max(want, key=want.get), q
            continue
        for cid, s in want.items():
            assert got[cid] == pytest.approx(2.2 * s, rel=0.04), (q, cid)


@pytest.fixture
def store_with_news(make_assistant, tmp_path):
    paras = seed_paragraphs()
    a = make_assistant()
    report = a.ingest([write_jsonl(tmp_path / "one.jsonl", articles("s", paras[: len(paras) // 2]))])
    # Even the first ingest into an empty index hands its texts over: nothing is read back.
    assert a.bm25.stats == {"indexed": report.chunks_written, "read": 0}
    return a, paras


def test_scores_equal_bm25s_through_ingests_replacements_and_prunes(store_with_news, tmp_path):
    a, paras = store_with_news
    assert_matches_bm25s(a.bm25)
    more = articles("s", paras[len(paras) // 2 :])
    two = write_jsonl(tmp_path / "two.jsonl", more + [
        {"id": "w1", "title": "Wheat", "text": "Wheat exports from Kansas rose sharply in February, the grain board said."},
        {"id": "p1", "title": "Pier", "text": "Harbour master Jo Quinn said the pier repairs cost more than planned."}])
    a.ingest([two])
    assert_matches_bm25s(a.bm25)
    # A changed article (same id) and a pruned one: their old chunks leave the statistics too.
    rows = [r for r in json.loads("[" + ",".join(two.read_text().split("\n")[:-1]) + "]") if r["id"] != "p1"]
    rows[-1]["text"] = "Kansas farmers planted less winter wheat after the drought."
    write_jsonl(two, rows)
    a.ingest([two], prune=True)
    assert not [cid for cid, _ in a.bm25.search("pier harbour Quinn", 10) if cid.startswith("p1:")]
    assert len(a.bm25) == a.store.count_chunks()
    assert_matches_bm25s(a.bm25, after_deletions=True)


def test_an_ingest_indexes_only_its_own_chunks_and_reads_nothing_back(store_with_news, tmp_path):
    a, _ = store_with_news
    a.bm25.search("Gaza", 3)
    before = dict(a.bm25.stats)
    n_before = len(a.bm25)
    f = write_jsonl(tmp_path / "z.jsonl", [{"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}])
    report = a.ingest([f])
    assert a.bm25.stats["indexed"] - before["indexed"] == report.chunks_written == 1
    assert a.bm25.stats["read"] == before["read"]  # the ingest handed its texts over
    assert len(a.bm25) == n_before + 1
    assert a.bm25.search("Zanzibar", 5)[0][0].startswith("z1:")


def test_another_assistant_opens_the_saved_index_and_follows_its_ingests(store_with_news, make_assistant, tmp_path):
    a, _ = store_with_news
    assert (index_folder(a.settings.data_dir, a.settings.collection) / "meta.json").exists()
    b = make_assistant()  # same data dir: what a second process sees
    assert b.bm25.search("Netanyahu alliance", 3)
    assert b.bm25.stats == {"indexed": 0, "read": 0}  # opened from its files, not rebuilt
    f = write_jsonl(tmp_path / "z.jsonl", [{"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}])
    a.ingest([f])
    b.bm25.recheck_seconds = 0  # b asks for the store's write token at its next question
    assert b.bm25.search("Zanzibar", 5)[0][0].startswith("z1:")
    assert b.bm25.stats == {"indexed": 0, "read": 0}  # a's commit, not a re-read of the store


QUERY_LOOP = """
import sys
from assistant import Assistant
a = Assistant(auto_seed=False)
for line in sys.stdin:
    hits = a.bm25.search(line.strip(), 3)
    print(hits[0][0] if hits else "-", flush=True)
"""


def test_a_querying_process_sees_a_reingest_of_the_same_size_at_its_next_question(tmp_path):
    """One process re-ingests an article (same id, same number of chunks, changed words) while
    another keeps asking: the second sees the new words at its next question after the commit."""
    import os
    import subprocess
    import sys
    import time

    data = tmp_path / "store"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_AUTO_SEED": "false"}
    src = tmp_path / "a.jsonl"
    write_jsonl(src, [{"id": "k1", "title": "Kite", "text": "A red kite festival drew crowds to the windy beach."}])
    subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(src)], env=env, check=True, capture_output=True)
    asker = subprocess.Popen([sys.executable, "-c", QUERY_LOOP], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        def ask(q: str) -> str:
            asker.stdin.write(q + "\n")
            asker.stdin.flush()
            return asker.stdout.readline().strip()

        assert ask("kite festival").startswith("k1:") and ask("tortoise parade") == "-"
        write_jsonl(src, [{"id": "k1", "title": "Kite", "text": "A slow tortoise parade drew crowds to the sunny park."}])
        subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(src)], env=env, check=True,
                       capture_output=True)
        time.sleep(1.1)  # the asker checks the store's write token at most once a second
        assert ask("tortoise parade").startswith("k1:")
        assert ask("kite festival") == "-"
    finally:
        asker.stdin.close()
        asker.wait(timeout=60)


def test_damaged_or_missing_files_are_rebuilt_from_the_store(store_with_news, make_assistant):
    a, _ = store_with_news
    folder = index_folder(a.settings.data_dir, a.settings.collection)
    for f in folder.iterdir():
        if f.suffix in (".idx", ".term", ".store") or f.name == "meta.json":
            f.write_bytes(b"not an index")
    b = make_assistant()
    assert b.bm25.search("Netanyahu alliance", 3)
    assert b.bm25.stats["read"] == len(b.bm25) == b.store.count_chunks()
    assert_matches_bm25s(b.bm25)
    shutil.rmtree(folder)
    c = make_assistant()
    assert c.bm25.search("Netanyahu alliance", 3) and c.bm25.stats["read"] == c.store.count_chunks()


def test_the_index_of_0_2_is_replaced(make_assistant, tmp_path):
    a = make_assistant()
    old = a.settings.data_dir / "bm25" / a.settings.collection
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    a.ingest([write_jsonl(tmp_path / "z.jsonl", [{"id": "z1", "title": "Zebra", "text": "A zebra escaped the zoo."}])])
    assert a.bm25.search("zebra", 3) and not old.exists()
