"""Main text and metadata of a news web page, through trafilatura.

:func:`extract_page` turns the bytes of an HTML page into an :class:`HtmlPage`: the article's
paragraphs (navigation, menus, share bars, related-story lists and captions left out; no space
inserted where an inline tag meets text), the headline, author, publication date, publisher and
canonical URL. When trafilatura finds no article body, the page's schema.org ``articleBody``
(JSON-LD, which pages that render on the client carry) is used, then the page's ``<p>`` text,
then prose found in the data of its scripts.
``problems`` says what was odd: a fallback taken, a short body (a paywalled stub), text that
does not look English.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse
from dataclasses import dataclass, field

from .html_chrome import drop_chrome

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_MIN_WORDS = 80  # fewer body words than this: a stub (paywall, teaser, a page that is not an article)
# Words that make up a large share of any English prose: a language check, not a topic list.
_ENGLISH = frozenset("the of and to a in is that for it was on with as by he she said at from his her are be".split())


@dataclass(frozen=True)
class HtmlPage:
    """What a page holds: ``paragraphs`` of the article body, metadata ("" where unknown) and
    the ``method`` that found the body (``trafilatura``, ``json-ld`` or ``paragraphs``)."""

    paragraphs: list[str]
    title: str = ""
    author: str = ""
    date: str = ""
    outlet: str = ""
    url: str = ""
    method: str = "trafilatura"
    problems: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def decode_html(data: bytes) -> str:
    """The page's text: UTF-8 when the bytes are UTF-8 (whatever a late or wrong ``<meta
    charset>`` says), else the declared charset anywhere in the page, else Windows-1252."""
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(data)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


_SOURCE_BREAK = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")  # white space with a line break in the page's source
_LAYOUT = "\u2402"  # stands for such white space while trafilatura turns its tree into text (a printable
# symbol no article uses: trafilatura drops unprintable ones)
_LAYOUT_AT_PUNCT = re.compile(r"(?<=[(\[“‘])[ \u2402]*\u2402[ \u2402]*|[ \u2402]*\u2402[ \u2402]*(?=[.,;:!?)\]”’])")


def _rendered_text(doc) -> str:
    """The text of trafilatura's body tree as a browser renders it: a line break in the page's
    source inside a paragraph (pages that put each inline link on a line of its own) is a
    space, or nothing where it stands next to punctuation ("months\\n.)" is "months.)"); only
    block elements and ``<br>`` start a new line. Code blocks keep their lines."""
    from copy import deepcopy

    from trafilatura.xml import xmltotxt

    body = getattr(doc, "body", None)
    if body is None or _LAYOUT in (doc.text or ""):
        return doc.text or ""
    body = deepcopy(body)
    for el in body.iter():
        if el.tag != "code" and el.text:
            el.text = _SOURCE_BREAK.sub(_LAYOUT, el.text)
        if el.tail:
            el.tail = _SOURCE_BREAK.sub(_LAYOUT, el.tail)
    text = _LAYOUT_AT_PUNCT.sub("", xmltotxt(body, include_formatting=False))
    return text.replace(_LAYOUT, " ")


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]


def _json_ld_body(html: str) -> tuple[list[str], dict[str, str]]:
    """``articleBody`` and headline/date/publisher of the page's schema.org JSON-LD, if any."""
    for m in re.finditer(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", html, re.S | re.I):
        try:
            data = json.loads(m.group(1))
        except (json.JSONDecodeError, ValueError):
            continue
        for obj in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
            if isinstance(obj, dict) and isinstance(obj.get("articleBody"), str) and obj["articleBody"].strip():
                publisher = obj.get("publisher")
                meta = {"title": str(obj.get("headline") or ""), "date": str(obj.get("datePublished") or ""),
                        "outlet": str(publisher.get("name") or "") if isinstance(publisher, dict) else ""}
                body = re.sub(r"<[^>]+>", "", obj["articleBody"])
                return [p for p in (" ".join(x.split()) for x in re.split(r"\n\s*\n|\n", body)) if p], meta
    return [], {}


_SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.S | re.I)
_JSON_START = re.compile(r"[{\[]")
_PROSE_WORDS = 12  # a string in script data needs this many words and a sentence end to count as prose


