"""Score who-said-what on the invented interview pages of ``evals/probes/interviews*/``.

Each page is an invented publisher's HTML page holding an interview in one of the forms news sites
print (labels "Q:"/"A.", names, initials, timestamps; bold, italic or subhead questions with no
labels; a panel; a profile with a Q&A box; a quick-fire round), written with its labels by a
helper who read no eval item, no corpus and none of this project's code. Labels hold every
answer of the interviewee (kind ``transcript``) and every quotation in the prose; the
interviewer's questions are no one's quotation. Pages go through the ingest parser (trafilatura).

- ``interviews/``: i01-i08 dev, i09-i12 test (frozen before the rules it measures; only its
  totals are ever printed);
- ``interviews2/``: dev (a second writer, formats chosen to vary who is named where).

    python evals/score_interviews.py            # totals per set and split
    python evals/score_interviews.py -v         # and each dev miss
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from assistant.evaluation.pages import AttributionTally
from assistant.evaluation.quote_labels import score_article
from assistant.parsers import parse_file
from assistant.types import Article

PROBES = Path(__file__).resolve().parent / "probes"
SETS = ("interviews", "interviews2")


def score_set(folder: Path, split: str) -> tuple[AttributionTally, list[str]]:
    """Counts over the pages of one split, and one line per miss."""
    tally, misses = AttributionTally(), []
    for entry in yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8")):
        if entry.get("split", "dev") != split:
            continue
        article = next(x for x in parse_file(folder / entry["file"]) if isinstance(x, Article))
        labels = [{"starts": q["starts"], "speaker": q["speaker"] or "", "kind": q.get("kind", "")}
                  for q in entry["quotes"]]
        seen = len(tally.errors)
        score_article(tally, article, labels)
        misses += [f"{entry['file']} want {e['want'] or '(no one)'!r}, got {e['got']!r}: {e['quote']}"
                   for e in tally.errors[seen:]]
    return tally, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses of the dev pages")
    args = ap.parse_args()
    for name in SETS:
        for split in ("dev", "test"):
            tally, misses = score_set(PROBES / name, split)
            if not tally.labelled:
                continue
            f = tally.to_dict()
            print(f"{name} {split}: {tally.labelled} quotations; recall {f['recall']}, precision {f['precision']}")
            if args.verbose and split == "dev":
                for line in misses:
                    print("  ", line)


if __name__ == "__main__":
    main()
