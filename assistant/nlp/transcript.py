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
turns (the interviewer's questions) are left out. Labels may also be "Q."/"A.", a role
("INTERVIEWER:" asks, "GUEST:" answers), initials ("JD:" is the one person named Jane Doe; an
outlet's initials that name no one ask) or follow a timestamp ("[00:12:31] DOE:").

Interviews printed without labels (the questions in bold or as subheads, which the extracted text
no longer shows) are read from their shape: at least three question paragraphs, most of them
asking "you", each followed by an answer in the first person. The answers, up to the next
question, are the interviewee's. Who answers "A:" turns and unlabelled answers: the person named
before the interview starts, or of several, the one the headline names, else the one named most
often in the article (none when that is a tie).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import HONORIFICS, ROLE_NOUNS

_TIMESTAMP = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+)?"  # "[00:12:31] " before a label
_LABEL = re.compile(_TIMESTAMP + r"([^:\n]{1,80}?):(?:\s+|$)")
_DOT_LABEL = re.compile(_TIMESTAMP + r"(Q|A|Question|Answer)\.\s+")  # "Q. Where were you?"
_INITIALS = re.compile(r"(?:[A-Z]\.?){2,4}$")
_PAREN = re.compile(r"\s*\([^)]{0,80}\)")
_NAME_WORD = re.compile(r"[A-Z][\w'’-]*\.?$")
_POSSESSIVE = re.compile(r"['’]s$")
_PARTICLES = frozenset("de da del der di du la le van von bin al el ibn st".split())
# Headings that take a colon in news text and are no one's turn.
_NOT_SPEAKERS = frozenset(
    """note notes update updated correction clarification editor's editors' disclaimer warning source sources
    photo photos video watch read related listen advertisement breaking exclusive analysis opinion also
    more see click tags topics category share subscribe published posted""".split()
)
_QUESTION_LABELS = frozenset({"q", "question", "interviewer", "host", "moderator", "presenter", "anchor"})
_ANSWER_LABELS = frozenset({"a", "answer", "interviewee", "guest"})
_FIRST_SECOND_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|me|my|we|we're|we’re|us|our|you|your)\b",
                                  re.I)
