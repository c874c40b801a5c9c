"""The eval set among all of ../shared/corpora as distractors: dense vs hybrid retrieval (issue 6).

One store holds the eval corpus plus every article of reuters-tm, reuters-grain and abc-lee
(about 2,500 articles); the same questions are then run with each retrieval method, so the
rows differ only in retrieval.

    python bench/bench_distractors.py [--json bench/results/distractors.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from assistant import Assistant
    from assistant.evals import percentile, run_eval

    files = sorted(CORPORA.glob("*.jsonl"))
    if not files:
        print("../shared/corpora not found", file=sys.stderr)
        return 2
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        a = Assistant(data_dir=Path(tmp), auto_seed=False, answer_mode="extractive")
        t = time.perf_counter()
        a.ingest(files)
        ingest_s = time.perf_counter() - t
        articles, chunks = a.store.count_articles(), a.store.count_chunks()
        for method in ("dense", "hybrid"):
            a.settings = a.settings.model_copy(update={"retrieval": method})
            rep = run_eval(assistant=a)
            m = rep.metrics
            rows[method] = {
                "hit@5": m["overall"]["hit@k"], "mrr": m["overall"]["mrr"], "doc_hit@5": m["overall"]["doc_hit@k"],
                "seed_hit@5": m["seed"]["hit@k"], "news_hit@5": m["news"]["hit@k"],
                "must_include": m["overall"]["must_include"], "citation_precision": m["overall"]["citation_precision"],
                "abstention_recall": m["overall"]["abstention_recall"],
                "retrieve_p50_ms": None, "ask_p50_ms": round(m["overall"]["latency_p50"] * 1000, 1),
            }
            lat = []
            for r in rep.results:
                t = time.perf_counter()
                a.retrieve(r.rewritten or r.question)
                lat.append((time.perf_counter() - t) * 1000)
            rows[method]["retrieve_p50_ms"] = round(percentile(lat, 0.5), 1)
    out = {"articles": articles, "chunks": chunks, "ingest_s": round(ingest_s, 1), "methods": rows}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
