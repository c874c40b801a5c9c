"""Small text utilities shared by retrieval and answering: terms, stems, stop words."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from .lexicon import SPEECH_FORMS

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


_STEMMER = snowballstemmer.stemmer("english")
_PREFIX = 7  # Snowball leaves 'contributor'/'contribut' apart; a 7-letter prefix joins them

# Bump when ``stem`` changes: indexes built from stems (BM25) are rebuilt when it differs.
STEM_VERSION = 2

# Irregular past forms common in news, mapped to their base verb so "meet" finds "met".
# Forms that are mostly other words in news ("left", "led", "won", "saw", "found", "fed", "wound") are left out.
_IRREGULAR = {
    "met": "meet", "spoke": "speak", "spoken": "speak", "took": "take", "taken": "take", "gave": "give",
    "given": "give", "went": "go", "gone": "go", "came": "come", "made": "make", "sold": "sell",
    "bought": "buy", "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "ran": "run",
    "began": "begin", "begun": "begin", "held": "hold", "brought": "bring", "thought": "think",
    "chose": "choose", "chosen": "choose", "drove": "drive", "driven": "drive", "grew": "grow",
    "grown": "grow", "knew": "know", "known": "know", "paid": "pay", "sent": "send", "spent": "spend",
    "struck": "strike", "wrote": "write", "written": "write", "fought": "fight", "sought": "seek",
    "kept": "keep", "lost": "lose", "built": "build", "flew": "fly", "flown": "fly", "sank": "sink",
    "shot": "shoot", "stood": "stand", "understood": "understand", "withdrew": "withdraw",
    "withdrawn": "withdraw", "arose": "arise", "forbade": "forbid", "forgave": "forgive", "froze": "freeze",
    "frozen": "freeze", "hid": "hide", "hidden": "hide", "sprang": "spring", "stole": "steal",
    "stolen": "steal", "swore": "swear", "sworn": "swear", "threw": "throw", "thrown": "throw",
    "overtook": "overtake", "undertook": "undertake", "broke": "break", "broken": "break", "caught": "catch", "dealt": "deal",
    "drew": "draw", "drawn": "draw", "felt": "feel", "forgot": "forget", "hung": "hang",
    "heard": "hear", "meant": "mean", "rode": "ride", "sang": "sing", "sat": "sit",
    "slid": "slide", "spun": "spin", "swept": "sweep", "taught": "teach",
    "tore": "tear", "torn": "tear", "woke": "wake", "wore": "wear", "worn": "wear",
}
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
    w = _IRREGULAR.get(w, w)
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


QUESTION_WORDS = frozenset(
    "what who whom whose which where when why how did does do is are was were and but so also can could "
    "would will has have had".split()
)
_AMOUNT_QUESTION = re.compile(
    r"\b(how (many|much|far|long|old|big|large)|what (percentage|share|price|amount)|(vote|exact) (count|tally|number)"
    r"|by what margin)\b", re.I)
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions billion billions mln bln dozen".split()  # not "one": "one of the"
)


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
    return any(w[0].isdigit() or (w.islower() and w in _NUMBER_WORDS) for w in words(text))


def stems(text: str) -> set[str]:
    """Every word's stem, stop words included (for matching names and numbers)."""
    return {w.lower() if w[0].isdigit() else stem(w) for w in words(text)}
