"""The `assistant` command in a subprocess, as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest



EXE = Path(sys.executable).parent / "assistant"


def run(args, data_dir, input=None, **env):
    """The command with ``ASSISTANT_DATA_DIR=data_dir`` (None: the default data folder, under the
    ``XDG_DATA_HOME`` given in ``env``); an ``env`` value of None removes that variable."""
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "assistant.cli"]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"COLUMNS": "200", **({"ASSISTANT_DATA_DIR": str(data_dir)} if data_dir else {}), **env})
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run(cmd + args, capture_output=True, text=True, env=full_env, timeout=300, input=input)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    """The default data folder of a user whose XDG_DATA_HOME is a fresh temporary folder."""
    return tmp_path_factory.mktemp("cli-home") / "news-assistant"


def test_ask_on_first_use_ingests_seeds_and_cites(cli_store):
    # No data folder configured: the default one is made and seeded on first use.
    r = run(["ask", "What did Netanyahu say about the alliance?"], None, XDG_DATA_HOME=str(cli_store.parent))
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


def test_a_chosen_data_dir_without_a_store_says_so_and_ingest_makes_one(tmp_path):
    empty = tmp_path / "nothing-here"
    for args, stdin in ((["ask", "Who met Netanyahu?"], None), (["chat"], "Who met Netanyahu?\n"),
                        (["quotes"], None), (["articles"], None)):
        r = run(args, empty, input=stdin)
        assert r.returncode == 1, (args, r.stderr)
        assert f"No store in {empty}" in r.stderr and "assistant ingest PATH" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    r = run(["--data-dir", str(empty), "articles"], None)
    assert r.returncode == 1 and f"assistant --data-dir {empty} ingest PATH" in r.stderr
    assert not empty.exists()  # nothing was created by the refused commands
    (tmp_path / "note.txt").write_text("Lighthouse repaired\nThe lighthouse on Skerry was repaired in June.\n")
    assert run(["ingest", str(tmp_path / "note.txt")], empty).returncode == 0
    r = run(["articles"], empty)
    assert r.returncode == 0 and "Lighthouse repaired" in r.stdout


LONG_TITLE = "Harbour board approves the long-delayed eastern pier extension after two years of public hearings"


@pytest.fixture(scope="module")
def news_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-news")
    rows = [
        {"id": "r1", "title": "Wheat exports rise", "source": "Reuters", "date": "1987-03-02",
         "text": "Wheat exports from Kansas rose sharply in February, the grain board said."},
        {"id": "a1", "title": "Bushfire threatens Hill Top", "source": "ABC News", "date": "2002-01-15",
         "text": "A bushfire pushed by strong winds threatened the town of Hill Top in New South Wales."},
        {"id": "h1", "title": LONG_TITLE, "source": "Island Times", "date": "2024-03-02",
         "text": "The harbour board approved the eastern pier extension, which will open in May."},
    ]
    (folder / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = folder / "store"
    r = run(["ingest", str(folder / "news.jsonl")], store, ASSISTANT_AUTO_SEED="false")
    assert r.returncode == 0, r.stderr
    return store


def test_source_filter_ignores_case(news_store):
    r = run(["ask", "--json", "--source", "reuters", "Which state's wheat exports rose?"], news_store)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert [c["doc_id"] for c in d["citations"]] == ["r1"] and d["filter_miss"] is None


@pytest.mark.parametrize("args, says", [
    (["--source", "reuterz"], ["source=reuterz", "Reuters", "ABC News"]),
    (["--since", "2030-01-01"], ["since=2030-01-01", "dated 1987-03-02 to 2024-03-02"]),
    (["--until", "1900-01-01", "--source", "ABC news"], ["source=ABC news until=1900-01-01", "dated 1987-03-02 to 2024-03-02"]),
    (["--doc", "r2"], ["doc=r2", "r1"]),
    (["--title", "wheat imports fall"], ["title~wheat imports fall", "Wheat exports rise"]),
])
def test_a_filter_that_matches_no_article_says_so_with_the_nearest_values(news_store, args, says):
    r = run(["ask", *args, "Which state's wheat exports rose?"], news_store)
    assert r.returncode == 0, r.stderr
    assert "No stored article matches the filter" in r.stdout and "The articles don't say" not in r.stdout
    for text in says:
        assert text in r.stdout, (text, r.stdout)
    d = json.loads(run(["ask", "--json", *args, "Which state's wheat exports rose?"], news_store).stdout)
    assert d["abstained"] and d["citations"] == [] and d["filter_miss"]["filters"] == says[0]


def test_piped_output_is_not_cut_at_80_columns_and_articles_has_a_limit(news_store):
    r = run(["articles"], news_store, COLUMNS=None)
    assert r.returncode == 0 and LONG_TITLE in r.stdout  # one line, not folded into the column
    r = run(["ask", "--source", "Island Times", "When will the eastern pier extension open?"], news_store,
            COLUMNS=None)
    assert "The harbour board approved the eastern pier extension, which will open in May." in r.stdout
    assert LONG_TITLE in r.stdout
    r = run(["articles", "--limit", "2"], news_store)
    assert r.returncode == 0 and "2 of 3 articles" in r.stdout
    assert sum(t in r.stdout for t in ("Wheat exports rise", "Bushfire threatens", "Harbour board")) == 2
    r = run(["articles", "--json", "-n", "1"], news_store)
    assert len(json.loads(r.stdout)) == 1


@pytest.mark.parametrize("command", ["", "ask", "chat", "ingest", "articles", "quotes", "info", "eval"])
def test_help_shows_no_bool_type(command, tmp_path):
    r = run([command, "--help"] if command else ["--help"], tmp_path / "store")
    assert r.returncode == 0 and "Usage:" in r.stdout
    assert "<bool>" not in r.stdout and "--help" in r.stdout


def test_ingest_reports_skipped_and_failed_files_and_strict_refuses(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "pics").mkdir(parents=True)
    (folder / "ferry.txt").write_text("Ferry resumes\nThe ferry to Skerry resumed on Saturday.\n")
    (folder / "empty.txt").write_text("")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "minutes.docx").write_bytes(b"PK\x03\x04")
    (folder / "pics" / "pier.png").write_bytes(b"\x89PNG\r\n")
    store = tmp_path / "store"
    r = run(["ingest", "--strict", str(folder)], store, ASSISTANT_AUTO_SEED="false")
    assert r.returncode == 1 and "Strict ingest: 3 files would be skipped" in r.stderr, r.stderr
    assert "Nothing was ingested" in r.stderr and not (store / "chroma").exists()
    r = run(["ingest", str(folder)], store, ASSISTANT_AUTO_SEED="false")
    assert r.returncode == 3, r.stderr  # the empty file failed, the rest was ingested
    assert "3 files or folders not read (1 .docx, 1 .pdf, 1 .png); --strict makes this an error" in r.stdout
    for name in ("report.pdf", "minutes.docx", "pier.png"):
        assert f"{name}: file type" in r.stdout
    assert "empty.txt: empty file" in r.stdout
    d = json.loads(run(["ingest", "--json", str(folder)], store, ASSISTANT_AUTO_SEED="false").stdout)
    assert sorted(s["kind"] for s in d["skipped"]) == [".docx", ".pdf", ".png"] and d["unchanged"] == 1


def test_ingest_progress_shows_a_rate_and_eta_during_the_first_batch(tmp_path):
    import random
    import re

    import pexpect

    rng = random.Random(7)
    words = ("council harbour ferry budget river school market bridge road tax vote storm farm port rail "
             "mayor court police hospital library festival").split()
    rows = [{"id": f"n{i}", "title": f"Notes {i}",
             "text": " ".join(" ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(40))}
            for i in range(80)]
    (tmp_path / "many.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(tmp_path / "store"), "ASSISTANT_AUTO_SEED": "false",
                "ASSISTANT_CHUNK_TOKENS": "64", "ASSISTANT_CHUNK_OVERLAP": "8", "ASSISTANT_EMBED_CACHE": "false",
                "ASSISTANT_INGEST_BATCH": "10000", "TERM": "xterm-256color"})  # one batch: no article done before the end
    child = pexpect.spawn(str(EXE), ["ingest", str(tmp_path / "many.jsonl")], env=env, encoding="utf-8",
                          timeout=240, dimensions=(50, 200), use_poll=True)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
    # Frames drawn before any article was written (all 80 are written at the end of the one batch)
    early = re.findall(r"(?<!\d)0/80 articles\s+([\d.]+) articles/s([^\r\n]*)", screen)
    assert early, screen[-2000:]
    assert all(float(rate) > 0 for rate, _ in early), early
    assert any(re.search(r"ETA \d+:\d\d:\d\d", rest) for _, rest in early), early