def _json_values(raw: str):
    """Every JSON document embedded in a script's text (``window.X = {...}`` included)."""
    decoder = json.JSONDecoder()
    for m in _JSON_START.finditer(raw):
        if m.start() and raw[m.start() - 1] not in " =(\n\t;:,":
            continue
        try:
            value, _ = decoder.raw_decode(raw, m.start())
        except ValueError:
            continue
        yield value
        return


def _strings(value, depth: int = 0):
    """The strings in a JSON value, depth first; strings that hold JSON are opened too."""
    if depth > 40:
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, depth + 1)
    elif isinstance(value, str):
        text = value.strip()
        if text[:1] in "{[":
            try:
                yield from _strings(json.loads(text), depth + 1)
                return
            except ValueError:
                pass
        yield value


def _prose(value) -> list[str]:
    """Prose paragraphs among a JSON value's strings: at least ``_PROSE_WORDS`` words ending a
    sentence, markup removed, each once, in order."""
    from html import unescape

    out: list[str] = []
    for s in _strings(value):
        for part in re.split(r"</p>|<br\s*/?>|\n\s*\n", s):
            text = " ".join(unescape(re.sub(r"<[^>]+>", "", part)).split())
            if len(text.split()) >= _PROSE_WORDS and re.search(r"[.!?][\"”’)]?$", text) \
                    and "://" not in text and text not in out:
                out.append(text)
    return out


