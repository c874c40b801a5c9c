"""Small text utilities shared by retrieval and answering: terms, stems, stop words."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from .lexicon import (HONORIFICS, NUMBER_WORDS, PAST_FORM_LEMMAS, QUESTION_SPEECH_FORMS, QUESTION_WORDS, ROLE_NOUNS,
                      SPEECH_FORMS, STOPWORDS)

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
    if any(not _someone_else(text, next(m.start(g) for g in ("who", "who2", "who3") if m.group(g)), name)
           for m in near.finditer(text)):
        return True
    return bool(_PRONOUN_SPEAKS.search(text)) and any(not _someone_else(previous, m.start(), name)
                                                      for m in mention.finditer(previous))


def _someone_else(text: str, at: int, name: str) -> bool:
    """Is the name word at ``at`` another person's ("Jo Doe" when "Ann Doe" is asked
    about): right after a capitalised word that is another given name?"""
    before = re.search(r"([A-Z][\w'’.-]*)\s+$", text[:at])
    return before is not None and len(name.split()) > 1 and another_given_name(before.group(1), name)


def another_given_name(word: str, name: str) -> bool:
    """Is ``word``, standing before a surname, a given name that ``name`` does not have ("Jo"
    before "Doe" when "Ann Doe" is meant)? Titles, initials and small words are not."""
    w = word.lower().strip(".,’'")
    return len(w) > 1 and w not in {x.lower().strip(".,’'") for x in name.split()} \
        and w not in ROLE_NOUNS | HONORIFICS and w not in STOPWORDS


# "he said", "she later told", and the inverted "…," said he. — not "Doe said he was waiting" (Doe speaks).
_PRONOUN_SPEAKS = re.compile(rf"\b(?:he|she)\s+(?:\w+\s+)?{_SPEECH_WORD}\b|\b{_SPEECH_WORD}\s+(?:he|she)\b(?=\s*(?:[,.;:!?]|$))",
                             re.I)


@lru_cache(maxsize=256)
def _speaks_patterns(name: str):
    """Compiled once per name (the gate checks every candidate sentence of a question)."""
    parts = [re.escape(w.strip(".,’'")) for w in name.split() if len(w.strip(".,’'")) >= 3 and w[:1].isupper()]
    if not parts:
        return None
    last = "(?:" + "|".join(parts) + ")"  # any word of the name: "Ministry of Environment" is "the ministry"
    near = (rf"\b(?P<who>{last})\b(?:,[^,.]{{0,80}},)?\s+(?:\w+\s+){{0,2}}?\b{_SPEECH_WORD}\b"
            rf"|\b{_SPEECH_WORD}\b\s+(?:[\w.]+\s+){{0,4}}?(?P<who2>{last})\b"
            rf"|according to\s+(?:[\w.]+\s+){{0,4}}?(?P<who3>{last})\b")
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


_YEAR_QUESTION = re.compile(r"\b(what|which) year\b", re.I)
_DATE_QUESTION = re.compile(r"\b(what|which) (date|day)\b", re.I)
_HOW_MANY = re.compile(r"\bhow many\b", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b|\b(last|this|next|that) year\b", re.I)
_MONTHS = "january february march april june july august september october november december"  # "may": below
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"
_DATE = re.compile(r"\b(%s|%s|yesterday|today|tonight|tomorrow)\b|\bmay\s+\d{1,2}\b|\b\d{1,2}\s+may\b"
                   r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b|\b(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d"
                   % (_MONTHS.replace(" ", "|"), _WEEKDAYS.replace(" ", "|")), re.I)
_NOT_A_COUNT = re.compile(r"^(\d[\d,.]*\s*(%|per\s?cent\b|percent\b)|(1[5-9]\d\d|20\d\d)s?\b)", re.I)

_COUNT_STOP = frozenset("are were is was did do does have has had will would can could of in at on for to per from been "
                        "be the a an that who which".split())
_IRREGULAR_PLURALS = frozenset("children men women police staff cattle sheep fish aircraft feet teeth mice geese".split())
# Nouns a count is so often given without ("the crash killed 14", "it happened twice"): language, not topics.
_GENERIC_COUNTED = frozenset({"people", "persons", "times", "ones"})


def counted_noun(question: str) -> str:
    """The stem of what a "how many" question counts: the last plural noun before its verb ("How
    many US light infantry troops are…": troop; "How many diplomats work…": diplomat), or ""
    when it counts people or times (which a sentence may count without naming) or none is seen."""
    m = _HOW_MANY.search(question)
    if not m:
        return ""
    found = ""
    for w in words(question[m.end():])[:6]:
        low = w.lower()
        if low in _COUNT_STOP or (low.endswith("ed") and len(low) > 4):
            break
        if low in _IRREGULAR_PLURALS or (low.endswith("s") and not low.endswith("ss") and not w.isupper()):
            found = low
    return "" if not found or found in _GENERIC_COUNTED else stem(found)


def answer_kind(question: str) -> str:
    """What kind of fact a question asks for, where the kind can be checked in a sentence:
    "year" (in what year), "date" (on what date / which day), "count" (how many), "amount"
    (how much, how far, what percentage…), else ""."""
    if _YEAR_QUESTION.search(question):
        return "year"
    if _DATE_QUESTION.search(question):
        return "date"
    if _HOW_MANY.search(question):
        return "count"
    return "amount" if asks_for_amount(question) else ""


def has_kind(text: str, kind: str) -> bool:
    """Does ``text`` hold a fact of that :func:`answer_kind`: a year, a date (a month, a weekday,
    "yesterday"…), a count (a number that is not a percentage or a year), any number?"""
    if kind == "year":
        return bool(_YEAR.search(text))
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "count":
        return any(not _NOT_A_COUNT.match(text[m.start():]) for m in re.finditer(r"(?<![\w.])\d", text)) or \
            any(w.islower() and w in NUMBER_WORDS for w in words(text))
    return has_number(text) if kind == "amount" else True


def has_number(text: str) -> bool:
    """Digits, or a number word in lower case ("Four Seasons" is a name, not a number)."""
    return any(w[0].isdigit() or (w.islower() and w in NUMBER_WORDS) for w in words(text))


def stems(text: str) -> set[str]:
    """Every word's stem, stop words included (for matching names and numbers)."""
    return {w.lower() if w[0].isdigit() else stem(w) for w in words(text)}


_WHO_QUESTION = re.compile(r"^\W*who\b", re.I)
_ROLE_QUESTION = re.compile(r"^\W*who\s+(?:is|was|are|were)\s+(?:(?:the|a|an)\s+|(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*['’]s?\s+)"
                            r"(.+)$", re.I)  # "Who is the <role>…", "Who is Jo Doe's <role>…"
_CALENDAR_WORDS = frozenset((_MONTHS + " may " + _WEEKDAYS).split())
_ROLE_WINDOW = 4  # words between a role noun and the name it goes with ("spokesman Colonel Ana Ruiz")


def asks_who(question: str) -> bool:
    """Does the question ask who (a person or a body that did something)?"""
    return bool(_WHO_QUESTION.match(question))


def role_noun(question: str) -> str:
    """For "Who is/was the <role>…?" or "Who is <name>'s <role>?", the role's head noun ("Who
    was the Israeli Defence Ministry spokesman who said…": "spokesman"; "Who is the commander
    of…": "commander"; "Who is Jo Doe's lawyer?": "lawyer"), else ""."""
    m = _ROLE_QUESTION.match(question)
    if not m:
        return ""
    head = ""
    for w in words(m.group(1)):
        if w[0].isupper():
            if head:  # a name after the role ("the commander Smith…") ends it
                break
            continue
        if w.lower() in STOPWORDS:
            break
        head = w.lower()
    return head


_DESCRIBED_SPEAKER = re.compile(r"^\s*(?:what|how|why|when)\s+(?:did|does|do|has|have|had|will|would|is|are|was|were)\s+"
                                r"(.{1,60}?)\s+" + SPEECH_VERBS.pattern, re.I)


def described_speaker(question: str) -> set[str]:
    """For "what did the mayor say…", the stems of the description that stands for the speaker
    ({"mayor"}); empty when the question names someone (a capitalised word) or asks no such thing."""
    m = _DESCRIBED_SPEAKER.match(question)
    if not m or any(w[:1].isupper() for w in words(m.group(1))):
        return set()
    return stems(" ".join(w for w in words(m.group(1)) if w.lower() not in STOPWORDS))


def names_someone(text: str, question: str, role: str = "") -> bool:
    """Does ``text`` name someone the question does not (a capitalised word that does not open
    the sentence, is no stop word or calendar word, and whose stem is not in the question)? With
    ``role``, the name must stand within a few words of that role noun ("commander Ana Ruiz",
    "Ruiz, a local commander"): a sentence about "a local commander" who is never named, or one
    naming people but not the spokesman asked about, is no answer to "who was the spokesman"."""
    asked = stems(question)
    tokens = words(text)
    named = [i for i, w in enumerate(tokens) if w[0].isupper() and (i > 0 or len(tokens) > 1 and tokens[1][0].isupper())
             and w.lower() not in STOPWORDS and w.lower() not in _CALENDAR_WORDS
             and stem(w.split("-")[0]) not in asked]
    if not role:
        return bool(named)
    role_stem = stem(role)
    at = [i for i, w in enumerate(tokens) if w.islower() and stem(w) == role_stem]
    return any(abs(i - j) <= _ROLE_WINDOW for i in named for j in at)
