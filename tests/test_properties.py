"""Property-based tests (hypothesis): chunking keeps every character, parsers never crash."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import chunk_article
from assistant.parsers import PARSERS, make_article, parse_file
from assistant.schema import Article, IngestFailure, IngestNotice

WORDS = st.sampled_from(["The", "minister", "said", "oil", "U.S.", "Dr.", "\u201cWe", "won\u201d", "\"Yes,\"",
                         "3.5%", "rose.", "fell!", "why?", "Netanyahu", "\u00e9t\u00e9", "\u6f22\u5b57", "a", "--"])
SENTENCE = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
BODY = st.lists(PARAGRAPH, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(body=st.one_of(BODY, st.text(min_size=1, max_size=3000)),
       chunk_tokens=st.integers(32, 300), overlap=st.integers(0, 60))
def test_chunks_are_exact_slices_and_lose_no_text(body, chunk_tokens, overlap):
    if not body.strip():
        return
    a = make_article(title="T", body=body, path="t.txt")
    chunks = chunk_article(a, chunk_tokens=chunk_tokens, overlap=min(overlap, chunk_tokens // 2))
    covered = bytearray(len(a.text))
    for c in chunks:
        assert a.text[c.char_start : c.char_end] == c.text  # offsets round-trip
        for i in range(c.char_start, c.char_end):
            covered[i] = 1
    lost = [i for i, ch in enumerate(a.text) if not covered[i] and not ch.isspace()]
    assert lost == []  # nothing between chunks is dropped
    assert [c.index for c in chunks] == list(range(len(chunks)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(sorted(PARSERS)))
def test_parsers_never_raise_on_arbitrary_bytes(tmp_path, data, suffix):
    p = tmp_path / f"input{suffix}"
    p.write_bytes(data)
    for item in parse_file(p):
        assert isinstance(item, (Article, IngestFailure, IngestNotice))
        if isinstance(item, Article):
            assert item.text.strip() and item.id


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["id", "title", "text", "date", "source", "url"]),
                    st.one_of(st.text(max_size=50), st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
                    max_size=6).map(lambda d: json.dumps(d).encode()),
), max_size=12))
def test_jsonl_lines_fail_alone_with_their_line_number(tmp_path, lines):
    p = tmp_path / "input.jsonl"
    p.write_bytes(b"\n".join(x.replace(b"\n", b" ") for x in lines) + b"\n")
    for item in parse_file(p):
        assert isinstance(item, (Article, IngestFailure, IngestNotice))
        if isinstance(item, IngestFailure):
            assert Path(item.path.rsplit(":", 1)[0]) == p and item.path.rsplit(":", 1)[1].isdigit()
