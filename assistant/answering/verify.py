"""Verification of a generated answer against the passages it was given.

- markers ``[n]`` (also ``[1, 3]``) that point at no passage are dropped, with a warning;
- every quoted span ("...") must appear verbatim (white space, quote style and case folded) in a
  passage the sentence cites (or, for a sentence citing nothing, in any passage); otherwise it is
  reported in ``warnings`` and ``unsupported``;
- each cited passage yields a :class:`Citation` whose ``quote`` is the passage sentence that best
  matches the answer sentence citing it (the one holding its quotation, if any).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..nlp.sentences import sentence_spans
from ..retrieval.citations import cite_span
from ..types import Citation, Passage
from ..nlp.text import content_terms

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_QUOTED = re.compile(r'"([^"\n]{4,}?)"|“([^”\n]{4,}?)”')
ABSTAIN_PATTERNS = re.compile(
    r"^\W*(the articles? (don'?t|do not|does not|doesn'?t) say|the (passages|articles) do not (contain|say|answer)|"
    r"i (don'?t|do not) know|no (relevant )?information)", re.I
)


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    abstained: bool = False


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).lower()


def _best_sentence(sentence: str, quotes: list[str], p: Passage) -> tuple[int, int]:
    spans = sentence_spans(p.text) or [(0, len(p.text))]
    folded_quotes = [_fold(q).strip(" .,;:") for q in quotes]
    for s, e in spans:
        seg = _fold(p.text[s:e])
        if any(q and q in seg for q in folded_quotes):
            return s, e
    terms = set(content_terms(sentence))
    best, best_score = spans[0], -1.0
    for s, e in spans:
        st = set(content_terms(p.text[s:e]))
        score = len(terms & st) / (len(terms | st) or 1)
        if score > best_score:
            best, best_score = (s, e), score
    return best


def verify_answer(raw: str, passages: list[Passage]) -> Verified:
    """Check a model's answer against ``passages`` (numbered from 1)."""
    warnings: list[str] = []
    text = raw.strip()
    if ABSTAIN_PATTERNS.search(text) and not MARKER.search(text):
        return Verified("The articles don't say.", [], abstained=True)
    n_max = len(passages)

    def keep_valid(m: re.Match) -> str:
        nums = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        good = [n for n in nums if 1 <= n <= n_max]
        for n in nums:
            if not 1 <= n <= n_max:
                warnings.append(f"Dropped citation [{n}]: there is no passage {n}.")
        return "".join(f" [{n}]" for n in good)

    text = MARKER.sub(keep_valid, text).strip()
    unsupported: list[str] = []
    first_use: dict[int, tuple[str, list[str]]] = {}
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        cited = [int(x) for x in re.findall(r"\[(\d+)\]", sentence)]
        bare = MARKER.sub("", sentence)
        quotes = [a or b for a, b in _QUOTED.findall(bare)]
        scope = [passages[n - 1] for n in cited] or passages
        for q in quotes:
            fq = _fold(q).strip(" .,;:")
            if fq and not any(fq in _fold(p.text) for p in scope):
                where = ", ".join(f"[{n}]" for n in cited) if cited else "any passage"
                warnings.append(f'Unsupported quote: "{q}" is not in {where}.')
                unsupported.append(q)
        for n in cited:
            first_use.setdefault(n, (bare, quotes))
    citations = []
    for n in sorted(first_use, key=lambda n: text.find(f"[{n}]")):
        sentence, quotes = first_use[n]
        p = passages[n - 1]
        s, e = _best_sentence(sentence, quotes, p)
        citations.append(cite_span(n, p, s, e))
    return Verified(text, citations, warnings, unsupported)
