"""Context assembly for the LLM: passages merged, grouped by article, numbered, fenced, budgeted.

- Overlapping (or touching) chunks of one article are merged into one passage.
- Articles are ordered by their best passage's score; passages within an article by position.
- Each passage is fenced by ``<<<PASSAGE n NONCE>>>`` ... ``<<<END PASSAGE n NONCE>>>`` with a
  random nonce per request, so article text cannot close a passage or open a fake one.
- Passages are added best-first until the tiktoken budget is spent.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from ..nlp.sentences import count_tokens
from ..config import _bundled
from ..types import Passage

_FENCE_LIKE = re.compile(r"<<<\s*(END\s+)?PASSAGE", re.I)


@dataclass
class Context:
    text: str
    passages: list[Passage]  # numbered: passages[n - 1] is passage [n]
    nonce: str
    tokens: int


def merge_overlapping(passages: list[Passage]) -> list[Passage]:
    """Merge chunks of the same article whose character ranges overlap or touch."""
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    merged: list[Passage] = []
    for doc_passages in by_doc.values():
        doc_passages.sort(key=lambda p: p.char_start)
        cur = doc_passages[0]
        for p in doc_passages[1:]:
            if p.char_start <= cur.char_end + 2:  # overlap, or only a paragraph break between
                if p.char_end > cur.char_end:
                    gap = "\n\n" if p.char_start > cur.char_end else ""
                    tail = p.text[max(0, cur.char_end - p.char_start):]
                    cur = replace(cur, text=cur.text + gap + tail, char_end=p.char_end,
                                  score=max(cur.score, p.score), chunk_id=cur.chunk_id)
                else:
                    cur = replace(cur, score=max(cur.score, p.score))
            else:
                merged.append(cur)
                cur = p
        merged.append(cur)
    return merged


def _fence_safe(text: str) -> str:
    """Defuse look-alike fences inside article text (the nonce already makes them inert)."""
    return _FENCE_LIKE.sub(lambda m: m.group(0).replace("<<<", "‹‹‹"), text)


def render_passage(n: int, p: Passage, nonce: str) -> str:
    meta = " | ".join(x for x in (p.title, p.outlet or p.source, p.date) if x)
    return f"<<<PASSAGE {n} {nonce}>>>\n{meta}\n\n{_fence_safe(p.text)}\n<<<END PASSAGE {n} {nonce}>>>"


def build_context(passages: list[Passage], budget_tokens: int) -> Context:
    """Number and fence the passages that fit in ``budget_tokens``."""
    nonce = secrets.token_hex(6)
    merged = merge_overlapping(passages)
    # Choose best-first within the budget ...
    chosen: list[Passage] = []
    used = 0
    for p in sorted(merged, key=lambda p: p.score, reverse=True):
        cost = count_tokens(render_passage(0, p, nonce)) + 2
        if used + cost > budget_tokens:
            continue
        chosen.append(p)
        used += cost
    # ... then lay them out by article (best article first), in reading order.
    best_of_doc: dict[str, float] = {}
    for p in chosen:
        best_of_doc[p.doc_id] = max(best_of_doc.get(p.doc_id, -1.0), p.score)
    ordered = sorted(chosen, key=lambda p: (-best_of_doc[p.doc_id], p.doc_id, p.char_start))
    text = "\n\n".join(render_passage(i, p, nonce) for i, p in enumerate(ordered, 1))
    return Context(text=text, passages=ordered, nonce=nonce, tokens=count_tokens(text) if text else 0)


def load_prompt(name: str) -> str:
    path = _bundled("prompts") / name
    return Path(path).read_text(encoding="utf-8")
