"""Follow-up questions: rewrite a question that leans on earlier turns into one that stands alone.

Offline rewrite (no model): a follow-up inherits what it leaves out from the previous
question. "And what did Vance say?" after "What did Netanyahu say about the alliance?"
keeps its own person (Vance) and inherits the topic ("alliance"); "Why are officials worried
about it?" inherits the previous question's subject for "it". The rewrite is used for
retrieval and answer selection; the user's words are kept on the Answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .text import SPEECH_VERBS, STOPWORDS, words

_PRONOUNS = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|that|this|these|those|there|then)\b", re.I)
_FOLLOW_START = re.compile(r"^\s*(and|but|also|so|what about|how about|and what about)\b", re.I)
_QUESTION_WORDS = {"what", "who", "whom", "whose", "which", "where", "when", "why", "how", "did", "does", "do",
                   "is", "are", "was", "were", "and", "but", "so", "also", "can", "could", "would", "will"}
# Words that stand in for the subject of the previous question, not new subjects.
_GENERIC = {"minister", "official", "officials", "leader", "company", "group", "president", "government",
            "shares", "share", "bid", "job", "deal", "country", "countries", "people"}


def _entities(text: str) -> list[str]:
    """Capitalised words that are not sentence-initial question words: names, places, organisations."""
    out = []
    for i, w in enumerate(words(text)):
        if w[0].isupper() and w.lower() not in _QUESTION_WORDS and not (i == 0 and w.lower() in STOPWORDS):
            out.append(w)
    return out


def _topic(text: str) -> list[str]:
    ents = {e.lower() for e in _entities(text)}
    return [
        w for w in words(text)
        if w.lower() not in STOPWORDS and w.lower() not in ents and w.lower() not in _QUESTION_WORDS
        and not SPEECH_VERBS.fullmatch(w) and len(w) > 2
    ]


def is_followup(question: str) -> bool:
    """A question that leans on the conversation: it starts with 'and'/'what about', refers
    back with a pronoun, names nothing of its own, or is very short."""
    return bool(
        _FOLLOW_START.search(question)
        or _PRONOUNS.search(question)
        or not _entities(question)
        or len(words(question)) <= 3
    )


def rewrite(question: str, history: Sequence[str]) -> str:
    """The standalone form of ``question`` given earlier questions (oldest first).

    Returns ``question`` unchanged when it does not look like a follow-up or there is no
    history.
    """
    if not history or not is_followup(question):
        return question
    previous = history[-1]  # already standalone when the caller passes rewritten questions
    own_entities = _entities(question)
    own_topic = [w for w in _topic(question) if w.lower() not in _GENERIC]
    carried: list[str] = []
    if not own_entities:
        carried += _entities(previous)
    if not own_topic or not own_entities or _PRONOUNS.search(question):
        carried += _topic(previous)
    seen = {w.lower() for w in words(question)}
    extra = []
    for w in carried:
        if w.lower() not in seen:
            seen.add(w.lower())
            extra.append(w)
    if not extra:
        return question
    return f"{question.rstrip().rstrip('?')} ({' '.join(extra)})?"
