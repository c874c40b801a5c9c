"""Small text utilities shared by retrieval and answering: terms, stems, stop words."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from .lexicon import (
    CALENDAR_NAMES,
    NUMBER_WORDS,
    PAST_FORM_LEMMAS,
    QUESTION_SPEECH_FORMS,
    QUESTION_WORDS,
    SPEECH_FORMS,
    STOPWORDS,
    TIME_UNITS,
)

# "say", "think", "feel", ... in a question: it asks what someone said (or thought) ("What did X say?").
SPEECH_VERBS = re.compile(r"\b(" + "|".join(sorted(QUESTION_SPEECH_FORMS, key=len, reverse=True)) + r")\b", re.I)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")


_STEMMER = snowballstemmer.stemmer("english")
_PREFIX = 7  # Snowball leaves 'contributor'/'contribut' apart; a 7-letter prefix joins them

# Bump when ``stem`` changes: indexes built from stems (BM25) are rebuilt when it differs.
STEM_VERSION = 2

# British spellings fold into American ones, so an Australian or British question finds a
# Reuters passage: 'stabilise'/'stabilization', 'rumoured'/'rumors', 'centre'/'center', 'defence'.
# Each pattern sits behind a cheap test it cannot match without: a first ingest stems every new
# word once, and running all five expressions on every word was most of that time.
_BRITISH = [
    (lambda w: "is" in w[3:], re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (lambda w: "our" in w,
     re.compile(r"^(rum|lab|fav|col|hon|neighb|behavi|harb|endeav|vig|hum|sav|arm|val|od|flav|parl|splend|ranc"
                r"|clam|tum|ferv)our"), r"\1or"),
    (lambda w: w.endswith(("re", "res", "red")), re.compile(r"^(cent|theat|met|lit|fib|calib|spect)re(s|d)?$"),
     r"\1er\2"),
    (lambda w: "ence" in w, re.compile(r"^(def|off|lic|pret)ence"), r"\1ense"),
    (lambda w: w.startswith("programme"), re.compile(r"^programme"), "program"),
]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, cut to 7 letters: 'ruled'/'ruling', 'contribute'/'contributors'
    and 'talks'/'talk' match; possessives are dropped; common irregular past forms ('met',
    'sold', 'rose') become their base verb and British spellings American ones ('stabilise',
    'rumoured', 'centre')."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = PAST_FORM_LEMMAS.get(w, w)
    for needed, pattern, american in _BRITISH:
        if needed(w):
            w = pattern.sub(american, w)
    return _STEMMER.stemWord(w)[:_PREFIX]


_INITIALISM = re.compile(r"\b((?:[A-Z]\.){2,})")


def _fold_initialisms(text: str) -> str:
    """'U.S.' -> 'US', 'U.N.' -> 'UN', so the dotted and plain forms match."""
    return _INITIALISM.sub(lambda m: m.group(1).replace(".", ""), text)


def words(text: str) -> list[str]:
    return _WORD.findall(_fold_initialisms(text))


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stop words), in order, with repeats."""
    return [stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1 or w.isdigit()]


# In article text only lower-case verbs count: "Secretary of State" is not speech.
SPEECH_IN_TEXT = re.compile(SPEECH_VERBS.pattern)


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_SPEECH_WORD = "(?:" + "|".join(sorted(SPEECH_FORMS, key=len, reverse=True)) + ")"


def speaks_in(sentence: str, previous: str, name: str) -> bool:
    """Does ``name`` speak in ``sentence``: one of its words next to a verb of speech outside
    quotation marks ("Doe said", "said Jane Doe, an adviser", "according to Doe", "the ministry
    said"), or "he/she said" right after a sentence that names them?"""
    patterns = _speaks_patterns(name)
    if patterns is None:
        return False
    near, mention = patterns
    text = _QUOTED.sub(" ", sentence)
    if near.search(text):
        return True
    return bool(_PRONOUN_SPEAKS.search(text)) and bool(mention.search(previous))


_PRONOUN_SPEAKS = re.compile(rf"\b(?:he|she)\s+(?:\w+\s+)?{_SPEECH_WORD}\b|\b{_SPEECH_WORD}\s+(?:he|she)\b", re.I)