_QUOTE_MARK = re.compile(r"[\"“”]")
_STAGE = re.compile(r"\s*[\[(][^\])]*[\])]\s*$|[^.!?…\"“”’]*$")  # "(SOUNDBITE OF MUSIC)", a heading
_MIN_TURNS = 3
# Who meets whom, said one way only ("spoke to" goes both ways: "he spoke to our reporter").
_MEETING = r"sat down with|caught up with|interviewed|(?:an |the |in )?(?:interview|conversation|Q&A) with|asked|quizzed"


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: ``text[start:end]`` spoken by ``speaker`` ("" when not known), in
    paragraph ``paragraph``, marked by ``label`` (as printed: "DOE:", "A."; "" for an unlabelled answer)."""

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
    mark: str = ":"  # what follows the label: ":" or "." ("Q. Where were you?")


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
    if len(words) == 1 and _INITIALS.match(words[0]) and lower[0] not in _QUESTION_LABELS | _ANSWER_LABELS:
        return lower[0]  # "MS:" is someone's initials, not "Ms"
    if lower[0] in _NOT_SPEAKERS or (len(words) == 1 and lower[0] in _QUESTION_LABELS | _ANSWER_LABELS):
        return lower[0] if lower[0] in _QUESTION_LABELS | _ANSWER_LABELS else ""
    if all(w in ROLE_NOUNS or w in HONORIFICS for w in lower):
        return ""  # "THE PRESIDENT:" names a role, and roles are not resolved here
    return lower[-1].strip("'’")


def _labelled(text: str, paragraphs: list[tuple[int, int]]) -> list[_Labelled]:
    out = []
    for i, (ps, pe) in enumerate(paragraphs):
        dot = _DOT_LABEL.match(text, ps, pe)
        m = dot or _LABEL.match(text, ps, pe)
        if not m or _QUOTE_MARK.search(m.group(1)):
            continue
        key = _speaker_key(m.group(1))
        if key in _QUESTION_LABELS | _ANSWER_LABELS:
            key = "q" if key in _QUESTION_LABELS else "a"  # "Q:", "Question:", "HOST:" all ask
        if key:
            out.append(_Labelled(i, m.group(1).strip(), key, min(m.end(), pe), "." if dot else ":"))
    return out


def _askers(text: str, paragraphs: list[tuple[int, int]], labelled: list[_Labelled]) -> set[str]:
    """The interviewers of a dialogue: speakers a label calls so ("HOST JO DOE:", "DOE, MODERATOR:")
    or at least half of whose turns end in a question, when someone else answers (their turns
    are left out, as "Q:" turns are)."""
    asked: dict[str, list[bool]] = {}
    called = set()
    for t in labelled:
        asked.setdefault(t.key, []).append(text[t.start : paragraphs[t.paragraph][1]].rstrip().endswith("?"))
        if {w.strip(".,()").lower() for w in t.label.split()} & _QUESTION_LABELS:
            called.add(t.key)
    askers = {k for k, v in asked.items() if k != "a" and (k in called or 2 * sum(v) >= len(v))}
    return askers if set(asked) - askers - {"q"} else set()


def _unnamed_askers(text: str, paragraphs: list[tuple[int, int]], unnamed: list[_Labelled]) -> set[str]:
    """Labels of one word that the article never gives as a name ("Ruth:", the interviewer's
    first name) but that ask, at least two turns in three ending in a question: an interviewer."""
    asked: dict[str, list[bool]] = {}
    for t in unnamed:
        if len(t.label.split()) == 1 and t.label[:1].isupper() and not re.search(rf"\b{re.escape(t.key)}\b", text):
            asked.setdefault(t.key, []).append(text[t.start : paragraphs[t.paragraph][1]].rstrip().endswith("?"))
    return {k for k, v in asked.items() if len(v) >= 2 and 3 * sum(v) >= 2 * len(v)}


def _INTERVIEWED(surname: str) -> re.Pattern:
    """"sat down with Jo Doe", "interviewed the mayor, Jo Doe", "We spoke to Jo Doe": Doe is interviewed."""
    return re.compile(rf"(?:\b(?:{_MEETING})|\b(?:we|I)\s+(?:spoke|talked|chatted)\s+(?:to|with))"
                      rf"\s+(?:[\w’'.,-]+\s+){{0,6}}?{re.escape(surname)}\b", re.I)


def _by_initials(text: str, label: str) -> str:
    """The one full name in ``text`` whose initials a label gives ("JD" or "J.D.": Jane Doe), or ""."""
    letters = label.replace(".", "")
    if not _INITIALS.match(label) or letters.lower() in _QUESTION_LABELS | _ANSWER_LABELS:
        return ""
    pattern = r"\b" + r"[\w'’-]*\s+".join(letters) + r"[\w'’-]*\b"
    found = {m.group() for m in re.finditer(pattern, text) if m.group() != letters and not m.group().isupper()}
    return next(iter(found)) if len(found) == 1 else ""


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
    """The fullest form of the surname ``key`` the article gives outside the labels ("Jane Doe");
    for a first name alone ("Jane:"), the one full name it begins; else the label's own name in
    the article's capitalisation."""
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
    if len(_label_name(label).split()) == 1:  # a first name as the label ("Jane:"), "Jane Doe" in the prose
        after = re.compile(r"\b((?i:" + re.escape(key) + r"))\s+([A-Z][\w'’-]+)")
        found = {m.group(1) + " " + _POSSESSIVE.sub("", m.group(2)) for m in after.finditer(text)
                 if m.group(1)[0].isupper() and not m.group(1).isupper() and not any(s <= m.start() < e for s, e in outside)
                 and m.group(2).lower() not in ROLE_NOUNS}
        if len(found) == 1:
            return found.pop()
    words = [w for w in _label_name(label).split() if w.lower().strip(".") not in ROLE_NOUNS | _QUESTION_LABELS]
    return " ".join(w.capitalize() if w.isupper() and len(w) > 1 else w for w in words)


