"""How well HTML pages were turned into text, against hand-made gold article bodies.

The gold bodies themselves stay out of the repository (the pages are the publishers'); a label
file keeps a *fingerprint* of each gold sentence instead: its length, a hash of its exact
characters and its first word. :func:`find_sentences` locates those sentences in a stored
article's text, verbatim, spacing included; :func:`extraction_quality` then reports the share of
gold sentences stored verbatim and the share of stored chunks that are mostly boilerplate (less
than half of their characters inside gold sentences).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class SentencePrint:
    """A gold sentence without its text: ``length`` characters whose SHA-1 begins ``digest`` and
    whose first word is ``first``."""

    length: int
    digest: str
    first: str

    def to_list(self) -> list:
        return [self.length, self.digest, self.first]

    @classmethod
    def from_list(cls, raw: list) -> "SentencePrint":
        return cls(int(raw[0]), str(raw[1]), str(raw[2]))


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def gold_sentences(body: str) -> list[str]:
    """The sentences of a gold body (paragraphs split at sentence ends)."""
    out = []
    for para in body.split("\n\n"):
        out += [s.strip() for s in _SENTENCE_END.split(para.strip()) if s.strip()]
    return out


def fingerprint(sentence: str) -> SentencePrint:
    return SentencePrint(len(sentence), _digest(sentence), sentence.split()[0])


def find_sentences(prints: list[SentencePrint], text: str) -> list[tuple[int, int] | None]:
    """Where each fingerprinted sentence stands verbatim in ``text`` (None where it does not)."""
    found: list[tuple[int, int] | None] = []
    for sp in prints:
        hit = None
        for m in re.finditer(re.escape(sp.first), text):
            s = m.start()
            if _digest(text[s : s + sp.length]) == sp.digest:
                hit = (s, s + sp.length)
                break
        found.append(hit)
    return found


def covered_share(start: int, end: int, spans: list[tuple[int, int]], text: str) -> float:
    """Share of the non-space characters of ``text[start:end]`` that lie inside ``spans``."""
    inside = total = 0
    for i in range(start, end):
        if text[i].isspace():
            continue
        total += 1
        inside += any(s <= i < e for s, e in spans)
    return inside / total if total else 1.0


@dataclass
class ExtractionQuality:
    """Over a set of pages: gold sentences stored verbatim, and chunks mostly boilerplate."""

    sentences: int = 0
    sentences_found: int = 0
    chunks: int = 0
    boilerplate_chunks: int = 0

    def add(self, prints: list[SentencePrint], text: str, chunk_spans: list[tuple[int, int]]) -> None:
        spans = [s for s in find_sentences(prints, text) if s]
        self.sentences += len(prints)
        self.sentences_found += len(spans)
        for start, end in chunk_spans:
            self.chunks += 1
            self.boilerplate_chunks += covered_share(start, end, spans, text) < 0.5

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "body_sentences": self.sentences,
            "body_sentences_verbatim": round(self.sentences_found / self.sentences, 4) if self.sentences else None,
            "chunks": self.chunks,
            "boilerplate_chunks": round(self.boilerplate_chunks / self.chunks, 4) if self.chunks else None,
        }
