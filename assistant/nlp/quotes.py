"""Who said what: the direct quotations of an article, each with its speaker.

:func:`extract_quotes` finds quotations by their marks (:mod:`assistant.quote_marks`) and their
speakers with spaCy (:mod:`assistant.attribution`): the subject of the verb of speech in the
quote's sentence, a pronoun or a description resolved to a person named earlier, a quote that
continues the previous speaker. Each :class:`Quote` keeps how it was attributed (``kind``), the
words that did it (``attribution``) and a ``confidence``, so answers can say "attributed by 'he
said'" instead of stating an uncertain speaker as fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..nlp.sentences import paragraph_spans, sentence_spans
from ..nlp.text import another_given_name
from ..types import Article

# Attributions below this confidence, or made only by a pronoun, a description or a
# continuation, are stated as attributions ("attributed by 'he said'"), not as fact.
SURE = 0.9


@dataclass
class Quote:
    """A direct quotation and who said it. ``text == article.text[char_start:char_end]``."""

    doc_id: str
    speaker: str  # full name as first introduced, "" when no named person or body said it
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
    kind: str = ""  # named | pronoun | title | continuation | according-to | unnamed | transcript | ""
    confidence: float = 0.0

    @property
    def certain(self) -> bool:
        """Stated as fact: named in the quote's own sentence, with high confidence."""
        return is_certain(self.speaker, self.kind, self.confidence)

    @property
    def who(self) -> str:
        """The speaker as shown to people: the name when certain, else the name with the words
        that attributed it ("Jane Doe (attributed by “he said”)"); "(unattributed)" for nobody."""
        return speaker_label(self.speaker, self.kind, self.confidence, self.attribution)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Quote:
        """A quotation as the quote index stores it (its metadata with ``text``; the sentence is
        "" in records written before it was stored)."""
        return cls(doc_id=r["doc_id"], speaker=r.get("speaker", ""), text=r["text"], char_start=r["char_start"],
                   char_end=r["char_end"], sentence=r.get("sentence", ""), sentence_start=r.get("sentence_start", 0),
                   sentence_end=r.get("sentence_end", 0), paragraph=r.get("paragraph", 0),
                   attribution=r.get("attribution", ""), speaker_title=r.get("speaker_title", ""),
                   aliases=[a for a in r.get("aliases", "").split("|") if a], title=r.get("title", ""),
                   date=r.get("date", ""), source=r.get("outlet") or r.get("source", ""),
                   kind=r.get("kind", ""), confidence=float(r.get("confidence", 0.0)))


def is_certain(speaker: str, kind: str, confidence: float) -> bool:
    return bool(speaker) and kind in ("named", "according-to") and confidence >= SURE


def speaker_label(speaker: str, kind: str, confidence: float, attribution: str) -> str:
    """A speaker's name stated as fact only when certain; otherwise with how it was attributed."""
    if not speaker:
        return "(unattributed)"
    if is_certain(speaker, kind, confidence):
        return speaker
    how = f"attributed by “{attribution}”" if attribution and not attribution.startswith("(") else \
        "attributed as the previous quote's speaker" if kind == "continuation" else "attribution uncertain"
    return f"{speaker} ({how})"


