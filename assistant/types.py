"""Typed values that cross module boundaries and the public API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article as parsed from a source file. ``text`` is the body: paragraphs
    separated by blank lines, the title not repeated in it. ``source`` is where it came from
    (its URL when known, else its file path); ``outlet`` the publisher."""

    id: str
    title: str
    text: str
    content_hash: str
    source: str = ""
    date: str = ""
    url: str = ""
    path: str = ""
    outlet: str = ""


@dataclass(frozen=True)
class Chunk:
    """A token-bounded slice of an article. ``article.text[char_start:char_end] == text``."""

    id: str
    doc_id: str
    index: int
    text: str
    paragraph: int
    char_start: int
    char_end: int
    tokens: int


@dataclass(frozen=True)
class ArticleRef:
    """Another article holding a passage's (near-)identical text: a wire copy of the same story."""

    id: str
    title: str = ""
    source: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""


@dataclass(frozen=True)
class ArticleFacts:
    """What filters read of a stored article (or of a chunk or quotation, which carry their
    article's): its id, source, outlet, title and date as a YYYYMMDD key (None: undated; a missing
    month or day is 00)."""

    doc_id: str
    source: str = ""
    outlet: str = ""
    title: str = ""
    date_key: int | None = None

    @classmethod
    def from_meta(cls, meta: dict[str, Any], doc_id: str = "") -> ArticleFacts:
        """From the metadata Chroma stores (``doc_id`` when the record's id is the article's)."""
        key = meta.get("date_key")
        return cls(doc_id=str(meta.get("doc_id") or doc_id), source=str(meta.get("source") or ""),
                   outlet=str(meta.get("outlet") or ""), title=str(meta.get("title") or ""),
                   date_key=key if isinstance(key, int) and not isinstance(key, bool) else None)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and its relevance to the question."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    date: str
    text: str
    paragraph: int
    char_start: int
    char_end: int
    score: float
    path: str = ""
    also_in: tuple[str, ...] = ()  # ids of other articles holding near-identical text (wire copies among the candidates)
    outlet: str = ""  # the publisher; ``source`` is the article's URL or file path
    url: str = ""
    also_in_articles: tuple[ArticleRef, ...] = ()  # those articles, with title and source

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["also_in"] = list(self.also_in)
        d["also_in_articles"] = [asdict(a) for a in self.also_in_articles]
        return d


@dataclass(frozen=True)
class Citation:
    """What a marker ``[n]`` in the answer points at.

    ``quote`` is the exact span of the passage that supports the sentence carrying the
    marker; ``char_start``/``char_end`` locate that quote in the article's text, so
    ``article_text[char_start:char_end] == quote``. ``text`` is the whole passage.
    ``also_in`` names (by id) the other articles that hold the quote's text, near-identical
    (:func:`assistant.citations.near_identical`): wire copies of one story folded into this
    citation; ``also_in_articles`` gives their titles and sources, in the same order.
    """

    n: int
    doc_id: str
    title: str
    source: str
    date: str
    chunk_id: str
    quote: str
    text: str
    char_start: int
    char_end: int
    score: float
    also_in: tuple[str, ...] = ()  # ids of other articles holding the same text (wire copies)
    outlet: str = ""  # the publisher; ``source`` is the article's URL or file path
    url: str = ""
    also_in_articles: tuple[ArticleRef, ...] = ()  # those articles, with title and source

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["also_in"] = list(self.also_in)
        d["also_in_articles"] = [asdict(a) for a in self.also_in_articles]
        return d


@dataclass(frozen=True)
class FilterMiss:
    """Why a question's filters matched no stored article, with the stored values nearest them.

    Each hint is filled only for a condition that was given: ``sources`` (outlets, then
    sources, nearest the ``--source`` asked for), ``doc_ids`` and ``titles`` nearest the ones
    asked for, and the store's date range (``first_date``..``last_date``, YYYY-MM-DD, a part
    the articles do not give left out) with the count of ``undated`` articles, which no date
    range matches.
    """

    filters: str  # the conditions as given, e.g. "source=reuterz since=2030-01-01"
    articles: int  # articles in the store
    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    first_date: str = ""
    last_date: str = ""
    undated: int = 0

    def message(self) -> str:
        """The plain sentence(s) shown instead of an answer."""
        lines = [f"No stored article matches the filter {self.filters} (the store holds {self.articles} articles)."]
        if self.sources:
            lines.append("Sources and outlets stored: " + ", ".join(self.sources) + ".")
        if self.doc_ids:
            lines.append("Stored article ids like it: " + ", ".join(self.doc_ids) + ".")
        if self.titles:
            lines.append("Stored titles with some of those words: " + "; ".join(self.titles) + ".")
        if self.first_date:
            span = self.first_date if self.first_date == self.last_date else f"{self.first_date} to {self.last_date}"
            lines.append(f"The articles are dated {span}" + (f"; {self.undated} have no date." if self.undated else "."))
        elif self.undated:
            lines.append("No stored article has a date.")
        return " ".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("sources", "doc_ids", "titles"):
            d[key] = list(d[key])
        return d


@dataclass
class Answer:
    """The result of a question. ``text`` carries ``[n]`` markers matching ``citations``."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    abstained: bool = False
    mode: str = "extractive"
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rewritten: str | None = None  # the standalone question used, when a follow-up was rewritten
    usage: dict[str, Any] | None = None  # LLM token counts and estimated cost (llm mode)
    unsupported: list[str] = field(default_factory=list)  # quoted spans not found in the cited passages
    filter_miss: FilterMiss | None = None  # set when the filters matched no stored article (nothing was searched)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "rewritten": self.rewritten,
            "text": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "timings": dict(self.timings),
            "warnings": list(self.warnings),
            "unsupported": list(self.unsupported),
            "usage": self.usage,
            "filter_miss": self.filter_miss.to_dict() if self.filter_miss else None,
        }

    def __str__(self) -> str:
        return self.text


@dataclass
class IngestFailure:
    path: str
    reason: str


@dataclass
class IngestSkip:
    """A file inside a folder that was not read: its type is not one ingest reads, or it is hidden."""

    path: str
    reason: str
    kind: str  # the file's suffix (".pdf"), "no suffix", or "hidden"


@dataclass
class IngestNotice:
    """Something done to an input that the user should know of (the article was ingested)."""

    path: str
    message: str


@dataclass
class IngestReport:
    """What an ingest did. Counts are articles; ``chunks_written`` counts chunks."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)
    notices: list[IngestNotice] = field(default_factory=list)
    skipped: list[IngestSkip] = field(default_factory=list)  # files in folders left unread, with why
    chunks_written: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0  # of ``seconds``: computing vectors (model calls and cache lookups)
    write_seconds: float = 0.0  # writing to the store (overlaps embedding when writes are overlapped)

    @property
    def ok(self) -> bool:
        return not self.failed

    def skipped_by_kind(self) -> dict[str, int]:
        """How many files were skipped of each kind (".pdf": 2, "hidden": 1), most first."""
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.kind] = counts.get(s.kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
            "pruned": len(self.pruned),
            "failed": [asdict(f) for f in self.failed],
            "notices": [asdict(n) for n in self.notices],
            "skipped": [asdict(s) for s in self.skipped],
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
        }
