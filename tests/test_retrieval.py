"""Hybrid retrieval, diversification and metadata filters, on real embeddings and real Chroma."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.filters import Filters
from assistant.lexical import LexicalIndex, query_weights
from assistant.retrieval import HybridRetriever, diversify
from assistant.schema import Passage
from assistant.store import unpacked
from assistant.text import content_terms, stem

from .conftest import SEEDS


@pytest.fixture
def news(make_assistant, tmp_path):
    p = tmp_path / "news.jsonl"
    rows = [
        {"id": "r1", "title": "Wheat exports rise", "source": "Reuters", "date": "2-MAR-1987",
         "text": "Wheat exports from Kansas rose sharply in February, the grain board said."},
        {"id": "r2", "title": "Corn crop forecast", "source": "Reuters", "date": "20-APR-1987",
         "text": "The corn harvest in Iowa is forecast at a record, the agriculture department said."},
        {"id": "a1", "title": "Bushfire threatens Hill Top", "source": "ABC News", "date": "2001-12-31",
         "text": "A bushfire pushed by strong winds threatened the town of Hill Top in New South Wales."},
        {"id": "a2", "title": "Wheat farmers hit by drought", "source": "ABC News", "date": "2002-01-15",
         "text": "Wheat farmers in New South Wales face losses as the drought deepens."},
    ]
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = make_assistant()
    a.ingest([SEEDS, p])
    return a


def test_hybrid_is_the_default_and_finds_rare_names(news):
    assert isinstance(news.retriever, HybridRetriever)
    r = news.retrieve("Who is Witkoff?")
    assert r.passages and "Witkoff" in r.passages[0].text


def test_bm25_index_follows_the_store(news, tmp_path):
    assert news.bm25.search("Kansas", 5)[0][0].startswith("r1:")
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps({"id": "z1", "title": "Zebra", "text": "A zebra named Zanzibar escaped the zoo."}) + "\n")
    news.ingest([extra])
    assert news.bm25.search("Zanzibar", 5)[0][0].startswith("z1:")  # added by the ingest
    assert (news.settings.data_dir / "lexical" / news.settings.collection / "state.json").exists()


@pytest.mark.parametrize("question, passage", [
    ("When did the two leaders meet?", "Vance met with Netanyahu on Wednesday."),
    ("Who could stabilise Gaza?", "A stabilization force for Gaza was discussed."),
    ("Which unit was it rumoured to spin off?", "Market rumors said it would spin off Shearson."),
    ("What did the defence ministry say?", "The defense ministry said nothing."),
    ("How much wheat was sold?", "The board said it would sell wheat."),
])
def test_irregular_verbs_and_british_spellings_match(question, passage):
    # "meet" must find "met", "stabilise" "stabilization", "rumoured" "rumors"
    shared = set(query_weights(question)) & set(content_terms(passage))
    assert shared - {"gaza", "wheat"}, (question, passage)


def test_words_that_look_irregular_are_not_folded():
    assert stem("Fed") != stem("feed") and stem("led") != stem("lead") and stem("hour") == "hour"


def test_lexical_index_is_rebuilt_when_the_stemmer_changes(news, monkeypatch):
    import assistant.lexical as lexical

    news.bm25.search("Kansas", 5)
    folder = lexical.index_folder(news.settings.data_dir, news.settings.collection)
    same = lexical.LexicalIndex(news.store, folder)
    assert same.search("Kansas", 5)[0][0].startswith("r1:") and same.stats["read"] == 0  # the saved index
    monkeypatch.setattr(lexical, "STEM_VERSION", lexical.STEM_VERSION + 1)
    fresh = lexical.LexicalIndex(news.store, folder)
    assert fresh.search("Kansas", 5)[0][0].startswith("r1:")
    assert fresh.stats["read"] == news.store.count_chunks()  # the saved index was not reused


def test_names_and_numbers_weigh_double():
    w = query_weights('What did Netanyahu say about the "alliance" in 1987?')
    assert w["netanya"] == 2.0 and w["1987"] == 2.0 and w["allianc"] == 2.0


@pytest.mark.parametrize("filters, allowed", [
    (Filters(source="ABC News"), {"a1", "a2"}),
    (Filters(since="1987-03-05", until="1987-12-31"), {"r2"}),
    (Filters(doc_ids=("r1",)), {"r1"}),
    (Filters(title="wheat"), {"r1", "a2"}),
])
def test_filters_restrict_both_retrievers(news, filters, allowed):
    for method in ("hybrid", "dense"):
        news.settings = news.settings.model_copy(update={"retrieval": method})
        r = news.retrieve("wheat harvest exports drought", k=5, filters=filters)
        got = {p.doc_id for p in r.passages}
        assert got and got <= allowed, (method, got)


def test_ask_with_a_filter_that_excludes_the_answer_abstains(news):
    ans = news.ask("What did Netanyahu say about the alliance?", filters=Filters(source="Reuters"))
    assert ans.abstained


def test_source_filter_ignores_case_and_a_miss_is_typed(news):
    ans = news.ask("Which town did the bushfire threaten?", filters=Filters(source="abc NEWS"))
    assert {c.doc_id for c in ans.citations} == {"a1"} and ans.filter_miss is None
    miss = news.ask("Which town did the bushfire threaten?", filters=Filters(source="ABC Newz")).filter_miss
    assert miss is not None and miss.sources[0] == "ABC News" and "Reuters" in miss.sources
    assert not miss.first_date  # the dates were not asked about
    miss = news.ask("Which town did the bushfire threaten?", filters=Filters(since="2030-01-01")).filter_miss
    assert (miss.first_date, miss.last_date, miss.undated) == ("1987-03-02", "2002-01-15", 1)  # the seed has no date
    ans = news.ask("Which town did the bushfire threaten?", filters=Filters(since="2030-01-01"))
    assert ans.abstained and not ans.citations and "No stored article matches" in ans.text


def test_bad_filter_dates_are_rejected():
    from assistant.errors import InputError

    with pytest.raises(InputError, match="YYYY-MM-DD"):
        Filters(since="the day after tomorrow maybe")


def p(cid, doc, s, e, text=None):
    return Passage(cid, doc, "t", "s", "", text or f"{doc}-{s}", 0, s, e, 0.5)


def test_diversify_caps_articles_and_drops_overlaps():
    ps = [p("a0", "A", 0, 100), p("a1", "A", 10, 110), p("b0", "B", 0, 100), p("a2", "A", 300, 400),
          p("a3", "A", 500, 600), p("c0", "C", 0, 100, text="A-0"), p("d0", "D", 0, 100)]
    out = diversify(ps, k=4, max_per_article=2)
    # a1 overlaps a0; a3 is over A's cap; c0 is a0's text under another id
    assert [x.chunk_id for x in out] == ["a0", "b0", "a2", "d0"]
    # With nothing else to fill the places, the capped article fills them (duplicates still skipped).
    assert [x.chunk_id for x in diversify(ps, k=6, max_per_article=2)] == ["a0", "b0", "a2", "a3", "d0"]
    # The copy's article is named on the passage kept; the others name none.
    assert [x.also_in for x in out] == [("C",), (), (), ()]


def test_wire_copies_are_named_on_the_passage_and_its_citation(make_assistant, tmp_path):
    story = "Kansas wheat exports rose 12 pct in February as Soviet buyers returned, the grain board said."
    rows = [{"id": "wire-1", "title": "Wheat exports rise", "text": story},
            {"id": "wire-2", "title": "KANSAS WHEAT EXPORTS RISE", "text": story},
            {"id": "other", "title": "Corn crop", "text": "The Iowa corn harvest is forecast at a record."}]
    f = tmp_path / "wire.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = make_assistant()
    a.ingest([f])
    got = a.retrieve("How much did Kansas wheat exports rise in February?").passages
    assert [x.doc_id for x in got].count("wire-1") + [x.doc_id for x in got].count("wire-2") == 1
    first = got[0]
    copy = "wire-2" if first.doc_id == "wire-1" else "wire-1"
    assert first.doc_id in {"wire-1", "wire-2"} and first.also_in == (copy,)
    ans = a.ask("How much did Kansas wheat exports rise in February?")
    assert ans.citations[0].also_in == (copy,)
    assert ans.to_dict()["citations"][0]["also_in"] == [copy]
    from rich.console import Console

    from assistant.cli import _render_answer

    console = Console(record=True, width=400)
    _render_answer(ans, console)
    shown = console.export_text()
    assert f"also in: {rows[1 if copy == 'wire-2' else 0]['title']} (" in shown and f"[{copy}]" in shown


def test_an_article_that_holds_the_top_places_gets_one_more():
    ps = [p("a0", "A", 0, 100), p("a1", "A", 10, 110), p("a2", "A", 300, 400), p("a3", "A", 500, 600),
          p("a4", "A", 700, 800), p("b0", "B", 0, 100), p("c0", "C", 0, 100), p("d0", "D", 0, 100)]
    # the first three distinct candidates are all A's (a1 overlaps a0): A may have three, not four
    assert [x.chunk_id for x in diversify(ps, k=5, max_per_article=2)] == ["a0", "a2", "a3", "b0", "c0"]


def test_one_long_article_does_not_crowd_out_the_others(make_assistant, tmp_path):
    # Retrieval reads only the best dozen fused candidates; when one article fills them, it
    # must read further to find other articles instead of going over the per-article cap.
    paras = [f"Zebra herd report {i}: the zebras of Zanzibar grazed near the zoo and the zebra keepers "
             f"counted {i} new foals among the zebras." for i in range(16)]
    rows = [{"id": "long", "title": "Zebras", "text": "\n\n".join(paras)},
            {"id": "other1", "title": "Zoo news", "text": "One zebra escaped from a zoo in Zanzibar on Monday."},
            {"id": "other2", "title": "Savanna", "text": "Wildlife officers counted zebras and antelope."}]
    f = tmp_path / "zebras.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = make_assistant(chunk_tokens=40, chunk_overlap=0)
    a.ingest([f])
    assert a.store.count_chunks() > 14
    got = a.retrieve("How many zebra foals were counted in Zanzibar?", k=5).passages
    docs = [x.doc_id for x in got]
    # both other articles, then the long one fills the place left (over its cap of 2)
    assert len(got) == 5 and {"other1", "other2"} <= set(docs) and docs.count("long") == 3, docs


def test_cli_filters(tmp_path, news):
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "assistant"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "ASSISTANT_DATA_DIR": str(news.settings.data_dir),
           "COLUMNS": "200"}
    r = subprocess.run([str(exe), "ask", "--json", "--source", "ABC News", "Which town did the bushfire threaten?"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {c["doc_id"] for c in d["citations"]} == {"a1"}
    r = subprocess.run([str(exe), "ask", "--since", "not a date", "x?"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_langchains_own_chroma_reads_the_chunk_collection(news):
    # Users can compose our store with LangChain parts: its Chroma sees our chunks as Documents,
    # the text as page_content (it is metadata in the store) and not repeated in the metadata.
    vs = news.store.vectorstore(news.embedder)
    docs = vs.similarity_search("Kansas wheat exports in February", k=2)
    assert docs and docs[0].page_content.startswith("Wheat exports from Kansas")
    assert docs[0].metadata["doc_id"] == "r1" and docs[0].metadata["char_end"] > docs[0].metadata["char_start"]
    assert "text" not in docs[0].metadata
    (by_id,) = vs.get_by_ids([docs[0].id])
    assert by_id.page_content == docs[0].page_content and "text" not in by_id.metadata
    got = vs.get(where={"doc_id": "a1"}, include=["documents"])
    assert got["documents"] == ["A bushfire pushed by strong winds threatened the town of Hill Top in New South Wales."]
    assert got["metadatas"] is None  # not asked for


def test_texts_are_documents_and_side_records_keep_few_keys(news, tmp_path):
    # Chunk, quotation and article texts are Chroma documents (plain Chroma and LangChain read them).
    got = news.store.chunks.get(where={"doc_id": "r1"}, include=["documents", "metadatas"])
    assert got["documents"] == ["Wheat exports from Kansas rose sharply in February, the grain board said."]
    assert "text" not in got["metadatas"][0] and got["metadatas"][0]["chunk_index"] == 0
    quotes = news.store.quotes.get(include=["documents", "metadatas"], limit=3)
    assert quotes["ids"] and all(quotes["documents"]) and not any("text" in unpacked(m) for m in quotes["metadatas"])
    # Only what is filtered on has a key of its own (each key is an indexed row in Chroma).
    assert set(quotes["metadatas"][0]) == {"doc_id", "content_hash", "speaker_key", "speaker_last", "payload"}
    record = news.store.articles.get(ids=["r1"], include=["metadatas", "documents"])
    assert set(record["metadatas"][0]) == {"path", "content_hash", "payload"}
    assert record["documents"] == ["Wheat exports from Kansas rose sharply in February, the grain board said."]
    assert news.store.get_records(["r1"])["r1"].title == "Wheat exports rise"


def test_old_forms_of_quotation_and_registry_records_still_answer(news, tmp_path):
    # Quotation and registry records of before (every field a key, the text in metadata) are
    # read as they are (passages, the lexical index rebuilt in another process, quotations).
    col = news.store.chunks
    got = col.get(where={"doc_id": "a1"}, include=["metadatas"])
    q = news.store.quotes.get(include=["metadatas", "documents", "embeddings"], limit=1)
    fields = {**unpacked(q["metadatas"][0]), "text": q["documents"][0]}
    news.store.quotes.delete(ids=q["ids"])  # written again the old way: every field a key, the text too
    news.store.quotes.add(ids=q["ids"], embeddings=q["embeddings"], metadatas=[fields])
    assert not news.store.quotes.get(ids=q["ids"], include=["documents"])["documents"][0]
    record = news.store.articles.get(ids=["a1"], include=["metadatas", "documents", "embeddings"])
    news.store.articles.delete(ids=["a1"])  # a registry record of before: every field a key, the text too
    news.store.articles.add(ids=["a1"], embeddings=record["embeddings"],
                            metadatas=[{**unpacked(record["metadatas"][0]), "text": record["documents"][0]}])
    assert news.store.get_records(["a1"])["a1"].title == "Bushfire threatens Hill Top"
    assert all(r.quote.text for r in news.store.find_quotes())
    answer = news.ask("Which town did the bushfire threaten?")
    assert answer.citations and answer.citations[0].doc_id == "a1" and "Hill Top" in answer.citations[0].quote
    fresh = LexicalIndex(news.store, None)  # built from the store, as another process would
    fresh.sync()
    assert fresh.stats["read"] == news.store.count_chunks()
    assert fresh.search("Hill Top bushfire", 3)[0][0] in got["ids"]


SHARED = ("Dockworkers at the port of Valdera will strike for 48 hours from Monday after talks on a "
          "6 percent pay rise collapsed, the Harbour Workers Union said on Thursday. Its secretary, Marta "
          'Ilves, said: "We have waited two years for an offer that keeps up with rents."')


def _two_wire_stories(tmp_path):
    """Two stories of different outlets that share one paragraph (the second copy with curly
    quotes and doubled spaces), and an unrelated one."""
    copy = SHARED.replace('"We', "“We").replace('rents."', "rents.”").replace(" after talks", "  after talks")
    rows = [
        {"id": "northwire-1", "title": "Valdera dockworkers to strike over pay", "outlet": "Northwire",
         "date": "2026-03-05", "text": "Container traffic at Valdera could halt next week.\n\n" + SHARED
         + "\n\nShipping lines said they would divert vessels to Porto Cale if the stoppage goes ahead."},
        {"id": "coastal-7", "title": "Port of Valdera faces 48-hour stoppage", "outlet": "Coastal Press",
         "date": "2026-03-06", "text": "Exporters in the region warned of losses running into millions.\n\n" + copy
         + "\n\nThe port authority said it remained open to mediation by the labour ministry."},
        {"id": "other", "title": "Rail fares rise", "outlet": "Northwire", "date": "2026-03-05",
         "text": "Regional rail fares will rise by 3 percent in April, the transport ministry said on Friday."},
    ]
    f = tmp_path / "wire-stories.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return f, rows


def test_a_paragraph_two_wire_stories_share_is_cited_once_naming_both(make_assistant, tmp_path):
    f, rows = _two_wire_stories(tmp_path)
    a = make_assistant()
    a.ingest([f])
    ans = a.ask("How long will the Valdera dockworkers strike?")
    assert not ans.abstained, ans.text
    cited = [c for c in ans.citations if "48 hours" in c.quote]
    assert len(cited) == 1, [c.quote for c in ans.citations]
    c = cited[0]
    other = ({"northwire-1", "coastal-7"} - {c.doc_id}).pop()
    assert c.also_in == (other,)
    title = next(r["title"] for r in rows if r["id"] == other)
    assert [(x.id, x.title) for x in c.also_in_articles] == [(other, title)]
    assert ans.to_dict()["citations"][0]["also_in_articles"][0]["outlet"] in {"Northwire", "Coastal Press"}
    from rich.console import Console

    from assistant.cli import _render_answer

    console = Console(record=True, width=200)
    _render_answer(ans, console, text=False)
    shown = console.export_text()
    assert shown.count("also in:") == 1 and f"also in: {title} (" in shown
    assert shown.count("48 hours") == 1  # the shared words are shown once, not once per article


def test_near_identical_is_normalised_text_or_a_few_changed_words():
    from assistant.citations import holds_copy, near_identical

    a = 'The minister said: "Talks will resume on Monday in Geneva with both delegations present."'
    assert near_identical(a, a.replace('"', "“", 1).replace('present."', "present.”").replace(" on ", "  on "))
    assert near_identical(a, a.replace("on Monday", "on Tuesday"))  # one word of 15 changed
    assert not near_identical(a, "The minister said talks had failed and would not resume this year.")
    report = "Kansas wheat exports rose 12 pct in February as Soviet buyers returned, the grain board said."
    assert not near_identical(report, report.replace("12 pct", "15 pct"))  # a templated report, other facts
    assert not holds_copy("Earlier text. " + report.replace("12", "15"), report)
    assert holds_copy("Earlier text.  " + a.upper() + " Later text.", a)
    assert not holds_copy("Talks will resume.", "Talks will resume.")  # too short to show a copy
    flood = "5 million people were displaced by the floods across the river delta, the agency said."
    assert not holds_copy("Officials said 1" + flood, flood)  # "15 million" is another figure


def test_two_citations_of_one_text_in_two_articles_fold_into_one():
    from assistant.citations import cite_span, fold_copies

    one = Passage("n1", "northwire-1", "Strike at Valdera", "s1", "", SHARED, 0, 0, len(SHARED), 0.8, outlet="Northwire")
    two = Passage("c7", "coastal-7", "Valdera stoppage", "s2", "", SHARED.replace('"', "“", 1), 0, 0, len(SHARED), 0.7,
                  outlet="Coastal Press")
    end = SHARED.index("Thursday.") + len("Thursday.")
    text, cits = fold_copies("They will strike for 48 hours [1]. The strike starts Monday [2].",
                             [cite_span(1, one, 0, end), cite_span(2, two, 0, end)], [one, two])
    assert text == "They will strike for 48 hours [1]. The strike starts Monday [1]."
    assert [c.n for c in cits] == [1] and cits[0].also_in == ("coastal-7",)
    assert cits[0].also_in_articles[0].outlet == "Coastal Press"


def test_the_cli_and_the_chat_show_the_other_wire_copy_once(tmp_path):
    from .test_cli import run

    f, rows = _two_wire_stories(tmp_path)
    data = tmp_path / "cli-store"
    assert run(["ingest", str(f)], data, ASSISTANT_AUTO_SEED="false").returncode == 0
    r = run(["ask", "How long will the Valdera dockworkers strike?"], data, ASSISTANT_AUTO_SEED="false")
    assert r.returncode == 0, r.stderr
    sources = r.stdout.split("Sources", 1)[1]
    assert sources.count("also in:") == 1 and sources.count("48 hours") == 1, sources
    assert any(f"also in: {row['title']} ({row['outlet']}, {row['date']}) [{row['id']}]" in sources for row in rows)
    exe = str(Path(sys.executable).parent / "assistant")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(data), "ASSISTANT_AUTO_SEED": "false", "HOME": str(tmp_path), "COLUMNS": "200"})
    chat = subprocess.run([exe, "chat"], input="How long will the Valdera dockworkers strike?\n", capture_output=True,
                          text=True, env=env, timeout=300)
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.count("also in:") == 1, chat.stdout
