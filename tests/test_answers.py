import pytest

from assistant.errors import InputError
from assistant.parsers import read_articles

from .conftest import SEEDS


def seed_text():
    (a,) = list(read_articles([SEEDS]))
    return a.text


def test_netanyahu_alliance_is_quoted_and_cited(seeded):
    ans = seeded.ask("What did Netanyahu say about the alliance?")
    assert not ans.abstained and ans.mode == "extractive"
    hits = [c for c in ans.citations if "alliance of partners" in c.quote]
    assert hits, ans.text
    c = hits[0]
    assert "alliance of partners" in c.text  # the cited passage holds it
    assert f"[{c.n}]" in ans.text
    assert c.quote in ans.text or " ".join(c.quote.split()) in ans.text


def test_citation_offsets_point_into_the_article(seeded):
    text = seed_text()
    ans = seeded.ask("Which countries were mentioned for the security force?")
    assert ans.citations
    for c in ans.citations:
        assert text[c.char_start : c.char_end] == c.quote
        assert c.quote in c.text
    assert any("Turkey and Indonesia" in c.quote for c in ans.citations)


def test_every_marker_has_a_citation(seeded):
    import re

    ans = seeded.ask("What did Vance say about Hamas?")
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", ans.text)}
    assert markers == {c.n for c in ans.citations}
    assert any("disarm Hamas" in c.quote for c in ans.citations)


@pytest.mark.parametrize("question", ["Who won the 2022 FIFA World Cup?", "What is the capital of France?",
                                      "How much did wheat cost in Chicago?"])
def test_questions_the_articles_do_not_answer_abstain(seeded, question):
    ans = seeded.ask(question)
    assert ans.abstained
    assert ans.text == "The articles don't say."
    assert ans.citations == []


def test_empty_question_is_rejected(seeded):
    with pytest.raises(InputError, match="empty"):
        seeded.ask("   \n\t ")


def test_answer_serialises(seeded):
    import json

    d = seeded.ask("Who was in the vice president's delegation?").to_dict()
    json.dumps(d)
    assert {"text", "citations", "passages", "abstained", "mode", "timings"} <= set(d)
    assert d["timings"]["total"] > 0
    assert any("Witkoff" in c["quote"] for c in d["citations"])


def test_langchain_retriever_and_runnable(seeded):
    docs = seeded.as_retriever(k=3).invoke("What did the International Court of Justice rule?")
    assert docs and any("UNRWA" in d.page_content for d in docs)
    assert {"doc_id", "title", "score", "char_start"} <= set(docs[0].metadata)
    ans = seeded.as_runnable().invoke("What did the court rule about UNRWA?")
    assert "UNRWA" in ans["answer"] and ans["citations"]


@pytest.fixture
def story_store(tmp_path, embedder):
    """A fresh store holding one story written for the test: ``story_store(*paragraphs)``."""
    from assistant import Assistant

    opened = []

    def make(*paragraphs: str):
        path = tmp_path / f"story{len(opened)}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        a = Assistant(embedder=embedder, data_dir=tmp_path / f"store{len(opened)}", auto_seed=False)
        opened.append(a)
        a.ingest([path])
        return a

    yield make
    for a in opened:
        a.close()


def test_a_question_for_a_count_year_or_date_is_answered_only_by_a_sentence_that_gives_one(story_store):
    a = story_store(
        "Harbour bridge to close for repairs",
        "The harbour bridge, built in 1931, will close for six weeks of repairs, the port authority said.",
        "The authority will cut its maintenance staff by 20 per cent after the work is done.",
        "About 40 engineers will work on the bridge in shifts, and the ferry service will run every hour.",
        "An old ferry sank near the bridge, and divers are still searching the wreck.")
    assert "1931" in a.ask("In what year was the harbour bridge built?").text
    assert "40 engineers" in a.ask("How many engineers will work on the harbour bridge?").text
    assert a.ask("How many maintenance workers does the port authority employ?").abstained  # a percentage only
    assert a.ask("How many divers are searching the ferry wreck near the bridge?").abstained  # divers, not counted
    assert a.ask("On what date did the old ferry sink near the bridge?").abstained


