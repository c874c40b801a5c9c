"""The eval runner: answer quality as numbers.

An eval set (YAML, schema in ``evals/README.md``) lists a corpus and items: questions with a
reference answer, key facts (``must_include``), source doc ids and a verbatim ``evidence``
span; questions marked ``unanswerable``; and conversations (``turns``) whose follow-ups only
make sense with history. :func:`run_eval` ingests the corpus into a fresh store in a temp
dir (never the user's), asks everything and scores it.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config import Settings, _bundled
from ..errors import InputError
from ..types import Answer, Article, Passage

SLICES = ("seed", "news", "speaker", "unanswerable", "followup")
SPLITS = ("test", "dev")  # test: frozen, never looked at while tuning; dev: for looking and tuning

# Metrics compared against a baseline (latency is machine-dependent: see bench/).
QUALITY_METRICS = (
    "hit@k", "recall@k", "mrr", "doc_hit@k", "doc_recall@k", "doc_mrr", "must_include", "f1",
    "citation_precision", "citation_recall", "abstention_precision", "abstention_recall", "correct",
)
# Metrics where lower is better (compared the other way round).
LOWER_IS_BETTER = ("false_abstention", "boilerplate_chunks")


def default_set_path() -> Path:
    return _bundled("evals") / "default.yaml"


# --- the set ------------------------------------------------------------------------------


@dataclass
class Turn:
    question: str
    answer: str = ""
    must_include: list[list[str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    unanswerable: bool = False


@dataclass
class EvalItem:
    id: str
    slice: str
    turns: list[Turn]
    split: str = "test"


@dataclass
class EvalSet:
    name: str
    path: Path
    corpus: list[Path]
    items: list[EvalItem]
    quote_labels: Path | None = None  # hand-labelled speakers of quotations (attribution P/R)
    pages: list = field(default_factory=list)  # eval_pages.PageLabels of a page set
    splits: tuple[str, ...] = SPLITS  # the splits scored
    @property
    def n_questions(self) -> int:
        return sum(len(i.turns) for i in self.items)


def _turn(raw: dict[str, Any], where: str) -> Turn:
    if not isinstance(raw, dict) or not str(raw.get("question", "")).strip():
        raise InputError(f"{where}: every item or turn needs a non-empty 'question'")
    unanswerable = bool(raw.get("unanswerable", False))
    must = raw.get("must_include") or []
    if not isinstance(must, list) or not all(isinstance(m, (list, str)) for m in must):
        raise InputError(f"{where}: 'must_include' must be a list of facts, each a list of acceptable forms")
    must = [[m] if isinstance(m, str) else [str(x) for x in m] for m in must]
    evidence = raw.get("evidence") or []
    evidence = [evidence] if isinstance(evidence, str) else [str(e) for e in evidence]
    sources = [str(s) for s in raw.get("sources") or []]
    if not unanswerable and not (must and sources and evidence):
        raise InputError(f"{where}: an answerable question needs 'must_include', 'sources' and 'evidence'")
    return Turn(str(raw["question"]).strip(), str(raw.get("answer", "")), must, sources, evidence, unanswerable)


def load_eval_set(path: str | Path | None = None) -> EvalSet:
    """Read and check an eval set file."""
    p = Path(path) if path else default_set_path()
    if not p.is_file():
        raise InputError(f"No eval set at {p}.", hint="pass the path of a YAML eval set, e.g. evals/default.yaml")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{p} is not valid YAML: {exc}") from None
    if isinstance(data, dict) and data.get("page_labels"):
        data, pages = _page_set(p, data)
    else:
        pages = []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise InputError(f"{p}: an eval set is a mapping with 'corpus' and 'items'")
    corpus = [(p.parent / c).resolve() for c in data.get("corpus") or []]
    for c in corpus:
        if not c.exists():
            raise InputError(f"{p}: corpus path {c} does not exist")
    items, seen = [], set()
    for n, raw in enumerate(data["items"], 1):
        item_id = str(raw.get("id") or f"item-{n}")
        if item_id in seen:
            raise InputError(f"{p}: duplicate item id '{item_id}'")
        seen.add(item_id)
        where = f"{p.name}: item {item_id}"
        raw_turns = raw.get("turns")
        turns = [_turn(t, f"{where} turn {i}") for i, t in enumerate(raw_turns, 1)] if raw_turns else [_turn(raw, where)]
        slice_ = str(raw.get("slice") or ("followup" if raw_turns else "unanswerable" if turns[0].unanswerable else "news"))
        split = str(raw.get("split") or "test")
        if split not in SPLITS:
            raise InputError(f"{where}: split must be one of {', '.join(SPLITS)}, not {split!r}")
        items.append(EvalItem(item_id, slice_, turns, split))
    labels = data.get("quote_labels")
    labels_path = (p.parent / labels).resolve() if labels else None
    if labels_path is not None and not labels_path.is_file():
        raise InputError(f"{p}: quote_labels file {labels_path} does not exist")
    return EvalSet(str(data.get("name") or p.stem), p, corpus, items, labels_path, pages)


def _page_set(p: Path, data: dict[str, Any]) -> tuple[dict[str, Any], list]:
    """A page set's corpus (the labelled pages and their alternate captures) and items."""
    from .pages import load_page_labels, page_items

    pages_dir = (p.parent / str(data.get("pages") or "")).resolve()
    if not pages_dir.is_dir():
        raise InputError(f"{p}: the folder of pages {pages_dir} does not exist",
                         hint="the html-news pages live in ../shared/corpora/html-news beside the checkout")
    pages = load_page_labels((p.parent / str(data["page_labels"])).resolve())
    corpus = [str(pages_dir / f) for page in pages for f in page.files]
    return data | {"corpus": corpus, "items": page_items(pages)}, pages


