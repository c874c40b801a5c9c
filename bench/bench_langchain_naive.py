"""This assistant's retrieval vs LangChain's tutorial pipeline, on the same corpus and questions (issue 6).

The naive pipeline: RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over each
article's text, langchain-chroma's ``Chroma.from_documents`` with the same bundled MiniLM
embedder, and ``similarity_search(question, k=4)``. Ours: the product's ingest (tiktoken chunks,
registry, BM25) and hybrid retrieval at k=4 and k=5. The corpus is the eval corpus plus every
article of ../shared/corpora (about 2,500 articles); the questions are the eval set's answerable
ones (follow-ups: the naive pipeline gets the question as typed, ours its offline rewrite, as
each would in use). A hit is a retrieved chunk of the right article that holds at least half of
an evidence span, the eval runner's own definition.

Both ingests run cold (no embedding cache) in this one run, so their times compare.

    pip install -e ".[bench]"   # langchain-text-splitters, the tutorial's splitter
    python bench/bench_langchain_naive.py [--json bench/results/langchain_naive.json]
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


def score(ranked: list[list[tuple[str, int, int]]], spans: list[list[tuple[str, int, int]]], k: int) -> dict:
    from assistant.evaluation.runner import overlaps

    hits = rr = doc_hits = 0.0
    for got, want in zip(ranked, spans):
        rank = next((i for i, (d, s, e) in enumerate(got[:k], 1)
                     if any(d == wd and overlaps((s, e), (ws, we)) for wd, ws, we in want)), None)
        hits += rank is not None
        rr += 1 / rank if rank else 0.0
        doc_hits += any(d in {wd for wd, _, _ in want} for d, _, _ in got[:k])
    n = len(spans) or 1
    return {"hit@k": round(hits / n, 3), "mrr": round(rr / n, 3), "doc_hit@k": round(doc_hits / n, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from assistant.index.embeddings import LocalMiniLMEmbeddings
    from assistant.ingestion.parsers import read_articles
    from assistant.types import Article

    files = sorted(CORPORA.glob("*.jsonl"))
    if not files:
        print("../shared/corpora not found", file=sys.stderr)
        return 2
    from assistant.evaluation.runner import load_eval_set

    eval_set = load_eval_set(ROOT / "evals" / "default.yaml")
    inputs = files + eval_set.corpus
    articles = {a.id: a for a in read_articles(inputs) if isinstance(a, Article)}
    questions, rewritten, spans = eval_questions(eval_set, articles)
    embedder = LocalMiniLMEmbeddings()
    out: dict = {"articles": len(articles), "questions": len(questions)}
    with tempfile.TemporaryDirectory() as tmp:
        out["naive"] = run_naive(articles, questions, spans, embedder, tmp)
        out.update(run_ours(inputs, rewritten, spans, embedder, tmp))
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


def eval_questions(eval_set, articles) -> tuple[list[str], list[str], list]:
    """Every answerable turn's question, its standalone rewrite (follow-ups), and the spans of
    its evidence in the articles."""
    from assistant.evaluation.runner import locate
    from assistant.retrieval.followups import rewrite

    questions, rewritten, spans = [], [], []
    for item in eval_set.items:
        history: list[str] = []
        for turn in item.turns:
            if not turn.unanswerable:
                want = [(d, *loc) for ev in turn.evidence for d in turn.sources
                        if d in articles and (loc := locate(ev, articles[d].text))]
                questions.append(turn.question)
                rewritten.append((rewrite(turn.question, history) or turn.question) if history else turn.question)
                spans.append(want)
            history.append(turn.question)
    return questions, rewritten, spans


def run_naive(articles, questions, spans, embedder, tmp: str) -> dict:
    """LangChain's tutorial pipeline: 1,000-character chunks, dense search, k=4."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.evaluation.runner import percentile

    t = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    docs = splitter.split_documents([Document(page_content=a.text, metadata={"doc_id": a.id}) for a in articles.values()])
    db = Chroma(collection_name="naive", embedding_function=embedder, persist_directory=f"{tmp}/naive")
    for b in range(0, len(docs), 512):
        db.add_documents(docs[b : b + 512])
    naive_ingest = time.perf_counter() - t
    ranked, lat = [], []
    for q in questions:
        t = time.perf_counter()
        got = db.similarity_search(q, k=4)
        lat.append((time.perf_counter() - t) * 1000)
        ranked.append([(d.metadata["doc_id"], d.metadata["start_index"],
                        d.metadata["start_index"] + len(d.page_content)) for d in got])
    return {"chunks": len(docs), "ingest_s": round(naive_ingest, 1), **score(ranked, spans, 4),
            "query_p50_ms": round(percentile(lat, 0.5), 1), "query_p95_ms": round(percentile(lat, 0.95), 1)}


def run_ours(inputs, rewritten, spans, embedder, tmp: str) -> dict:
    """This assistant's retrieval at k=4 and k=5 over the same articles."""
    from assistant import Assistant
    from assistant.evaluation.runner import percentile

    a = Assistant(embedder=embedder, data_dir=Path(tmp) / "ours", auto_seed=False, embed_cache=False,
                  answer_mode="extractive")
    t = time.perf_counter()
    a.ingest(inputs)
    ours_ingest = time.perf_counter() - t
    a.retrieve("warm up the BM25 index")
    out = {}
    for k in (4, 5):
        ranked, lat = [], []
        for q in rewritten:
            t = time.perf_counter()
            got = a.retrieve(q, k=k).passages
            lat.append((time.perf_counter() - t) * 1000)
            ranked.append([(p.doc_id, p.char_start, p.char_end) for p in got])
        out[f"ours_k{k}"] = {"chunks": a.store.count_chunks(), "ingest_s": round(ours_ingest, 1),
                             **score(ranked, spans, k), "query_p50_ms": round(percentile(lat, 0.5), 1),
                             "query_p95_ms": round(percentile(lat, 0.95), 1)}
    return out


if __name__ == "__main__":
    sys.exit(main())
