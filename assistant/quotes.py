"""Who said what: direct quotations found in an article and attributed to their speaker.

Rules (news style, English):

- A quotation is text between double quotes (straight or curly). A quote left open at the end
  of a paragraph continues when the next paragraph opens with a quote mark (the news
  convention for quotes spanning paragraphs). Single-quoted text counts only when it is at
  least three words long and attributed; shorter quoted words (``'protectorate'``) are scare
  quotes, not speech.
- The speaker comes from the quote's own sentence: ``"...," Netanyahu said``, ``"...," said
  X``, ``X said, "..."`` / ``Vance stating, "..."``, ``according to X``; a pronoun (``he
  remarked``) is the person mentioned last before the quote; a description (``the Israeli
  leader asserted``, ``the vice president stated``) is the person mentioned last whose title,
  as first introduced, holds the description's words (``Israeli Prime Minister Benjamin
  Netanyahu``). A quote with no attribution of its own continues the speaker of the previous
  quote in the same paragraph, or of the previous paragraph's last quote when it opens the
  paragraph.
- People are capitalised names of two or more words (``JD Vance``), or one word after a title
  (``President Trump``) or before a speech verb (``Lawson said``); later mentions by surname or
  title resolve to the full name as first introduced.

Each :class:`Quote` keeps the speaker's full name, its aliases, the article and the character
offsets of the quoted words and of the sentence around them, so ``article.text[start:end]``
is the quotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .chunking import paragraph_spans, sentence_spans
from .schema import Article

SPEECH = (
    r"(?:said|says|say|saying|stated|states|stating|state|told|tells|telling|added|adds|adding|asserted|asserts|"
    r"asserting|remarked|remarks|remarking|noted|notes|noting|declared|declares|declaring|warned|warns|warning|"
    r"explained|explains|explaining|insisted|insists|insisting|argued|argues|arguing|wrote|writes|writing|"
    r"announced|announces|announcing|acknowledged|acknowledges|acknowledging|admitted|admits|admitting|"
    r"claimed|claims|claiming|replied|replies|replying|responded|responds|responding|continued|continues|"
    r"promised|promises|promising|predicted|predicts|predicting|conceded|concedes|conceding|observed|observes|"
    r"recalled|recalls|recalling|suggested|suggests|suggesting|told reporters|said in a statement|"
    r"asked|asks|asking|urged|urges|urging|stressed|stresses|stressing|emphasi[sz]ed|emphasi[sz]ing|"
    r"complained|complains|complaining|confirmed|confirms|confirming|commented|comments|commenting)"
)

TITLE_WORDS = frozenset(
    """president vice prime minister secretary state senator sen sen. rep rep. representative governor gov gov.
    chancellor king queen prince princess mr mr. mrs mrs. ms ms. dr dr. general gen gen. chief executive chairman
    chairwoman chair treasurer mayor judge justice ambassador envoy foreign defence defense finance oil trade
    spokesman spokeswoman spokesperson leader premier director officer commissioner deputy assistant attorney
    speaker captain coach commander colonel sheikh pope bishop archbishop cardinal professor prof prof. economist
    analyst minister's opposition labor labour party federal acting former senior special interior energy
    agriculture petroleum economy economic national security advisor adviser u.s. us american israeli palestinian
    british australian french german russian chinese japanese saudi kuwaiti iranian iraqi egyptian turkish
    indonesian swedish argentine canadian indian pakistani afghan syrian lebanese jordanian qatari emirati
    venezuelan mexican brazilian nigerian south north west east new""".split()
)

# Capitalised words that start no person's name.
NOT_NAMES = frozenset(
    """the a an this that these those it its in on at for of and but or as by with from to after before during
    when while if since though although meanwhile despite however both one two some many most all each every
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december gaza israel hamas jerusalem washington united states nations kingdom
    trump's palestinian israeli american opec reuters abc news court congress parliament knesset government
    administration ministry department agency council senate house white bank world international west east north
    south middle he she they we i you his her their our""".split()
)

# Words that make a capitalised run an organisation or a group, not a person.
ORG_WORDS = frozenset(
    """inc corp co ltd plc llc ag sa spa nv bv gmbh group holdings bank banks brothers securities capital markets
    partners associates university college institute center centre council commission committee agency ministry
    department office bureau union association federation party fund exchange reports press times news service
    services journal post herald daily weekly court board authority organisation organization company
    corporation industries international airlines airways energy oil petroleum research analysis policy
    government administration parliament congress senate house""".split()
)
# Sentence-initial plurals that speak as a group ("Economists said").
NOT_NAMES = NOT_NAMES | frozenset(
    """economists analysts officials traders sources dealers bankers experts observers critics residents police
    officers witnesses diplomats investors executives industry market markets""".split()
)
PRONOUNS = {"he": "m", "she": "f", "they": "p"}
# Title words that make one following capitalised word a person ("President Trump", "Mr Batt"),
# unlike nationalities and directions ("West Germany").
ROLE_WORDS = frozenset(
    """president minister secretary senator sen representative rep governor gov chancellor king queen prince
    princess mr mrs ms dr general gen chief executive chairman chairwoman chair treasurer mayor judge justice
    ambassador envoy spokesman spokeswoman spokesperson leader premier director officer commissioner deputy
    attorney speaker captain coach commander colonel sheikh pope bishop archbishop cardinal professor prof
    economist analyst advisor adviser skipper""".split()
)
GENERIC_ROLES = frozenset("leader official premier chief head spokesman spokeswoman diplomat politician".split())

_NAME_TOKEN = r"(?-i:(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{1,3}\.?(?:[A-Z]\.)*))"  # capitalised even under re.I
PARTICLES = frozenset("bin ibn al el de da di du van von der den la le abu".split())
_PARTICLE = r"(?:of|bin|ibn|al|el|de|da|di|du|van|von|der|den|la|le)"
_CAP_RUN = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_TOKEN})*")
_DESCRIPTOR = r"the\s+(?:[A-Za-z.\-]+\s+){0,3}?(?:" + "|".join(
    sorted({"leader", "official", "premier", "chief", "head", "president", "vice president", "prime minister",
            "minister", "secretary", "spokesman", "spokeswoman", "envoy", "ambassador", "senator", "governor",
            "chancellor", "mayor", "diplomat", "politician", "chairman", "treasurer", "coach", "captain",
            "executive", "director", "analyst", "economist"}, key=len, reverse=True)) + r")"
_WHO = rf"(?:{_DESCRIPTOR}|he|she|they|{_NAME_TOKEN}(?:\s+(?:(?-i:{_PARTICLE})\s+)?{_NAME_TOKEN}){{0,5}})"
# "said the regional manager ...", "an official said": a speaker who is not named
_UNNAMED_AFTER = re.compile(
    rf"^[\s,;:—–-]*(?:{SPEECH}\s+(?:the|a|an|one|another)\b|(?:the|a|an|one|another)\s+[a-z][a-z \-]{{0,40}}?\s+{SPEECH}\b)",
    re.I)

# After the closing quote: ', Netanyahu said' / ', said Netanyahu' / ' the Israeli leader asserted'
_AFTER = re.compile(
    rf"^[\s,;:—–-]*(?:(?P<verb1>{SPEECH})\s+(?:(?-i:[a-z][a-z\-]+)\s+){{0,3}}?(?P<who1>{_WHO})\b|(?:(?-i:[a-z][a-z\-]+)\s+){{0,3}}?(?P<who2>{_WHO})(?:,\s*[^,\"“”.]{{1,60}}?,?)?\s+(?:(?:also|then|later|once|"
    rf"had|has|have|would|will|further)\s+)?(?P<verb2>{SPEECH})\b|according\s+to\s+(?P<who3>{_WHO})\b)",
    re.I,
)
# Before the opening quote, in the same sentence: 'Vance stating, ' / 'X said: ' / 'X told reporters that '
_BEFORE = re.compile(
    rf"(?P<who>{_WHO})(?:,[^,\"“”]{{0,60}},)?\s+(?:(?:also|then|later|had|has|have|would|will|further)\s+)?"
    rf"(?P<verb>{SPEECH})\b[^\"“”.]{{0,80}}?[,:]?\s*(?:that\s+)?$",
    re.I,
)
_ACCORDING_BEFORE = re.compile(rf"according\s+to\s+(?P<who>{_WHO})\s*,?\s*$", re.I)


@dataclass
class Person:
    name: str  # full name as first introduced, e.g. "Benjamin Netanyahu"
    title: str = ""  # words before it at first mention, e.g. "Israeli Prime Minister"
    aliases: set[str] = field(default_factory=set)  # lower-case: "netanyahu", "benjamin netanyahu"
    last_seen: int = -1  # char offset of the latest mention

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@dataclass
class Quote:
    """A direct quotation and who said it. ``text == article.text[char_start:char_end]``."""

    doc_id: str
    speaker: str  # full name, "" when no speaker could be found
    text: str
    char_start: int
    char_end: int
    sentence: str  # the sentence(s) holding the quote and its attribution
    sentence_start: int
    sentence_end: int
    paragraph: int
    attribution: str = ""  # the words that name the speaker, e.g. "the Israeli leader asserted"
    speaker_title: str = ""
    aliases: list[str] = field(default_factory=list)
    title: str = ""  # the article's
    date: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean_token(t: str) -> str:
    return t.strip(",;:").replace(".", "").lower()


class _People:
    """The people of one article, in order of mention."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.unnamed_at = -1  # offset of the latest quote attributed to someone not named

    def find(self, name: str) -> Person | None:
        low = name.lower()
        for p in self.people:
            if low == p.name.lower() or low in p.aliases:
                return p
        return None

    def add(self, name: str, title: str, at: int) -> Person:
        p = self.find(name)
        if p is None:
            # "Vance" after "JD Vance" was introduced is the same person
            for q in self.people:
                if len(name.split()) == 1 and name.lower() == q.surname.lower():
                    p = q
                    break
        if p is None:
            p = Person(name=name, title=title)
            p.aliases = {name.lower(), p.surname.lower()}
            self.people.append(p)
        elif len(name.split()) > len(p.name.split()) and name.lower().endswith(p.surname.lower()):
            p.aliases.add(p.name.lower())
            p.name = name  # a fuller form of a name first seen short
            p.aliases.add(name.lower())
        if title and not p.title:
            p.title = title
        p.last_seen = max(p.last_seen, at)
        return p

    def last_before(self, at: int, pred=lambda p: True) -> Person | None:
        best = None
        for p in self.people:
            if p.last_seen < at and pred(p) and (best is None or p.last_seen > best.last_seen):
                best = p
        return best


