"""Small text utilities shared by retrieval and answering: terms, stems, stop words."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said say says tell told according whats who's what's
    did does do mr mrs ms its it's there's any many much one two""".split()
)

SPEECH_VERBS = re.compile(
    r"\b(say|says|said|saying|tell|told|state|stated|describe[sd]?|call(?:ed|s)?|warn(?:ed|s)?|"
    r"promis(?:e|ed|es)|claim(?:ed|s)?|think|thought|react(?:ed)?|respond(?:ed)?|quote[sd]?|remark(?:ed)?|"
    r"assert(?:ed)?|argue[sd]?|comment(?:ed)?|mean|meant|characteri[sz]e[sd]?|view|views|feel|felt)\b",
    re.I,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")


def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'ruled'/'ruling'/'rules', 'talks'/'talk'."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ational", 5), ("ations", 4), ("ation", 4), ("ings", 4), ("ing", 4), ("edly", 4),
                         ("ies", 3), ("ied", 3), ("ed", 4), ("es", 4), ("ly", 4), ("s", 3)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep - 1:
            w = w[: -len(suffix)]
            if suffix in ("ies", "ied"):
                w += "y"
            break
    if len(w) > 3 and w[-1] == "e":
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stop words), in order, with repeats."""
    return [stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1 or w.isdigit()]


def is_speech_question(question: str) -> bool:
    return bool(SPEECH_VERBS.search(question))