def _objects_titled(value, title: str, depth: int = 0):
    """The JSON objects in ``value`` (strings holding JSON opened) that have ``title`` as one of
    their own values: a story's record in a page's data."""
    if depth > 40:
        return
    if isinstance(value, str) and value.strip()[:1] in "{[":
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if any(isinstance(v, str) and " ".join(v.split()) == title for v in value.values()):
            yield value
        for v in value.values():
            yield from _objects_titled(v, title, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _objects_titled(v, title, depth + 1)


def _script_prose(html: str, title: str) -> list[str]:
    """The article's paragraphs from the data in the page's scripts (a page rendered on the
    client): the prose of the record that carries the headline, the richest one where several
    do; without a headline to go by, all the prose found."""
    values = [v for script in _SCRIPT.finditer(html) for v in _json_values(script.group(1))]
    if title:
        stories = [_prose(obj) for v in values for obj in _objects_titled(v, title)]
        best = max(stories, key=lambda ps: sum(len(p.split()) for p in ps), default=[])
        if best:
            return best
    return [p for v in values for p in _prose(v)]


def _paragraph_text(html: str) -> list[str]:
    """The text of the page's ``<p>`` elements outside navigation, headers and footers."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figcaption"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    return [t for t in (" ".join(p.get_text("", strip=False).split()) for p in root.find_all("p")) if t]


class _LinkTexts:
    """The page's link and menu texts (:func:`_link_texts`), read from the page the first time a
    line is looked up: most pages never need them."""

    def __init__(self, html: str) -> None:
        self.html = html
        self._texts: set[str] | None = None

    def __contains__(self, line: str) -> bool:
        if self._texts is None:
            self._texts = _link_texts(self.html)
        return line in self._texts


def _link_texts(html: str) -> set[str]:
    """Texts of the page's links and of its navigation, header and footer elements."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return set()
    menus = "//nav | //header | //footer | //*[@role='navigation']"
    found = tree.xpath(f"//a | {menus} | " + " | ".join(f"{m}//*" for m in menus.split(" | ")))
    return {" ".join(el.text_content().split()) for el in found}


_TEASER_END = ("...", "…")


def _drop_teaser_lists(paragraphs: list[str]) -> list[str]:
    """Without runs of two or more paragraphs cut off with an ellipsis (a list of story
    teasers, "Latest updates"), and the short heading line just before such a run."""
    cut = [p.rstrip().endswith(_TEASER_END) for p in paragraphs]
    drop = set()
    for i, is_cut in enumerate(cut):
        run = is_cut and ((i > 0 and cut[i - 1]) or (i + 1 < len(cut) and cut[i + 1]))
        if run:
            drop.add(i)
            if i > 0 and not cut[i - 1] and len(paragraphs[i - 1].split()) <= 6:
                drop.add(i - 1)
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _drop_menu_lines(paragraphs: list[str], links: _LinkTexts) -> list[str]:
    """On a short extraction (where trafilatura's fallback can keep a menu), lines that are
    only a link's or a menu's text go, however long."""
    if sum(len(p.split()) for p in paragraphs) >= _MIN_WORDS:
        return paragraphs
    return [p for p in paragraphs if p not in links]


def _looks_english(paragraphs: list[str]) -> bool:
    words = [w.strip(".,;:!?\"'“”‘’()").lower() for p in paragraphs for w in p.split()][:2000]
    return len(words) < 30 or sum(w in _ENGLISH for w in words) / len(words) >= 0.12


# "By Jane Doe", "By Jane Doe and John Roe", "By Jane Doe | Photographs by ...": a line that is only a byline.
_BYLINE = re.compile(r"^By (?:[A-Z][\w.'’-]*\s?){1,4}(?:(?:and|&) (?:[A-Z][\w.'’-]*\s?){1,4})?(?:\s*\|.*)?$")
_SEPARATORS = (" | ", " - ", " – ", " — ")
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/(https?://.+)$")


def original_url(url: str) -> str:
    """The publisher's URL of a page (a Wayback Machine capture's URL without the archive)."""
    m = _WAYBACK.match(url or "")
    return m.group(1) if m else (url or "")


def _outlet(sitename: str, url: str) -> str:
    """The publisher's name: the site name without a tagline ("X | Breaking News, ..."), else
    the URL's host without ``www.``."""
    name = " ".join((sitename or "").split())
    for sep in _SEPARATORS:
        name = name.split(sep)[0]
    host = re.sub(r"^www\.", "", urlparse(url).hostname or "") if url else ""
    if not name or "archive.org" in name or "://" in name:
        return host
    return name


def _headline(doc_title: str, outlet: str, h1: str) -> str:
    """The headline: the page title without a " | Site" suffix; the page's ``<h1>`` instead when
    the title is missing, is the site's own generic title (it names the site, not the h1), or
    wraps the h1 in a section label or a note."""
    title = " ".join((doc_title or "").split())
    for sep in _SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head and (h1 == head or (outlet and (outlet.lower() in tail.lower() or tail.lower() in outlet.lower()))):
            title = head
    if h1 and (not title or (outlet and outlet.lower() in title.lower() and h1.lower() not in title.lower())):
        return h1
    if len(h1.split()) >= 4 and h1 in title:  # "Opinion | <h1>", "<h1> (Published 2018)": the page's own headline
        return h1
    return title


def _body_start(lines: list[str], title: str, h1: str) -> list[str]:
    """The body without what precedes the article: a repeated headline (and a section label
    before it) and a leading byline within the first lines."""
    heads = {t for t in (title, h1) if t}
    for i, line in enumerate(lines[:3]):
        if line in heads:
            lines = lines[i + 1:]
            break
    while lines and _BYLINE.match(lines[0]):
        lines = lines[1:]
    return [line for line in lines if line not in heads]


def _meta_title(html: str) -> str:
    """The page's ``og:title``, else its ``<title>``."""
    from html import unescape

    m = re.search(r"<meta[^>]+property=[\"']og:title[\"'][^>]+content=[\"']([^\"']+)", html, re.I) or \
        re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    return " ".join(unescape(m.group(1)).split()) if m else ""


def _first_h1(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S | re.I)
    if not m:
        return ""
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", "", m.group(1))).split())


_LONE_LINE_WORDS = 20  # a line only the balanced pass keeps, outside the precise text, needs this many words


def merge_passes(precise: list[str], balanced: list[str]) -> list[str]:
    """trafilatura's precision pass, plus the prose its balanced pass keeps and it dropped (a
    lead paragraph, say): a balanced-only line of at least ``_LONE_LINE_WORDS`` words that is
    not already part of the precise text goes in before the line both passes share next.
    Short balanced-only lines (time stamps, promos, menus, inline fragments) stay out."""
    if not precise:
        return balanced
    joined = "\n".join(precise)
    shared = set(precise)
    out = list(precise)
    pending: list[str] = []
    for line in balanced:
        if line in shared:
            at = out.index(line)
            out[at:at] = pending
            pending = []
        elif len(line.split()) >= _LONE_LINE_WORDS and line not in joined:
            pending.append(line)
    return out + pending


def _trafilatura(html: str, url: str | None):
    """trafilatura's document for the page (metadata from the balanced pass) and its body lines
    merged from a precision and a balanced pass."""
    import trafilatura

    common = dict(url=url, include_comments=False, include_tables=False, include_images=False)
    doc = trafilatura.bare_extraction(html, with_metadata=True, **common)
    if doc is None:
        return None, []
    precise = trafilatura.bare_extraction(html, favor_precision=True, **common)
    return doc, merge_passes(_lines(_rendered_text(precise) if precise else ""), _lines(_rendered_text(doc)))


def _metadata(html: str, doc, url: str | None) -> dict[str, str]:
    """Headline, author, date, outlet and publisher URL: trafilatura's (its metadata pass alone
    when it found no body), cleaned; the page's own ``<h1>`` and ``og:title`` where it has none."""
    if doc is None:
        from trafilatura.metadata import extract_metadata

        doc = extract_metadata(html, default_url=url)
    get = lambda name: " ".join(str(getattr(doc, name, "") or "").split()) if doc is not None else ""  # noqa: E731
    page_url = original_url(get("url") or url or "")
    outlet = _outlet(get("sitename"), page_url)
    h1 = _first_h1(html)
    return {"title": _headline(get("title") or _meta_title(html), outlet, h1), "h1": h1, "author": get("author"),
            "date": get("date"), "outlet": outlet, "url": page_url}


def _body(html: str, lines: list[str], meta: dict[str, str]) -> tuple[list[str], str, list[str]]:
    """The article's paragraphs, the method that found them and what was odd (see the module
    docstring for the order of fallbacks)."""
    links = _LinkTexts(html)
    paragraphs = drop_chrome(_drop_teaser_lists(_body_start(lines, meta["title"], meta["h1"])), links)
    paragraphs = _drop_menu_lines(paragraphs, links)
    ld_paragraphs, ld_meta = _json_ld_body(html)
    for key in ("title", "date", "outlet"):
        meta[key] = meta[key] or ld_meta.get(key, "")
    same_text = " ".join(ld_paragraphs).split() == " ".join(paragraphs).split()
    short = sum(len(p.split()) for p in paragraphs) < _MIN_WORDS
    if len(ld_paragraphs) > len(paragraphs) and (short or same_text):  # JSON-LD keeps the paragraph breaks
        return ld_paragraphs, "json-ld", ["article text taken from the page's structured data (JSON-LD)"]
    if paragraphs:
        return paragraphs, "trafilatura", []
    paragraphs = drop_chrome(_paragraph_text(html), links)
    if paragraphs:
        return paragraphs, "paragraphs", ["no article body found; kept the page's paragraph text"]
    paragraphs = drop_chrome(_script_prose(html, meta["title"]), links)
    return paragraphs, "script-data", (["partial: the page renders its text with scripts; kept the prose found in "
                                        "its script data (it may hold other stories' text too)"] if paragraphs else [])


def extract_page(data: bytes, url: str | None = None) -> HtmlPage:
    """The article of one HTML page (see the module docstring)."""
    html = decode_html(data)
    doc, lines = _trafilatura(html, url)
    meta = _metadata(html, doc, url)
    paragraphs, method, problems = _body(html, lines, meta)
    page = HtmlPage(paragraphs=paragraphs, title=meta["title"], author=meta["author"], date=meta["date"],
                    outlet=meta["outlet"], url=meta["url"], method=method, problems=problems)
    if paragraphs and page.words < _MIN_WORDS:
        problems.append(f"partial: only {page.words} words of article text (a paywalled page or a stub?)")
    if paragraphs and not _looks_english(paragraphs):
        problems.append("the text does not look English (who-said-what and keyword search assume English)")
    return page
