"""Issue 8: quotations attributed to their speakers, and "what did X say" answered from them."""

import json
from pathlib import Path

from assistant.evals import load_eval_set
from assistant.parsers import make_article, read_articles
from assistant.quotes import extract_quotes
from assistant.schema import Article

from assistant.evaluation.quote_labels import score_attribution

from .conftest import SEEDS
from .test_cli import run

ROOT = Path(__file__).resolve().parent.parent


def seed():
    (a,) = list(read_articles([SEEDS]))
    return a


def test_every_seed_quotation_is_attributed():
    a = seed()
    quotes = extract_quotes(a)
    assert [q.speaker for q in quotes] == ["JD Vance", "Benjamin Netanyahu", "JD Vance", "JD Vance"]
    for q in quotes:
        assert a.text[q.char_start : q.char_end] == q.text
        assert a.text[q.sentence_start : q.sentence_end] == q.sentence and q.text in q.sentence
    assert quotes[1].attribution == "the Israeli leader asserted"
    assert quotes[1].speaker_title == "Israeli Prime Minister" and "netanyahu" in quotes[1].aliases
    assert quotes[2].attribution == "the vice president stated"
    assert quotes[3].attribution == "he remarked"
    assert quotes[0].text.startswith("We don't want in Israel a vassal state")
    # The scare quote is not speech.
    assert "protectorate" in a.text and not any("protectorate" in q.text for q in quotes)


def test_quotes_across_paragraphs_and_nested_quotes_keep_offsets():
    body = (
        'Mayor Ana Lopez opened the bridge on Monday.\n\n'
        '"This bridge took ten years. We said \'never again\' to the ferry queues, and we meant it.\n\n'
        '"Today the city keeps its promise," Lopez said.\n\n'
        'Critics called it a "vanity project". "It cost twice the estimate," said council member Tom Reyes.'
    )
    a = make_article(title="Bridge opens", body=body, path="bridge.txt")
    quotes = extract_quotes(a)
    for q in quotes:
        assert a.text[q.char_start : q.char_end] == q.text
    by_start = {q.text.split()[0]: q for q in quotes}
    assert by_start["This"].speaker == "Ana Lopez"  # continued in the next paragraph
    assert "'never again'" in by_start["This"].text  # the nested quote stays inside
    assert by_start["Today"].speaker == "Ana Lopez"
    assert by_start["It"].speaker == "Tom Reyes"
    assert not any(q.text == "vanity project" for q in quotes)  # a two-word label


def test_attribution_is_scored_on_every_label_and_holds_on_the_dev_split():
    s = load_eval_set()
    articles = {x.id: x for x in read_articles(s.corpus) if isinstance(x, Article)}
    everything = score_attribution(s.quote_labels, articles)
    assert everything["articles"] >= 29 and everything["quote_recall"] == 1.0  # every labelled quote is found
    dev = score_attribution(s.quote_labels, articles, split="dev")  # the test split is the eval gate's, not read here
    assert dev["precision"] >= 0.9 and dev["recall"] >= 0.9, dev["errors"]


def test_paraphrased_speaker_question_gets_that_speakers_words(seeded):
    ans = seeded.ask("How did Netanyahu describe the relationship?")
    assert not ans.abstained and ans.citations
    assert "Netanyahu" in ans.text and "alliance of partners" in ans.citations[0].quote
    assert not any("vassal" in c.quote for c in ans.citations)  # Vance's words, not his
    ans = seeded.ask("What did Netanyahu say about the alliance?")
    # "the Israeli leader asserted" ties the quote to him by description: said so, not stated as fact
    assert ans.text.startswith("Benjamin Netanyahu (attributed by “the Israeli leader asserted”) said:")
    assert "alliance of partners" in ans.citations[0].quote
    assert not any("vassal" in c.quote for c in ans.citations)
    c = ans.citations[0]
    assert seeded.store.article_text(c.doc_id)[c.char_start : c.char_end] == c.quote


def test_quotes_api_by_speaker_and_topic(seeded):
    vance = seeded.quotes(speaker="Vance")
    assert len(vance) == 3 and {q.speaker for q in vance} == {"JD Vance"}
    assert [q.text[:6] for q in seeded.quotes(speaker="jd vance")] == [q.text[:6] for q in vance]
    assert seeded.quotes(speaker="Rubio") == []  # mentioned, never quoted
    top = seeded.quotes(about="disarming Hamas and rebuilding Gaza", limit=1)
    assert top[0].speaker == "JD Vance" and "disarm Hamas" in top[0].text