def test_a_quote_split_by_its_attribution_is_found_by_the_words_between_and_answered_whole(story_store):
    a = story_store(
        "Phone apps sell where their users go",
        "Dozens of phone apps pass their users' locations to advertisers, researchers found.",
        "Mara Lindqvist, a privacy researcher at a university in Oslo, studied the apps for two years.",
        "“There are really no consequences” for firms that leak location data, she said, “other than a day "
        "of bad headlines.”")
    ans = a.ask("What did Mara Lindqvist say about firms that leak location data?")
    assert "There are really no consequences" in ans.text and "a day of bad headlines" in ans.text
    assert ans.text.index("There are really") < ans.text.index("a day of bad")


def test_what_someone_said_brings_the_quotes_just_before_and_after_the_best_one(story_store):
    a = story_store(
        "Okafor wins opening match in Perth",
        "Daniel Okafor beat the second seed in straight sets on Monday to open his season.",
        "“I was nervous in the first few games, but it was a great start to my year,” Okafor said.",
        "“My opponent is a fierce competitor and I am delighted to beat him.",
        "“I will be fitter by the end of the tournament.”",
        "The tournament continues on Wednesday with the mixed doubles.")
    ans = a.ask("What did Daniel Okafor say about beating his opponent?")
    assert "delighted to beat him" in ans.text
    assert "great start to my year" in ans.text and "fitter by the end" in ans.text


def test_who_is_the_role_is_answered_only_by_a_sentence_that_names_whoever_holds_it(story_store):
    a = story_store(
        "Flood relief convoy reaches hill villages",
        "A relief convoy reached the flooded hill villages on Tuesday after a local commander asked the army "
        "to clear the road.",
        "The convoy was led by Colonel Ingrid Maalouf, the head of the regional rescue service, officials said.",
        "Aid workers said the water supply in the villages was still cut.")
    assert "Ingrid Maalouf" in a.ask("Who led the relief convoy to the hill villages?").text
    assert "Ingrid Maalouf" in a.ask("Who is the head of the regional rescue service?").text
    assert a.ask("Who was the local commander who asked the army to clear the road?").abstained  # never named
    assert a.ask("Who is the spokesman of the regional rescue service?").abstained  # no spokesman named
    assert a.ask("Who is Ingrid Maalouf's deputy?").abstained  # no deputy in the story


def test_what_x_said_is_not_answered_by_someone_else_saying_he_waits_for_x(story_store):
    a = story_store(
        "Ceasefire talks stall after airstrikes",
        "Rebel leader Ivo Darsk has been under pressure since the airstrikes on the northern towns. Premier Tomas "
        "Reyl said he was waiting for action, not promises, from the rebel leader on the airstrikes.",
        "Aid groups said the northern towns had been without water for a week.")
    ans = a.ask("What did Ivo Darsk say about the airstrikes?")
    assert ans.abstained and "Ivo Darsk" in ans.text  # "They mention Ivo Darsk, but not what Ivo Darsk said"


def test_what_did_the_role_say_needs_someone_so_described_speaking(story_store):
    a = story_store(
        "Council approves harbour dredging",
        "The harbour council on Tuesday approved a plan to dredge the main channel, ending two years of dispute.",
        "Council chair Nuala Smallwood said the work would begin in March. “Without a deeper channel, the big "
        "ships will go elsewhere,” she said.",
        "Shares in the port operator rose 3 per cent on the news.")
    assert a.ask("What did the mayor say about the dredging plan?").abstained  # no mayor in the story
    assert "deeper channel" in a.ask("What did the council chair say about the dredging plan?").text


def test_someone_with_the_same_surname_is_not_the_person_asked_about(story_store):
    a = story_store(
        "Family bakery sold after 70 years",
        "Pellham & Daughters, the bakery chain founded by Edwin Pellham in 1952, has been sold to a snacks maker.",
        "Managing director Margit Pellham, Edwin's granddaughter, said the family had looked for a buyer for two "
        "years. “We wanted someone who would keep the recipes,” she said.")
    ans = a.ask("What did Edwin Pellham say when he opened the first shop?")
    assert ans.abstained and "keep the recipes" not in ans.text
    assert "keep the recipes" in a.ask("What did Margit Pellham say about the sale?").text
