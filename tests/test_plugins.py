"""Where a new parser, retriever or answerer plugs in (ARCHITECTURE.md): each by entry point (chosen
by name for retrievers and answerers), a parser also by ``register_parser``, a retriever or an
answerer also by the ``Assistant`` constructor. Each through the real product: the CLI in a
subprocess, the real store and embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant import Answer, Assistant
from assistant.ingestion import parsers
from assistant.retrieval.hybrid import Evidence
from assistant.schema import Passage

NOTE = "Pier reopens\nThe harbour pier reopened on Friday after two years of repairs, the council said.\n"


def _plugin_package(root: Path) -> None:
    """An installed-looking package that offers, by entry point, a parser for ``.note`` files, an
    answerer that echoes the first passage's first words and a retriever that reads the store's
    newest-titled article only."""
    (root / "noteparser.py").write_text(textwrap.dedent('''
        from assistant import Answer
        from assistant.ingestion.parsers import make_article

        def parse(path):
            title, _, body = path.read_text(encoding="utf-8").partition("\\n")
            yield make_article(title=title, body=body, path=str(path), outlet="Notes")

        class Echo:
            def stream(self, question, evidence):
                words = evidence.passages[0].text.split()[:4] if evidence.passages else []
                yield " ".join(words)
                yield Answer(question=question, text="ECHO: " + " ".join(words), passages=evidence.passages,
                             mode="echo", abstained=not words)

            def answer(self, question, evidence):
                return [p for p in self.stream(question, evidence) if isinstance(p, Answer)][0]

        def echo(parts):
            return Echo()

        def broken(parts):
            raise RuntimeError("no licence key")

        class OnlyPiers:
            """Dense retrieval over the store, keeping passages whose title names a pier."""
            def __init__(self, parts):
                from assistant.retrieval.hybrid import DenseRetriever
                self.dense = DenseRetriever(parts.store, parts.embedder, 5, -1.0)

            def retrieve(self, question, k=None, where=None, filters=None):
                ev = self.dense.retrieve(question, k, where, filters)
                ev.passages = [p for p in ev.passages if "pier" in p.title.lower()]
                return ev
    '''))
    info = root / "noteparser-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: noteparser\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[news_assistant.parsers]\nnote = noteparser:parse\n"
                                           "[news_assistant.answerers]\necho = noteparser:echo\nbroken = noteparser:broken\n"
                                           "[news_assistant.retrievers]\npiers = noteparser:OnlyPiers\n")


def _installed(tmp_path: Path) -> dict[str, str]:
    """The plugin package on the path, a folder of notes (the pier's) and a store: the CLI's
    environment."""
    plugin = tmp_path / "site"
    plugin.mkdir()
    _plugin_package(plugin)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "pier.note").write_text(NOTE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return env | {"PYTHONPATH": str(plugin), "ASSISTANT_DATA_DIR": str(tmp_path / "store"), "COLUMNS": "200"}


def test_a_parser_installed_by_entry_point_is_used_by_the_cli(tmp_path):
    env = _installed(tmp_path)
    exe = Path(sys.executable).parent / "assistant"
    ingest = subprocess.run([str(exe), "ingest", str(tmp_path / "notes")], capture_output=True, text=True, env=env,
                            timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert "skipped" not in ingest.stdout.lower() or "pier.note" not in ingest.stdout
    ask = subprocess.run([str(exe), "ask", "When did the pier reopen?"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert ask.returncode == 0, ask.stderr
    assert "reopened on Friday" in ask.stdout and "Pier reopens" in ask.stdout


def test_answerer_and_retriever_plugins_are_listed_and_chosen_by_name(tmp_path):
    env = _installed(tmp_path)
    (tmp_path / "notes" / "ferry.note").write_text("Ferry timetable\nThe ferry runs hourly from May, the operator said.\n")
    exe = str(Path(sys.executable).parent / "assistant")

    def cli(*args, **extra):
        return subprocess.run([exe, *args], capture_output=True, text=True, env={**env, **extra}, timeout=300)

    listed = cli("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    kinds = {(p["kind"], p["name"]) for p in json.loads(listed.stdout)}
    assert {("parser", "note"), ("answerer", "echo"), ("retriever", "piers")} <= kinds
    assert cli("ingest", str(tmp_path / "notes")).returncode == 0
    plain = cli("ask", "--json", "How often does the ferry run?")
    assert plain.returncode == 0 and json.loads(plain.stdout)["citations"][0]["title"] == "Ferry timetable"
    chosen = cli("ask", "--json", "How often does the ferry run?", ASSISTANT_ANSWERER="echo", ASSISTANT_RETRIEVER="piers")
    assert chosen.returncode == 0, chosen.stderr
    got = json.loads(chosen.stdout)
    assert got["text"] == "ECHO: The harbour pier reopened" and got["mode"] == "echo"
    missing = cli("ask", "How often does the ferry run?", ASSISTANT_ANSWERER="oracle")
    assert missing.returncode == 2 and "No answerer plugin named 'oracle'" in missing.stderr
    assert "echo" in missing.stderr  # the installed ones are named
    failing = cli("ask", "How often does the ferry run?", ASSISTANT_ANSWERER="broken")
    assert failing.returncode == 2 and "failed to start" in failing.stderr and "no licence key" in failing.stderr
    assert "Traceback" not in failing.stderr


def test_register_parser_reads_a_new_file_type_in_process(make_assistant, tmp_path, monkeypatch):
    monkeypatch.setattr(parsers, "PARSERS", dict(parsers.PARSERS))
    monkeypatch.setattr(parsers, "SUPPORTED_SUFFIXES", set(parsers.SUPPORTED_SUFFIXES))

    def parse(path: Path):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        yield parsers.make_article(title=title, body=body, path=str(path))

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pier.memo").write_text(NOTE)
    a = make_assistant()
    assert a.ingest([tmp_path / "in"]).skipped[0].path.endswith("pier.memo")  # not read before
    parsers.register_parser("memo", parse)
    report = a.ingest([tmp_path / "in"])
    assert len(report.added) == 1 and not report.skipped
    assert "reopened on Friday" in a.ask("When did the pier reopen?").text


class EchoAnswerer:
    """An answerer of the user's own: quotes the first passage, streamed word by word."""

    mode = "echo"

    def stream(self, question: str, evidence: Evidence) -> Iterator[str | Answer]:
        words = evidence.passages[0].text.split()[:6] if evidence.passages else []
        for w in words:
            yield w + " "
        yield Answer(question=question, text=" ".join(words), passages=evidence.passages, mode=self.mode,
                     abstained=not words)

    def answer(self, question: str, evidence: Evidence) -> Answer:
        return [p for p in self.stream(question, evidence) if isinstance(p, Answer)][0]


class FixedRetriever:
    """A retriever of the user's own: always the same passage."""

    def retrieve(self, question, k=None, where=None, filters=None) -> Evidence:
        p = Passage(chunk_id="memo:0", doc_id="memo", title="Memo", text="The ferry runs hourly from May.",
                    score=0.9, source="memo.txt", date="", paragraph=0, char_start=0, char_end=31)
        return Evidence(question, [p], np.zeros(384, dtype=np.float32), 0.2, filters=filters)


def test_an_answerer_and_a_retriever_of_ones_own_plug_into_ask_and_stream(embedder, tmp_path):
    a = Assistant(embedder=embedder, data_dir=tmp_path / "store", auto_seed=False, answerer=EchoAnswerer(),
                  retriever=FixedRetriever())
    a.ingest([])  # an empty store: the custom retriever does not read it
    parts = list(a.stream("How often does the ferry run?"))
    assert [p for p in parts if isinstance(p, str)] == ["The ", "ferry ", "runs ", "hourly ", "from ", "May. "]
    answer = a.ask("How often does the ferry run?")
    assert answer.mode == "echo" and answer.text == "The ferry runs hourly from May."


def test_a_plugin_named_in_the_constructor_is_built_from_the_settings(embedder, tmp_path, monkeypatch):
    _installed(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    (tmp_path / "pier.txt").write_text(NOTE)
    a = Assistant(embedder=embedder, data_dir=tmp_path / "store", auto_seed=False, answerer="echo")
    a.ingest([tmp_path / "pier.txt"])
    assert a.settings.answerer == "echo"
    assert a.ask("When did the pier reopen?").text == "ECHO: The harbour pier reopened"
    a.close()  # the plugin answerer is built again after close, on the reopened store
    assert a.ask("When did the pier reopen?").mode == "echo"
