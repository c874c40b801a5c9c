"""Lines of a web page that are its furniture, not its article: cookie notices, share bars,
language menus, related-story and newsletter promos, tag lists, copyright lines, photo credits
and lists of links.

:func:`chrome_reason` says why one extracted line is furniture (``None`` when it reads as
article text); :func:`drop_chrome` keeps the article's lines. The word lists are language,
in :mod:`assistant.lexicon`; the link texts come from the page itself.
"""

from __future__ import annotations

import re

from ..nlp.lexicon import (CONSENT_WORDS, CREDIT_WORDS, LANGUAGE_AUTONYMS, PROMO_OPENERS,
                      SHARE_BAR_WORDS)

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*$")
_CREDIT = re.compile(r"^\(?(?:%s)(?: credit| by| courtesy)?\s*[:/|]|\((?:%s)[^()]{0,80}\)$"
                     % ("|".join(CREDIT_WORDS), "|".join(CREDIT_WORDS)), re.I)
# "1 - 5 of 218 results", "Page 2 of 7", "Showing 10 of 40 stories": a pager, whatever it counts.
_PAGER = re.compile(r"^(?:showing |page )?\d[\d,]*(?:\s*[-–]\s*\d[\d,]*)? of \d[\d,]*(?: [^\W\d_]+)?\.?$", re.I)
# "Please support us", "Support our journalism", "Donate now", "Become a member": a publisher asking
# its reader (the line speaks to "you"), not an article's words (which would quote such a plea).
_APPEAL = re.compile(r"\bsupport (?:us|our (?:journalism|work|reporting|newsroom))\b|\bdonat(?:e|ing|ion)\b"
                     r"|\bbecome an? (?:member|supporter|subscriber|patron)\b", re.I)
_YOU = re.compile(r"\byou(?:r)?\b", re.I)
# "By Jane Doe | Imagery by …", "(By Jane Doe) Enditem/", "Written by Jane Doe", "Authors: Jane Doe, John Roe",
# "Reporting by Jane Doe; Editing by John Roe": who wrote or edited the piece, a line of names.
_BYLINE = re.compile(r"^\(?(?i:by|written by|words by|reporting by|additional reporting by|editing by|authors?:)"
                     r"\s+[A-Z]")
_CONTRIBUTED = re.compile(r"\bcontributed (?:reporting|to (?:this|the) (?:report|story|article))", re.I)
# "[Read more about how we analysed the data.]", "[This story has been updated.]": an editor's aside.
_BRACKETED = re.compile(r"^\[[^\[\]]+\]$")
# "For more on news from around the world, please visit …", "Watch this video explainer:".
_VISIT = re.compile(r"^for more (?:on|news|information|stories)\b.*\b(?:visit|click|see|go to)\b"
                    r"|^(?:watch|listen to) (?:this|the|our)\b.{0,60}:$", re.I)
# "January 22, 2026 - 9 min", "5 min read": a date and reading time over the article, no sentence.
_READING_TIME = re.compile(r"\b\d+\s*(?:min|mins|minutes?)\b(?:\s+read)?", re.I)
# "© 2024 Jo Doe Media", "Copyright © 2024 …", "Copyright 2024 … All rights reserved. …": the publisher's
# notice, however long ("(c) Any landlord who …", a clause of a law, is not one).
_COPYRIGHT = re.compile(r"^(?:copyright\s*)?(?:©|\(c\))\s*(?:19|20)\d\d\b"
                        r"|^(?:©|\(c\)|copyright\b).*\ball rights reserved\b", re.I)
_NOTICE_WORDS = 60  # a publisher's notice or print note has at most this many words
# "A version of this article appears in print on May 3, 2023, Section A, Page 6 …": a print-edition note.
_PRINT_NOTE = re.compile(r"^a version of this (?:article|story) appear(?:s|ed) in print\b", re.I)
# "{{cta}}", "{% block promo %}": a template's placeholder the page never filled.
_TEMPLATE = re.compile(r"^(?:\{\{[^{}]*\}\}|\{%[^{}]*%\})$")
_BYLINE_WORDS = 20
_LABEL = re.compile(r"[a-z]+(?:[ -][a-z]+)?")  # one or two lower-case words and nothing else
# The small words between the names of a byline ("By Jane Doe in London and John Roe | Imagery by …").
_BYLINE_LINKS = frozenset("""by and in at for with of from the editing reporting additional imagery graphics photos
                             photography staff writer writers correspondent reporter editor""".split())
_APPEAL_WORDS = 60
_SHORT = 8  # a share bar or a menu has at most this many words
_PROMO_WORDS = 25  # a promo line ("Read more: <headline>") has at most this many
_LINK_LINE_WORDS = 20  # a line that is one link's text and no sentence: a headline in a list of links


