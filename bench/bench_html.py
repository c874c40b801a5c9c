"""HTML extraction on real news pages: time per page, body sentences kept verbatim, boilerplate.

Reads ../shared/corpora/html-news (skipped when missing) and the gold fingerprints of
evals/html-news; parses every page with the product's parser, chunks it as ingest does and
reports, per split, the share of gold body sentences stored verbatim and the share of chunks
that are mostly boilerplate, plus extraction time p50/p95 over all pages.

    python bench/bench_html.py [--split dev] [--json bench/results/html.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from assistant.chunking import chunk_article
from assistant.eval_extraction import ExtractionQuality
from assistant.eval_pages import load_page_labels
from assistant.parsers import parse_file
from assistant.schema import Article, IngestNotice

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "corpora" / "html-news"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "test"], action="append")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show", action="store_true", help="list each page's figures (dev pages only)")
    args = ap.parse_args()
    if not PAGES.is_dir():
        raise SystemExit(f"skipped: {PAGES} is missing")
    splits = args.split or ["dev", "test"]
    quality = {s: ExtractionQuality() for s in splits}
    times, notices = [], []
    for page in load_page_labels(ROOT / "evals" / "html-news"):
        if page.split not in splits:
            continue
        for f in page.files:
            t0 = time.perf_counter()
            items = list(parse_file(PAGES / f))
            times.append(time.perf_counter() - t0)
            notices += [f"{f}: {n.message}" for n in items if isinstance(n, IngestNotice)]
            for art in (x for x in items if isinstance(x, Article)):
                spans = [(c.char_start, c.char_end) for c in chunk_article(art)]
                before = ExtractionQuality()
                before.add(page.prints.get(f, []), art.text, spans)
                quality[page.split].add(page.prints.get(f, []), art.text, spans)
                if args.show and page.split == "dev":
                    print(f"{f}: {before.to_dict()}")
    out = {s: q.to_dict() for s, q in quality.items()}
    out["extract_seconds"] = {"pages": len(times), "p50": round(statistics.median(times), 4),
                              "p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 4)}
    out["notices"] = notices
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
