"""Eval metrics on hand-made cases, the shipped eval set's integrity, and the runner end to end."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.evals import (
    EvalReport,
    TurnResult,
    Turn,
    _aggregate,
    _score_turn,
    load_eval_set,
    locate,
    must_include_coverage,
    overlaps,
    run_eval,
    token_f1,
)
from assistant.errors import InputError
from assistant.parsers import read_articles
from assistant.schema import Answer, Article, Citation, Passage

from .conftest import ROOT

ARTICLE = "Alpha said the bridge will reopen in May. Beta said nothing. The mayor praised the crews."


def passage(chunk_id, start, end, doc="d1"):
    return Passage(chunk_id, doc, "T", "S", "", ARTICLE[start:end], 0, start, end, 0.9)


def citation(n, p: Passage, quote: str):
    s = ARTICLE.index(quote)
    return Citation(n, p.doc_id, "T", "S", "", p.chunk_id, quote, p.text, s, s + len(quote), p.score)


TURN = Turn(question="When will the bridge reopen?", answer="In May.", must_include=[["May"]],
            sources=["d1"], evidence=["the bridge will reopen in May"])
SPANS = [("d1", ARTICLE.index("the bridge"), ARTICLE.index("the bridge") + len("the bridge will reopen in May"))]
GOOD = passage("c1", 0, 41)
OTHER = passage("c2", 42, len(ARTICLE))


def test_perfect_answer_scores_one():
    ans = Answer(TURN.question, "Alpha said the bridge will reopen in May. [1]",
                 citations=[citation(1, GOOD, "Alpha said the bridge will reopen in May.")], passages=[GOOD])
    m, rank, cited, problems = _score_turn(TURN, ans, [GOOD, OTHER], SPANS, k=5)
    assert rank == 1 and problems == []
    for name in ("hit@k", "recall@k", "mrr", "doc_hit@k", "must_include", "citation_precision", "citation_recall"):
        assert m[name] == 1.0, name


def test_wrong_citation_lowers_precision():
    ans = Answer(TURN.question, "Alpha said the bridge will reopen in May. [1] The mayor praised the crews. [2]",
                 citations=[citation(1, GOOD, "Alpha said the bridge will reopen in May."),
                            citation(2, OTHER, "The mayor praised the crews.")], passages=[GOOD, OTHER])
    m, *_ = _score_turn(TURN, ans, [GOOD, OTHER], SPANS, k=5)
    assert m["citation_precision"] == 0.5 and m["must_include"] == 1.0


def test_evidence_at_rank_two_halves_mrr_and_missing_fact_is_a_problem():
    ans = Answer(TURN.question, "The mayor praised the crews. [1]",
                 citations=[citation(1, OTHER, "The mayor praised the crews.")], passages=[OTHER, GOOD])
    m, rank, _, problems = _score_turn(TURN, ans, [OTHER, GOOD], SPANS, k=5)
    assert rank == 2 and m["mrr"] == 0.5 and m["must_include"] == 0.0
    assert m["citation_recall"] == 0.0
    assert any("missing key facts" in p for p in problems)


def test_a_wire_copy_counts_only_when_it_names_the_source_and_holds_the_whole_evidence():
    from dataclasses import replace

    evidence = {SPANS[0]: "the bridge will reopen in May"}
    copy = replace(GOOD, chunk_id="w1", doc_id="wire", char_start=7, char_end=48)  # same text, other article
    ans = Answer(TURN.question, "Alpha said the bridge will reopen in May. [1]",
                 citations=[Citation(1, "wire", "T", "S", "", "w1", "Alpha said the bridge will reopen in May.",
                                     copy.text, 7, 48, 0.9)], passages=[copy])
    m, rank, cited, _ = _score_turn(TURN, ans, [copy], SPANS, k=5, evidence=evidence)
    assert rank is None and m["hit@k"] == 0.0 and m["doc_hit@k"] == 0.0 and not cited[0]["supports"]
    named = replace(copy, also_in=("d1",))
    ans.passages = [named]
    m, rank, cited, _ = _score_turn(TURN, ans, [named], SPANS, k=5, evidence=evidence)
    assert rank == 1 and m["hit@k"] == 1.0 and m["doc_hit@k"] == 1.0 and cited[0]["supports"]
    assert m["hit@k_own_id"] == 0.0  # the strict reading still sees the miss
    partial = replace(named, text=named.text[:20])  # names the source but lacks the evidence
    m, rank, *_ = _score_turn(TURN, ans, [partial], SPANS, k=5, evidence=evidence)
    assert rank is None


def result(unanswerable, abstained):
    return TurnResult("i", "s", 1, "q", None, "", "", unanswerable, abstained, {}, None, [], 0.1, [])


def test_abstention_on_answerable_counts_against_precision_and_answering_unanswerable_against_recall():
    ans = Answer(TURN.question, "The articles don't say.", abstained=True)
    m, _, _, problems = _score_turn(TURN, ans, [GOOD], SPANS, k=5)
    assert m["must_include"] == 0.0 and "abstained on an answerable question" in problems
    agg = _aggregate([result(True, True), result(True, False), result(False, True), result(False, False)])
    assert agg["abstention_recall"] == 0.5  # one of two unanswerable abstained
    assert agg["abstention_precision"] == 0.5  # one of two abstentions was right


def test_token_f1_and_coverage():
    assert token_f1("In May. [1]", "in May") == 1.0
    assert token_f1("bridge closed", "in May") == 0.0
    assert 0 < token_f1("the bridge reopens in May", "In May.") < 1
    assert must_include_coverage("Turkey and Indonesia", [["Turkey"], ["Indonesia", "Jakarta"]]) == 1.0
    assert must_include_coverage("Only Turkey", [["Turkey"], ["Indonesia"]]) == 0.5


def test_spans_and_overlap():
    assert locate("reopen  in\nMay", ARTICLE) == (ARTICLE.index("reopen"), ARTICLE.index("May") + 3)
    assert locate("not there", ARTICLE) is None
    assert overlaps((0, 10), (5, 9)) and not overlaps((0, 10), (9, 30))


def test_baseline_comparison_flags_drops_beyond_tolerance():
    rep = EvalReport("s", "extractive", 5, 1, 1, {"test": {"hit@k": 0.80, "f1": 0.50, "latency_p50": 9.0,
                                                           "false_abstention": 0.10}}, [])
    assert rep.compare({"metrics": {"test": {"hit@k": 0.82, "f1": 0.50, "latency_p50": 0.1, "false_abstention": 0.08}},
                        "tolerance": {"default": 0.035}}) == []
    drops = rep.compare({"metrics": {"test": {"hit@k": 0.90}}, "tolerance": {"default": 0.035}})
    assert len(drops) == 1 and drops[0].startswith("test/hit@k")
    rising = rep.compare({"metrics": {"test": {"false_abstention": 0.0}}, "tolerance": {"default": 0.035}})
    assert len(rising) == 1 and rising[0].startswith("test/false_abstention")  # lower is better: a rise fails
    # A slice with no abstention at all has no abstention precision: not a drop (its recall guards that).
    none = EvalReport("s", "extractive", 5, 1, 1, {"test/news": {"abstention_precision": None, "hit@k": None}}, [])
    drops = none.compare({"metrics": {"test/news": {"abstention_precision": 0.0, "hit@k": 0.9}}})
    assert drops == ["test/news/hit@k: – vs baseline 0.900 (tolerance 0.035)"]


def test_shipped_eval_set_is_complete_and_its_evidence_is_verbatim():
    s = load_eval_set(ROOT / "evals" / "default.yaml")
    by_slice = {}
    for item in s.items:
        by_slice.setdefault(item.slice, []).append(item)
    assert len(by_slice["seed"]) >= 30 and len(by_slice["news"]) >= 30
    assert len(by_slice["unanswerable"]) >= 10 and len(by_slice["followup"]) >= 6
    assert all(len(i.turns) >= 2 for i in by_slice["followup"])
    texts = {a.id: a.text for a in read_articles(s.corpus) if isinstance(a, Article)}
    assert len(texts) >= 300  # needed articles plus distractors
    for item in s.items:
        for turn in item.turns:
            for ev in turn.evidence:
                assert any(doc in texts and locate(ev, texts[doc]) for doc in turn.sources), (item.id, ev)


def test_bad_eval_sets_are_rejected_with_the_item_named(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\ncorpus: []\nitems:\n  - id: q1\n    question: Who?\n    answer: Me\n")
    with pytest.raises(InputError, match="q1"):
        load_eval_set(p)
    with pytest.raises(InputError, match="No eval set"):
        load_eval_set(tmp_path / "missing.yaml")


@pytest.fixture
def tiny_set(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.jsonl").write_text(
        json.dumps({"id": "b1", "title": "Bridge reopens", "source": "Local", "date": "2024-04-01",
                    "text": "The Elm Street bridge will reopen in May, the council said.\n\nRepairs cost $2 million."}) + "\n"
        + json.dumps({"id": "f1", "title": "Festival", "source": "Local", "date": "2024-04-02",
                      "text": "The jazz festival drew 4,000 visitors to Riverside Park on Saturday."}) + "\n")
    (tmp_path / "set.yaml").write_text("""