def _split_title(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Title words and the name after them: the split falls after the last title word
    ("USX Corp chairman David Roderick" -> "USX Corp chairman" + "David Roderick")."""
    last = -1
    for i, t in enumerate(tokens[:-1]):
        if _clean_token(t) in TITLE_WORDS:
            last = i
    i = last + 1
    while i < len(tokens) - 1 and _clean_token(tokens[i]) in TITLE_WORDS | {"of"}:
        i += 1
    return tokens[:i], tokens[i:]


def _name_part(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(title, name) of a capitalised run: title words split off, an affiliation after "of"
    dropped ("Charles Bradford of Merrill Lynch"), an owner before a possessive dropped
    ("Westpac's David Lording"), leading non-name words dropped."""
    if "of" in tokens:
        head = tokens[: tokens.index("of")]
        if any(_clean_token(t) not in TITLE_WORDS for t in head):
            tokens = head  # "Dillard Spriggs of Petroleum Analysis Ltd"; not "Secretary of State Marco Rubio"
    title, name = _split_title(tokens)
    name = _after_possessive(name)
    while name and _clean_token(name[0]) in NOT_NAMES:
        name = name[1:]
    return title, name


def _is_person_name(name: list[str]) -> bool:
    if not name or len(name) > 5:
        return False
    for t in name:
        c = _clean_token(t)
        if c in PARTICLES and 0 < name.index(t) < len(name) - 1:
            continue  # Osama bin Laden
        if c in TITLE_WORDS or c in NOT_NAMES or c in ORG_WORDS or not t[0].isupper():
            return False
        if len(c) >= 3 and t.strip(".,;:").isupper():  # USX, OPEC: acronyms
            return False
    return True


def _close(a: str, b: str) -> bool:
    """One edit apart (a typo in a surname: Benderly / Benderley)."""
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 6:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or a[i + 1 :] == b[i + 1 :]


def _after_possessive(name: list[str]) -> list[str]:
    """"Westpac's David Lording" -> "David Lording"."""
    for i in range(len(name) - 1, -1, -1):
        if name[i].endswith(("'s", "’s")) and i < len(name) - 1:
            return name[i + 1 :]
    return name


def _has_role(title: list[str]) -> bool:
    return any(_clean_token(t) in ROLE_WORDS for t in title)


def _mentions(text: str, people: _People, start: int, end: int, skip: list[tuple[int, int]]) -> None:
    """Register the people named in text[start:end], outside the ``skip`` spans (quotations, headings)."""
    for m in _CAP_RUN.finditer(text, start, end):
        if any(s <= m.start() < e for s, e in skip):
            continue
        tokens = m.group(0).split()
        if not tokens:
            continue
        title, name = _name_part(tokens)
        if not _is_person_name(name):
            continue
        known = people.find(" ".join(name)) is not None or (
            len(name) == 1 and any(name[0].lower() == p.surname.lower() for p in people.people))
        if len(name) >= 2 or known or _has_role(title):
            people.add(" ".join(t.strip(".,;:") for t in name), " ".join(title), m.start())


def _resolve(who: str, people: _People, at: int, text: str) -> Person | None:
    w = " ".join(who.split())
    low = w.lower()
    if low in PRONOUNS:
        p = people.last_before(at)
        if p is not None and people.unnamed_at > p.last_seen:
            return None  # "he" is the unnamed speaker of the quote before
        return p
    if low.startswith("the "):
        words = [x.strip(".") for x in low.split()[1:]]
        role_words = [x for x in words if x in TITLE_WORDS or x in GENERIC_ROLES]
        adjectives = [x for x in words if x not in role_words]

        def fits(p: Person) -> bool:
            t = p.title.lower().replace(".", "").split()
            t_joined = " ".join(t)
            specific = [x for x in role_words if x not in GENERIC_ROLES]
            if specific and " ".join(specific) not in t_joined:
                return False
            if not specific and not t:
                return False  # "the leader" needs someone introduced with a title
            return all(a.replace(".", "") in t for a in adjectives)

        return people.last_before(at, fits)
    tokens = w.split()
    title, name = _name_part(tokens)
    if not _is_person_name(name):
        return None
    full = " ".join(t.strip(".,;:") for t in name)
    found = people.find(full)
    if found is None and len(name) == 1:
        found = next((p for p in reversed(people.people) if p.surname.lower() == full.lower()), None)
        if found is None:
            found = next((p for p in reversed(people.people) if _close(p.surname.lower(), full.lower())), None)
    if found is None:
        found = people.add(full, " ".join(title), at)
    return found


_OPEN = re.compile(r"“|(?<![\w.,])\"(?=\S)")  # a straight quote opens before a non-space
_CLOSE = re.compile(r"”|(?<=\S)\"(?!\w)")  # and closes after one


_REOPEN = re.compile(r"(?<=[.!?,] )[\"“](?=[A-Z(])")  # a new quote mark inside an open quote


def _quote_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int, int, str]]:
    """(open, close, paragraph, kind) of each quotation: ``open``/``close`` are the offsets of the
    words inside the marks; kind is "double" or "single".

    News style leaves a quote open at a paragraph's end when the next paragraph continues it,
    and sometimes re-opens a quote (a new quote mark) without closing the previous one; each
    such piece is its own quotation, ending where the next begins.
    """
    out = []
    for i, (ps, pe) in enumerate(paragraphs):
        pos = ps
        while pos < pe:
            m = _OPEN.search(text, pos, pe)
            if not m:
                break
            start = m.end()
            close = _CLOSE.search(text, start, pe)
            reopen = _REOPEN.search(text, start, pe)
            if reopen and (close is None or reopen.start() < close.start()):
                out.append((start, reopen.start() - 1, i, "double"))
                pos = reopen.start()
                continue
            if close:
                out.append((start, close.start(), i, "double"))
                pos = close.end()
                continue
            nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
            if nxt and re.match(r"\s*[\"“]", text[nxt[0] : nxt[1]]):
                out.append((start, pe, i, "double"))  # continued in the next paragraph
            break  # otherwise an unclosed quote: not a quotation we can bound
        # Single-quoted runs of 3+ words (apostrophes inside words are not quote marks).
        for m in re.finditer(r"(?<![\w’'])[‘'](?=\S)([^'‘’\n]{3,}?)(?<=\S)[’'](?![\w’'])", text[ps:pe]):
            if len(m.group(1).split()) >= 3:
                s0 = ps + m.start(1)
                if not any(a <= s0 < b for a, b, *_ in out):
                    out.append((s0, ps + m.end(1), i, "single"))
    return sorted(out)


