"""Where quotations stand in a text: spans between quotation marks, by typography alone.

Double quotes (straight or curly) bound a quotation. News style leaves a quote open at the end
of a paragraph when the next paragraph continues it, and sometimes re-opens a quote (a new
mark) without closing the previous one: each piece is its own span, ending where the next
begins. Single-quoted runs of three words or more count too (apostrophes inside words are not
quote marks); shorter ones are left to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"“|(?<![\w.,])\"(?=\S)")  # a straight quote opens before a non-space
_CLOSE = re.compile(r"”|(?<=\S)\"(?!\w)")  # and closes after one
_REOPEN = re.compile(r"(?<=[.!?,] )[\"“](?=[A-Z(])")  # a new quote mark inside an open quote
_SINGLE = re.compile(r"(?<![\w’'])[‘'](?=\S)([^'‘’\n]{3,}?)(?<=\S)[’'](?![\w’'])")


@dataclass(frozen=True)
class QuoteSpan:
    """The words inside one pair of marks: ``text[start:end]``, in paragraph ``paragraph``."""

    start: int
    end: int
    paragraph: int
    single: bool = False  # between single marks
    open_ended: bool = False  # left open at the paragraph's end (continued in the next)


def _double_spans(text: str, paragraphs: list[tuple[int, int]], i: int) -> list[QuoteSpan]:
    ps, pe = paragraphs[i]
    out, pos = [], ps
    while pos < pe:
        m = _OPEN.search(text, pos, pe)
        if not m:
            break
        start = m.end()
        close = _CLOSE.search(text, start, pe)
        reopen = _REOPEN.search(text, start, pe)
        if reopen and (close is None or reopen.start() < close.start()):
            out.append(QuoteSpan(start, reopen.start() - 1, i))
            pos = reopen.start()
            continue
        if close:
            out.append(QuoteSpan(start, close.start(), i))
            pos = close.end()
            continue
        nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        if nxt and re.match(r"\s*[\"“]", text[nxt[0] : nxt[1]]):
            out.append(QuoteSpan(start, pe, i, open_ended=True))  # continued in the next paragraph
        break  # otherwise an unclosed quote: not a quotation we can bound
    return out


def quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[QuoteSpan]:
    """Every quotation span of ``text``, in order (see the module docstring)."""
    out: list[QuoteSpan] = []
    for i, (ps, pe) in enumerate(paragraphs):
        doubles = _double_spans(text, paragraphs, i)
        out += doubles
        for m in _SINGLE.finditer(text, ps, pe):
            if len(m.group(1).split()) >= 3 and not any(d.start <= m.start(1) < d.end for d in doubles):
                out.append(QuoteSpan(m.start(1), m.end(1), i, single=True))
    return sorted(out, key=lambda q: q.start)