name: tiny
corpus: [c/a.jsonl]
items:
  - id: q1
    slice: news
    question: When will the Elm Street bridge reopen?
    answer: In May.
    must_include: [["May"]]
    sources: [b1]
    evidence: The Elm Street bridge will reopen in May
  - id: q2
    slice: unanswerable
    question: Who won the 2022 FIFA World Cup?
    unanswerable: true
  - id: c1
    slice: followup
    turns:
      - question: How many visitors did the jazz festival draw?
        answer: 4,000.
        must_include: [["4,000"]]
        sources: [f1]
        evidence: The jazz festival drew 4,000 visitors
      - question: Where was it held?
        answer: Riverside Park.
        must_include: [["Riverside Park"]]
        sources: [f1]
        evidence: to Riverside Park on Saturday
""")
    return tmp_path / "set.yaml"


def test_run_eval_end_to_end_in_an_isolated_store(tiny_set, embedder, tmp_path, monkeypatch):
    user_store = tmp_path / "user-store"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(user_store))
    report = run_eval(tiny_set, embedder=embedder)
    assert not user_store.exists()  # never the user's store
    m = report.metrics
    assert m["test"]["n"] == 4  # items without a split are test items
    assert m["test/news"]["hit@k"] == 1.0 and m["test/news"]["must_include"] == 1.0
    assert m["test/unanswerable"]["abstention_recall"] == 1.0
    follow = [r for r in report.results if r.slice == "followup"]
    assert follow[1].rewritten and "festival" in follow[1].rewritten.lower()
    assert follow[1].metrics["must_include"] == 1.0
    md = report.to_markdown()
    assert "| hit@k |" in md and "## Failures" in md


def test_cli_eval_writes_reports_and_gates_on_baseline(tiny_set, tmp_path):
    exe = Path(sys.executable).parent / "assistant"
    base = tmp_path / "baseline.json"
    run = lambda *args: subprocess.run([str(exe), "eval", str(tiny_set), *args], capture_output=True, text=True,
                                       timeout=600, env={"PATH": str(exe.parent), "HOME": str(tmp_path), "COLUMNS": "150"})
    r = run("--json", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md"), "--write-baseline", str(base))
    assert r.returncode == 0, r.stderr
    assert "hit@k" in r.stdout and json.loads((tmp_path / "r.json").read_text())["metrics"]["test"]["n"] == 4
    assert (tmp_path / "r.md").read_text().startswith("# Eval report: tiny")
    data = json.loads(base.read_text())
    data["metrics"]["test"]["hit@k"] = 1.5  # an impossible baseline: the run must fail the gate
    base.write_text(json.dumps(data))
    r = run("--baseline", str(base))
    assert r.returncode == 1 and "test/hit@k" in r.stderr


def test_llm_as_judge_scores_answers_through_the_chat_model(tiny_set, embedder, monkeypatch):
    from assistant.config import Settings

    from .fake_openai import FakeOpenAI, Reply

    server = FakeOpenAI()
    try:
        server.default = Reply(content="1")
        settings = Settings(openai_base_url=server.url, chat_model="judge-model", answer_mode="extractive")
        report = run_eval(tiny_set, embedder=embedder, settings=settings, judge=True)
        judged = [r for r in report.results if "judge" in r.metrics]
        assert len(judged) == 3  # the answerable turns, not the unanswerable one
        assert report.metrics["test"]["judge"] == 1.0
        prompts = [req["messages"][0]["content"] for req in server.requests]
        assert len(prompts) == 3 and all("REFERENCE:" in p for p in prompts)
        assert any("When will the Elm Street bridge reopen?" in p for p in prompts)
    finally:
        server.close()


def test_unknown_slice_is_an_input_error():
    from assistant.evals import run_eval

    with pytest.raises(InputError, match="No slice nope"):
        run_eval(slices=["nope"])


def test_probe_scores_print_totals_and_never_the_test_probes_misses():
    out = subprocess.run([sys.executable, str(ROOT / "evals" / "score_probes.py"), "-v", "attribution-test.yaml"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    assert len(out) == 1 and out[0].startswith("attribution-test.yaml: 335 quotations; recall 0.")
