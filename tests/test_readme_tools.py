"""The README's "Use with your own tools" examples run as written against a real store."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT, SEEDS


def examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use with your own tools", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_there_are_three_examples():
    assert len(examples()) == 3


@pytest.mark.parametrize("n", range(3))
def test_readme_example_runs(n, make_assistant, tmp_path):
    a = make_assistant(seeds_dir=SEEDS, auto_seed=True)
    a.ensure_seeded()
    a.close()
    code = examples()[n].replace('"/path/to/data-dir"', repr(str(tmp_path / "store")))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()
