"""Score who-said-what against a file of hand-labelled quotations whose articles live in a JSONL
corpus outside the eval sets (default: quotes-abc.yaml over ../shared/corpora/abc-lee.jsonl).

Prints recall (labelled quotations found with the right speaker), precision (named attributions
that match a labelled quotation of that speaker), recall by kind, and every miss with the
sentence it was found in. Dev data: look at it, tune on it.

    python evals/score_quotes.py [LABELS] [--corpus PATH] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labels", type=Path, nargs="?", default=ROOT / "evals" / "quotes-abc.yaml")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "abc-lee.jsonl")
    ap.add_argument("--quiet", action="store_true", help="figures only, not every miss")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    from assistant.ingestion.parsers import read_articles
    from assistant.nlp.quotes import extract_quotes_many, same_speaker, starts_with_words
    from assistant.types import Article

    articles = {a.id: a for a in read_articles([args.corpus]) if isinstance(a, Article)}
    entries = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["articles"]
    docs = [articles[e["doc"]] for e in entries]
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    named = named_ok = 0
    for entry, article, found in zip(entries, docs, extract_quotes_many(docs)):
        labels, used = entry["quotes"] or [], set()
        for lab in labels:
            kind = kinds[lab.get("kind", "?")]
            kind[1] += 1
            hit = next((i for i, q in enumerate(found) if i not in used and starts_with_words(q.text, lab["starts"])), None)
            if hit is None:
                _say(args, f"not found  {article.id} [{lab.get('kind')}] {lab['speaker']!r}: {lab['starts']}")
                continue
            used.add(hit)
            q = found[hit]
            if same_speaker(q.speaker, lab["speaker"] or ""):
                kind[0] += 1
            else:
                _say(args, f"wrong      {article.id} [{lab.get('kind')}] want {lab['speaker']!r}, got {q.speaker!r} "
                           f"({q.kind}, {q.attribution!r}): {q.sentence[:240]!r}")
        for q in found:
            if q.speaker:
                named += 1
                lab = next((x for x in labels if starts_with_words(q.text, x["starts"])), None)
                named_ok += lab is not None and same_speaker(q.speaker, lab["speaker"] or "")
                if lab is None:
                    _say(args, f"no quote   {article.id} got {q.speaker!r} ({q.kind}): {q.text[:80]!r}")
    right, total = sum(k[0] for k in kinds.values()), sum(k[1] for k in kinds.values())
    print(f"{args.labels.name}: {len(entries)} articles, {total} quotations")
    print(f"recall {right}/{total} = {right / max(total, 1):.3f}   precision {named_ok}/{named} = {named_ok / max(named, 1):.3f}")
    for name, (ok, n) in sorted(kinds.items()):
        print(f"  {name:<13} {ok}/{n} = {ok / n:.2f}")
    return 0


def _say(args, line: str) -> None:
    if not args.quiet:
        print(line)


if __name__ == "__main__":
    sys.exit(main())
