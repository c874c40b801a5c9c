"""Local mode when its server misbehaves, through the real CLI: a crash on the first answer or
at start gives the extractive answer with a notice that says how the server ended, where its log
is and how to rebuild llama.cpp portably; a server that never becomes ready fails within the
configured time; no server process outlives the command. The server here is a stand-in
(tests/crashing_server.py) started through ASSISTANT_LOCAL_SERVER_COMMAND, as a user's own
server command would be."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.local_llm import pid_alive

from .conftest import SEEDS

HERE = Path(__file__).resolve().parent
EXE = Path(sys.executable).parent / "assistant"
QUESTION = "What did Netanyahu say about the alliance?"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("local-server-store")
    subprocess.run([str(EXE), "--data-dir", str(data), "ingest", str(SEEDS)], check=True, capture_output=True,
                   timeout=600, env={**os.environ, "ASSISTANT_AUTO_SEED": "false"})
    return data


def ask_local(store: Path, tmp_path: Path, mode: str, **env: str) -> tuple[subprocess.CompletedProcess, int]:
    """``assistant ask --mode local`` with the stand-in server in ``mode``; the run and the server's pid."""
    pid_file = tmp_path / "server.pid"
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    command = f"{sys.executable} {HERE / 'crashing_server.py'} --port {{port}} --mode {mode} --pid-file {pid_file}"
    run = subprocess.run([str(EXE), "--data-dir", str(store), "ask", "--mode", "local", QUESTION],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "ASSISTANT_LOCAL_SERVER_COMMAND": command, "ASSISTANT_LOCAL_MODEL": str(model),
                              "ASSISTANT_AUTO_SEED": "false", "COLUMNS": "400", **env})
    return run, int(pid_file.read_text())


@pytest.mark.parametrize("mode", ["on-answer", "at-start"])
def test_a_crashing_server_still_gets_the_extractive_answer_and_says_why(store, tmp_path, mode):
    run, pid = ask_local(store, tmp_path, mode)
    assert run.returncode == 0, run.stderr
    out = run.stdout + run.stderr
    assert "alliance of partners" in run.stdout  # the extractive answer
    assert "crashed (signal 11 (SIGSEGV))" in out or "ended while starting (signal 11 (SIGSEGV))" in out, out
    assert str(store / "local-llm.log") in out and "GGML_NATIVE=OFF" in out
    assert "Cannot reach the LLM server" not in out and "OPENAI_BASE_URL" not in out  # not the wrong remedy
    assert "fake local server" in (store / "local-llm.log").read_text()
    assert not pid_alive(pid)


def test_a_server_that_never_becomes_ready_fails_within_the_set_time(store, tmp_path):
    run, pid = ask_local(store, tmp_path, "never-ready", ASSISTANT_LOCAL_STARTUP_TIMEOUT="3")
    assert run.returncode == 1
    assert "did not start within 3 s" in run.stderr and "ASSISTANT_LOCAL_STARTUP_TIMEOUT" in run.stderr
    assert "Traceback" not in run.stderr
    assert not pid_alive(pid)  # stopped, not left behind
