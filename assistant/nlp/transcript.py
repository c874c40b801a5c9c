"""Interview and broadcast transcripts: turns of speech marked by a label, not by quotation marks.

Transcripts print each turn as "LABEL: words", the label being the speaker's name ("DOE:",
"Jane Doe:", "SEN. JANE DOE (D-OH):", "JOHN DOE, CHIEF CORRESPONDENT:") or "Q:" and "A:". A
paragraph opening with such a label is a turn. An article holds a transcript only when it reads
as a dialogue: at least three turns, at least two different speakers, and a speaker who speaks
again after someone else (a run of "NOTE:" or "REGION X:" headings is not a dialogue).

Each turn runs from after its label to the end of its paragraph; an unlabelled paragraph between
two turns carries on the turn before it when it speaks in the first or second person and has no
quotation marks (prose between turns is the reporter's). A named label resolves to the fullest
form of that name the article gives ("DOE:" is "Jane Doe" where the article names her so); "A:"
resolves to the one person named before the transcript starts, if there is exactly one; "Q:"
turns (the interviewer's questions) are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import HONORIFICS, ROLE_NOUNS

_LABEL = re.compile(r"([^:\n]{1,80}?):(?:\s+|$)")
_PAREN = re.compile(r"\s*\([^)]{0,40}\)")
_NAME_WORD = re.compile(r"[A-Z][\w'’-]*\.?$")
_PARTICLES = frozenset("de da del der di du la le van von bin al el ibn st".split())
# Headings that take a colon in news text and are no one's turn.
_NOT_SPEAKERS = frozenset(
    """note notes update updated correction clarification editor's editors' disclaimer warning source sources
    photo photos video watch read related listen advertisement breaking exclusive analysis opinion also
    more see click tags topics category share subscribe published posted""".split()
)
_QUESTION_LABELS = frozenset({"q", "question"})
_ANSWER_LABELS = frozenset({"a", "answer"})
_FIRST_SECOND_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|me|my|we|we're|we’re|us|our|you|your)\b",
                                  re.I)
_QUOTE_MARK = re.compile(r"[\"“”]")
_MIN_TURNS = 3


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: ``text[start:end]`` spoken by ``speaker`` ("" when not known), in
    paragraph ``paragraph``, marked by ``label`` (the label's words, as printed)."""

    start: int
    end: int
    paragraph: int
    label: str
    speaker: str


@dataclass(frozen=True)
class _Labelled:
    paragraph: int
    label: str  # as printed, without the colon
    key: str  # the word that identifies the speaker: "q", "a" or the surname, lower case
    start: int  # where the turn's words begin


def _label_name(label: str) -> str:
    """The name part of a label: "SEN. JANE DOE (D-OH), CHAIR" gives "SEN. JANE DOE"."""
    return _PAREN.sub("", label).split(",")[0].strip()


def _speaker_key(label: str) -> str:
    """The lower-case surname a label names ("q"/"a" for questions and answers), or "" when the
    label is not a speaker's name."""
    words = _label_name(label).split()
    if not 1 <= len(words) <= 5:
        return ""
    if not all(_NAME_WORD.match(w) or w.lower() in _PARTICLES for w in words):
        return ""
    lower = [w.lower().strip(".") for w in words]
    if lower[0] in _NOT_SPEAKERS or (len(words) == 1 and lower[0] in _QUESTION_LABELS | _ANSWER_LABELS):
        return lower[0] if lower[0] in _QUESTION_LABELS | _ANSWER_LABELS else ""
    if all(w in ROLE_NOUNS or w in HONORIFICS for w in lower):
        return ""  # "THE PRESIDENT:" names a role, and roles are not resolved here
    return lower[-1].strip("'’")


def _labelled(text: str, paragraphs: list[tuple[int, int]]) -> list[_Labelled]:
    out = []
    for i, (ps, pe) in enumerate(paragraphs):
        m = _LABEL.match(text, ps, pe)
        if not m or _QUOTE_MARK.search(m.group(1)):
            continue
        key = _speaker_key(m.group(1))
        if key:
            out.append(_Labelled(i, m.group(1).strip(), key, min(m.end(), pe)))
    return out


def _names_someone(text: str, key: str, label: str, labels: list[tuple[int, int]]) -> bool:
    """Is a label's surname a name: never written in lower case in the article, and either given
    in the prose (capitalised, not as a label) or part of a full name in the label ("JANE DOE:")?
    Field names ("Severity:", "Ownership:") fail: they are words of the prose too."""
    if key in _QUESTION_LABELS | _ANSWER_LABELS:
        return True
    word = re.compile(r"(?<![\w'’])" + re.escape(key) + r"(?![\w])", re.I)
    found = [m for m in word.finditer(text) if not any(s <= m.start() < e for s, e in labels)]
    if any(m.group().islower() for m in found):
        return False
    in_prose = any(m.group()[0].isupper() and not m.group().isupper() for m in found)
    return in_prose or len(_label_name(label).split()) >= 2