def _interviewee(text: str, before: int, load_nlp, title: str = "") -> str:
    """Who answers: the person named before the interview starts; of several, the one the
    introduction or headline says was interviewed ("sat down with Jo Doe"), else the one the
    headline names, else the one whose surname the article gives most often ("" on a tie).
    A person-shaped name the tagger took for a body counts as a person."""
    from .attribution import name_words, personal_name

    if load_nlp is None or before <= 0:
        return ""
    people: dict[str, str] = {}
    for ent in load_nlp()(text[:before]).ents:
        name = " ".join(name_words(re.sub(r"['’]s?$", "", ent.text).split()))
        if ent.label_ == "PERSON" and len(name.split()) >= 2 or ent.label_ == "ORG" and personal_name(name):
            people.setdefault(name.split()[-1].lower(), name)
    if len(people) <= 1:
        return next(iter(people.values()), "")
    for found in ([n for key, n in people.items() if _INTERVIEWED(key).search(f"{title}\n{text[:before]}")],
                  [n for key, n in people.items() if re.search(rf"\b{re.escape(key)}\b", title, re.I)]):
        if len(found) == 1:
            return found[0]
    counts = sorted(((len(re.findall(rf"\b{re.escape(key)}\b", text, re.I)), n) for key, n in people.items()),
                    reverse=True)
    return counts[0][1] if counts[0][0] > counts[1][0] else ""


def _carries_on(text: str, ps: int, pe: int) -> bool:
    """Does an unlabelled paragraph read as more of the same turn (first or second person, no quotes)?"""
    part = text[ps:pe]
    return bool(_FIRST_SECOND_PERSON.search(part)) and not _QUOTE_MARK.search(part)


def transcript_turns(text: str, paragraphs: list[tuple[int, int]], load_nlp=None, title: str = "") -> list[Turn]:
    """The turns of the transcript in ``text`` (none when it holds no dialogue; see the module
    docstring). ``load_nlp``: returns a spaCy pipeline; called only to find who answers "A:" turns
    and unlabelled answers. ``title``: the article's headline, which names an interviewee."""
    labelled = _labelled(text, paragraphs)
    label_spans = [(paragraphs[t.paragraph][0], t.start) for t in labelled]
    initials = {t.key: _by_initials(text, t.label) for t in labelled if _INITIALS.match(t.label)}
    if any(initials.values()):  # "JD:" answers and an outlet's "TDH:" asks
        labelled = [t if not _INITIALS.match(t.label) or initials[t.key] else
                    _Labelled(t.paragraph, t.label, "q", t.start, t.mark) for t in labelled]
    named = [t for t in labelled if initials.get(t.key) or _names_someone(text, t.key, t.label, label_spans)]
    asking = _unnamed_askers(text, paragraphs, [t for t in labelled if t not in named])
    labelled = [t if t in named else _Labelled(t.paragraph, t.label, "q", t.start, t.mark)
                for t in labelled if t in named or t.key in asking]
    if not _is_dialogue(labelled):
        return _unlabelled_turns(text, paragraphs, load_nlp, title)
    askers = _askers(text, paragraphs, labelled)
    labelled = [_Labelled(t.paragraph, t.label, "q", t.start, t.mark) if t.key in askers else t for t in labelled]
    start = paragraphs[labelled[0].paragraph][0]
    names: dict[str, str] = {}
    for t in labelled:
        if t.key == "a":
            names.setdefault(t.key, _interviewee(text, start, load_nlp, title))
        elif t.key != "q":
            names.setdefault(t.key, initials.get(t.key) or _full_name(text, t.key, t.label, label_spans))
    turns: list[Turn] = []
    for j, t in enumerate(labelled):
        if t.key == "q" or not names[t.key]:
            continue
        pe = paragraphs[t.paragraph][1]
        bare = t.start >= pe  # the label stands alone; its words are the next paragraph
        if not bare:
            turns.append(Turn(_answer_start(text, t.start, pe, ""), pe, t.paragraph, t.label + t.mark, names[t.key]))
        inside = j + 1 < len(labelled)  # the paragraphs up to the next label: the same turn
        last = labelled[j + 1].paragraph if inside else t.paragraph + 1 + bare
        for i in range(t.paragraph + 1, last):
            ps, pe = paragraphs[i]
            if _STAGE.match(text, ps, pe) or not (inside or bare and i == t.paragraph + 1 or _carries_on(text, ps, pe)):
                break
            turns.append(Turn(_answer_start(text, ps, pe, ""), pe, i, t.label + t.mark, names[t.key]))
    answering = {n for k, n in names.items() if n}
    if len(answering) == 1 and turns:  # a quick-fire round after the interview
        after = max(turns[-1].paragraph, labelled[-1].paragraph) + 1
        turns += _quick_fire_turns(text, paragraphs, after, answering.pop())
    return turns


