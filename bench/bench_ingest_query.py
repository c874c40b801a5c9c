"""Ingest and query benchmark over ../shared/corpora/reuters-grain.jsonl (issue 2).

Measures, in one run on one machine:
- ingest throughput (articles/s, chunks/s) of the full pipeline into a fresh embedded store;
- the raw throughput of the embedding model alone on the very same chunk texts, before and
  after the ingest (the machine's speed drifts by a few per cent between minutes-long runs), so
  the pipeline's overhead over the model is a ratio to their mean, measured side by side;
- query latency p50/p95 of retrieve-only and of full ``ask()`` over that store.

    python bench/bench_ingest_query.py [--corpus PATH] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters-grain.jsonl"

QUESTIONS = [
    "How much wheat did the Soviet Union buy from the United States?",
    "What did the USDA say about the winter wheat crop?",
    "Which countries bought U.S. corn under the export enhancement program?",
    "What happened to Argentine grain exports?",
    "How did the drought affect Australian wheat?",
    "What did the agriculture secretary say about subsidies?",
    "What are the forecasts for the Canadian wheat harvest?",
    "How much sugar did India import?",
    "What did the European Community decide on export rebates?",
    "Why did soybean prices rise in Chicago?",
    "What did Netanyahu say about the alliance?",
    "Who won the 2022 FIFA World Cup?",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    ap.add_argument("--repeats", type=int, default=3, help="times each question is asked")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    from assistant import Assistant
    from assistant.chunking import chunk_article
    from assistant.embeddings import LocalMiniLMEmbeddings
    from assistant.evals import percentile
    from assistant.parsers import read_articles
    from assistant.schema import Article

    embedder = LocalMiniLMEmbeddings()
    embedder.embed_array(["warm up"])  # model load is not throughput
    results: dict = {"corpus": str(args.corpus.name)}

    arts = [x for x in read_articles([args.corpus]) if isinstance(x, Article)]
    with tempfile.TemporaryDirectory() as tmp:
        a = Assistant(embedder=embedder, data_dir=Path(tmp), auto_seed=False)
        texts = [c.text for art in arts for c in chunk_article(art, a.settings.chunk_tokens, a.settings.chunk_overlap)]
        t = time.perf_counter()
        embedder.embed_array(texts)
        embed_before = time.perf_counter() - t
        a.store  # open the store before the clock starts
        t = time.perf_counter()
        report = a.ingest([args.corpus])
        ingest_s = time.perf_counter() - t
        n_articles = len(report.added)
        n_chunks = report.chunks_written
        results["ingest"] = {
            "articles": n_articles,
            "chunks": n_chunks,
            "seconds": round(ingest_s, 2),
            "articles_per_s": round(n_articles / ingest_s, 2),
            "chunks_per_s": round(n_chunks / ingest_s, 2),
        }

        # The model alone on the same chunk texts, same batch size (again, after the ingest).
        assert len(texts) == n_chunks, (len(texts), n_chunks)
        t = time.perf_counter()
        embedder.embed_array(texts)
        embed_after = time.perf_counter() - t
        embed_s = (embed_before + embed_after) / 2
        results["embedding_only"] = {"seconds": round(embed_s, 2), "chunks_per_s": round(len(texts) / embed_s, 2),
                                     "seconds_before_ingest": round(embed_before, 2),
                                     "seconds_after_ingest": round(embed_after, 2)}
        results["pipeline_overhead"] = round(ingest_s / embed_s - 1.0, 4)

        # Re-ingest of the unchanged corpus.
        t = time.perf_counter()
        again = a.ingest([args.corpus])
        results["reingest_unchanged_seconds"] = round(time.perf_counter() - t, 2)
        assert again.chunks_written == 0

        a.retrieve("warm up")  # the first question builds the BM25 index; time steady-state queries
        retrieve, full = [], []
        for _ in range(args.repeats):
            for q in QUESTIONS:
                t = time.perf_counter()
                a.retrieve(q)
                retrieve.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                a.ask(q)
                full.append((time.perf_counter() - t) * 1000)
        results["query_ms"] = {
            "retrieve_p50": round(percentile(retrieve, 0.5), 1),
            "retrieve_p95": round(percentile(retrieve, 0.95), 1),
            "ask_p50": round(percentile(full, 0.5), 1),
            "ask_p95": round(percentile(full, 0.95), 1),
            "n": len(full),
        }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
