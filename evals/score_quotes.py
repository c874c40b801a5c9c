"""Score who-said-what against a file of hand-labelled quotations whose articles live in a JSONL
corpus outside the eval sets (default: quotes-abc.yaml over ../shared/corpora/abc-lee.jsonl).

Prints, per split (the test split only with ``--test``), recall (labelled quotations found with
the right speaker), precision (named attributions that match a labelled quotation of that
speaker) and recall by kind (:func:`assistant.evaluation.quote_labels.score_attribution`); and
every miss of the dev split (test misses are never printed: test labels are for measuring, not
for tuning).

    python evals/score_quotes.py [LABELS] [--corpus PATH] [--quiet] [--test]
"""

from __future__ import annotations

import argparse
import sys
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

    from assistant.evaluation.quote_labels import score_attribution
    from assistant.ingestion.parsers import read_articles
    from assistant.types import Article

    articles = {a.id: a for a in read_articles([args.corpus]) if isinstance(a, Article)}
    entries = yaml.safe_load(args.labels.read_text(encoding="utf-8"))["articles"]
    missing = [e["doc"] for e in entries if e["doc"] not in articles]
    if missing:
        print(f"{len(missing)} labelled articles are not in {args.corpus}: {', '.join(missing[:5])}", file=sys.stderr)
        return 2
    for split in ["dev"] + (["test"] if args.test else []):
        got = score_attribution(args.labels, articles, split=split)
        if split == "dev" and not args.quiet:
            for e in got["errors"]:
                print(f"{e['doc']} [{e['kind'] or '-'}] want {e['want'] or '(no one named)'!r}, got {e['got']!r}: {e['quote']}")
        print(f"{args.labels.name} {split}: {got['labelled']} quotations in {got['articles']} articles; "
              f"recall {got['recall']}, precision {got['precision']}")
        for kind, k in got["by_kind"].items():
            print(f"  {kind:<13} {k['recall']:.2f} (n={k['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
