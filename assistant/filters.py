"""Metadata filters for questions: source, date range, article id, title words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import InputError


def _parts(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date in any common format; 0 for a month or day the value does
    not give (never filled in from today's date)."""
    if not value or not value.strip():
        return None
    from datetime import datetime

    from dateutil import parser

    try:
        a = parser.parse(value.strip(), fuzzy=True, default=datetime(2000, 1, 1))
        b = parser.parse(value.strip(), fuzzy=True, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None  # no year
    return a.year, (a.month if a.month == b.month else 0), (a.day if a.day == b.day else 0)


def date_key(value: str) -> int | None:
    """A sortable YYYYMMDD number for an article date in any common format, else None. A part
    the date does not give is 00 ("1987" is 19870000), so it sorts before the known days."""
    parts = _parts(value)
    return parts[0] * 10000 + parts[1] * 100 + parts[2] if parts else None


def iso_day(value: str) -> str | None:
    """The date as YYYY-MM-DD when it gives a day, else None."""
    parts = _parts(value)
    return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}" if parts and parts[1] and parts[2] else None


def _parse_day(value: str | date | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.year * 10000 + value.month * 100 + value.day
    key = date_key(str(value))
    if key is None:
        raise InputError(f"Cannot read the date {value!r} for {name}.", hint="use YYYY-MM-DD, e.g. 1987-03-01")
    return key


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval. All given conditions must hold; dates are inclusive."""

    source: str | None = None
    since: str | date | None = None
    until: str | date | None = None
    doc_ids: tuple[str, ...] = ()
    title: str | None = None  # every word must appear in the title (case-insensitive)

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
            conds.append({"$or": [{"source": self.source}, {"outlet": self.source}]})
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

    def match(self, meta: dict[str, Any]) -> bool:
        if self.source and self.source not in (meta.get("source"), meta.get("outlet")):
            return False
        if self.doc_ids and meta.get("doc_id") not in self.doc_ids:
            return False
        lo, hi = _parse_day(self.since, "since"), _parse_day(self.until, "until")
        key = meta.get("date_key")
        if (lo is not None or hi is not None) and not isinstance(key, int):
            return False
        if lo is not None and key < lo or hi is not None and key > hi:
            return False
        return self.title_ok(str(meta.get("title", "")))

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