@lru_cache(maxsize=256)
def _speaks_patterns(name: str):
    """Compiled once per name (the gate checks every candidate sentence of a question)."""
    parts = [re.escape(w.strip(".,’'")) for w in name.split() if len(w.strip(".,’'")) >= 3 and w[:1].isupper()]
    if not parts:
        return None
    last = "(?:" + "|".join(parts) + ")"  # any word of the name: "Ministry of Environment" is "the ministry"
    near = (rf"\b{last}\b(?:,[^,.]{{0,80}},)?\s+(?:\w+\s+){{0,2}}?\b{_SPEECH_WORD}\b"
            rf"|\b{_SPEECH_WORD}\b\s+(?:[\w.]+\s+){{0,4}}?{last}\b|according to\s+(?:[\w.]+\s+){{0,4}}?{last}\b")
    return re.compile(near, re.I), re.compile(rf"\b{last}\b")


def is_speech_question(question: str) -> bool:
    return bool(SPEECH_VERBS.search(question))


_AMOUNT_QUESTION = re.compile(
    r"\b(how (many|much|far|long|old|big|large)|what (percentage|share|price|amount)|(vote|exact) (count|tally|number)"
    r"|by what margin|(?:what|which) year)\b", re.I)
def key_terms(question: str) -> set[str]:
    """Stems of the names and numbers in a question: capitalised words that are not question
    words or sentence-initial stop words, and digits. An answer must be about all of them."""
    out = set()
    for i, w in enumerate(words(question)):
        lw = w.lower()
        if w[0].isdigit():
            out.add(lw)
        elif w[0].isupper() and lw not in QUESTION_WORDS and not (i == 0 and lw in STOPWORDS):
            out.add(stem(w))
    return out


_WHERE_QUESTION = re.compile(r"^\s*where\b", re.I)
_PLACE = re.compile(r"\b(?:in|at|near|outside|inside|to|from)\s+((?:[\w'’-]+\s+){0,3}?)([A-Z][\w'’-]+)(?:\s+([\w'’-]+))?")


def asks_where(question: str) -> bool:
    return bool(_WHERE_QUESTION.search(question))


def names_a_place(question: str, text: str) -> bool:
    """Does ``text`` put something at a named place the question does not already name ("in
    Geneva", "at the intersection of Perth Road"; a capitalised word at most three words after
    the preposition), as an answer to "where…?" must?"""
    asked = key_terms(question)
    return any(stem(m.group(2)) not in asked and m.group(2).lower() not in CALENDAR_NAMES
               and not (m.group(3) and stem(m.group(3)) in asked) for m in _PLACE.finditer(text))


def speech_topic(question: str) -> set[str]:
    """The stems of what a "what did X say about Y?" question asks about (Y; empty without "about")."""
    m = re.search(r"\babout\b(.+)$", question, re.I)
    return set(content_terms(m.group(1))) if m else set()


def asks_for_amount(question: str) -> bool:
    return bool(_AMOUNT_QUESTION.search(question))


def _is_number(w: str) -> bool:
    """Digits, or a number word in lower case ("Four Seasons" is a name, not a number)."""
    return w[0].isdigit() or (w.islower() and w in NUMBER_WORDS)


_COUNTED = re.compile(r"\bhow many ((?:[\w'’-]+ ){0,3}?[\w'’-]+?)(?= (?:are|is|were|was|have|has|had|did|do|does|will|would|can|could)\b|\?|$)", re.I)
_YEAR_QUESTION = re.compile(r"\b(?:what|which) year\b", re.I)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def answers_amount(question: str, text: str) -> bool:
    """Can ``text`` hold the amount an amount question asks for? A number that is not a stretch
    of time ("two weeks ago") unless time is asked for; for "how many <things>", when the sentence
    names those things, a number just before them ("blasted several vehicles, killing 14 people"
    does not say how many vehicles); for "what year", a year."""
    if _YEAR_QUESTION.search(question):
        return bool(_YEAR.search(text))
    ws = words(text)
    asked = {w.lower() for w in words(question)}
    time_asked = bool(asked & TIME_UNITS) or bool(re.search(r"\bhow (long|old)\b", question, re.I))
    numbers = [i for i, w in enumerate(ws) if (_is_number(w) or (i == 0 and _is_number(w.lower())))
               and (time_asked or not (i + 1 < len(ws) and ws[i + 1].lower() in TIME_UNITS))]
    if not numbers:
        return False
    m = _COUNTED.search(question)
    thing = stem(m.group(1).split()[-1]) if m else ""
    at = [i for i, w in enumerate(ws) if stem(w) == thing]
    return not at or any(0 < i - n <= 4 for i in at for n in numbers)


def stems(text: str) -> set[str]:
    """Every word's stem, stop words included (for matching names and numbers)."""
    return {w.lower() if w[0].isdigit() else stem(w) for w in words(text)}
