import pytest

from assistant.conversation import is_followup, rewrite


@pytest.mark.parametrize("previous, question, must_have", [
    ("What did Netanyahu say about the alliance?", "And what did Vance say?", ["Vance", "alliance"]),
    ("What bill did far-right politicians advance?", "How did it do in the preliminary reading?", ["bill"]),
    ("How much did Waste Management offer for ChemLawn?", "And how did its shares react?", ["ChemLawn"]),
    ("Where did the Swiss tourists get stranded?", "How far is that from Alice Springs?", ["tourists", "Alice Springs"]),
])
def test_followups_inherit_what_they_leave_out(previous, question, must_have):
    out = rewrite(question, [previous])
    assert out.startswith(question.rstrip("?"))
    for word in must_have:
        assert word in out


def test_followup_with_its_own_person_drops_the_previous_person():
    out = rewrite("And what did Vance say?", ["What did Netanyahu say about the alliance?"])
    assert "Netanyahu" not in out


def test_standalone_questions_are_left_alone():
    q = "Who won the 2022 FIFA World Cup?"
    assert not is_followup(q)
    assert rewrite(q, ["What did Netanyahu say about the alliance?"]) == q
    assert rewrite("And what did Vance say?", []) == "And what did Vance say?"


def test_ask_with_history_answers_the_followup(seeded):
    first = seeded.ask("What did Netanyahu say about the alliance?")
    second = seeded.ask("And what did Vance say?", history=[first])
    assert second.rewritten and "alliance" in second.rewritten
    assert second.question == "And what did Vance say?"
    assert any("vassal state" in c.quote for c in second.citations), second.text


def _followup_runner():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "run_followups.py"
    spec = importlib.util.spec_from_file_location("run_followups", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_followups"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_rewrite_decision_on_the_dev_followups():
    runner = _followup_runner()
    results = runner.run(runner.load_items(split="dev"))
    assert len(results) >= 20
    assert runner.accuracy(results) >= 0.9, [r.item.id for r in results if not r.correct]


@pytest.mark.parametrize("question", [
    "What is the International Atomic Energy Agency?",
    "What did the Italian prime minister say when she visited Tunis?",  # "she" is the prime minister
    "How did Siemens' shares react to its results?",
    "Is it true that grain exports fell last year?",
    "Grain export quotas Black Sea",  # a search typed as words, not a fragment of a question
])
def test_standalone_questions_are_used_exactly_as_typed(question):
    assert rewrite(question, ["What did Netanyahu say about the alliance?"]) == question


def test_a_pronoun_for_the_previous_person_brings_the_person_back():
    out = rewrite("And what did he say about Gaza?", ["What did Vance say when he met Netanyahu in Jerusalem?"])
    assert out.startswith("And what did he say about Gaza") and "Vance" in out


def test_chat_answers_a_standalone_question_as_typed_and_rewrites_a_followup(seeded):
    chat = seeded.chat()
    chat.ask("What did Netanyahu say about the alliance?")
    standalone = "What did Vance say when he met Netanyahu in Jerusalem?"
    got = chat.ask(standalone)
    assert got.rewritten is None and got.question == standalone
    alone = seeded.ask(standalone)
    assert got.text == alone.text and [c.chunk_id for c in got.citations] == [c.chunk_id for c in alone.citations]
    followup = chat.ask("And what did he say about Gaza?")
    assert followup.question == "And what did he say about Gaza?"
    assert followup.rewritten and "Vance" in followup.rewritten