_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.I)
_MAX_QUESTION_WORDS = 80
_MAX_PROMPT_WORDS = 25
_MARKER = re.compile(r"\s*(?:[—–]|\d{1,2}[.)])\s+")  # "— Why …?", "3. Why …?": how some print their questions
# "Walk me through the night.", "Tell us about the first year.", "Describe the roof going."
_PROMPT = re.compile(r"\s*(?:[—–]\s*)?(?:(?:tell|walk|talk|take)\s+(?:me|us)\b|describe\b|explain\b)", re.I)
_INTERVIEW_CUE = re.compile(rf"\binterview|\bconversation\b|\bQ&A\b|\bedited\b|\bcondensed\b|\bquestions\b|{_MEETING}"
                            r"|\b(?:we|I)\s+(?:spoke|talked|chatted|met)\b", re.I)
# "Tea or coffee? Tea, always.": a quick-fire question and its answer in one paragraph
_QUICK_FIRE = re.compile(r"\s*(?:[—–]\s*)?[^?.!\"“”]{1,60}\?\s+(?=\S)")
# What may stand before an answer's words: a stage direction, a dash, the speaker's name in bold
_CUE = re.compile(r"\s*(?:[\[(][A-Z][A-Z ,'’-]*[\])]\s*|[—–]\s*)+")


def _is_question(part: str) -> bool:
    part = part.strip()
    if len(part.split()) > _MAX_QUESTION_WORDS or _QUOTE_MARK.match(part):
        return False
    return part.endswith("?") or (part.endswith(".") and len(part.split()) <= _MAX_PROMPT_WORDS and bool(_PROMPT.match(part)))


def _is_heading(part: str) -> bool:
    return not re.search(r"[.!?…\"“”’)]\s*$", part) and len(part.split()) <= 12


def _quick_fire(text: str, ps: int, pe: int) -> int | None:
    """Where the answer starts in a quick-fire paragraph ("Favourite word? Slack."), or None.
    The question asks in few words and not in the first person ("Was I scared? Yes." is an answer)."""
    m = _QUICK_FIRE.match(text, ps, pe)
    if not m or len(m.group().split()) > 10 or re.search(r"\b(?:I|me|my|we|our)\b", m.group()):
        return None
    return m.end()


def _answer_start(text: str, ps: int, pe: int, speaker: str) -> int:
    """Where an answer's words start: after stage directions ("(LAUGHTER)"), a dash and the
    speaker's name set before them in bold ("Doe Because …")."""
    cue = _CUE.match(text, ps, pe)
    at = cue.end() if cue else ps
    for name in (speaker, speaker.split()[-1]) if speaker else ():
        m = re.compile(re.escape(name) + r"\s+(?=[A-Z“\"])").match(text, at, pe)
        if m:
            return m.end()
    return at


