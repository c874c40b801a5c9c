"""Ingest and query benchmark over ../shared/corpora/reuters-grain.jsonl (issue 2).

Measures, in one run on one machine:
- ingest throughput (articles/s, chunks/s) of the full pipeline into a fresh embedded store;
- the raw throughput of the embedding model alone on the very same chunk texts, run before and
  after each of ``--rounds`` ingests into fresh stores (the machine's speed drifts by a few per
  cent between minutes-long runs), so each ingest's overhead over the model is a ratio to the
  mean of its two neighbours; the median round is reported, every round is listed;
- where each ingest's time went: its own model calls, its writes, the rest;
- query latency p50/p95 of retrieve-only and of full ``ask()`` over that store.

    python bench/bench_ingest_query.py [--corpus PATH] [--json OUT]
"""

from __future__ import annotations

import argparse
import contextlib
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
    ap.add_argument("--rounds", type=int, default=3, help="ingests, each between two runs of the model alone")
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
    tmps = [tempfile.TemporaryDirectory() for _ in range(args.rounds)]
    with contextlib.ExitStack() as stack:
        for t in tmps:
            stack.enter_context(t)
        # Model alone, ingest, model alone, ingest, ..., model alone: each ingest is compared
        # with the mean of the model runs just before and after it (the machine's speed drifts
        # by a few per cent between minutes-long runs), and the median round is reported.
        stores = [Assistant(embedder=embedder, data_dir=Path(t.name), auto_seed=False) for t in tmps]
        s0 = stores[0].settings
        texts = [c.text for art in arts for c in chunk_article(art, s0.chunk_tokens, s0.chunk_overlap)]

        def model_alone() -> float:
            t = time.perf_counter()
            embedder.embed_array(texts)
            return time.perf_counter() - t

        model_s = [model_alone()]
        rounds = []
        for a in stores:
            a.store  # open the store before the clock starts
            t = time.perf_counter()
            report = a.ingest([args.corpus])
            ingest_s = time.perf_counter() - t
            assert report.chunks_written == len(texts), (report.chunks_written, len(texts))
            model_s.append(model_alone())
            rounds.append({"ingest_seconds": round(ingest_s, 2), "embed_seconds": round(report.embed_seconds, 2),
                           "write_seconds": round(report.write_seconds, 2),
                           "model_alone_seconds": [round(model_s[-2], 2), round(model_s[-1], 2)],
                           "overhead": round(ingest_s / ((model_s[-2] + model_s[-1]) / 2) - 1, 4),
                           "outside_model": round(ingest_s / report.embed_seconds - 1, 4)})
        mid = sorted(rounds, key=lambda r: r["overhead"])[(len(rounds) - 1) // 2]
        n_articles, n_chunks = len(report.added), report.chunks_written
        ingest_s = mid["ingest_seconds"]
        embed_s = sum(mid["model_alone_seconds"]) / 2
        results["ingest"] = {
            "articles": n_articles,
            "chunks": n_chunks,
            "seconds": ingest_s,
            "articles_per_s": round(n_articles / ingest_s, 2),
            "chunks_per_s": round(n_chunks / ingest_s, 2),
        }
        results["embedding_only"] = {"seconds": round(embed_s, 2), "chunks_per_s": round(len(texts) / embed_s, 2)}
        # Overhead over the raw model, per round and the median (lower middle) round; and the
        # time the ingest spent outside its own model calls, relative to them (drift-free).
        results["rounds"] = rounds
        results["pipeline_overhead"] = mid["overhead"]
        results["outside_model"] = sorted(r["outside_model"] for r in rounds)[(len(rounds) - 1) // 2]
        a = stores[-1]

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
