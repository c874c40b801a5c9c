"""Score who-said-what against a file of hand-labelled quotations whose articles live in a JSONL
corpus outside the eval sets (default: quotes-abc.yaml over ../shared/corpora/abc-lee.jsonl).

Prints, per split (the test split only with ``--test``), recall (labelled quotations found with
the right speaker), precision (named attributions that match a labelled quotation of that
speaker) and recall by kind; and every miss of the dev split with the sentence it was found in
(test misses are never printed: test labels are for measuring, not for tuning).

    python evals/score_quotes.py [LABELS] [--corpus PATH] [--quiet] [--test]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labels", type=Path, nargs="?", default=ROOT / "evals" / "quotes-abc.yaml")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "abc-lee.jsonl")
    ap.add_argument("--quiet", action="store_true", help="figures only, not every miss")
    ap.add_argument("--test", action="store_true",
                    help="also print the test split's figures (for reporting; while tuning, leave it off)")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    from assistant.ingestion.parsers import read_articles
    from assistant.types import Article

    articles = {a.id: a for a in read_articles([args.corpus]) if isinstance(a, Article)}
    entries = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["articles"]
    missing = [e["doc"] for e in entries if e["doc"] not in articles]
    if missing:
        print(f"{len(missing)} labelled articles are not in {args.corpus}: {', '.join(missing[:5])}", file=sys.stderr)
        return 2
    tallies = score([(e, articles[e["doc"]]) for e in entries], args.quiet)
    for split, t in sorted(tallies.items()):
        if split == "test" and not args.test:
            continue
        right, total = sum(k[0] for k in t.kinds.values()), sum(k[1] for k in t.kinds.values())
        print(f"{args.labels.name} {split}: {total} quotations; recall {right}/{total} = {right / max(total, 1):.3f}, "
              f"precision {t.named_ok}/{t.named} = {t.named_ok / max(t.named, 1):.3f}")
        for name, (ok, n) in sorted(t.kinds.items()):
            print(f"  {name:<13} {ok}/{n} = {ok / n:.2f}")
    return 0


def score(labelled: list, quiet: bool) -> dict[str, Tally]:
    """Tallies per split of (label entry, article) pairs; dev misses printed unless ``quiet``."""
    from assistant.nlp.quotes import (
        extract_quotes_many,
        same_speaker,
        starts_with_words,
    )

    entries, docs = [e for e, _ in labelled], [a for _, a in labelled]
    tallies: dict[str, Tally] = defaultdict(Tally)
    for entry, article, found in zip(entries, docs, extract_quotes_many(docs)):
        split = entry.get("split", "test")
        tally, say = tallies[split], (lambda line: None) if split == "test" or quiet else print
        kinds = tally.kinds
        labels, used = entry["quotes"] or [], set()
        for lab in labels:
            kind = kinds[lab.get("kind", "?")]
            kind[1] += 1
            hit = next((i for i, q in enumerate(found) if i not in used and starts_with_words(q.text, lab["starts"])), None)
            if hit is None:
                say(f"not found  {article.id} [{lab.get('kind')}] {lab['speaker']!r}: {lab['starts']}")
                continue
            used.add(hit)
            q = found[hit]
            if same_speaker(q.speaker, lab["speaker"] or ""):
                kind[0] += 1
            else:
                say(f"wrong      {article.id} [{lab.get('kind')}] want {lab['speaker']!r}, got {q.speaker!r} "
                    f"({q.kind}, {q.attribution!r}): {q.sentence[:240]!r}")
        for q in found:
            if q.speaker:
                tally.named += 1
                lab = next((x for x in labels if starts_with_words(q.text, x["starts"])), None)
                tally.named_ok += lab is not None and same_speaker(q.speaker, lab["speaker"] or "")
                if lab is None:
                    say(f"no quote   {article.id} got {q.speaker!r} ({q.kind}): {q.text[:80]!r}")
    return tallies


@dataclass
class Tally:
    kinds: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # kind -> [right, labelled]
    named: int = 0
    named_ok: int = 0


if __name__ == "__main__":
    sys.exit(main())
