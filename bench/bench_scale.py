"""Ingest and query at 10k and 100k chunks, with peak memory (issue 6).

The corpus is every article of ../shared/corpora, then copies of them under new ids (``<id>~r<n>``,
title marked with the copy number) until the store holds the target number of chunks. One store
grows through the targets; at each one the eval questions are asked to the retriever (hybrid and
dense) and the process's peak RSS is read. At each size it also times what the incremental BM25
index is for: a 10-article ingest and the question right after it, and a second process opening
the store (it loads the saved index instead of rebuilding it).

The first pass embeds every distinct chunk with the model; copies repeat text, so their vectors
come from the embedding cache and the copies' ingest time is the pipeline without the model
(reading, chunking, registry, Chroma writes). Both rates are reported.

    python bench/bench_scale.py [--targets 10000 100000] [--json bench/results/scale.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="build the store in DIR and keep it (for profiling queries afterwards)")
    args = ap.parse_args()
    from assistant import Assistant
    from assistant.evaluation.runner import load_eval_set

    files = sorted(CORPORA.glob("*.jsonl"))
    if not files:
        print("../shared/corpora not found", file=sys.stderr)
        return 2
    lines = [json.loads(x) for f in files for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    questions = [t.question for i in load_eval_set(ROOT / "evals" / "default.yaml").items for t in i.turns]
    out: dict = {"base_articles": len(lines), "stages": []}
    with (contextlib.nullcontext(str(args.keep)) if args.keep else tempfile.TemporaryDirectory()) as tmp:
        a = Assistant(data_dir=Path(tmp) / "data", auto_seed=False, answer_mode="extractive")
        t = time.perf_counter()
        rep = a.ingest(files)
        base_s = time.perf_counter() - t
        base_chunks = a.store.count_chunks()
        out["first_pass"] = {"articles": len(rep.added), "chunks": base_chunks, "seconds": round(base_s, 1),
                             "chunks_per_s": round(base_chunks / base_s, 1)}
        print(json.dumps(out["first_pass"]), flush=True)
        copy = 0
        for target in args.targets:
            copy, stage = grow(a, lines, Path(tmp), target, copy)
            stage.update(latencies(a, questions))
            stage["rss_mib"] = round(rss_mib(), 1)
            stage["peak_rss_mib"] = round(peak_rss_mib(), 1)
            stage.update(after_readings(a, lines, Path(tmp), target))  # after the latency and memory readings
            out["stages"].append(stage)
            print(json.dumps(stage), flush=True)
        out["embed_cache"] = {"hits": a.embed_cache.hits, "misses": a.embed_cache.misses}
        du = sum(p.stat().st_size for p in (Path(tmp) / "data").rglob("*") if p.is_file())
        out["data_dir_mib"] = round(du / 2**20, 1)
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


def grow(a, lines: list[dict], tmp: Path, target: int, copy: int) -> tuple[int, dict]:
    """Ingest renamed copies of the corpus until the store holds ``target`` chunks; the stage's
    ingest figures and the first question after it."""
    t = time.perf_counter()
    added_chunks = 0
    while a.store.count_chunks() < target:
        copy += 1
        path = tmp / f"copy-{copy}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in lines:
                r = dict(row, id=f"{row.get('id')}~r{copy}", title=f"{row.get('title', '')} (copy {copy})")
                fh.write(json.dumps(r) + "\n")
        added_chunks += a.ingest([path]).chunks_written
        path.unlink()
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    a.retrieve("the first question after the ingest")
    return copy, {"chunks": a.store.count_chunks(), "articles": a.store.count_articles(),
                  "copies_ingest_s": round(ingest_s, 1),
                  "copies_chunks_per_s": round(added_chunks / ingest_s, 1) if ingest_s else None,
                  "first_retrieve_after_ingest_s": round(time.perf_counter() - t, 3), "lexical_chunks": len(a.bm25)}


def latencies(a, questions: list[str]) -> dict:
    """Retrieval p50/p95, hybrid and dense (every question twice), and ``ask()`` on 30 questions."""
    from assistant.evaluation.runner import percentile

    out = {}
    for method in ("hybrid", "dense"):
        a.settings = a.settings.model_copy(update={"retrieval": method})
        lat = []
        for _ in range(2):
            for q in questions:
                t = time.perf_counter()
                a.retrieve(q)
                lat.append((time.perf_counter() - t) * 1000)
        out[f"{method}_p50_ms"] = round(percentile(lat, 0.5), 1)
        out[f"{method}_p95_ms"] = round(percentile(lat, 0.95), 1)
    a.settings = a.settings.model_copy(update={"retrieval": "hybrid"})
    lat = []
    for q in questions[:30]:
        t = time.perf_counter()
        a.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
    out["ask_p50_ms"] = round(percentile(lat, 0.5), 1)
    out["ask_p95_ms"] = round(percentile(lat, 0.95), 1)
    return out


def after_readings(a, lines: list[dict], tmp: Path, target: int) -> dict:
    """A small ingest into the big store and the question after it; then a second process on the
    same store, whose first question loads the saved keyword index."""
    out = {}
    small = tmp / "small.jsonl"
    small.write_text("".join(json.dumps(dict(r, id=f"{r.get('id')}~small{target}")) + "\n" for r in lines[:10]))
    t = time.perf_counter()
    rep = a.ingest([small])
    out["small_ingest_s"] = round(time.perf_counter() - t, 3)
    out["small_ingest_chunks"] = rep.chunks_written
    t = time.perf_counter()
    a.retrieve("the first question after a small ingest")
    out["first_retrieve_after_small_ingest_s"] = round(time.perf_counter() - t, 3)
    small.unlink()
    probe = (
        "import json, sys, time; from pathlib import Path; from assistant import Assistant\n"
        "b = Assistant(data_dir=Path(sys.argv[1]), auto_seed=False)\n"
        "t = time.perf_counter(); b.bm25.search('the first question of another process', 5)\n"
        "print(json.dumps({'s': time.perf_counter() - t, 'stemmed': b.bm25.stats['read']}))\n")
    got = json.loads(subprocess.run([sys.executable, "-c", probe, str(tmp / "data")], check=True,
                                    capture_output=True, text=True).stdout.strip().splitlines()[-1])
    out["second_process_bm25_open_s"] = round(got["s"], 3)
    out["second_process_lexical_read"] = got["stemmed"]
    return out


if __name__ == "__main__":
    sys.exit(main())