def _sentence_at(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The smallest run of sentences covering [start, end)."""
    s0 = next((s for s, e in spans if s <= start < e), start)
    e0 = next((e for s, e in reversed(spans) if s < end <= e), end)
    return min(s0, start), max(e0, end)


def extract_quotes(article: Article, model: str | None = None) -> list[Quote]:
    """Every direct quotation of the article that is speech, attributed where the text allows.
    ``model``: the spaCy pipeline (default: the bundled English one)."""
    return extract_quotes_many([article], model)[0]


def extract_quotes_many(articles: Sequence[Article], model: str | None = None) -> list[list[Quote]]:
    """:func:`extract_quotes` for many articles, their text parsed in one pass (faster). Each
    article's quotations by their marks come first, in order, then its transcript turns."""
    from .attribution import DEFAULT_MODEL, find_attributions_many, load_pipeline
    from .quote_marks import quote_spans
    from .transcript import transcript_turns

    model = model or DEFAULT_MODEL
    layout = [(a.text, paragraph_spans(a.text)) for a in articles]
    items = [(text, paras, quote_spans(text, paras)) for text, paras in layout]
    found = find_attributions_many(items, model) if any(i[2] for i in items) else [[] for _ in items]
    out = []
    for a, (text, paras), atts in zip(articles, layout, found):
        turns = transcript_turns(text, paras, lambda: load_pipeline(model))
        out.append([_quote(a, paras, q, att) for q, att in atts] + [_turn_quote(a, t) for t in turns if t.speaker])
    return out


def _quote(article: Article, paragraphs: list[tuple[int, int]], q, att) -> Quote:
    text = article.text
    ps, pe = paragraphs[q.paragraph]
    s_start, s_end = _sentence_at(sentence_spans(text, ps, pe), q.start, q.end)
    who = att.speaker
    return Quote(
        doc_id=article.id, speaker=who.name if who else "", text=text[q.start:q.end], char_start=q.start,
        char_end=q.end, sentence=text[s_start:s_end], sentence_start=s_start, sentence_end=s_end,
        paragraph=q.paragraph, attribution=att.cue, speaker_title=who.title if who else "",
        aliases=sorted(who.aliases) if who else [], title=article.title, date=article.date,
        source=article.outlet or article.source, kind=att.kind, confidence=att.confidence,
    )


def _turn_quote(article: Article, turn) -> Quote:
    """A transcript turn as a quotation: the label names the speaker, so it is said, not inferred."""
    text = article.text[turn.start:turn.end]
    return Quote(
        doc_id=article.id, speaker=turn.speaker, text=text, char_start=turn.start, char_end=turn.end,
        sentence=text, sentence_start=turn.start, sentence_end=turn.end, paragraph=turn.paragraph,
        attribution=f"{turn.label}:", title=article.title, date=article.date,
        source=article.outlet or article.source, kind="transcript", confidence=0.8,
        aliases=sorted({turn.speaker.lower(), turn.speaker.split()[-1].lower()}),
    )


def speaker_matches(query: str, quote_speaker: str, aliases: Iterable[str]) -> bool:
    """Does ``query`` ("Netanyahu", "benjamin netanyahu") name this speaker?"""
    q = " ".join(query.lower().split())
    if not q or not quote_speaker:
        return False
    names = {quote_speaker.lower(), *(a.lower() for a in aliases if a)}
    if q in names or any(q == n.split()[-1] for n in names):
        return True
    # "Governor Ole’ Kipte’m" asks for the speaker known as "Ole": a word of the query is the surname
    words = [w.strip(".,’'") for w in q.split()]
    surname = quote_speaker.lower().split()[-1].strip(".,’'")
    if surname not in words:
        return False
    # … but "Ann Doe" is not "Jo Doe": a given name before the surname that the speaker lacks
    given = words[words.index(surname) - 1] if words.index(surname) > 0 else ""
    return not (given and " " in quote_speaker.strip() and another_given_name(given, quote_speaker.lower()))


# --- comparing quotations and speakers with hand labels (assistant.evaluation.quote_labels) ---


def _norm_words(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def starts_with_words(quote: str, start: str) -> bool:
    """Does a found quotation begin with a label's first words (case, curly marks, spacing aside)?"""
    return _norm_words(quote).startswith(_norm_words(start))


_SUFFIXES = re.compile(r",?\s+(?:jr|sr|ii|iii|iv)\.?$")


def same_speaker(a: str, b: str) -> bool:
    """The same person: same name, or same surname ("Doe" is "Jane Doe"; "Jo Roe Jr." is "Jo Roe")."""
    a, b = _SUFFIXES.sub("", _norm_words(a)), _SUFFIXES.sub("", _norm_words(b))
    if not a or not b:
        return a == b
    return a == b or a.split()[-1] == b.split()[-1]
