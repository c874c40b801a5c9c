"""`assistant chat` driven as a person would: in a pseudo-terminal, and with piped input."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect

from .fake_openai import FakeOpenAI, Reply

EXE = str(Path(sys.executable).parent / "assistant")
GAP = r"(?:\x1b\[[0-9;]*m|\s)*"  # white space and colour codes between styled words
CITE1 = r"\[1\]" + GAP + "Vance"  # the compact source line of citation 1


def env_for(tmp_path, **extra):
    """A user with no configuration whose home is ``tmp_path``: the default data folder,
    ``tmp_path/news-assistant``, is made and seeded on first use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env.update({"XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path), "COLUMNS": "200",
                "LINES": "50", "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", **extra})
    return env


def spawn(tmp_path, *args, **extra):
    # poll, not select: a long test session can hold more than select's 1,024 file descriptors
    child = pexpect.spawn(EXE, ["chat", *args], env=env_for(tmp_path, **extra), encoding="utf-8",
                          timeout=90, dimensions=(50, 200), use_poll=True)
    child.expect("/help for commands")
    child.expect("you ›")
    return child


def say(child, line, *expected):
    """Type a line, wait for each expected pattern in order, then for the next prompt."""
    child.sendline(line)
    seen = ""
    for pattern in expected:
        child.expect(pattern)
        seen += child.before + child.after
    child.expect("you ›")
    return seen + child.before


def test_chat_session_in_a_terminal(tmp_path):
    child = spawn(tmp_path)
    say(child, "What did Netanyahu say about the alliance?", "alliance" + GAP + "of" + GAP + "partners", CITE1)
    # A follow-up that needs the history: the rewrite is shown, Vance's words come back.
    say(child, "And what did Vance say?", "searched for: And what did Vance say", "vassal", CITE1)
    say(child, "/sources", CITE1, "vassal")  # a rule per passage, then its text
    say(child, "/open 1", "Strengthening the U.S.-Israel Alliance")  # the article around the quote
    say(child, "/bogus", "Unknown command /bogus. Type /help")
    say(child, "/reset", "Conversation forgotten")
    out = say(child, "And what did Vance say?", CITE1)  # no history now: no rewrite
    assert "searched for" not in out
    child.sendcontrol("d")
    child.expect("Bye.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "What did Netanyahu say about the alliance?" in (tmp_path / "news-assistant" / "chat_history").read_text()


def test_ctrl_c_cancels_the_answer_and_keeps_the_session(tmp_path):
    server = FakeOpenAI()
    try:
        server.script(
            Reply(content="Netanyahu said " + "it is a partnership and more, " * 40 + "hogwash. [1]",
                  chunk_size=8, chunk_delay=0.15),
            Reply(content="He called it hogwash. [1]"),
        )
        child = spawn(tmp_path, OPENAI_BASE_URL=server.url, ASSISTANT_CHAT_MODEL="fake-model")
        child.sendline("What did Netanyahu say about the alliance?")
        child.expect("partnership and more")  # streaming has begun
        child.sendintr()
        child.expect("Answer cancelled.")
        child.expect("you ›")
        say(child, "What did Netanyahu say about the alliance?", "called it hogwash", CITE1)
        child.sendline("/quit")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        server.close()


def test_piped_questions_one_per_line(tmp_path):
    r = subprocess.run([EXE, "chat"], input="What did Netanyahu say about the alliance?\nAnd what did Vance say?\n"
                       "Who won the 2022 FIFA World Cup?\n/help\n", capture_output=True, text=True,
                       env=env_for(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "alliance of partners" in out and "vassal state" in out and "The articles don't say." in out
    assert "\x1b[" not in out  # plain text when not a terminal
    assert "searched for: And what did Vance say" in out
    # Each question is echoed before its answer, so the transcript reads as a chat.
    asked = [out.index("you › " + q) for q in ("What did Netanyahu say about the alliance?",
                                                "And what did Vance say?", "Who won the 2022 FIFA World Cup?")]
    assert asked == sorted(asked)
    assert asked[0] < out.index("alliance of partners") < asked[1] < out.index("vassal state") < asked[2]
    assert re.search(r"/mode MODE .*llm.*local.*extractive", out)  # /help names every answer mode


def test_piped_chat_exits_1_when_an_answer_failed(tmp_path):
    env = env_for(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9", ASSISTANT_LLM_MAX_RETRIES="0")
    r = subprocess.run([EXE, "chat"], input="What did Netanyahu say about the alliance?\n/mode extractive\n"
                       "What did Netanyahu say about the alliance?\n", capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 1, (r.stdout, r.stderr)
    out = r.stdout
    assert "Cannot reach the LLM server" in out and "alliance of partners" in out  # the session went on
    assert out.index("Cannot reach the LLM server") < out.index("Answer mode: extractive") < out.index("alliance of partners")


def test_piped_chat_keeps_a_standalone_question_and_rewrites_a_followup(tmp_path):
    r = subprocess.run([EXE, "chat"], input="What did Netanyahu say about the alliance?\n"
                       "What did Vance say when he met Netanyahu in Jerusalem?\nAnd what did he say about Gaza?\n",
                       capture_output=True, text=True, env=env_for(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    searched = [line for line in r.stdout.splitlines() if "searched for:" in line]
    assert len(searched) == 1, searched  # the standalone question was searched as typed
    assert "searched for: And what did he say about Gaza (" in searched[0] and "Vance" in searched[0]


def test_chat_object_in_python(seeded):
    chat = seeded.chat()
    chat.ask("What did Netanyahu say about the alliance?")
    second = chat.ask("And what did Vance say?")
    assert second.rewritten and len(chat.history) == 2
    chat.reset()
    assert chat.ask("And what did Vance say?").rewritten is None
