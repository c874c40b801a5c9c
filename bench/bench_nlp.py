"""Who-said-what's cost: spaCy load time, quote extraction on reuters-grain, and a whole ingest
of reuters-grain with the quote index against the same ingest with quote extraction skipped.

    python bench/bench_nlp.py [--json bench/results/nlp.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "reuters-grain.jsonl"


def ingest_seconds(skip_quotes: bool) -> float:
    import assistant.quotes as quotes
    from assistant import Assistant

    real = quotes.extract_quotes_many
    if skip_quotes:
        quotes.extract_quotes_many = lambda articles, model=None: [[] for _ in articles]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            a = Assistant(data_dir=Path(tmp), auto_seed=False)
            t = time.perf_counter()
            a.ingest([CORPUS])
            seconds = time.perf_counter() - t
            a.close()
            return seconds
    finally:
        quotes.extract_quotes_many = real


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    if not CORPUS.is_file():
        raise SystemExit(f"skipped: {CORPUS} is missing")
    t = time.perf_counter()
    from assistant.attribution import load_pipeline

    load_pipeline()
    load_s = time.perf_counter() - t
    from assistant.parsers import read_articles
    from assistant.quotes import extract_quotes_many
    from assistant.schema import Article

    articles = [a for a in read_articles([CORPUS]) if isinstance(a, Article)]
    t = time.perf_counter()
    found = sum(len(q) for i in range(0, len(articles), 300) for q in extract_quotes_many(articles[i : i + 300]))
    extract_s = time.perf_counter() - t
    rounds = [(ingest_seconds(True), ingest_seconds(False)) for _ in range(args.rounds)]
    without, with_ = sorted(r[0] for r in rounds)[len(rounds) // 2], sorted(r[1] for r in rounds)[len(rounds) // 2]
    out = {"articles": len(articles), "quotes": found, "spacy_load_s": round(load_s, 2),
           "extract_s": round(extract_s, 2), "ingest_without_quotes_s": round(without, 1),
           "ingest_with_quotes_s": round(with_, 1), "nlp_share_of_ingest": round(with_ / without - 1, 3),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