def _sentence_at(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The smallest run of sentences covering [start, end)."""
    s0 = next((s for s, e in spans if s <= start < e), start)
    e0 = next((e for s, e in reversed(spans) if s < end <= e), end)
    return min(s0, start), max(e0, end)


_PREV_SAYS = re.compile(
    rf"(?P<who>{_WHO})(?:,[^,\"“”]{{0,80}},)?\s+(?:(?:also|then|later|further)\s+)?(?P<verb>{SPEECH})\b", re.I)


def extract_quotes(article: Article) -> list[Quote]:
    """Every direct quotation of the article, attributed where the text allows."""
    text = article.text
    paragraphs = paragraph_spans(text)
    spans = _quote_spans(text, paragraphs)
    headings = [(s, e) for s, e in paragraphs if e - s < 80 and not re.search(r"[.!?\"”’:]\s*$", text[s:e])]
    skip = [(s, e) for s, e, *_ in spans] + headings
    people = _People()
    registered_to = 0
    found = []  # [start, end, para, kind, sentence start, sentence end, speaker, attribution]
    sentence_cache: dict[int, list[tuple[int, int]]] = {}
    for start, end, para, kind in spans:
        ps, pe = paragraphs[para]
        sentences = sentence_cache.setdefault(para, sentence_spans(text, ps, pe))
        s_start, s_end = _sentence_at(sentences, start, end)
        if s_end > registered_to:  # people named up to here (outside quotes) are known
            _mentions(text, people, registered_to, s_end, skip)
            registered_to = s_end
        after = text[end + 1 : min(s_end + 200, pe)]
        before = text[max(ps, s_start) : max(ps, start - 1)]
        speaker, attribution = None, ""
        m = _AFTER.match(after)
        if m:
            speaker = _resolve(m.group("who1") or m.group("who2") or m.group("who3"), people, start - 1, text)
            attribution = m.group(0).strip(" ,;:—–-") if speaker else ""
        unnamed = None if speaker else _UNNAMED_AFTER.match(after)
        if unnamed:
            people.unnamed_at = start
            attribution = unnamed.group(0).strip(" ,;:—–-")
        if speaker is None and not unnamed:
            mb = _BEFORE.search(before) or _ACCORDING_BEFORE.search(before)
            if mb:
                speaker = _resolve(mb.group("who"), people, start - 1, text)
                attribution = mb.group(0).strip(" ,;:") if speaker else ""
        if speaker is None and not unnamed and not before.strip(" \"“"):
            # The quote opens its sentence: "Professor Britt says the findings are grave. "There seems..."
            prev = [x for x in sentences if x[1] <= s_start]
            if prev:
                ms = list(_PREV_SAYS.finditer(text, prev[-1][0], prev[-1][1]))
                for mp in reversed(ms):
                    if not any(a <= mp.start() < b for a, b, *_ in spans):
                        speaker = _resolve(mp.group("who"), people, start - 1, text)
                        if speaker:
                            attribution = "(named in the previous sentence)"
                            break
        if speaker is not None:
            speaker.last_seen = max(speaker.last_seen, start)
        found.append([start, end, para, kind, s_start, s_end, speaker, attribution or ("" if speaker else None)])

    def adjacent(a, b) -> bool:
        """Quote b continues quote a: nothing but white space and marks between a's sentence
        (or a's end, when a was left open) and b."""
        gap = text[max(a[1], min(a[5], b[0])) : b[0]]
        return not gap.strip(" \n\"“”,.") and b[4] <= b[0]

    for i in range(1, len(found)):  # a quote continues the speaker of the quote just before it
        if found[i][6] is None and found[i][7] is None and found[i - 1][6] is not None and adjacent(found[i - 1], found[i]):
            found[i][6], found[i][7] = found[i - 1][6], "(continues the previous quote)"
    for i in range(len(found) - 2, -1, -1):  # or takes the speaker of the quote it runs into
        if found[i][6] is None and found[i][7] is None and found[i + 1][6] is not None and adjacent(found[i], found[i + 1]):
            found[i][6], found[i][7] = found[i + 1][6], "(continued by the next quote)"

    quotes: list[Quote] = []
    for start, end, para, kind, s_start, s_end, speaker, attribution in found:
        words = len(text[start:end].split())
        if words <= 3:
            continue  # scare quotes and labels: 'protectorate', "axis of evil"
        if kind == "single" and speaker is None:
            continue  # unattributed single quotes are not taken as speech
        quotes.append(Quote(
            doc_id=article.id, speaker=speaker.name if speaker else "", text=text[start:end],
            char_start=start, char_end=end, sentence=text[s_start:s_end], sentence_start=s_start,
            sentence_end=s_end, paragraph=para, attribution=attribution or "",
            speaker_title=speaker.title if speaker else "",
            aliases=sorted(speaker.aliases) if speaker else [], title=article.title, date=article.date,
            source=article.source,
        ))
    return quotes


def speaker_matches(query: str, quote_speaker: str, aliases: Iterable[str]) -> bool:
    """Does ``query`` ("Netanyahu", "benjamin netanyahu") name this speaker?"""
    q = " ".join(query.lower().split())
    if not q or not quote_speaker:
        return False
    names = {quote_speaker.lower(), *(a.lower() for a in aliases)}
    return q in names or any(q == n.split()[-1] for n in names)


# --- measuring attribution against hand labels (evals/quotes.yaml) --------------------------


def _norm_words(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def same_speaker(a: str, b: str) -> bool:
    a, b = _norm_words(a), _norm_words(b)
    if not a or not b:
        return a == b
    return a == b or a.split()[-1] == b.split()[-1]


def score_attribution(labels_path, articles: dict[str, Article], split: str | None = None) -> dict[str, Any]:
    """Precision and recall of speaker attribution against hand labels.

    - recall: labelled quotations found with the right speaker ("" when no named person);
    - precision: named attributions the extractor made that match a labelled quotation of
      that speaker (a named attribution on anything that is not a labelled quotation is wrong);
    - found: labelled quotations located at all, whoever the speaker.
    """
    import yaml

    data = yaml.safe_load(open(labels_path, encoding="utf-8"))
    labelled = correct = found = named = named_ok = 0
    errors: list[dict[str, str]] = []
    entries = [e for e in data["articles"] if split is None or e.get("split", "test") == split]
    for entry in entries:
        article = articles[entry["doc"]]
        extracted = extract_quotes(article)
        used: set[int] = set()
        for lab in entry["quotes"] or []:
            labelled += 1
            start = _norm_words(lab["starts"])
            hit = next((i for i, q in enumerate(extracted) if i not in used and _norm_words(q.text).startswith(start)), None)
            if hit is None:
                errors.append({"doc": article.id, "quote": lab["starts"], "want": lab["speaker"], "got": "(not found)"})
                continue
            used.add(hit)
            found += 1
            if same_speaker(extracted[hit].speaker, lab["speaker"] or ""):
                correct += 1
            else:
                errors.append({"doc": article.id, "quote": lab["starts"], "want": lab["speaker"],
                               "got": extracted[hit].speaker or "(none)"})
        labels = entry["quotes"] or []
        for i, q in enumerate(extracted):
            if not q.speaker:
                continue
            named += 1
            lab = next((x for x in labels if _norm_words(q.text).startswith(_norm_words(x["starts"]))), None)
            if lab is not None and same_speaker(q.speaker, lab["speaker"] or ""):
                named_ok += 1
            elif lab is None:
                errors.append({"doc": article.id, "quote": q.text[:50], "want": "(not a quotation)", "got": q.speaker})
    return {
        "articles": len(entries), "labelled": labelled, "found": found,
        "recall": round(correct / labelled, 3) if labelled else None,
        "precision": round(named_ok / named, 3) if named else None,
        "quote_recall": round(found / labelled, 3) if labelled else None,
        "errors": errors,
    }
