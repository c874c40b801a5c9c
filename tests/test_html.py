"""HTML pages through trafilatura: main text without boilerplate, exact spacing, metadata, and
bad pages reported rather than crashing a batch. Pages here are written for the tests; real
publishers' pages are measured in tests/test_html_news.py and the html-news eval."""

from __future__ import annotations

import json

from assistant.parsers import read_articles
from assistant.schema import Article, IngestFailure, IngestNotice

PROSE = [
    "The harbour authority said on Tuesday that the new ferry terminal would open to passengers in the spring, "
    "two years later than first planned, after a dispute over the cost of dredging the eastern channel.",
    "Engineers working for the authority found last year that the channel had silted up faster than expected, "
    "and the contractor asked for more money to remove the extra sediment before the piers could be built.",
    "“We would rather open late than open a terminal that ferries cannot safely reach,” said Maria Okafor, who "
    "chairs the authority’s board. She added that the delay would not raise fares for island residents.",
    "Local business owners, who had counted on the terminal to bring day visitors in the summer, said the "
    "news was disappointing but not surprising, given how long the dredging argument had dragged on.",
    "The terminal is expected to handle about 1,200 passengers a day in its first year, according to the "
    "authority’s own projections, rising to twice that once a second berth is finished.",
]

BOILERPLATE = {
    "nav": "Home World Business Sport Weather Subscribe Sign in",
    "cookie": "We use cookies to improve your experience. Accept all cookies Manage preferences",
    "popular": "Most Popular Celebrity chef opens third restaurant Ten tips for a better garden",
    "caption": "The old ferry pier at dawn. Photo: Staff photographer",
    "share": "Share on Facebook Share on X Copy link",
}


def page(body: str, head: str = "", before: str = "", after: str = "") -> str:
    return f"""<!DOCTYPE html><html><head>{head}</head><body>{before}
<article>{body}</article>{after}</body></html>"""


def articles(tmp_path, html: str | bytes, name: str = "page.html"):
    p = tmp_path / name
    p.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    items = list(read_articles([p]))
    return ([i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, IngestFailure)],
            [i for i in items if isinstance(i, IngestNotice)])


def test_main_text_keeps_paragraphs_and_drops_navigation_banners_lists_captions_and_share_bars(tmp_path):
    nav = f"<nav><ul>{''.join(f'<li><a href=/{w}>{w}</a></li>' for w in BOILERPLATE['nav'].split())}</ul></nav>"
    cookie = f"<div class='cookie-banner' id='cookie-consent'><p>{BOILERPLATE['cookie']}</p></div>"
    popular = ("<aside class='most-popular'><h2>Most Popular</h2><ul><li><a href=/a>Celebrity chef opens third "
               "restaurant</a></li><li><a href=/b>Ten tips for a better garden</a></li></ul></aside>")
    figure = f"<figure><img src=pier.jpg><figcaption>{BOILERPLATE['caption']}</figcaption></figure>"
    share = "<div class='share-bar'><a>Share on Facebook</a> <a>Share on X</a> <a>Copy link</a></div>"
    body = f"<h1>Ferry terminal delayed</h1>{share}{figure}" + "".join(f"<p>{p}</p>" for p in PROSE)
    (a,), fails, _ = articles(tmp_path, page(body, before=nav + cookie, after=popular + share))
    assert not fails
    assert a.text.split("\n\n") == PROSE
    for piece in ("Subscribe", "cookies", "Most Popular", "Photo: Staff", "Share on"):
        assert piece not in a.text


def test_no_space_is_inserted_where_inline_tags_meet_punctuation(tmp_path):
    body = ("<p>The contract went to <a href=/x>Harbourside Marine</a>. The <a href=/y>company</a>’s chief, "
            "<em>Ann Lee</em>, said the work was <b>“on track”</b>; others were less sure.</p>"
            + "".join(f"<p>{p}</p>" for p in PROSE))
    (a,), _, _ = articles(tmp_path, page(body))
    assert "The contract went to Harbourside Marine. The company’s chief, Ann Lee, said the work was “on track”; " \
           "others were less sure." in a.text
    assert " ." not in a.text and " ’s" not in a.text


def test_metadata_headline_outlet_url_date_author_and_source(tmp_path):
    head = """<title>Ferry terminal delayed | Coastal Herald</title>
    <meta property="og:site_name" content="Coastal Herald">
    <meta property="og:title" content="Ferry terminal delayed">
    <link rel="canonical" href="https://coastal.example/news/ferry-terminal-delayed">
    <meta name="author" content="Sam Rivera">
    <meta property="article:published_time" content="2025-03-04T09:30:00Z">"""
    body = "<h1>Ferry terminal delayed</h1>" + "".join(f"<p>{p}</p>" for p in PROSE)
    (a,), _, _ = articles(tmp_path, page(body, head=head))
    assert a.title == "Ferry terminal delayed"
    assert a.outlet == "Coastal Herald"
    assert a.url == a.source == "https://coastal.example/news/ferry-terminal-delayed"
    assert a.date.startswith("2025-03-04")
    assert a.path.endswith("page.html")


