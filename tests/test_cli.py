"""The `assistant` command in a subprocess, as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest



def run(args, data_dir, **env):
    exe = Path(sys.executable).parent / "assistant"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant.cli"]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"ASSISTANT_DATA_DIR": str(data_dir), "COLUMNS": "200", **env})
    return subprocess.run(cmd + args, capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-store")


def test_ask_on_first_use_ingests_seeds_and_cites(cli_store):
    r = run(["ask", "What did Netanyahu say about the alliance?"], cli_store)
    assert r.returncode == 0, r.stderr
    assert "alliance of partners" in r.stdout
    assert "[1]" in r.stdout and "Sources" in r.stdout
    assert "Vance and Netanyahu Affirm" in r.stdout
    assert "Traceback" not in r.stderr


def test_ask_json(cli_store):
    r = run(["ask", "--json", "-k", "3", "Who won the 2022 FIFA World Cup?"], cli_store)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["abstained"] is True and d["citations"] == []


def test_ingest_summary_articles_and_info(cli_store, tmp_path):
    art = tmp_path / "ferry.md"
    art.write_text("---\ntitle: Ferry service resumes\nsource: Island Times\ndate: 2024-03-02\n---\n"
                   "The ferry between Lorn and Skerry resumed on Saturday after a two-week strike ended.\n")
    r = run(["ingest", str(art)], cli_store)
    assert r.returncode == 0, r.stderr
    assert "added" in r.stdout and "articles/s" in r.stderr
    again = run(["ingest", "--json", str(art)], cli_store)
    assert json.loads(again.stdout)["unchanged"] == 1
    listing = run(["articles"], cli_store)
    assert "Ferry service resumes" in listing.stdout and "Vance and Netanyahu" in listing.stdout
    info = json.loads(run(["info", "--json"], cli_store).stdout)
    assert info["articles"] == 2 and info["embedding_model"].startswith("all-MiniLM-L6-v2")
    assert "chunk_tokens" in info["settings"]
    ans = run(["ask", "When did the ferry resume?"], cli_store)
    assert "Saturday" in ans.stdout and "Island Times" in ans.stdout


def test_errors_are_one_line_without_traceback(cli_store, tmp_path):
    r = run(["ask", "   "], cli_store)
    assert r.returncode == 2 and "Error: The question is empty." in r.stderr and "Traceback" not in r.stderr
    r = run(["ingest", str(tmp_path / "missing.txt")], cli_store)
    assert r.returncode == 1 and "no such file" in r.stdout and "Traceback" not in r.stderr
    r = run(["info"], cli_store, ASSISTANT_CHUNK_TOKENS="lots")
    assert r.returncode == 2 and "chunk_tokens" in r.stderr and "Traceback" not in r.stderr
    r = run(["info"], cli_store, ASSISTANT_CHROMA_URL="http://127.0.0.1:9")
    assert r.returncode == 1 and "Cannot reach the Chroma server" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args, named", [
    (["bogus"], "No such command 'bogus'"),
    (["ask", "--frob", "x"], "--frob"),
    (["ask", "-k"], "-k"),
    (["ask", "-k", "0", "x"], "-k"),
    (["ask", "--mode", "bogus", "x"], "--mode"),
])
def test_usage_mistakes_exit_2_with_the_usage_line_and_the_option_named(args, named, tmp_path):
    r = run(args, tmp_path / "store", ASSISTANT_AUTO_SEED="false")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert named in r.stderr and "please report" not in r.stderr and "Traceback" not in r.stderr
    if args[0] != "bogus" and args[1:] != ["-k"]:
        assert "Usage: assistant ask" in r.stderr
