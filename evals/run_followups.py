"""Accuracy of the chat's "rewrite this question with the history or not" decision.

Reads ``evals/followups.yaml`` (hand-written chat turns, each marked ``rewrite: true/false``)
and, for the chosen split, counts the items where ``assistant.conversation.rewrite`` changes the
question exactly when it should. Tune with ``--split dev``; the test split is read only when asked.

    python evals/run_followups.py --split dev
    python evals/run_followups.py --split test
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.conversation import rewrite

DEFAULT_SET = Path(__file__).with_name("followups.yaml")


@dataclass(frozen=True)
class FollowupItem:
    id: str
    split: str
    history: tuple[str, ...]
    question: str
    rewrite: bool


@dataclass(frozen=True)
class FollowupResult:
    item: FollowupItem
    rewritten: str

    @property
    def correct(self) -> bool:
        return (self.rewritten != self.item.question) == self.item.rewrite


def load_items(path: Path = DEFAULT_SET, split: str = "dev") -> list[FollowupItem]:
    """The items of ``split`` (the others are not even built)."""
    raw = yaml.safe_load(path.read_text())["items"]
    return [FollowupItem(r["id"], r["split"], tuple(r["history"]), r["question"], bool(r["rewrite"]))
            for r in raw if r["split"] == split]


def run(items: list[FollowupItem]) -> list[FollowupResult]:
    return [FollowupResult(it, rewrite(it.question, list(it.history))) for it in items]


def accuracy(results: list[FollowupResult]) -> float:
    return sum(r.correct for r in results) / len(results) if results else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = ap.parse_args()
    results = run(load_items(args.set, args.split))
    for r in results:
        if not r.correct:
            print(f"WRONG {r.item.id}: {r.item.question!r} -> {r.rewritten!r} (expected rewrite={r.item.rewrite})")
    dep = [r for r in results if r.item.rewrite]
    alone = [r for r in results if not r.item.rewrite]
    print(f"{args.split}: accuracy {accuracy(results):.3f} ({sum(r.correct for r in results)}/{len(results)}); "
          f"dependent rewritten {accuracy(dep):.3f} ({len(dep)}), standalone kept {accuracy(alone):.3f} ({len(alone)})")


if __name__ == "__main__":
    main()
