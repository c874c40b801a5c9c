"""End to end over real news and against a real `chroma run` server."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailableError

from .conftest import CORPORA, SEEDS, need_corpora

SEED_QUESTIONS = [
    ("What did Netanyahu say about the alliance?", "alliance of partners"),
    ("Which countries might contribute to the international security force?", "Turkey and Indonesia"),
    ("Who was part of Vance's delegation?", "Steve Witkoff"),
    ("What did the International Court of Justice rule?", "UNRWA"),
    ("What bill did far-right lawmakers advance?", "annexation of the occupied West Bank"),
]


@pytest.mark.slow
def test_seed_passages_still_found_among_reuters_articles(make_assistant):
    need_corpora()
    a = make_assistant()
    report = a.ingest([SEEDS, CORPORA / "reuters-tm.jsonl"])
    assert not report.failed and len(report.added) == 80
    seed_id = next(r.id for r in a.articles() if r.title.startswith("Vance and Netanyahu"))
    for question, phrase in SEED_QUESTIONS:
        r = a.retrieve(question, k=5)
        assert any(p.doc_id == seed_id and phrase in p.text for p in r.passages), question
        ans = a.ask(question)
        assert not ans.abstained and any(phrase in c.text for c in ans.citations), question


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path) -> tuple[str, subprocess.Popen]:
    """A real `chroma run` on a free port, storing under ``path``: its URL and process."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the `chroma` CLI is not installed")
    port = free_port()
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([exe, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return f"http://127.0.0.1:{port}", proc
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()}")
            time.sleep(0.2)
    proc.kill()
    pytest.fail("chroma run did not start in 60 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    url, proc = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    stop(proc)


@pytest.mark.server
def test_against_a_real_chroma_server(make_assistant, chroma_server, tmp_path):
    a = make_assistant(chroma_url=chroma_server, collection="server-test", data_dir=tmp_path / "unused")
    report = a.ingest([SEEDS])
    assert len(report.added) == 1
    # nothing written locally but the keyword index, a cache rebuilt from the server when missing
    assert [p.name for p in (tmp_path / "unused").iterdir()] == ["lexical"]
    ans = a.ask("What did Netanyahu say about the alliance?")
    assert any("alliance of partners" in c.quote for c in ans.citations)
    # A second client (another process would see the same) finds the data and skips it.
    b = make_assistant(chroma_url=chroma_server, collection="server-test")
    assert b.ingest([SEEDS]).unchanged and b.store.count_articles() == 1


@pytest.mark.server
def test_keyword_index_is_built_from_the_servers_documents_and_follows_other_clients(make_assistant, chroma_server,
                                                                                      tmp_path):
    a = make_assistant(chroma_url=chroma_server, collection="server-lexical", data_dir=tmp_path / "a")
    a.ingest([SEEDS])
    b = make_assistant(chroma_url=chroma_server, collection="server-lexical", data_dir=tmp_path / "b")
    shown = []
    b.bm25.on_progress = lambda done, total: shown.append((done, total))
    assert b.bm25.search("Netanyahu alliance", 3)  # b's index did not exist: built from the server
    n = b.store.count_chunks()
    assert b.bm25.stats["read"] == n and shown[-1] == (n, n)
    extra = tmp_path / "z.jsonl"
    extra.write_text('{"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}\n')
    a.ingest([extra])  # another client writes; b's index is now stale
    b.bm25.recheck_seconds = 0
    assert b.bm25.search("Zanzibar", 3)[0][0].startswith("z1:")
    assert b.bm25.stats["read"] == n + 1  # only the new chunk was read
    c = make_assistant(chroma_url=chroma_server, collection="server-lexical", data_dir=tmp_path / "b")
    assert c.bm25.search("Zanzibar", 3) and c.bm25.stats["read"] == 0  # b's index, kept on disk


@pytest.mark.server
def test_a_server_that_goes_away_mid_session_is_a_clear_error(tmp_path):
    url, proc = start_chroma(tmp_path)
    exe = Path(sys.executable).parent / "assistant"
    env = {**os.environ, "ASSISTANT_CHROMA_URL": url, "ASSISTANT_AUTO_SEED": "false", "HOME": str(tmp_path)}
    try:
        subprocess.run([str(exe), "ingest", str(SEEDS)], env=env, check=True, capture_output=True, timeout=300)
        chat = subprocess.Popen([str(exe), "chat"], env=env, text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        chat.stdin.write("What did Netanyahu say about the alliance?\n")
        chat.stdin.flush()
        stop(proc)  # the server goes away while the chat holds its connection
        time.sleep(1)
        out, err = chat.communicate("What did Vance say about a vassal state?\n", timeout=300)
    finally:
        stop(proc)
    assert "Traceback" not in err and "please report" not in err.lower(), err
    assert "Cannot reach the Chroma server" in err or "Chroma server" in err, err
    assert chat.returncode != 0


def test_unreachable_server_gives_a_clear_error(make_assistant):
    a = make_assistant(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="Cannot reach the Chroma server") as exc:
        a.store
    assert "chroma run" in exc.value.hint