def _is_dialogue(turns: list[_Labelled]) -> bool:
    keys = [t.key for t in turns]
    if len(keys) < _MIN_TURNS or len(set(keys)) < 2:
        return False
    return any(keys[j] in keys[:j] and keys[j] != keys[j - 1] for j in range(1, len(keys)))


def _given_names(prefix: str) -> list[str]:
    """The given name just before a surname ("Jane", "Donald J."), titles and possessives left out."""
    words = prefix.split()
    out: list[str] = []
    for w in reversed(words):
        if w.lower().strip(".") in ROLE_NOUNS | HONORIFICS or w.endswith(("'s", "’s", "'", "’")):
            break
        out.insert(0, w)
        if not (len(w) == 2 and w.endswith(".")):  # keep going past a middle initial only
            break
    return out if out and not any(w.isupper() and len(w) > 2 for w in out) else []


def _full_name(text: str, key: str, label: str, outside: list[tuple[int, int]]) -> str:
    """The fullest form of the surname ``key`` the article gives outside the labels ("Jane Doe"),
    else the label's own name in the article's capitalisation."""
    best = ""
    pattern = re.compile(r"\b((?:[A-Z][\w'’.-]*\s+){1,3})((?i:" + re.escape(key) + r"))\b")
    for m in pattern.finditer(text):
        if any(s <= m.start() < e for s, e in outside) or not m.group(2)[0].isupper() or m.group(2).isupper():
            continue
        given = _given_names(m.group(1))
        if given and len(" ".join([*given, m.group(2)])) > len(best):
            best = " ".join([*given, m.group(2)])
    if best:
        return best
    words = [w for w in _label_name(label).split() if w.lower().strip(".") not in ROLE_NOUNS]
    return " ".join(w.capitalize() if w.isupper() and len(w) > 1 else w for w in words)


def _interviewee(text: str, before: int, load_nlp) -> str:
    """The one person named before the transcript starts ("" when none or several)."""
    if load_nlp is None or before <= 0:
        return ""
    people: dict[str, str] = {}
    for ent in load_nlp()(text[:before]).ents:
        if ent.label_ == "PERSON" and len(ent.text.split()) >= 2:
            people.setdefault(ent.text.split()[-1].lower(), ent.text)
    return next(iter(people.values())) if len(people) == 1 else ""


def _carries_on(text: str, ps: int, pe: int) -> bool:
    """Does an unlabelled paragraph read as more of the same turn (first or second person, no quotes)?"""
    part = text[ps:pe]
    return bool(_FIRST_SECOND_PERSON.search(part)) and not _QUOTE_MARK.search(part)


def transcript_turns(text: str, paragraphs: list[tuple[int, int]], load_nlp=None) -> list[Turn]:
    """The turns of the transcript in ``text`` (none when it holds no dialogue; see the module
    docstring). ``load_nlp``: returns a spaCy pipeline; called only to find who answers "A:" turns."""
    labelled = _labelled(text, paragraphs)
    label_spans = [(paragraphs[t.paragraph][0], t.start) for t in labelled]
    labelled = [t for t in labelled if _names_someone(text, t.key, t.label, label_spans)]
    if not _is_dialogue(labelled):
        return []
    names: dict[str, str] = {}
    for t in labelled:
        if t.key in _ANSWER_LABELS:
            names.setdefault(t.key, _interviewee(text, paragraphs[labelled[0].paragraph][0], load_nlp))
        elif t.key not in _QUESTION_LABELS:
            names.setdefault(t.key, _full_name(text, t.key, t.label, label_spans))
    turns: list[Turn] = []
    for j, t in enumerate(labelled):
        if t.key in _QUESTION_LABELS:
            continue
        pe = paragraphs[t.paragraph][1]
        bare = t.start >= pe  # the label stands alone; its words are the next paragraph
        if not bare:
            turns.append(Turn(t.start, pe, t.paragraph, t.label, names[t.key]))
        last = labelled[j + 1].paragraph if j + 1 < len(labelled) else t.paragraph + 1 + bare
        for i in range(t.paragraph + 1, last):
            ps, pe = paragraphs[i]
            if not (bare and i == t.paragraph + 1) and not _carries_on(text, ps, pe):
                break
            turns.append(Turn(ps, pe, i, t.label, names[t.key]))
    return turns
