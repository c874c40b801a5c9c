"""The eval set among all of ../shared/corpora as distractors: dense vs hybrid vs hybrid+rerank (issue 6).

One store holds the eval corpus plus every article of reuters-tm, reuters-grain and abc-lee
(about 2,500 articles); the same questions are then run with each retrieval method, so the
rows differ only in retrieval.

reuters-grain repeats many reuters-tm stories word for word. hit@5 counts a passage of the expected
article, or a copy that names it in ``also_in`` (its citation shows "same text also in") and holds
the whole evidence; "hit@5 (own id)" counts only passages under the expected article's own id;
"hit@5 (dup)" counts any retrieved passage holding the evidence text, named or not.

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
    from assistant.evals import _norm, load_eval_set, percentile, run_eval

    evidence = {(item.id, n): [_norm(e) for e in t.evidence]
                for item in load_eval_set().items for n, t in enumerate(item.turns, 1)}

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
        variants = {"dense": {"retrieval": "dense", "rerank": "none"},
                    "hybrid": {"retrieval": "hybrid", "rerank": "none"},
                    "hybrid+rerank": {"retrieval": "hybrid", "rerank": "lexical"}}
        for method, update in variants.items():
            a.settings = a.settings.model_copy(update=update)
            rep = run_eval(assistant=a)
            m = rep.metrics
            rows[method] = {
                "hit@5": m["test"]["hit@k"], "hit@5_own_id": m["test"]["hit@k_own_id"], "mrr": m["test"]["mrr"], "doc_hit@5": m["test"]["doc_hit@k"],
                "seed_hit@5": m["test/seed"]["hit@k"], "news_hit@5": m["test/news"]["hit@k"],
                "must_include": m["test"]["must_include"], "citation_precision": m["test"]["citation_precision"],
                "abstention_recall": m["test"]["abstention_recall"],
                "dev_hit@5": m["dev"]["hit@k"], "dev_must_include": m["dev"]["must_include"],
                "retrieve_p50_ms": None, "ask_p50_ms": round(m["test"]["latency_p50"] * 1000, 1),
            }
            lat, dup_hits, answerable = [], 0, 0
            for r in rep.results:
                t = time.perf_counter()
                got = a.retrieve(r.rewritten or r.question).passages
                lat.append((time.perf_counter() - t) * 1000)
                if not r.unanswerable:
                    answerable += 1
                    ev = evidence[(r.item, r.turn)]
                    dup_hits += r.evidence_rank is not None or any(e in _norm(p.text) for p in got for e in ev)
            rows[method]["retrieve_p50_ms"] = round(percentile(lat, 0.5), 1)
            rows[method]["hit@5_dup"] = round(dup_hits / answerable, 3)
    out = {"articles": articles, "chunks": chunks, "ingest_s": round(ingest_s, 1), "methods": rows}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
