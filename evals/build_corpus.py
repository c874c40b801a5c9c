"""Rebuild evals/corpus/news.jsonl from ../shared/corpora (kept for provenance).

The eval set needs its articles in the repository so `assistant eval` runs from a plain
clone. This copies every article an eval item cites, plus a fixed, deterministic selection
of distractors: all of reuters-tm, every second abc-lee article and every twelfth
reuters-grain article.

    python evals/build_corpus.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parent.parent / "shared" / "corpora"


def cited_ids(set_path: Path) -> set[str]:
    data = yaml.safe_load(set_path.read_text())
    ids: set[str] = set()
    for item in data["items"]:
        for turn in item.get("turns", [item]):
            ids.update(turn.get("sources", []))
    return ids


def main() -> None:
    needed = cited_ids(HERE / "default.yaml")
    out = []
    for name, every in (("reuters-tm", 1), ("abc-lee", 2), ("reuters-grain", 12)):
        for i, line in enumerate((CORPORA / f"{name}.jsonl").read_text().splitlines()):
            obj = json.loads(line)
            if obj["id"] in needed or i % every == 0:
                out.append(obj)
    seen = {o["id"] for o in out}
    missing = sorted(i for i in needed if i not in seen and not i.startswith("sha-"))
    if missing:
        raise SystemExit(f"cited articles not found in ../shared/corpora: {missing}")
    target = HERE / "corpus" / "news.jsonl"
    target.parent.mkdir(exist_ok=True)
    target.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out))
    print(f"{len(out)} articles -> {target}")


if __name__ == "__main__":
    main()