def test_replaced_article_replaces_its_quotes(make_assistant, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text('Pier reopens\n"The pier is safe again," harbour master Jo Quinn said on Friday.\n')
    a = make_assistant()
    a.ingest([f])
    assert [q.speaker for q in a.quotes()] == ["Jo Quinn"]
    f.write_text('Pier reopens\n"We checked every plank twice," harbour master Jo Quinn said on Friday.\n')
    a.ingest([f])
    assert [q.text for q in a.quotes(speaker="Quinn")] == ["We checked every plank twice,"]


def test_cli_quotes(tmp_path):
    # No data folder configured: the default one (under XDG_DATA_HOME) is seeded on first use.
    r = run(["quotes", "--speaker", "Netanyahu", "--json"], None, XDG_DATA_HOME=str(tmp_path))
    assert r.returncode == 0, r.stderr
    (q,) = json.loads(r.stdout)
    assert q["speaker"] == "Benjamin Netanyahu" and q["text"].startswith("One week they say")
    r = run(["quotes", "-s", "Vance"], tmp_path / "news-assistant")
    assert r.returncode == 0 and "JD Vance" in r.stdout and "3 quotations" in r.stdout


def test_retrieval_puts_the_speakers_passage_first(make_assistant, tmp_path):
    # Eight articles repeat "harbour budget" and name Jo Quinn without quoting her; the one
    # article where she speaks about it is mostly about ferries. Plain hybrid retrieval misses
    # it; retrieve(), the LangChain retriever and ask() must all put her words first.
    rows = [{"id": f"b{i}", "title": f"Harbour budget debate {i}",
             "text": f"The harbour budget for next year was debated again on day {i}. Councillors argued about the "
                     f"harbour budget, dredging costs and the harbour budget reserve. Harbour master Jo Quinn "
                     f"attended the harbour budget session {i}."} for i in range(8)]
    rows.append({"id": "q1", "title": "Ferry timetable changes",
                 "text": "The winter ferry timetable starts next week with fewer sailings to the islands. " * 3
                 + '\n\n"This budget leaves nothing for dredging the channel," harbour master Jo Quinn said.\n\n'
                 + "Ticket prices stay the same until spring, the operator said. " * 3})
    f = tmp_path / "harbour.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = make_assistant()
    a.ingest([f])
    q = "What did Jo Quinn say about the harbour budget?"
    assert "q1" not in [p.doc_id for p in a.retriever.retrieve(q).passages]  # the plain ranking
    got = a.retrieve(q).passages
    assert got[0].doc_id == "q1" and "leaves nothing for dredging" in got[0].text
    assert len(got) == a.settings.top_k
    assert [d.metadata["doc_id"] for d in a.as_retriever().invoke(q)][0] == "q1"
    ans = a.ask(q)
    assert ans.text.startswith("Jo Quinn said:") and ans.citations[0].doc_id == "q1"
    # Not a "what did X say" question: the ranking is the plain one.
    other = "What was debated about the harbour budget?"
    assert [p.chunk_id for p in a.retrieve(other).passages] == [p.chunk_id for p in a.retriever.retrieve(other).passages]


def test_a_quote_is_embedded_once_across_wire_copies_and_questions(make_assistant, tmp_path, monkeypatch):
    text = '"We will reopen the pier by June," harbour master Jo Quinn said on Friday.\n\nRepairs cost more than planned.'
    f = tmp_path / "copies.jsonl"
    f.write_text("".join(json.dumps({"id": f"c{i}", "title": f"Pier repairs {i}", "text": text}) + "\n"
                         for i in range(6)))
    a = make_assistant()
    a.ingest([f])
    embedded: list[str] = []
    real = a.embedder.embed_array
    monkeypatch.setattr(a.embedder, "embed_array", lambda texts: embedded.extend(texts) or real(texts))
    got = a.retrieve("What did Jo Quinn say about the pier?").passages
    assert "reopen the pier" in got[0].text
    assert embedded.count("We will reopen the pier by June,") == 1
    again = a.retrieve("What did Jo Quinn say about June?").passages  # its vector comes from the cache
    assert "reopen the pier" in again[0].text
    assert embedded.count("We will reopen the pier by June,") == 1
