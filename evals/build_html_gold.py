"""Fingerprint hand-made gold article bodies into the html-news labels.

The gold bodies (one plain-text file per page, made by reading the page: paragraphs separated
by a blank line, text exactly as rendered, boilerplate left out) are kept outside the
repository, because the pages' text is the publishers'. This writes, beside each label file,
``<slug>.body.json``: for the page and its alternate captures, a fingerprint of every gold
sentence (length, hash, first word) from which the eval measures how many body sentences were
stored verbatim and how many stored chunks are mostly boilerplate.

    python evals/build_html_gold.py /path/to/gold-bodies/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from assistant.eval_extraction import fingerprint, gold_sentences

HERE = Path(__file__).resolve().parent / "html-news"


def main(gold_dir: Path) -> None:
    for label_file in sorted(HERE.glob("*/*.yaml")):
        label = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        prints = {}
        for page in [label["file"], *(label.get("variants") or [])]:
            body = (gold_dir / f"{page}.txt").read_text(encoding="utf-8")
            prints[page] = [fingerprint(s).to_list() for s in gold_sentences(body)]
        out = label_file.with_suffix(".body.json")
        out.write_text(json.dumps(prints, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"{out.relative_to(HERE.parent)}: {sum(len(v) for v in prints.values())} sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