def _questions(text: str, paragraphs: list[tuple[int, int]]) -> list[int]:
    """The paragraphs of an unlabelled interview that ask: questions and prompts; where most
    questions open with a dash or a number, every paragraph that does (the answers are set
    otherwise)."""
    asks = [i for i, (ps, pe) in enumerate(paragraphs) if _is_question(text[ps:pe])]
    marked = [i for i, (ps, pe) in enumerate(paragraphs) if _MARKER.match(text, ps, pe)]
    if asks and 2 * len(set(asks) & set(marked)) > len(asks):
        asks = sorted(set(asks) | set(marked))
    return asks


def _reads_as_interview(text: str, paragraphs: list[tuple[int, int]], answered: list[int], title: str) -> bool:
    """Answers in the first person to questions that ask "you"; or either of them, where the
    headline or the introduction says it is an interview ("edited for length", "sat down with")."""
    if len(answered) < _MIN_TURNS:
        return False
    first_person = sum(bool(_FIRST_SECOND_PERSON.search(text[slice(*paragraphs[i + 1])])) for i in answered)
    addressed = sum(bool(_SECOND_PERSON.search(text[slice(*paragraphs[i])])) for i in answered)
    said_so = bool(_INTERVIEW_CUE.search(f"{title}\n{text[: paragraphs[answered[0]][0]]}"))
    half = len(answered) / 2
    return first_person > half and addressed >= half or said_so and (first_person > half or addressed >= half)


def _unlabelled_turns(text: str, paragraphs: list[tuple[int, int]], load_nlp, title: str) -> list[Turn]:
    """An interview printed without labels (see the module docstring): its answers, or none."""
    asks = _questions(text, paragraphs)
    answered = [i for i in asks if i + 1 < len(paragraphs) and i + 1 not in asks]
    if not _reads_as_interview(text, paragraphs, answered, title):
        return []
    start = answered[0]  # a subhead that opens the interview ("On leaving the band"), answered in the first person
    while start > 1 and _carries_on(text, *paragraphs[start - 1]):
        start -= 1
    if start < answered[0] and _is_heading(text[slice(*paragraphs[start - 1])]):
        answered.insert(0, start - 1)
    who = _interviewee(text, paragraphs[answered[0]][0], load_nlp, title)
    if not who:
        return []
    turns: list[Turn] = []
    for n, q in enumerate(answered):
        end = answered[n + 1] if n + 1 < len(answered) else len(paragraphs)
        last = n + 1 == len(answered)
        for i in range(q + 1, end):
            ps, pe = paragraphs[i]
            if i > q + 1 and (last and (not _carries_on(text, ps, pe) or _quick_fire(text, ps, pe) is not None)
                              or who.split()[-1] in text[ps:pe] or _is_heading(text[ps:pe])):
                break  # the reporter's words after the answer ("Doe's book is out now"), a quick-fire round
            turns.append(Turn(_answer_start(text, ps, pe, who), pe, i, "", who))
    return turns + _quick_fire_turns(text, paragraphs, turns[-1].paragraph + 1 if turns else len(paragraphs), who)


def _quick_fire_turns(text: str, paragraphs: list[tuple[int, int]], after: int, who: str) -> list[Turn]:
    """The answers of a quick-fire round after an interview: paragraphs that hold a short question
    and its answer, from paragraph ``after`` on (a subhead before them allowed)."""
    turns: list[Turn] = []
    for i in range(after, len(paragraphs)):
        ps, pe = paragraphs[i]
        at = _quick_fire(text, ps, pe)
        if at is None:
            if turns or not _is_heading(text[ps:pe]):
                break
            continue
        turns.append(Turn(at, pe, i, "", who))
    return turns
