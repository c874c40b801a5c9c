"""Ingest and query benchmark over ../shared/corpora/reuters-grain.jsonl (issue 2).

Measures, in one run on one machine:
- ingest throughput (articles/s, chunks/s) of the full pipeline into a fresh embedded store;
- the raw throughput of the embedding model alone on the very same chunk texts, run before and
  after each of ``--rounds`` ingests into fresh stores (the machine's speed drifts by a few per
  cent between minutes-long runs), so each ingest's overhead over the model is a ratio to the
  mean of its two neighbours; the median round is reported, every round is listed;
- where each ingest's time went: its own model calls, its writes, the rest;
- with ``--without-quotes``, each round also ingests into another fresh store with who-said-what
  switched off: the overhead of storing alone (issue 20), and what spaCy's parse adds to the
  ingest time (issue 19);
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
    ap.add_argument("--without-quotes", action="store_true",
                    help="each round also ingests with who-said-what switched off, before the next model run")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    from assistant import Assistant
    from assistant.index.embeddings import LocalMiniLMEmbeddings
    from assistant.ingestion.chunking import chunk_article
    from assistant.ingestion.parsers import read_articles
    from assistant.nlp.attribution import load_pipeline
    from assistant.types import Article

    embedder = LocalMiniLMEmbeddings()
    embedder.embed_array(["warm up"])  # model load is not throughput
    results: dict = {"corpus": str(args.corpus.name)}
    t = time.perf_counter()
    load_pipeline()  # nor is spaCy's (loaded once per process; reported apart)
    results["spacy_load_seconds"] = round(time.perf_counter() - t, 2)

    arts = [x for x in read_articles([args.corpus]) if isinstance(x, Article)]
    variants = [True, False] if args.without_quotes else [True]  # who-said-what on, off
    tmps = [tempfile.TemporaryDirectory() for _ in range(args.rounds * len(variants))]
    with contextlib.ExitStack() as stack:
        for t in tmps:
            stack.enter_context(t)
        stores = [Assistant(embedder=embedder, data_dir=Path(t.name), auto_seed=False) for t in tmps]
        s0 = stores[0].settings
        texts = [c.text for art in arts for c in chunk_article(art, s0.chunk_tokens, s0.chunk_overlap)]
        rounds, rounds_plain, report = measure_rounds(args, embedder, stores, texts, variants)
        results.update(summarise(rounds, rounds_plain, report, len(texts)))
        a = stores[(args.rounds - 1) * len(variants)]  # a store with quotations
        t = time.perf_counter()
        again = a.ingest([args.corpus])  # the unchanged corpus again
        results["reingest_unchanged_seconds"] = round(time.perf_counter() - t, 2)
        assert again.chunks_written == 0
        results["query_ms"] = measure_queries(a, args.repeats)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def measure_rounds(args, embedder, stores, texts, variants) -> tuple[list, list, object]:
    """Model alone, ingest(s), model alone, ingest(s), ..., model alone: each ingest is compared
    with the mean of the model runs just before and after its round (the machine's speed drifts
    by a few per cent between minutes-long runs). Returns the rounds with who-said-what, those
    without it, and the last report with it."""

    def model_alone() -> float:
        t = time.perf_counter()
        embedder.embed_array(texts)
        return time.perf_counter() - t

    model_s = [model_alone()]
    rounds, rounds_plain, report = [], [], None
    for r in range(args.rounds):
        order = variants if r % 2 == 0 else variants[::-1]  # neither always first
        timed = [(quotes, *ingest(stores[r * len(variants) + variants.index(quotes)], args.corpus, quotes))
                 for quotes in order]
        timed.sort(key=lambda x: not x[0])
        model_s.append(model_alone())
        for quotes, ingest_s, rep in timed:
            assert rep.chunks_written == len(texts), (rep.chunks_written, len(texts))
            (rounds if quotes else rounds_plain).append({
                "ingest_seconds": round(ingest_s, 2), "embed_seconds": round(rep.embed_seconds, 2),
                "write_seconds": round(rep.write_seconds, 2),
                "model_alone_seconds": [round(model_s[-2], 2), round(model_s[-1], 2)],
                "overhead": round(ingest_s / ((model_s[-2] + model_s[-1]) / 2) - 1, 4),
                "outside_model": round(ingest_s / rep.embed_seconds - 1, 4)})
        report = timed[0][2]
    return rounds, rounds_plain, report


def ingest(a, corpus: Path, quotes: bool) -> tuple[float, object]:
    """One timed ingest into a fresh store (``quotes``: with who-said-what)."""
    from assistant.ingestion import pipeline

    a.store  # noqa: B018 - open the store before the clock starts
    saved = pipeline.find_quotes
    if not quotes:
        pipeline.find_quotes = lambda articles, model=None: [[] for _ in articles]
    try:
        t = time.perf_counter()
        report = a.ingest([corpus])
        return time.perf_counter() - t, report
    finally:
        pipeline.find_quotes = saved


def _middle(xs: list[float]) -> float:
    return sorted(xs)[(len(xs) - 1) // 2]


def summarise(rounds: list, rounds_plain: list, report, n_texts: int) -> dict:
    """The median (lower middle) round's figures: ingest throughput, the model alone, the overhead
    over it and the time outside the model calls (drift-free); without who-said-what, the same
    overhead and what the parse adds to the ingest's time, round by round."""
    out: dict = {}
    if rounds_plain:
        out["without_quotes"] = {
            "rounds": rounds_plain, "pipeline_overhead": _middle([r["overhead"] for r in rounds_plain]),
            "quotes_add": _middle([w["ingest_seconds"] / p["ingest_seconds"] - 1 for w, p in zip(rounds, rounds_plain)]),
        }
    mid = sorted(rounds, key=lambda r: r["overhead"])[(len(rounds) - 1) // 2]
    n_articles, n_chunks = len(report.added), report.chunks_written
    ingest_s, embed_s = mid["ingest_seconds"], sum(mid["model_alone_seconds"]) / 2
    out["ingest"] = {"articles": n_articles, "chunks": n_chunks, "seconds": ingest_s,
                     "articles_per_s": round(n_articles / ingest_s, 2), "chunks_per_s": round(n_chunks / ingest_s, 2)}
    out["embedding_only"] = {"seconds": round(embed_s, 2), "chunks_per_s": round(n_texts / embed_s, 2)}
    out["rounds"] = rounds
    out["pipeline_overhead"] = mid["overhead"]
    out["outside_model"] = _middle([r["outside_model"] for r in rounds])
    return out


def measure_queries(a, repeats: int) -> dict:
    """p50/p95 of retrieve-only and of full ``ask()``, steady state (the first question builds the
    keyword index and is not timed)."""
    from assistant.evaluation.runner import percentile

    a.retrieve("warm up")
    retrieve, full = [], []
    for _ in range(repeats):
        for q in QUESTIONS:
            t = time.perf_counter()
            a.retrieve(q)
            retrieve.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            a.ask(q)
            full.append((time.perf_counter() - t) * 1000)
    return {"retrieve_p50": round(percentile(retrieve, 0.5), 1), "retrieve_p95": round(percentile(retrieve, 0.95), 1),
            "ask_p50": round(percentile(full, 0.5), 1), "ask_p95": round(percentile(full, 0.95), 1), "n": len(full)}


if __name__ == "__main__":
    sys.exit(main())
