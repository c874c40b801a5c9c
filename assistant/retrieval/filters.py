"""Metadata filters for questions: source, date range, article id, title words."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..errors import InputError
from ..types import ArticleFacts, FilterMiss
from ..nlp.dates import date_key, iso_day  # noqa: F401 (re-exported)


def _parse_day(value: str | date | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.year * 10000 + value.month * 100 + value.day
    key = date_key(str(value))
    if key is None:
        raise InputError(f"Cannot read the date {value!r} for {name}.", hint="use YYYY-MM-DD, e.g. 1987-03-01")
    return key


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval. All given conditions must hold; dates are inclusive.

    ``source`` matches an article's outlet ("Reuters") or source (URL or file path) in any case.
    Chroma compares exact values, so :meth:`resolve` fills ``source_values`` with the stored
    spellings of it (the assistant does this before searching)."""

    source: str | None = None
    since: str | date | None = None
    until: str | date | None = None
    doc_ids: tuple[str, ...] = ()
    title: str | None = None  # every word must appear in the title (case-insensitive)
    source_values: tuple[str, ...] = ()  # the stored outlets and sources equal to ``source`` in any case

    def __post_init__(self) -> None:
        _parse_day(self.since, "since")
        _parse_day(self.until, "until")

    @property
    def empty(self) -> bool:
        return not (self.source or self.since or self.until or self.doc_ids or self.title)

    def where(self) -> dict[str, Any] | None:
        """The part Chroma can evaluate (title words are checked afterwards)."""
        conds: list[dict[str, Any]] = []
        if self.source:  # the outlet ("Reuters") or the source (URL or file path)
            values = list(self.source_values or (self.source,))
            conds.append({"$or": [{"source": {"$in": values}}, {"outlet": {"$in": values}}]})
        if self.doc_ids:
            conds.append({"doc_id": {"$in": list(self.doc_ids)}})
        lo, hi = _parse_day(self.since, "since"), _parse_day(self.until, "until")
        if lo is not None:
            conds.append({"date_key": {"$gte": lo}})
        if hi is not None:
            conds.append({"date_key": {"$lte": hi}})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def resolve(self, articles: Sequence[ArticleFacts]) -> Filters:
        """These filters with ``source_values`` set to the outlets and sources of ``articles``
        (the stored ones) that equal ``source`` in any case."""
        if not self.source:
            return self
        want = _fold(self.source)
        found = {v for a in articles for v in (a.source, a.outlet) if v and _fold(v) == want}
        return replace(self, source_values=tuple(sorted(found)))

    def match(self, article: ArticleFacts) -> bool:
        """Does a stored article (or a chunk or quotation of it) pass these filters?"""
        if self.source and _fold(self.source) not in {_fold(article.source), _fold(article.outlet)}:
            return False
        if self.doc_ids and article.doc_id not in self.doc_ids:
            return False
        lo, hi = _parse_day(self.since, "since"), _parse_day(self.until, "until")
        key = article.date_key
        if (lo is not None or hi is not None) and key is None:
            return False
        if lo is not None and key < lo or hi is not None and key > hi:
            return False
        return self.title_ok(article.title)

    def title_ok(self, title: str) -> bool:
        if not self.title:
            return True
        t = title.lower()
        return all(w in t for w in self.title.lower().split())

    def describe(self) -> str:
        parts = []
        if self.source:
            parts.append(f"source={self.source}")
        if self.since:
            parts.append(f"since={self.since}")
        if self.until:
            parts.append(f"until={self.until}")
        if self.doc_ids:
            parts.append("doc=" + ",".join(self.doc_ids))
        if self.title:
            parts.append(f"title~{self.title}")
        return " ".join(parts) or "none"


def explain_miss(filters: Filters, articles: Sequence[ArticleFacts]) -> FilterMiss | None:
    """None when some stored article (of ``articles``) matches ``filters``; else what
    was asked and the stored values nearest it, for the conditions that match nothing on their
    own (all given ones when only their combination matches nothing)."""
    if filters.empty or any(filters.match(m) for m in articles):
        return None
    alone = {
        "source": Filters(source=filters.source) if filters.source else None,
        "doc": Filters(doc_ids=filters.doc_ids) if filters.doc_ids else None,
        "title": Filters(title=filters.title) if filters.title else None,
        "dates": Filters(since=filters.since, until=filters.until) if filters.since or filters.until else None,
    }
    given = {name: f for name, f in alone.items() if f is not None}
    failing = {name for name, f in given.items() if not any(f.match(m) for m in articles)} or set(given)
    keys = [m.date_key for m in articles if m.date_key is not None]
    return FilterMiss(
        filters=filters.describe(), articles=len(articles),
        sources=_nearest_sources(filters.source, articles) if "source" in failing else (),
        doc_ids=_nearest_ids(filters.doc_ids, articles) if "doc" in failing else (),
        titles=_nearest_titles(filters.title, articles) if "title" in failing else (),
        first_date=_key_day(min(keys)) if "dates" in failing and keys else "",
        last_date=_key_day(max(keys)) if "dates" in failing and keys else "",
        undated=len(articles) - len(keys) if "dates" in failing else 0,
    )


def _key_day(key: int) -> str:
    """A date key as YYYY-MM-DD, or YYYY-MM / YYYY when the articles give no day or month."""
    y, m, d = key // 10000, key // 100 % 100, key % 100
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def _closest(given: str, candidates: Sequence[str], n: int) -> list[str]:
    """Candidates that hold ``given`` (any case) first, then those most like it."""
    folded = {_fold(c): c for c in candidates}
    want = _fold(given)
    holding = [c for f, c in folded.items() if want and want in f]
    alike = [folded[f] for f in difflib.get_close_matches(want, list(folded), n=n, cutoff=0.5)]
    return list(dict.fromkeys(holding + alike))[:n]


def _nearest_sources(given: str | None, articles: Sequence[ArticleFacts], n: int = 8) -> tuple[str, ...]:
    """Outlets and sources like ``given`` first, then the other outlets (most articles first),
    or when no article names its outlet the other sources; ``n`` at most."""
    outlets = Counter(m.outlet for m in articles)
    sources = Counter(m.source for m in articles)
    outlets.pop("", None)
    sources.pop("", None)
    close = _closest(given or "", [*outlets, *sources], n)
    rest = [v for v, _ in (outlets or sources).most_common(n)]
    return tuple(dict.fromkeys(close + rest))[:n]


def _nearest_ids(given: Sequence[str], articles: Sequence[ArticleFacts], n: int = 5) -> tuple[str, ...]:
    ids = [m.doc_id for m in articles]
    return tuple(dict.fromkeys(c for g in given for c in _closest(g, ids, n)))[:n]


def _nearest_titles(words: str | None, articles: Sequence[ArticleFacts], n: int = 5) -> tuple[str, ...]:
    """Titles holding the most of the asked words (at least one), else the most alike."""
    wanted = _fold(words or "").split()
    titles = list(dict.fromkeys(m.title for m in articles))
    scored = sorted(((sum(w in _fold(t) for w in wanted), t) for t in titles), key=lambda st: -st[0])
    best = [t for score, t in scored if score > 0][:n]
    return tuple(best or _closest(words or "", titles, n))
