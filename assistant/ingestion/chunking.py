"""Token-aware chunking: paragraphs first, then sentences, measured in cl100k tokens
(:mod:`assistant.nlp.sentences`). Every chunk is an exact slice of the article text:
``article.text[chunk.char_start:chunk.char_end] == chunk.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


from ..errors import ConfigError
from ..types import Article, Chunk
from ..nlp.sentences import ENCODING_NAME, count_tokens, get_encoding, paragraph_spans, sentence_spans  # noqa: F401 (re-exported)

@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    paragraph: int
    tokens: int
    para_start: bool  # first unit of its paragraph
    heading: bool = False  # a short paragraph with no closing punctuation: keep it with what follows


def _units(text: str, max_tokens: int) -> list[_Unit]:
    """Sentences tagged with their paragraph; a sentence longer than the budget is cut by tokens."""
    enc = get_encoding()
    units: list[_Unit] = []
    for p, (ps, pe) in enumerate(paragraph_spans(text)):
        first = True
        sents = sentence_spans(text, ps, pe)
        if len(sents) == 1 and pe - ps <= 120 and not text[pe - 1] in ".!?\"'”’:;":
            units.append(_Unit(ps, pe, p, len(enc.encode_ordinary(text[ps:pe])), True, heading=True))
            continue
        for s, e in sents:
            ids = enc.encode_ordinary(text[s:e])
            if len(ids) <= max_tokens:
                units.append(_Unit(s, e, p, len(ids), first))
                first = False
                continue
            # An over-long "sentence": cut it at token boundaries, mapped back to characters.
            pos = s
            for i in range(0, len(ids), max_tokens):
                piece = enc.decode(ids[i : i + max_tokens])
                found = text.find(piece.strip(), pos, e) if piece.strip() else -1
                piece_end = e if i + max_tokens >= len(ids) else (found + len(piece.strip()) if found >= 0 else e)
                piece_start = pos
                while piece_start < piece_end and text[piece_start].isspace():
                    piece_start += 1
                if piece_end > piece_start:
                    n = len(enc.encode_ordinary(text[piece_start:piece_end]))
                    units.append(_Unit(piece_start, piece_end, p, n, first))
                    first = False
                pos = piece_end
                if pos >= e:
                    break
    return units


def chunk_id(doc_id: str, index: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}\x1f{index}\x1f{text}".encode()).hexdigest()[:16]
    return f"{doc_id}:{index}:{digest}"


def chunk_article(article: Article, chunk_tokens: int = 250, overlap: int = 40) -> list[Chunk]:
    """Split an article into chunks of about ``chunk_tokens`` tokens.

    Chunks end at paragraph boundaries when that keeps them at least half full, else at
    sentence boundaries. Each chunk after the first repeats the last sentences of the
    previous one, up to ``overlap`` tokens, so a fact split across a boundary is still
    found whole in one chunk.
    """
    if overlap >= chunk_tokens:
        raise ConfigError(f"chunk overlap ({overlap}) must be smaller than chunk size ({chunk_tokens})")
    text = article.text
    chunks = []
    for index, group in enumerate(_group_units(_units(text, chunk_tokens), chunk_tokens, overlap)):
        start, end = group[0].start, group[-1].end
        body = text[start:end]
        chunks.append(Chunk(id=chunk_id(article.id, index, body), doc_id=article.id, index=index, text=body,
                            paragraph=group[0].paragraph, char_start=start, char_end=end, tokens=count_tokens(body)))
    return chunks


def _group_units(units: list[_Unit], chunk_tokens: int, overlap: int) -> list[list[_Unit]]:
    """The units (sentences) of each chunk, in order (see :func:`chunk_article`)."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        if current and sum(x.tokens for x in current) + u.tokens > chunk_tokens:
            cut = _paragraph_cut(current, chunk_tokens)
            emitted, rest = current[:cut], current[cut:]
            groups.append(emitted)
            current = _carried(emitted, overlap) + rest
            if current and sum(x.tokens for x in current) + u.tokens > chunk_tokens:
                # Overlap plus the next unit does not fit: drop the overlap.
                current = rest
                if current and sum(x.tokens for x in current) + u.tokens > chunk_tokens:
                    groups.append(current)
                    current = []
            continue  # re-examine unit i against the new chunk
        current.append(u)
        i += 1
    if current:
        groups.append(current)
    return groups


def _paragraph_cut(current: list[_Unit], chunk_tokens: int) -> int:
    """Where a full chunk ends: at its last paragraph start (before the headings that lead into
    it) if that keeps it half full, else after all of ``current``."""
    for j in range(len(current) - 1, 0, -1):
        if current[j].para_start and sum(x.tokens for x in current[:j]) >= chunk_tokens // 2:
            cut = j
            while cut > 1 and current[cut - 1].heading:
                cut -= 1
            return cut
    return len(current)


def _carried(emitted: list[_Unit], overlap: int) -> list[_Unit]:
    """The trailing sentences of an emitted chunk that the next one repeats, within ``overlap``
    tokens; never the whole chunk."""
    carried: list[_Unit] = []
    budget = overlap
    for x in reversed(emitted):
        if x.tokens > budget:
            break
        carried.insert(0, x)
        budget -= x.tokens
    return [] if len(carried) == len(emitted) else carried