def test_a_site_title_suffix_is_not_part_of_the_headline(tmp_path):
    head = "<title>Ferry terminal delayed - Coastal Herald</title><meta property='og:site_name' content='Coastal Herald'>"
    body = "<h1>Ferry terminal delayed</h1>" + "".join(f"<p>{p}</p>" for p in PROSE)
    (a,), _, _ = articles(tmp_path, page(body, head=head))
    assert a.title == "Ferry terminal delayed"
    assert not a.text.startswith("Ferry terminal delayed")  # the headline is not repeated in the body


def test_a_charset_declared_late_or_wrongly_does_not_garble_utf8(tmp_path):
    css = "<style>" + ".c{color:red}" * 4000 + "</style>"  # pushes <meta charset> past the first 1,024 bytes
    html = page("".join(f"<p>{p}</p>" for p in PROSE), head=css + '<meta charset="iso-8859-1">')
    (a,), _, _ = articles(tmp_path, html)
    assert "“We would rather open late" in a.text and "authority’s board" in a.text


def test_a_windows_1252_page_is_decoded_by_its_declared_charset(tmp_path):
    html = page("".join(f"<p>{p}</p>" for p in PROSE), head='<meta charset="windows-1252">')
    (a,), _, _ = articles(tmp_path, html.encode("cp1252"))
    assert "“We would rather open late" in a.text


def test_broken_binary_and_empty_pages_fail_alone_with_a_reason(tmp_path):
    (tmp_path / "bin.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(range(256)) * 10)
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "nav.html").write_text(page("", before="<nav><a href=/>Home</a> <a href=/w>World</a></nav>"))
    (tmp_path / "cut.html").write_text(page("".join(f"<p>{p}</p>" for p in PROSE))[:-400] + "<p><b>unclosed <i>tags")
    items = list(read_articles([tmp_path]))
    reasons = {f.path.rsplit("/", 1)[-1]: f.reason for f in items if isinstance(f, IngestFailure)}
    assert "binary" in reasons["bin.html"]
    assert "empty" in reasons["empty.html"]
    assert "no article text" in reasons["nav.html"]
    good = [a for a in items if isinstance(a, Article)]
    assert [a.path.rsplit("/", 1)[-1] for a in good] == ["cut.html"]  # a truncated page keeps what it has
    assert PROSE[0] in good[0].text


def test_a_paywalled_stub_is_kept_and_reported_as_partial(tmp_path):
    body = f"<p>{PROSE[0]}</p><div class='paywall'><p>Subscribe to keep reading.</p></div>"
    arts, fails, notices = articles(tmp_path, page(body))
    assert len(arts) == 1 and not fails
    assert any("partial" in n.message for n in notices)


def test_a_non_english_page_is_ingested_with_a_notice(tmp_path):
    german = ("Die Hafenbehörde teilte am Dienstag mit, dass das neue Fährterminal im Frühjahr für Fahrgäste "
              "öffnen werde, zwei Jahre später als geplant, nach einem Streit über die Kosten der Ausbaggerung. ")
    arts, _, notices = articles(tmp_path, page("".join(f"<p>{german * 2}</p>" for _ in range(4))))
    assert len(arts) == 1
    assert any("does not look English" in n.message for n in notices)


def test_a_page_rendered_on_the_client_falls_back_to_its_structured_data(tmp_path):
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry terminal delayed",
          "datePublished": "2025-03-04", "publisher": {"@type": "Organization", "name": "Coastal Herald"},
          "articleBody": "\n\n".join(PROSE)}
    html = (f"<html><head><script type='application/ld+json'>{json.dumps(ld)}</script></head>"
            "<body><div id='root'></div><script>window.render()</script></body></html>")
    (a,), _, notices = articles(tmp_path, html)
    assert a.text.split("\n\n") == PROSE
    assert a.title == "Ferry terminal delayed" and a.outlet == "Coastal Herald"
    assert any("structured data" in n.message for n in notices)


def test_chunk_offsets_index_the_stored_html_text_exactly(tmp_path):
    from assistant.chunking import chunk_article

    body = "".join(f"<p>{p}</p>" for p in PROSE * 6)
    (a,), _, _ = articles(tmp_path, page(body))
    chunks = chunk_article(a, chunk_tokens=80, overlap=10)
    assert len(chunks) > 3
    assert all(a.text[c.char_start:c.char_end] == c.text for c in chunks)


