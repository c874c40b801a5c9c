"""Eval sets over raw web pages, labelled one page at a time.

A page set (``evals/html-news.yaml``) names a folder of HTML pages and a folder of labels with a
``dev/`` and a ``test/`` subfolder: one YAML file per article (schema in ``evals/README.md``)
with every direct quotation and its speaker and kind, words in quotation marks that are no
one's speech, and questions; beside it a ``.body.json`` of gold sentence fingerprints
(:mod:`assistant.eval_extraction`). This module reads them and scores quotation attribution
per split and per kind of attribution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from .extraction import SentencePrint
from ..types import Article

KINDS = ("named", "pronoun", "title", "continuation", "according-to", "unnamed", "transcript")


@dataclass(frozen=True)
class QuoteLabel:
    text: str  # the quotation's words (or its first words), verbatim in the article
    speaker: str  # "" when no named person or body said it
    kind: str  # how the article ties it to the speaker: one of KINDS


@dataclass
class PageLabels:
    """One labelled article: its page file (and alternate captures of it) and its labels."""

    file: str
    split: str
    headline: str
    variants: list[str]
    quotes: list[QuoteLabel]
    not_quotes: list[str]
    questions: list[dict[str, Any]]
    prints: dict[str, list[SentencePrint]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return [self.file, *self.variants]


def load_page_labels(folder: Path) -> list[PageLabels]:
    """Every article's labels under ``folder/dev`` and ``folder/test``."""
    pages = []
    for split in ("dev", "test"):
        for path in sorted((folder / split).glob("*.yaml")):
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or "file" not in raw:
                raise InputError(f"{path}: a page label file is a mapping with 'file', 'quotes' and 'questions'")
            prints_path = path.with_suffix(".body.json")
            prints = json.loads(prints_path.read_text(encoding="utf-8")) if prints_path.is_file() else {}
            pages.append(PageLabels(
                file=raw["file"], split=split, headline=str(raw.get("headline") or ""),
                variants=list(raw.get("variants") or []),
                quotes=[QuoteLabel(str(q["text"]), str(q.get("speaker") or ""), str(q.get("kind") or "named"))
                        for q in raw.get("quotes") or []],
                not_quotes=[str(q["text"]) for q in raw.get("not_quotes") or []],
                questions=list(raw.get("questions") or []),
                prints={f: [SentencePrint.from_list(x) for x in v] for f, v in prints.items()},
            ))
    return pages


def page_items(pages: list[PageLabels]) -> list[dict[str, Any]]:
    """The pages' questions as eval-set items (sources name the page files)."""
    items = []
    for page in pages:
        for q in page.questions:
            answerable = bool(q.get("answerable", True))
            slice_ = "unanswerable" if not answerable else "speaker" if q.get("type") == "said" else "news"
            item = {"id": q["id"], "split": page.split, "slice": slice_, "question": q["question"],
                    "unanswerable": not answerable}
            if answerable:
                item |= {"answer": q.get("answer", ""), "must_include": q.get("must_include") or [],
                         "evidence": q.get("evidence"), "sources": [f"file:{f}" for f in page.files]}
            items.append(item)
    return items


# --- quotation attribution ----------------------------------------------------------------


def _span(text: str, needle: str) -> tuple[int, int] | None:
    i = text.find(needle)
    return (i, i + len(needle)) if i >= 0 else None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


@dataclass
class AttributionTally:
    """Counts behind attribution precision and recall, overall and per kind."""

    labelled: int = 0  # every kind but transcript (an interview's unquoted answers, reported by kind only)
    located: int = 0  # label texts found verbatim in the stored article
    correct: int = 0
    named: int = 0  # attributions to a named speaker made by the extractor
    named_ok: int = 0
    titles_named: int = 0  # words that are no one's speech given a speaker anyway
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [labelled, correct]
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        r = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
        return {
            "labelled": self.labelled, "recall": r(self.correct, self.labelled),
            "precision": r(self.named_ok, self.named), "labels_verbatim": r(self.located, self.labelled),
            "not_quotes_given_a_speaker": self.titles_named,
            "by_kind": {k: {"n": v[0], "recall": r(v[1], v[0])} for k, v in sorted(self.by_kind.items())},
            "errors": self.errors,
        }


def _same(a: str, b: str) -> bool:
    from ..nlp.quotes import same_speaker

    return same_speaker(a, b)


def score_page(tally: AttributionTally, page: PageLabels, article: Article, extracted: list) -> None:
    """Add one article's attribution counts to ``tally``. ``extracted`` are the extractor's
    quotations (``speaker``, ``char_start``, ``char_end``)."""
    text = article.text
    labels = [(lab, _span(text, lab.text)) for lab in page.quotes]
    blanks = [s for s in (_span(text, t) for t in page.not_quotes) if s]
    for lab, span in labels:
        kind = tally.by_kind.setdefault(lab.kind, [0, 0])
        kind[0] += 1
        if lab.kind == "transcript":  # an interview's answers, no quotation marks: reported by kind only
            kind[1] += bool(span and any(_overlap((q.char_start, q.char_end), span) and _same(q.speaker, lab.speaker)
                                         for q in extracted))
            continue
        tally.labelled += 1
        if span is None:
            tally.errors.append({"doc": page.file, "quote": lab.text[:50], "want": lab.speaker, "got": "(label not in text)"})
            continue
        tally.located += 1
        hit = next((q for q in extracted if _overlap((q.char_start, q.char_end), span)), None)
        got = hit.speaker if hit else ""
        if _same(got, lab.speaker):
            tally.correct += 1
            kind[1] += 1
        else:
            tally.errors.append({"doc": page.file, "quote": lab.text[:50], "want": lab.speaker or "(nobody named)",
                                 "got": got or ("(no speaker)" if hit else "(not found)")})
    for q in extracted:
        if not q.speaker:
            continue
        tally.named += 1
        span = (q.char_start, q.char_end)
        lab = next((lab for lab, s in labels if s and _overlap(span, s)), None)
        if lab is not None and _same(q.speaker, lab.speaker):
            tally.named_ok += 1
        elif lab is None:
            tally.titles_named += any(_overlap(span, b) for b in blanks)
            tally.errors.append({"doc": page.file, "quote": q.text[:50], "want": "(not a quotation)", "got": q.speaker})


def score_pages(pages: list[PageLabels], articles: dict[str, Article]) -> dict[str, dict[str, Any]]:
    """Attribution per split: ``articles`` maps page file names to the parsed articles."""
    from ..nlp.quotes import extract_quotes

    tallies: dict[str, AttributionTally] = {}
    for page in pages:
        article = articles.get(page.file)
        if article is None:
            continue
        score_page(tallies.setdefault(page.split, AttributionTally()), page, article, extract_quotes(article))
    return {split: t.to_dict() | {"articles": sum(p.split == split for p in pages)} for split, t in tallies.items()}
