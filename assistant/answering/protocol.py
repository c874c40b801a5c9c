"""The one protocol every answerer implements: ``stream()`` yields the answer's text as it is
written, then the final :class:`~assistant.schema.Answer`; ``answer()`` is built on it.

A new answerer plugs in by implementing :meth:`Answerer.stream` (subclass :class:`StreamingAnswerer`
for ``answer()``) and by a name in ``assistant.answering.registry``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from ..retrieval.hybrid import Evidence
from ..types import Answer


@runtime_checkable
class Answerer(Protocol):
    mode: str

    def stream(self, question: str, evidence: Evidence) -> Iterator[str | Answer]: ...

    def answer(self, question: str, evidence: Evidence) -> Answer: ...


def final_answer(parts: Iterable[str | Answer]) -> Answer:
    """The :class:`Answer` a stream ends with (its text deltas are consumed)."""
    final = None
    for part in parts:
        if isinstance(part, Answer):
            final = part
    if final is None:
        raise RuntimeError("internal: an answerer's stream ended without an Answer")
    return final


class StreamingAnswerer:
    """``answer()`` for an answerer that implements ``stream()``."""

    def stream(self, question: str, evidence: Evidence) -> Iterator[str | Answer]:
        raise NotImplementedError

    def answer(self, question: str, evidence: Evidence) -> Answer:
        return final_answer(self.stream(question, evidence))
