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
