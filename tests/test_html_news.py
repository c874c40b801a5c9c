"""Real publishers' pages (../shared/corpora/html-news, skipped when missing) against the
hand labels of evals/html-news: what the labels quote must be in the stored text verbatim.
Failures name pages and counts only, never a test-split label's text."""

from __future__ import annotations

import pytest

from assistant.eval_pages import load_page_labels
from assistant.parsers import parse_file
from assistant.schema import Article

from .conftest import CORPORA, ROOT

PAGES = CORPORA / "html-news"


@pytest.fixture(scope="module")
def parsed():
    if not PAGES.is_dir():
        pytest.skip("../shared/corpora/html-news is not beside this checkout")
    labels = load_page_labels(ROOT / "evals" / "html-news")
    texts = {}
    for page in labels:
        for f in page.files:
            arts = [a for a in parse_file(PAGES / f) if isinstance(a, Article)]
            texts[f] = arts[0].text if arts else ""
    return labels, texts


def test_every_labelled_quote_and_evidence_is_stored_verbatim(parsed):
    labels, texts = parsed
    missing = {}
    for page in labels:
        wanted = [q.text for q in page.quotes] + [q["evidence"] for q in page.questions if q.get("answerable", True)]
        for f in page.files:
            lost = sum(w not in texts[f] for w in wanted)
            if lost:
                missing[f"{page.split}:{f}"] = f"{lost} of {len(wanted)}"
    assert not missing, missing


def test_every_page_gives_a_headline_and_an_outlet(parsed):
    labels, texts = parsed
    for page in labels:
        for f in page.files:
            (a,) = [x for x in parse_file(PAGES / f) if isinstance(x, Article)]
            assert a.title and a.outlet and a.source, f
            assert "|" not in a.title, f  # no " | Site" suffix