# --- scoring helpers ----------------------------------------------------------------------


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def contains_form(text: str, forms: list[str]) -> bool:
    """True when any form appears in ``text`` as whole words ('May' is not in 'mayor')."""
    t = _norm(text)
    for f in forms:
        nf = _norm(f)
        if nf and re.search(r"(?<!\w)" + re.escape(nf) + r"(?!\w)", t):
            return True
    return False


def must_include_coverage(text: str, must: list[list[str]]) -> float:
    """Share of key facts present in ``text`` (a fact counts when any of its forms appears)."""
    if not must:
        return 1.0
    return sum(contains_form(text, forms) for forms in must) / len(must)


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MARKER = re.compile(r"\[\d+\]")


def _f1_tokens(text: str) -> list[str]:
    text = _MARKER.sub(" ", text.lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return _ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 (lower case, punctuation and articles removed, markers ignored)."""
    p, r = _f1_tokens(prediction), _f1_tokens(reference)
    if not p or not r:
        return float(p == r)
    common = sum((Counter(p) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


Span = tuple[str, int, int]  # doc_id, start, end in the article text


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when the spans share at least half of the shorter one."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def locate(evidence: str, text: str) -> tuple[int, int] | None:
    """Offsets of ``evidence`` in ``text``, white space and quote styles folded."""
    i = text.find(evidence)
    if i >= 0:
        return i, i + len(evidence)
    pattern = r"\s+".join(re.escape(w) for w in evidence.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def passage_covers(p: Passage, spans: list[Span], evidence: dict[Span, str] | None = None) -> bool:
    """The passage holds at least half of one span of its own article; or, given each span's
    ``evidence`` text, it names the span's article in ``also_in`` (the same text under another
    id, which the citation shows) and holds the whole evidence."""
    for d, s, e in spans:
        if p.doc_id == d and overlaps((p.char_start, p.char_end), (s, e)):
            return True
        ev = evidence.get((d, s, e)) if evidence else None
        if ev and d in p.also_in and locate(ev, p.text):
            return True
    return False


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(math.ceil(q * len(v))) - 1)]


# --- results ------------------------------------------------------------------------------


@dataclass
class TurnResult:
    item: str
    slice: str
    turn: int
    question: str
    rewritten: str | None
    expected: str
    got: str
    unanswerable: bool
    abstained: bool
    metrics: dict[str, float | None]
    evidence_rank: int | None
    cited: list[dict[str, Any]]
    latency: float
    problems: list[str]
    unsupported: int = 0  # quoted spans flagged as not in the cited passage
    answer_mode: str = ""  # llm, extractive, extractive-fallback
    split: str = "test"

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass
class EvalReport:
    set_name: str
    mode: str
    k: int
    n_articles: int
    n_chunks: int
    metrics: dict[str, dict[str, float | None]]
    results: list[TurnResult]
    settings: dict[str, Any] = field(default_factory=dict)
    attribution: dict[str, Any] | None = None  # per split: speaker attribution of quotations vs hand labels
    extraction: dict[str, Any] | None = None  # per split (page sets): body sentences kept, boilerplate chunks

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_name, "mode": self.mode, "k": self.k, "articles": self.n_articles,
            "chunks": self.n_chunks, "settings": self.settings, "metrics": self.metrics,
            "attribution": self.attribution, "extraction": self.extraction,
            "results": [asdict(r) | {"failed": r.failed} for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if r.failed]

    def to_markdown(self) -> str:
        lines = [f"# Eval report: {self.set_name}", "",
                 f"Mode `{self.mode}`, k={self.k}, {self.n_articles} articles / {self.n_chunks} chunks in the store. "
                 "Figures are for the frozen **test** split, with the **dev** split (looked at while tuning) beside them.",
                 ""]
        lines += self._metrics_table()
        if self.extraction:
            lines += ["", "## HTML extraction", "", "| split | gold body sentences | stored verbatim | chunks | mostly boilerplate |",
                      "|---|---|---|---|---|"]
            for split, e in self.extraction.items():
                lines.append(f"| {split} | {e['body_sentences']} | {fmt(e['body_sentences_verbatim'])} | {e['chunks']} "
                             f"| {fmt(e['boilerplate_chunks'])} |")
        if self.attribution:
            lines += self._attribution_lines()
        shown = [r for r in self.failures if r.split != "test"]
        hidden = len(self.failures) - len(shown)
        lines += ["", f"## Failures ({len(self.failures)} of {len(self.results)})", ""]
        if hidden:
            lines += [f"{hidden} of {sum(r.split == 'test' for r in self.results)} test questions failed. They are not "
                      "listed: the test split is not read while tuning (the JSON report has them).", ""]
        if not self.failures:
            lines.append("None.")
        for r in shown:
            lines += [f"### {r.item} (turn {r.turn}, {r.slice})", "",
                      f"- **Question:** {r.question}"]
            if r.rewritten:
                lines.append(f"- **Rewritten:** {r.rewritten}")
            lines += [f"- **Problems:** {'; '.join(r.problems)}",
                      f"- **Expected:** {r.expected or '(abstain)'}",
                      f"- **Got:** {r.got}",
                      f"- **Evidence rank in retrieval:** {r.evidence_rank or 'not in top k'}"]
            for c in r.cited:
                snippet = " ".join(c["text"].split())[:240]
                lines.append(f"  - cited [{c['n']}] {c['doc_id']} ({'supports' if c['supports'] else 'no evidence'}): {snippet}…")
            lines.append("")
        return "\n".join(lines) + "\n"

    def columns(self) -> list[str]:
        """Metric columns in reading order: test, dev, then each slice's test and dev."""
        order = (*SPLITS, *(f"{sp}/{sl}" for sl in SLICES for sp in SPLITS))
        return [c for c in order if c in self.metrics] + [c for c in self.metrics if c not in order]

    def _metrics_table(self) -> list[str]:
        cols = self.columns()
        lines = ["| metric | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        names = list(dict.fromkeys(m for c in cols for m in self.metrics[c]))
        for m in names:
            lines.append(f"| {m} | " + " | ".join(fmt(self.metrics[c].get(m), m) for c in cols) + " |")
        return lines

    def _attribution_lines(self) -> list[str]:
        lines = ["", "## Quotation attribution", ""]
        for split, at in self.attribution.items():
            lines.append(f"**{split}**: {at['labelled']} hand-labelled quotations in {at['articles']} articles: "
                         f"precision **{fmt(at['precision'])}**, recall **{fmt(at['recall'])}**.")
            if at.get("by_kind"):
                lines.append("Recall by kind: " + ", ".join(f"{k} {fmt(v['recall'])} (n={v['n']})"
                                                             for k, v in at["by_kind"].items()) + ".")
            lines.append("")
        dev = (self.attribution.get("dev") or {}).get("errors", [])
        if dev:
            lines += ["Attribution errors on the dev split (the test split's are not listed):", ""]
            lines += [f"- {e['doc']}: “{e['quote']}…” — want {e['want'] or '(no named speaker)'}, got {e['got']}" for e in dev]
        return lines

    def compare(self, baseline: dict[str, Any]) -> list[str]:
        """Metrics that dropped by more than their tolerance against ``baseline``."""
        tolerance = baseline.get("tolerance", {})
        default_tol = float(tolerance.get("default", 0.035))
        drops = []

        def check(where: str, name: str, old: float | None, new: float | None) -> None:
            tol = float(tolerance.get(name, default_tol))
            if old is None or (new is None and name == "abstention_precision"):
                return  # (no abstention at all: nothing to be precise about; abstention_recall guards that)
            worse = new is None or (new > old + tol if name in LOWER_IS_BETTER else new < old - tol)
            if worse:
                drops.append(f"{where}/{name}: {fmt(new, name)} vs baseline {fmt(old, name)} (tolerance {tol})")

        for key, metrics in baseline.get("metrics", {}).items():
            for name, old in metrics.items():
                if name in QUALITY_METRICS or name in LOWER_IS_BETTER:
                    check(key, name, old, self.metrics.get(key, {}).get(name))
        for split, old in (baseline.get("attribution") or {}).items():
            for name in ("precision", "recall"):
                check(f"attribution/{split}", name, old.get(name), ((self.attribution or {}).get(split) or {}).get(name))
        for split, old in (baseline.get("extraction") or {}).items():
            for name in ("body_sentences_verbatim", "boilerplate_chunks"):
                check(f"extraction/{split}", name, old.get(name), ((self.extraction or {}).get(split) or {}).get(name))
        return drops

    def baseline(self, tolerance: float = 0.035) -> dict[str, Any]:
        """This report's test-split quality figures as a baseline file's content (the gate
        compares test figures; dev figures move with tuning)."""
        keep = LOWER_IS_BETTER + QUALITY_METRICS
        return {
            "set": self.set_name, "mode": self.mode, "k": self.k,
            "tolerance": {"default": tolerance},
            "metrics": {key: {m: v for m, v in ms.items() if m in keep}
                        for key, ms in self.metrics.items() if key.split("/")[0] == "test"},
            "attribution": ({"test": {k: self.attribution["test"][k] for k in ("precision", "recall")}}
                            if self.attribution and "test" in self.attribution else None),
            "extraction": ({"test": {k: self.extraction["test"][k] for k in ("body_sentences_verbatim", "boilerplate_chunks")}}
                           if self.extraction and "test" in self.extraction else None),
        }


def fmt(value: float | None, name: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if name.startswith("latency"):
        return f"{value * 1000:.0f} ms"
    if name in ("n", "unsupported_quotes", "fallbacks"):
        return str(int(value))
    return f"{value:.3f}"


# --- running ------------------------------------------------------------------------------


def _score_turn(turn: Turn, answer: Answer, retrieved: list[Passage], spans: list[Span], k: int,
                evidence: dict[Span, str] | None = None) -> tuple[dict, int | None, list, list[str]]:
    """Metrics of one turn. A passage counts for an article it names as a verbatim copy
    (``also_in``) when it holds the whole evidence; ``hit@k_own_id`` counts only passages under
    the expected article's own id."""
    m: dict[str, float | None] = {}
    problems: list[str] = []
    by_chunk = {p.chunk_id: p for p in answer.passages}
    cited = []
    for c in answer.citations:
        p = by_chunk.get(c.chunk_id)
        supports = bool(p and passage_covers(p, spans, evidence)) if not turn.unanswerable else False
        cited.append({"n": c.n, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "quote": c.quote,
                      "text": c.text, "supports": supports})
    if turn.unanswerable:
        if not answer.abstained:
            problems.append("answered a question the articles do not answer")
        return m, None, cited, problems

    top = retrieved[:k]
    ev_rank = next((i for i, p in enumerate(top, 1) if passage_covers(p, spans, evidence)), None)
    m["hit@k"] = float(ev_rank is not None)
    m["hit@k_own_id"] = float(any(passage_covers(p, spans) for p in top))
    m["mrr"] = 1.0 / ev_rank if ev_rank else 0.0
    found = sum(any(passage_covers(p, [sp], evidence) for p in top) for sp in spans)
    m["recall@k"] = found / len(spans) if spans else 0.0
    doc_rank = next((i for i, p in enumerate(top, 1) if p.doc_id in turn.sources
                     or (evidence and set(p.also_in) & set(turn.sources))), None)
    m["doc_hit@k"] = float(doc_rank is not None)
    m["doc_mrr"] = 1.0 / doc_rank if doc_rank else 0.0
    named = {p.doc_id for p in top} | ({d for p in top for d in p.also_in} if evidence else set())
    m["doc_recall@k"] = len(named & set(turn.sources)) / len(set(turn.sources))
    text = "" if answer.abstained else answer.text
    m["must_include"] = must_include_coverage(text, turn.must_include) if text else 0.0
    m["f1"] = token_f1(text, turn.answer) if text else 0.0
    if cited:
        m["citation_precision"] = sum(c["supports"] for c in cited) / len(cited)
    quote_spans = [(c.doc_id, c.char_start, c.char_end) for c in answer.citations]
    cited_chunks = [by_chunk[c.chunk_id] for c in answer.citations if c.chunk_id in by_chunk]
    m["citation_recall"] = (
        sum(any(passage_covers(p, [sp], evidence) for p in cited_chunks) or any(d == sp[0] and overlaps((s, e), sp[1:]) for d, s, e in quote_spans)
            for sp in spans) / len(spans)
    )
    m["correct"] = float(not answer.abstained and m["must_include"] == 1.0)
    m["false_abstention"] = float(answer.abstained)
    if answer.abstained:
        problems.append("abstained on an answerable question")
    elif m["must_include"] < 1.0:
        missing = [forms[0] for forms in turn.must_include if not contains_form(text, forms)]
        problems.append(f"missing key facts: {', '.join(missing)}")
    if ev_rank is None:
        problems.append("evidence not retrieved in top k")
    return m, ev_rank, cited, problems


def _aggregate(results: list[TurnResult]) -> dict[str, float | None]:
    out: dict[str, float | None] = {"n": float(len(results))}
    for name in ("hit@k", "hit@k_own_id", "recall@k", "mrr", "doc_hit@k", "doc_recall@k", "doc_mrr", "must_include",
                 "correct", "false_abstention", "f1", "citation_precision", "citation_recall", "judge"):
        vals = [r.metrics[name] for r in results if r.metrics.get(name) is not None]
        if name == "judge" and not vals:
            continue  # only when an LLM judged
        out[name] = round(statistics.fmean(vals), 4) if vals else None
    unans = [r for r in results if r.unanswerable]
    abst = [r for r in results if r.abstained]
    tp = sum(1 for r in abst if r.unanswerable)
    out["abstention_precision"] = round(tp / len(abst), 4) if abst else None
    out["abstention_recall"] = round(tp / len(unans), 4) if unans else None
    out["unsupported_quotes"] = float(sum(r.unsupported for r in results))
    out["fallbacks"] = float(sum(r.answer_mode == "extractive-fallback" for r in results))
    lat = [r.latency for r in results]
    out["latency_p50"] = round(percentile(lat, 0.5), 4) if lat else None
    out["latency_p95"] = round(percentile(lat, 0.95), 4) if lat else None
    return out


def judge_answers(results: list[TurnResult], settings: Settings, chat_model=None) -> None:
    """LLM-as-judge: score each answerable result's text against its reference (0, 0.5, 1), into
    ``metrics["judge"]``. Uses the configured chat model and ``prompts/judge.md``."""
    from langchain_core.prompts import PromptTemplate

    from ..answering.prompts import load_prompt
    from ..answering.llm import build_chat_model, map_llm_error

    chat = chat_model or build_chat_model(settings)
    prompt = PromptTemplate.from_template(load_prompt("judge.md"))
    for r in results:
        if r.unanswerable or not r.expected:
            continue
        if r.abstained:
            r.metrics["judge"] = 0.0
            continue
        text = prompt.format(question=r.question, reference=r.expected, answer=_MARKER.sub("", r.got))
        try:
            reply = chat.invoke(text).content
        except Exception as exc:
            raise map_llm_error(exc, settings) from None
        m = re.search(r"\b(1(?:\.0)?|0?\.5|0)\b", str(reply))
        r.metrics["judge"] = float(m.group(1)) if m else None


@dataclass
class EvalProgress:
    done: int
    total: int
    current: str


def run_eval(
    set_path: str | Path | None = None,
    k: int | None = None,
    settings: Settings | None = None,
    embedder=None,
    on_ingest_progress: Callable | None = None,
    on_progress: Callable[[EvalProgress], None] | None = None,
    assistant=None,
    judge: bool = False,
    slices: list[str] | None = None,
    splits: list[str] | None = None,
) -> EvalReport:
    """Build an isolated store from the set's corpus, ask every question, score the answers.

    ``slices``: only the items of these slices (e.g. ["seed", "unanswerable"]); ``splits``: only
    these splits (``["dev"]`` while tuning: the test split's answers are then not even asked).

    ``assistant``: evaluate against this (already built) assistant and its store instead, after
    making sure the set's corpus is in it; benchmarks use it to add distractors once and compare
    settings without re-ingesting.
    """
    from ..api import Assistant

    eval_set = load_eval_set(set_path)
    if slices:
        known = {i.slice for i in eval_set.items}
        unknown = [x for x in slices if x not in known]
        if unknown:
            raise InputError(f"No slice {', '.join(unknown)} in {eval_set.name}.",
                             hint=f"slices: {', '.join(sorted(known))}")
        eval_set.items = [i for i in eval_set.items if i.slice in slices]
    if splits:
        bad = [x for x in splits if x not in SPLITS]
        if bad:
            raise InputError(f"No split {', '.join(bad)}.", hint=f"splits: {', '.join(SPLITS)}")
        eval_set.items = [i for i in eval_set.items if i.split in splits]
        eval_set.pages = [p for p in eval_set.pages if p.split in splits]
        eval_set.splits = tuple(splits)
    base = settings or Settings.load()
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        if assistant is not None:
            a = assistant
            s = a.settings.model_copy(update={"top_k": k}) if k else a.settings
            a.settings = s
        else:
            s = base.model_copy(update={"data_dir": Path(tmp), "chroma_url": None, "auto_seed": False,
                                        "collection": "eval"})
            if k:
                s = s.model_copy(update={"top_k": k})
            a = Assistant(s, embedder=embedder)
        try:
            return _run(a, s, eval_set, on_ingest_progress, on_progress, judge)
        finally:
            if assistant is None:
                a.close()  # stops a local model server this run started


def _run(a, s: Settings, eval_set: EvalSet, on_ingest_progress, on_progress, judge: bool) -> "EvalReport":
    a.ingest(eval_set.corpus, on_progress=on_ingest_progress)
    by_file = {Path(r.path).name: r.id for r in a.store.list_articles() if r.path}
    results = _ask_all(a, s, eval_set, by_file, on_progress)
    if judge:
        judge_answers(results, s)
    metrics: dict[str, dict[str, float | None]] = {}
    for split in SPLITS:
        mine = [r for r in results if r.split == split]
        if not mine:
            continue
        metrics[split] = _aggregate(mine)
        for sl in sorted({r.slice for r in mine}, key=lambda x: (SLICES + (x,)).index(x)):
            metrics[f"{split}/{sl}"] = _aggregate([r for r in mine if r.slice == sl])
    return EvalReport(
        set_name=eval_set.name, mode=a.answerer.mode, k=s.top_k, n_articles=a.store.count_articles(),
        n_chunks=a.store.count_chunks(), metrics=metrics, results=results,
        settings={"chunk_tokens": s.chunk_tokens, "chunk_overlap": s.chunk_overlap,
                  "min_relevance": s.min_relevance, "embeddings": s.embeddings},
        attribution=_attribution(a, eval_set, by_file), extraction=_extraction(a, eval_set, by_file),
    )


def _ask_all(a, s: Settings, eval_set: EvalSet, by_file: dict[str, str], on_progress) -> list[TurnResult]:
    """Ask every item's turns in order (a conversation's turns see the earlier answers) and score them.
    Sources written ``file:NAME`` name the article ingested from the file NAME."""
    texts: dict[str, str | None] = {}

    def spans_for(turn: Turn, where: str) -> list[Span]:
        spans: list[Span] = []
        for ev in turn.evidence:
            hits = []
            for doc in turn.sources:
                if doc not in texts:
                    texts[doc] = a.store.article_text(doc)
                if texts[doc] and (loc := locate(ev, texts[doc])):
                    hits.append((doc, *loc))
            if not hits:
                raise InputError(f"{where}: evidence not found verbatim in its sources {turn.sources}: {ev[:80]!r}")
            spans.extend(hits)
        return spans

    results: list[TurnResult] = []
    total = eval_set.n_questions
    for item in eval_set.items:
        history: list[Answer] = []
        for n, turn in enumerate(item.turns, 1):
            if on_progress:
                on_progress(EvalProgress(len(results), total, turn.question))
            turn.sources = [by_file.get(d[5:], d) if d.startswith("file:") else d for d in turn.sources]
            spans = [] if turn.unanswerable else spans_for(turn, f"{item.id} turn {n}")
            answer = a.ask(turn.question, history=history or None)
            retrieved = a.retrieve(answer.rewritten or turn.question, k=s.top_k).passages
            evidence = {(d, st, e): texts[d][st:e] for d, st, e in spans}
            metrics, ev_rank, cited, problems = _score_turn(turn, answer, retrieved, spans, s.top_k, evidence)
            results.append(TurnResult(
                item=item.id, slice=item.slice, turn=n, question=turn.question, rewritten=answer.rewritten,
                expected=turn.answer, got=answer.text, unanswerable=turn.unanswerable,
                abstained=answer.abstained, metrics=metrics, evidence_rank=ev_rank, cited=cited,
                latency=answer.timings.get("total", 0.0), problems=problems,
                unsupported=len(answer.unsupported), answer_mode=answer.mode, split=item.split,
            ))
            history.append(answer)
    if on_progress:
        on_progress(EvalProgress(len(results), total, ""))
    return results


def _stored_article(a, doc_id: str) -> Article | None:
    rec = next((r for r in a.store.list_articles() if r.id == doc_id), None)
    text = a.store.article_text(doc_id)
    if rec is None or not text:
        return None
    return Article(id=rec.id, title=rec.title, text=text, content_hash=rec.content_hash, source=rec.source,
                   date=rec.date, url=rec.url, path=rec.path, outlet=rec.outlet)


def _attribution(a, eval_set: EvalSet, by_file: dict[str, str]) -> dict[str, Any] | None:
    """Quotation attribution per split, against the set's quote labels (``quote_labels`` file
    or a page set's per-article labels), on the articles as stored."""
    if eval_set.pages:
        from .pages import score_pages

        stored = {f: art for p in eval_set.pages if (d := by_file.get(p.file)) and (art := _stored_article(a, d))
                  for f in [p.file]}
        return score_pages(eval_set.pages, stored) or None
    if not eval_set.quote_labels:
        return None
    from ..ingestion.parsers import read_articles
    from .quote_labels import score_attribution

    corpus_articles = {x.id: x for x in read_articles(eval_set.corpus) if isinstance(x, Article)}
    out = {split: score_attribution(eval_set.quote_labels, corpus_articles, split=split) for split in eval_set.splits}
    return {k: v for k, v in out.items() if v["labelled"]} or None


def _extraction(a, eval_set: EvalSet, by_file: dict[str, str]) -> dict[str, Any] | None:
    """For a page set: gold body sentences stored verbatim and chunks mostly boilerplate, per split."""
    from .extraction import ExtractionQuality

    quality: dict[str, ExtractionQuality] = {}
    for page in eval_set.pages:
        for f in page.files:
            doc = by_file.get(f)
            text = a.store.article_text(doc) if doc else None
            if not text or f not in page.prints:
                continue
            got = a.store.chunks.get(where={"doc_id": doc}, include=["metadatas"])
            spans = [(int(m["char_start"]), int(m["char_end"])) for m in got["metadatas"] if m]
            quality.setdefault(page.split, ExtractionQuality()).add(page.prints[f], text, spans)
    return {split: q.to_dict() for split, q in quality.items()} or None