def _words(line: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(line)]


def _continues(line: str, after: str) -> bool:
    """Is ``line`` a piece of a sentence cut at an inline link (it begins in lower case, or the
    next line carries the sentence on in lower case or with punctuation)?"""
    after = after.lstrip("\"“‘'(")
    return not line[:1].isupper() and not line[:1].isdigit() or bool(after) and not after[:1].isupper() \
        and not after[:1].isdigit()


def _promo_opening(low: str, line: str) -> bool:
    """Does the line open like a promo? A one-word opener ("Related", "Subscribe") only as the
    whole line or before a colon or bar, never as a sentence's first word ("Related research
    shows..."); "More on" / "More from" only where the line is no sentence."""
    for opener in PROMO_OPENERS:
        if not low.startswith(opener):
            continue
        rest = low[len(opener):].lstrip()
        if " " not in opener.strip() and not opener.endswith(":") and opener != "©":
            if not rest or rest[0] in ":|-–—»›>":
                return True
        elif opener.startswith(("more ", "latest ", "the latest ")) and _SENTENCE_END.search(line):
            continue
        else:
            return True
    return False


def chrome_reason(line: str, link_texts: frozenset[str] | set[str] = frozenset(), after: str = "") -> str | None:
    """Why ``line`` is page furniture ("cookie notice", "share bar", "language menu", "promo",
    "photo credit", "byline" (or date and reading time), "label" of a graphic or section, "link list",
    "pager", "appeal" for the reader's support, "template" placeholder, "no words": a short line of
    symbols or digits), or ``None``. ``after``
    is the line that follows it on the page."""
    words = _words(line)
    low = line.lower()
    if not words:
        return "no words" if len(line) < 40 else None
    if "cookie" in low and len(set(words) & CONSENT_WORDS) >= 2:
        return "cookie notice"
    if _PAGER.match(line.strip()):
        return "pager"
    if len(words) <= _SHORT and all(w in SHARE_BAR_WORDS for w in words):
        return "share bar"
    autonyms = sum(w in LANGUAGE_AUTONYMS for w in words)
    if autonyms >= 3 and autonyms * 2 >= len(words):
        return "language menu"
    if len(words) <= _PROMO_WORDS and (_promo_opening(low.lstrip("•·-–—▶► "), line)
                                       or "all rights reserved" in low):
        return "promo"
    if len(words) <= _NOTICE_WORDS and (_COPYRIGHT.match(line.strip()) or _PRINT_NOTE.match(line.strip())):
        return "promo"
    if len(words) <= _APPEAL_WORDS and _APPEAL.search(line) and _YOU.search(line) and not re.search("[\"“”]", line):
        return "appeal"
    if len(words) <= _PROMO_WORDS and _CREDIT.search(line.strip()):
        return "photo credit"
    if _byline(line, words):
        return "byline"
    if len(words) <= 12 and _READING_TIME.search(line) and not _SENTENCE_END.search(line.strip()) \
            and (re.search(r"\bread\b", low) or re.search(r"\b(?:19|20)\d\d\b", line)):
        return "byline"  # date and reading time
    if _TEMPLATE.match(line.strip()):
        return "template"
    if len(words) <= _PROMO_WORDS and (_BRACKETED.match(line.strip()) or _VISIT.search(line.strip())):
        return "promo"
    if _LABEL.fullmatch(line.strip()):
        return "label"  # a graphic's or a section's label ("map", "site plan"), never a paragraph
    if len(words) <= _LINK_LINE_WORDS and line in link_texts and not _SENTENCE_END.search(line) \
            and not _continues(line, after):
        return "link list"
    return None


def _byline(line: str, words: list[str]) -> bool:
    """A line naming who wrote, reported or edited the piece ("By Jane Doe", "Jane Doe contributed to this
    report."), not a sentence that opens with "By" ("By noon the road was closed.")."""
    text = line.strip()
    if len(words) <= _PROMO_WORDS and _CONTRIBUTED.search(text):
        return True
    if len(words) > _BYLINE_WORDS or not _BYLINE.match(text):
        return False
    if re.search(r"(?<!\b[A-Z])[.!?][\"”’)]*$", text):  # "By J. Smith", not "By Monday it was over."
        return False
    found = _WORD.findall(text)
    names = sum(w[:1].isupper() for w in found[1:])
    return names >= 2 and sum(w.islower() and w not in _BYLINE_LINKS for w in found) <= 1  # names, not a clause


def drop_chrome(lines: list[str], link_texts: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """``lines`` without the page's furniture (see :func:`chrome_reason`)."""
    return [line for i, line in enumerate(lines)
            if chrome_reason(line, link_texts, lines[i + 1] if i + 1 < len(lines) else "") is None]
