"""End to end over real news and against a real `chroma run` server."""

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


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(exe).exists():
        pytest.skip("the `chroma` CLI is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([exe, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start in 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.mark.server
def test_against_a_real_chroma_server(make_assistant, chroma_server, tmp_path):
    a = make_assistant(chroma_url=chroma_server, collection="server-test", data_dir=tmp_path / "unused")
    report = a.ingest([SEEDS])
    assert len(report.added) == 1
    assert not (tmp_path / "unused").exists()  # nothing written locally
    ans = a.ask("What did Netanyahu say about the alliance?")
    assert any("alliance of partners" in c.quote for c in ans.citations)
    # A second client (another process would see the same) finds the data and skips it.
    b = make_assistant(chroma_url=chroma_server, collection="server-test")
    assert b.ingest([SEEDS]).unchanged and b.store.count_articles() == 1


def test_unreachable_server_gives_a_clear_error(make_assistant):
    a = make_assistant(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="Cannot reach the Chroma server") as exc:
        a.store
    assert "chroma run" in exc.value.hint
