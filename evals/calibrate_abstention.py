"""Choose the extractive answerer's abstention threshold (``min_answer_score``) on dev splits.

For every dev question of the given eval sets: retrieve, score the candidate sentences, keep
those that pass the evidence gate, and record the best score (or none). Then, for each
threshold, count answerable questions that would be abstained on and unanswerable ones that
would be answered, and print the sweep. Only dev items are read.

    python evals/calibrate_abstention.py evals/default.yaml evals/html-news.yaml
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from assistant import Assistant
from assistant.evals import load_eval_set


def best_scores(set_path: str) -> list[tuple[bool, float | None]]:
    s = load_eval_set(set_path)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        a = Assistant(data_dir=Path(tmp), auto_seed=False, answer_mode="extractive")
        a.ingest(s.corpus)
        for item in s.items:
            if item.split != "dev" or len(item.turns) != 1:
                continue
            turn = item.turns[0]
            r = a.retrieve(turn.question)
            ans = a.answerer
            gate = ans.evidence_gate(turn.question, r.relevant, r.foreign_quotes, r.asked_speakers or None)
            if r.speech:
                out.append((not turn.unanswerable, 9.0))  # answered from the speaker's own quotes
                continue
            ranked = [c for c in ans.score(turn.question, r) if gate(c)]
            out.append((not turn.unanswerable, ranked[0].score if ranked else None))
        a.close()
    return out


def main() -> None:
    rows = [row for path in sys.argv[1:] for row in best_scores(path)]
    pos = [s for ok, s in rows if ok]
    neg = [s for ok, s in rows if not ok]
    print(f"{len(pos)} answerable, {len(neg)} unanswerable dev questions")
    print("threshold  wrong_abstentions  unanswerable_abstained")
    for t in [x / 100 for x in range(0, 61, 2)]:
        fa = sum(s is None or s < t for s in pos) / len(pos)
        ab = sum(s is None or s < t for s in neg) / len(neg)
        print(f"{t:8.2f}  {fa:17.3f}  {ab:22.3f}")


if __name__ == "__main__":
    main()
