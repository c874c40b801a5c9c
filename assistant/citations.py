"""Citations: numbered pointers from answer sentences to exact spans of passages."""

from __future__ import annotations

from .schema import Citation, Passage


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
    )


def merge_spans(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans that touch or are separated only by white space, so a quote stays contiguous."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and (s <= out[-1][1] or not text[out[-1][1] : s].strip()):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
