"""Dates written in any common format, read as sortable numbers and ISO days; a part a date does
not give stays unknown (0), never filled in from today."""

from __future__ import annotations


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
