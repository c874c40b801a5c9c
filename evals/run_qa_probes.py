"""Answer the invented questions of ``evals/probes/qa/`` and score answers and abstentions.

40 invented news articles (``articles/a01.txt`` … ``a40.txt``) and 240 questions
(``questions.yaml``), written by a helper who read no eval item and no corpus: per article three
answerable questions (``must_include``: one phrase of every group must be in the answer) and three
unanswerable ones of six kinds, given at the start of ``why``: (a) what someone mentioned but never
quoted said, (b) what someone quoted only on another subject said about this one, (c) a detail the
article leaves out, (d) general knowledge, (e) a role the article never names, (f) a similar event
that did not happen in it. Articles a01–a20 are dev (``-v`` lists their failures); a21–a40 are
test, frozen before the rules they measure, and only their totals are printed.

    python evals/run_qa_probes.py            # dev and test totals
    python evals/run_qa_probes.py --dev -v   # dev only, with every failure
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

import yaml

from assistant import Assistant

QA = Path(__file__).resolve().parent / "probes" / "qa"
KINDS = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)")


def split_of(article: str) -> str:
    return "dev" if int(article[1:]) <= 20 else "test"


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def run(splits: tuple[str, ...], verbose: bool) -> dict[str, collections.Counter]:
    questions = [q for q in yaml.safe_load((QA / "questions.yaml").read_text(encoding="utf-8"))
                 if split_of(q["article"]) in splits]
    counts: dict[str, collections.Counter] = {s: collections.Counter() for s in splits}
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(data_dir=Path(tmp), auto_seed=False, answer_mode="extractive")
        try:
            assistant.ingest(sorted((QA / "articles").glob("a*.txt")))
            for q in questions:
                split = split_of(q["article"])
                c, ans = counts[split], assistant.ask(q["question"])
                if q["answerable"]:
                    ok = not ans.abstained and all(any(_norm(p) in _norm(ans.text) for p in group)
                                                   for group in q["must_include"])
                    c.update(answerable=1, correct=ok, false_abstention=ans.abstained)
                else:
                    kind = q["why"][:3]
                    c.update(unanswerable=1, abstained=ans.abstained, **{kind: 1, kind + "+": ans.abstained})
                    ok = ans.abstained
                if verbose and split == "dev" and not ok:
                    print(f"{q['id']} ({'answerable' if q['answerable'] else q['why'][:3]}) {q['question']}\n"
                          f"    -> {'(abstained)' if ans.abstained else ans.text[:200]}")
        finally:
            assistant.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", action="store_true", help="dev articles only")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the dev failures")
    args = ap.parse_args()
    for split, c in run(("dev",) if args.dev else ("test", "dev"), args.verbose).items():
        kinds = ", ".join(f"{k} {c[k + '+']}/{c[k]}" for k in KINDS)
        print(f"{split}: correct {c['correct'] / c['answerable']:.3f} ({c['correct']}/{c['answerable']}), "
              f"wrong abstentions {c['false_abstention'] / c['answerable']:.3f}, unanswerable abstained "
              f"{c['abstained'] / c['unanswerable']:.3f} ({c['abstained']}/{c['unanswerable']}: {kinds})")


if __name__ == "__main__":
    main()
