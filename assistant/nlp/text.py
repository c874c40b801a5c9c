"""Small text utilities shared by retrieval and answering: terms, stems, stop words."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from .lexicon import PAST_FORM_LEMMAS, NUMBER_WORDS, QUESTION_SPEECH_FORMS, QUESTION_WORDS, SPEECH_FORMS, STOPWORDS

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
    r"|by what margin)\b", re.I)
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


def asks_for_amount(question: str) -> bool:
    return bool(_AMOUNT_QUESTION.search(question))


def has_number(text: str) -> bool:
    """Digits, or a number word in lower case ("Four Seasons" is a name, not a number)."""
    return any(w[0].isdigit() or (w.islower() and w in NUMBER_WORDS) for w in words(text))


def stems(text: str) -> set[str]:
    """Every word's stem, stop words included (for matching names and numbers)."""
    return {w.lower() if w[0].isdigit() else stem(w) for w in words(text)}
