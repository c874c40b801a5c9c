"""Citations: numbered pointers from answer sentences to exact spans of passages.

Wire copies of one story are stored as different articles; a passage or quote that several of
them hold is cited once, naming the others (``also_in``). Two texts are *near-identical* when
their normalised forms are equal (case, white space and curly or straight quote marks folded)
or, failing that, when at least ``COPY_OVERLAP`` of the longer one's word tokens (counted with
repetition) are shared with the other and no number differs: an edited copy that changed a word
or two. Texts that differ in a number are never copies: templated reports ("exports rose 12 pct in
February", "... 15 pct in March") say different things in nearly the same words. A quote shorter
than ``MIN_COPY_TOKENS`` words is no evidence of a copy (stock phrases recur across stories).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache

from ..types import ArticleRef, Citation, Passage

COPY_OVERLAP = 0.9  # share of word tokens two texts must have in common to count as copies
MIN_COPY_TOKENS = 8  # shorter quotes are not matched across articles
_TOKEN = re.compile(r"\w+")
_MARKER = re.compile(r"\[(\d+)\]")
_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})


def normalise(text: str) -> str:
    """``text`` with case, white space and quote-mark style folded."""
    return " ".join(text.translate(_QUOTE_MARKS).split()).casefold()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


@lru_cache(maxsize=2048)
def _bag(text: str) -> tuple[Counter, int]:
    """The word tokens of ``text`` with their counts, and how many there are."""
    toks = _tokens(text)
    return Counter(toks), len(toks)


def near_identical(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are the same text up to normalisation or a few changed words."""
    if normalise(a) == normalise(b):
        return True
    (ca, na), (cb, nb) = _bag(a), _bag(b)
    if not na or not nb or min(na, nb) < COPY_OVERLAP * max(na, nb):
        return False
    return sum((ca & cb).values()) >= COPY_OVERLAP * max(na, nb) and _same_numbers(ca, cb)


def _same_numbers(a: Counter, b: Counter) -> bool:
    """Whether no token holding a digit is in one bag more often than in the other."""
    return not any(any(ch.isdigit() for ch in tok) for tok in (a - b) + (b - a))


def holds_copy(text: str, quote: str) -> bool:
    """Whether ``text`` contains a near-identical copy of ``quote``: the normalised quote inside
    the normalised text, or a run of as many word tokens sharing ``COPY_OVERLAP`` of them."""
    q, t = _tokens(quote), _tokens(text)
    if len(q) < MIN_COPY_TOKENS or len(t) < len(q):
        return False
    if f" {' '.join(q)} " in f" {' '.join(t)} ":  # whole tokens: "5 million" is not in "15 million"
        return True
    need, window = Counter(q), Counter(t[: len(q)])
    shared = sum((need & window).values())  # tokens of the window that match the quote's
    for i in range(len(q), len(t) + 1):
        if shared >= COPY_OVERLAP * len(q) and _same_numbers(need, +window):
            return True
        if i == len(t):
            return False
        gone, new = t[i - len(q)], t[i]  # slide the window one token on
        shared -= window[gone] <= need[gone]
        window[gone] -= 1
        window[new] += 1
        shared += window[new] <= need[new]
    return False


def article_ref(p: Passage) -> ArticleRef:
    """The article of passage ``p``, as named on a citation of another article."""
    return ArticleRef(id=p.doc_id, title=p.title, source=p.source, outlet=p.outlet, date=p.date, url=p.url)


def cite_span(n: int, passage: Passage, start: int, end: int) -> Citation:
    """A citation of ``passage.text[start:end]``, with offsets translated into the article's text."""
    return Citation(
        n=n,
        doc_id=passage.doc_id,
        title=passage.title,
        source=passage.source,
        date=passage.date,
        chunk_id=passage.chunk_id,
        quote=passage.text[start:end],
        text=passage.text,
        char_start=passage.char_start + start,
        char_end=passage.char_start + end,
        score=passage.score,
        also_in=passage.also_in,
        outlet=passage.outlet,
        url=passage.url,
        also_in_articles=passage.also_in_articles,
    )


def _with_copy(c: Citation, ref: ArticleRef) -> Citation:
    if ref.id == c.doc_id or ref.id in c.also_in:
        return c
    known = {a.id for a in c.also_in_articles}
    refs = c.also_in_articles if ref.id in known else (*c.also_in_articles, ref)
    return replace(c, also_in=(*c.also_in, ref.id), also_in_articles=refs)


def fold_copies(text: str, citations: list[Citation], passages: list[Passage]) -> tuple[str, list[Citation]]:
    """One citation per quoted text: a citation whose quote is near-identical to an earlier one's
    from another article is folded into it (its markers in ``text`` renumbered to the earlier
    one's, a marker repeated by the fold kept once), and every other article among ``passages``
    whose text holds a copy of a citation's quote is named on it (``also_in``)."""
    kept: list[Citation] = []
    renumber: dict[int, int] = {}
    for c in citations:
        twin = next((k for k in kept if k.doc_id != c.doc_id and len(_tokens(c.quote)) >= MIN_COPY_TOKENS
                     and near_identical(k.quote, c.quote)), None)
        if twin is None:
            kept.append(c)
            continue
        renumber[c.n] = twin.n
        i = kept.index(twin)
        for ref in (ArticleRef(c.doc_id, c.title, c.source, c.outlet, c.date, c.url), *c.also_in_articles):
            kept[i] = _with_copy(kept[i], ref)
    for i, c in enumerate(kept):
        for p in passages:
            if p.doc_id != c.doc_id and p.doc_id not in c.also_in and holds_copy(p.text, c.quote):
                kept[i] = _with_copy(kept[i], article_ref(p))
                c = kept[i]
    if renumber:
        text = _MARKER.sub(lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", text)
        text = re.sub(r"(\[\d+\])(\s*\1)+", r"\1", text)
    return text, kept


def also_in_label(c: Citation) -> str:
    """The other articles holding a citation's text, for people: "Title (outlet, date) [id]; ..."."""
    named = {a.id: a for a in c.also_in_articles}
    out = []
    for doc_id in c.also_in:
        a = named.get(doc_id)
        if a is None or not a.title:
            out.append(doc_id)
            continue
        meta = ", ".join(x for x in (a.outlet or a.source, a.date) if x)
        out.append(f"{a.title} ({meta}) [{doc_id}]" if meta else f"{a.title} [{doc_id}]")
    return "; ".join(out)


def merge_spans(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans that touch or are separated only by white space, so a quote stays contiguous."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and (s <= out[-1][1] or not text[out[-1][1] : s].strip()):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