def test_a_text_file_records_its_path_as_source(tmp_path):
    p = tmp_path / "note.txt"
    p.write_text("A title\nSome body text here.")
    (a,) = [x for x in read_articles([p]) if isinstance(x, Article)]
    assert a.source == str(p.resolve()) and a.outlet == ""


def test_a_page_whose_text_lives_only_in_script_data_keeps_the_story_that_carries_its_headline(tmp_path):
    story = {"id": 7, "headline": "Ferry terminal delayed", "body": "".join(f"<p>{p}</p>" for p in PROSE)}
    other = {"id": 8, "headline": "Garden show opens",
             "body": "<p>The garden show opened on Saturday with more stalls than ever before and long queues at the gate.</p>"}
    state = {"props": {"page": json.dumps({"stories": [other, story]})}}
    html = (f"<html><head><title>Ferry terminal delayed | Coastal Herald</title>"
            f"<meta property='og:site_name' content='Coastal Herald'></head><body><div id='app'></div>"
            f"<script>window.__STATE__ = {json.dumps(state)};</script></body></html>")
    (a,), _, notices = articles(tmp_path, html)
    assert a.text.split("\n\n") == PROSE  # not the other story's text
    assert a.title == "Ferry terminal delayed"
    assert any("script" in n.message for n in notices)


def test_a_list_of_story_teasers_cut_off_with_an_ellipsis_is_left_out(tmp_path):
    teasers = ("<h3>Latest updates</h3><p>The council has approved a new budget for the library, which will now open "
               "on Sundays and hire two more staff to run its...</p><p>Volunteers planted three hundred trees along "
               "the river path over the weekend, the first step of a plan that...</p>")
    (a,), _, _ = articles(tmp_path, page("".join(f"<p>{p}</p>" for p in PROSE) + teasers))
    assert a.text.split("\n\n") == PROSE


def test_furniture_inside_the_article_element_is_left_out_and_the_prose_around_it_kept(tmp_path):
    """Where the page puts its furniture inside <article>, trafilatura keeps it; these lines go."""
    furniture = [
        "<p>We use cookies on this website to remember your preferences. By clicking Accept you consent to "
        "the use of all cookies.</p>",
        "<p>Share this article</p>",
        "<p>English Español Français Deutsch Português</p>",
        "<p>Read more: <a href=/fares>Ferry fares to rise next year</a></p>",
        "<p>(Photo: Staff photographer)</p>",
        "<ul><li><a href=/c>Council approves library budget</a></li><li><a href=/d>Volunteers plant three hundred "
        "trees by the river</a></li></ul>",
    ]
    body = "".join(f"<p>{p}</p>{f}" for p, f in zip(PROSE, furniture)) + "".join(f"<p>{p}</p>" for p in PROSE[5:])
    (a,), _, _ = articles(tmp_path, page(body))
    assert a.text.split("\n\n") == PROSE


def test_a_sentence_with_linked_phrases_keeps_every_word(tmp_path):
    linked = ("<p><a href=/board>The board</a> will <a href=/vote>vote on the plan</a> in May, "
              "<a href=/chair>the chair</a> said.</p>")
    (a,), _, _ = articles(tmp_path, page("".join(f"<p>{p}</p>" for p in PROSE) + linked))
    assert a.text.split("\n\n") == PROSE + ["The board will vote on the plan in May, the chair said."]


def test_line_breaks_of_a_pretty_printed_source_inside_a_paragraph_are_spaces_not_paragraph_breaks():
    """trafilatura's fallback extractors keep the source's white space; on a page whose source
    puts each inline tag on its own line, the body text must still read as rendered."""
    from types import SimpleNamespace

    from lxml import etree

    from assistant.ingestion.html_extract import _lines, _rendered_text

    i = "\n" + " " * 40
    body = etree.fromstring(f"<body><p>{i}The buyer did&#160;{i}<hi>{i}sign an agreement{i}</hi>{i} yesterday. The "
                            f"sale ({i}<hi>{i}the deal{i}</hi>{i}) may take{i}<hi>up to six months</hi>{i}.{i}</p>"
                            f"<p>A second paragraph.</p></body>")
    doc = SimpleNamespace(body=body, text=None)
    assert _lines(_rendered_text(doc)) == ["The buyer did sign an agreement yesterday. The sale (the deal) may take up "
                                           "to six months.", "A second paragraph."]


def test_pieces_of_a_sentence_cut_at_its_links_are_not_taken_for_a_list_of_links():
    from assistant.html_chrome import drop_chrome

    lines = ["Under the terms, the buyer will", "The deal", "“is expected to close next year”; it may take",
             "Most Popular", "Council approves library budget", "Volunteers plant trees by the river"]
    links = {"The deal", "Council approves library budget", "Volunteers plant trees by the river"}
    assert drop_chrome(lines, links) == lines[:3]


