"""Shared fixtures: the real bundled embedder (loaded once) and real Chroma stores in temp dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.embeddings import LocalMiniLMEmbeddings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the user's settings or store, or talks to a real API."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_") or name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "default-store"))
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.fixture(scope="session")
def embedder() -> LocalMiniLMEmbeddings:
    return LocalMiniLMEmbeddings()


@pytest.fixture
def make_assistant(tmp_path, embedder):
    """Build an Assistant on a fresh embedded store (seeds off unless asked)."""

    def make(**overrides) -> Assistant:
        overrides.setdefault("data_dir", tmp_path / "store")
        overrides.setdefault("auto_seed", False)
        return Assistant(embedder=embedder, **overrides)

    return make


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, embedder) -> Assistant:
    """One store with the seed article, shared by read-only tests."""
    a = Assistant(embedder=embedder, data_dir=tmp_path_factory.mktemp("seeded"), seeds_dir=SEEDS, auto_seed=True)
    a.ensure_seeded()
    return a


def need_corpora():
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside this checkout")
