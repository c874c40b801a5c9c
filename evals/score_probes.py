"""Score who-said-what on the invented probe snippets of ``evals/probes/``.

Each probe is a short invented news snippet (people, places and bodies made up) with the speaker
of every quotation, written by a helper who read no eval item and no corpus:

- ``attribution-dev.yaml`` (150 snippets, 259 quotations) and ``attribution-dev2.yaml`` (120,
  343): dev, looked at while tuning; ``-v`` lists their misses;
- ``attribution-test.yaml`` (120, 335): frozen before the rules it measures; only its totals are
  ever printed.

A quotation labelled with no speaker (a title, a scare quote, an anonymous source) counts as right
when the extractor attributes it to no one or leaves it out.

    python evals/score_probes.py                 # every file's totals
    python evals/score_probes.py -v attribution-dev.yaml
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from assistant.evaluation.pages import AttributionTally
from assistant.evaluation.quote_labels import score_article
from assistant.parsers import make_article

PROBES = Path(__file__).resolve().parent / "probes"
FILES = ("attribution-dev.yaml", "attribution-dev2.yaml", "attribution-test.yaml")


def score_file(path: Path) -> tuple[AttributionTally, list[str]]:
    """Counts over one probe file, and one line per miss."""
    tally, misses = AttributionTally(), []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        article = make_article(title="Probe", body="\n\n".join(item["paragraphs"]), path=f"{item['id']}.txt")
        labels = [{"starts": q["starts"], "speaker": q["speaker"] or "", "kind": item.get("pattern", "")}
                  for q in item["quotes"]]
        seen = len(tally.errors)
        score_article(tally, article, labels)
        for err in tally.errors[seen:]:
            if err["want"] == "" and err["got"] == "(not found)":
                tally.correct += 1  # no one's words, and left out: right
                continue
            misses.append(f"{item['id']} want {err['want'] or '(no one)'!r}, got {err['got']!r}: {err['quote']}")
    return tally, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=list(FILES), help="probe files under evals/probes/")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses of dev files")
    args = ap.parse_args()
    for name in args.files:
        tally, misses = score_file(PROBES / name)
        figures = tally.to_dict()
        print(f"{name}: {tally.labelled} quotations; recall {figures['recall']}, precision {figures['precision']}")
        if args.verbose and "test" not in name:
            for line in misses:
                print("  ", line)


if __name__ == "__main__":
    main()
