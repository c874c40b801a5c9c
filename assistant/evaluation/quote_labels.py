"""Who-said-what scored against hand labels that name each quotation by its first words
(``evals/quotes.yaml``, ``evals/quotes-abc.yaml``), with the counts of the page labels'
:class:`~assistant.evaluation.pages.AttributionTally`."""

from __future__ import annotations

from typing import Any

from ..nlp.quotes import extract_quotes, same_speaker, starts_with_words
from ..types import Article
from .pages import AttributionTally


def score_attribution(labels_path, articles: dict[str, Article], split: str | None = None) -> dict[str, Any]:
    """Precision and recall of speaker attribution against hand labels.

    - recall: labelled quotations found with the right speaker ("" when no named person);
    - precision: named attributions the extractor made that match a labelled quotation of
      that speaker (a named attribution on anything that is not a labelled quotation is wrong);
    - found / quote_recall: labelled quotations located at all, whoever the speaker;
    - by_kind: recall per kind of attribution, for the labels that give one.
    """
    import yaml

    data = yaml.safe_load(open(labels_path, encoding="utf-8"))
    entries = [e for e in data["articles"] if split is None or e.get("split", "test") == split]
    tally = AttributionTally()
    for entry in entries:
        score_article(tally, articles[entry["doc"]], entry["quotes"] or [])
    n = tally.labelled
    return tally.to_dict() | {"articles": len(entries), "found": tally.located,
                              "quote_recall": round(tally.located / n, 3) if n else None}


def score_article(tally: AttributionTally, article: Article, labels: list[dict[str, Any]]) -> None:
    """Add one article's counts: each label matched to the first unused quotation that begins
    with its words, and each named attribution checked against the label it matches, if any."""
    extracted = extract_quotes(article)
    used: set[int] = set()
    for lab in labels:
        tally.labelled += 1
        kind = tally.by_kind.setdefault(lab["kind"], [0, 0]) if lab.get("kind") else [0, 0]
        kind[0] += 1
        hit = next((i for i, q in enumerate(extracted) if i not in used and starts_with_words(q.text, lab["starts"])), None)
        if hit is not None:
            used.add(hit)
            tally.located += 1
        if hit is not None and same_speaker(extracted[hit].speaker, lab["speaker"] or ""):
            tally.correct += 1
            kind[1] += 1
        else:
            got = "(not found)" if hit is None else extracted[hit].speaker or "(none)"
            tally.errors.append({"doc": article.id, "quote": lab["starts"], "want": lab["speaker"], "got": got,
                                 "kind": lab.get("kind", "")})
    for q in extracted:
        if not q.speaker:
            continue
        tally.named += 1
        lab = next((x for x in labels if starts_with_words(q.text, x["starts"])), None)
        if lab is not None and same_speaker(q.speaker, lab["speaker"] or ""):
            tally.named_ok += 1
        elif lab is None:
            tally.errors.append({"doc": article.id, "quote": q.text[:50], "want": "(not a quotation)",
                                 "got": q.speaker, "kind": ""})