def test_a_recipe_that_mentions_cookies_is_not_a_cookie_notice():
    from assistant.html_chrome import chrome_reason

    line = ("She baked four dozen butter cookies for the wedding, the same recipe her grandmother used, and "
            "accepted no help in the kitchen.")
    assert chrome_reason(line) is None
    assert chrome_reason("This website uses cookies to improve your experience; you may opt out in your "
                         "browser settings.") == "cookie notice"


def test_a_sentence_that_opens_with_a_promo_word_is_article_text():
    from assistant.ingestion.html_chrome import chrome_reason

    for line in ("Related research shows that ferries run late in winter.", "Subscribers will pay more next year.",
                 "More on that in a moment, the minister said.", "Recommended doses were halved last spring."):
        assert chrome_reason(line) is None, line
    for line in ("Related", "Related: Ferry fares to rise", "Subscribe", "More from the harbour desk"):
        assert chrome_reason(line) == "promo", line


def test_a_pager_line_is_furniture_but_a_sentence_with_a_count_is_not():
    from assistant.html_chrome import chrome_reason

    for line in ("1 - 5 of 218 results.", "Page 2 of 7", "Showing 10 of 40 stories"):
        assert chrome_reason(line) == "pager"
    for line in ("5 of 218 passengers were hurt.", "Two of the 218 results were void, officials said."):
        assert chrome_reason(line) is None


def test_a_plea_for_the_readers_support_is_furniture_but_a_story_about_donations_is_not():
    from assistant.html_chrome import chrome_reason

    for line in ("Do you enjoy reading this blog? If you do, please support us so that we can stay independent.",
                 "Your support matters. Donate now to keep our journalism free for everyone.",
                 "Become a member today and you will get our newsletter first."):
        assert chrome_reason(line) == "appeal"
    for line in ("The charity asked residents to donate blankets before the winter, its director said.",
                 "“Please support us if you can,” the shelter’s manager told reporters on Monday.",
                 "Donations to the flood appeal reached $2 million, the council said."):
        assert chrome_reason(line) is None


def test_bylines_contributor_lines_graphic_labels_and_editors_asides_are_furniture_but_sentences_are_not():
    from assistant.ingestion.html_chrome import chrome_reason

    for line in ("By Dana Whitlock and Omar Haddad | Graphics by Lee Park", "Written by Priya Nair",
                 "Reporting by Tom Ashby in Lagos; Editing by Ruth Mwangi", "Authors: Ana Brito, Jonas Veld",
                 "Staff reporters Kim Lau and Eli Stone contributed to this report."):
        assert chrome_reason(line) == "byline", line
    assert chrome_reason("planned route") == "label"
    assert chrome_reason("[Read more about how we analysed the shipping data.]") == "promo"
    for line in ("By noon the road was closed.", "By Order of the Court, the hearing is adjourned",
                 "By Product", "Written by hand, the letter reached the mayor on Friday.",
                 "The mayor said residents contributed to the fund for years.", "侵权案例层出不穷", "if ("):
        assert chrome_reason(line) is None, line


def test_reading_times_placeholders_and_page_section_labels_are_furniture_but_sentences_are_not():
    from assistant.ingestion.html_chrome import chrome_reason

    assert chrome_reason("March 3, 2025 - 7 min") == chrome_reason("4 min read") == "byline"
    assert chrome_reason("{{newsletter_signup}}") == "template"
    for line in ("Table of Contents", "Contents", "Author", "The Latest from the Harbour Desk",
                 "Learn more about our ferry timetable app."):
        assert chrome_reason(line) == "promo", line
    for line in ("© 2026 Quillmere Media Group", "Copyright 2026 The Ashvale Clarion. All rights reserved. This "
                 "material may not be published, broadcast, rewritten or redistributed. Transcripts are produced on a "
                 "deadline by a contractor and may be revised.",
                 "A version of this article appears in print on May 3, 2026, Section B, Page 2 of the Ashvale edition "
                 "with the headline: Ferry Fares Rise Again."):
        assert chrome_reason(line) == "promo", line
    for line in ("The meeting lasted 45 minutes in 2021.", "Contents of the safe were never found, police said.",
                 "Copyright lawyers said the ruling would be appealed.", "A version of the bill passed in 2019.",
                 "Copyright 2019 figures show piracy fell, the report said.",
                 "(c) Any landlord who fails to register the property shall be fined.",
                 "The latest from the front suggests the ceasefire is holding.",
                 "Authorities said the 12-minute delay was caused by a signal fault in 2019."):
        assert chrome_reason(line) is None, line
