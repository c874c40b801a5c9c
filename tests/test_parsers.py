import json

from assistant.parsers import read_articles
from assistant.schema import Article, IngestFailure

from .conftest import SEEDS


def split(items):
    arts = [i for i in items if isinstance(i, Article)]
    fails = [i for i in items if isinstance(i, IngestFailure)]
    return arts, fails


def test_seed_txt_title_and_body():
    arts, fails = split(list(read_articles([SEEDS])))
    assert not fails and len(arts) == 1
    a = arts[0]
    assert a.title.startswith("Vance and Netanyahu Affirm")
    assert a.text.startswith("U.S. Vice President JD Vance met")  # the standfirst leads the body
    assert "alliance of partners" in a.text
    assert a.id.startswith("sha-")


def test_markdown_front_matter(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("---\ntitle: Rain in Spain\ndate: 2024-05-01\nsource: Example News\nurl: https://e.x/1\n---\n"
                 "# Ignored heading\n\nIt rained **a lot** in [Madrid](https://m.x).\n")
    (a,) = list(read_articles([p]))
    assert (a.title, a.date, a.outlet, a.url) == ("Rain in Spain", "2024-05-01", "Example News", "https://e.x/1")
    assert a.source == "https://e.x/1"  # the URL when known, else the file path
    assert "It rained a lot in Madrid." in a.text
    assert "https://m.x" not in a.text


def test_html_drops_scripts_and_navigation(tmp_path):
    p = tmp_path / "a.html"
    p.write_text("""<html><head><title>Storm hits coast</title><script>var x = "ignore me";</script>
    <meta property="article:published_time" content="2024-02-03"></head><body>
    <nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <article><h1>Storm hits coast</h1><p>A storm hit the coast on Monday.</p>
    <p>Officials said <b>300 homes</b> lost power.</p><style>.x{}</style></article>
    <footer>Copyright</footer></body></html>""")
    arts, fails = split(list(read_articles([p])))
    assert not fails and len(arts) == 1
    a = arts[0]
    assert a.title == "Storm hits coast" and a.date == "2024-02-03"
    assert a.text == "A storm hit the coast on Monday.\n\nOfficials said 300 homes lost power."


def test_html_with_only_scripts_fails_clearly(tmp_path):
    p = tmp_path / "s.html"
    p.write_text("<html><body><script>alert(1)</script><nav>Menu</nav></body></html>")
    arts, fails = split(list(read_articles([p])))
    assert not arts and "no article text" in fails[0].reason


def test_jsonl_keeps_good_lines_and_reports_bad_ones_with_line_numbers(tmp_path):
    p = tmp_path / "a.jsonl"
    good = {"id": "n1", "title": "T", "date": "2020", "source": "S", "text": "Para one.\n\nPara two."}
    p.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"id": "n2", "text": ""}) + "\n")
    arts, fails = split(list(read_articles([p])))
    assert [a.id for a in arts] == ["n1"]
    assert arts[0].text == "Para one.\n\nPara two."
    assert arts[0].outlet == "S" and arts[0].source == str(p.resolve())  # a record's 'source' names its outlet
    assert [f.path for f in fails] == [f"{p.resolve()}:2", f"{p.resolve()}:3"]


def test_missing_path_and_unsupported_type(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    arts, fails = split(list(read_articles([tmp_path / "nope.txt", tmp_path / "x.pdf"])))
    assert not arts
    assert "no such file" in fails[0].reason and "unsupported" in fails[1].reason


def test_folder_is_read_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("Title B\nBody of b.")
    (tmp_path / "a.txt").write_text("Title A\nBody of a.")
    (tmp_path / "notes.bin").write_bytes(b"\0\1")
    arts, fails = split(list(read_articles([tmp_path])))
    assert sorted(a.title for a in arts) == ["Title A", "Title B"] and not fails


def test_hard_wrapped_text_is_joined_into_paragraphs(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("Wrapped\nThis is a long line of prose that was hard wrapped by an editor at\n"
                 "seventy characters and goes on here.\n\nSecond paragraph.\n")
    (a,) = list(read_articles([p]))
    assert a.text == ("This is a long line of prose that was hard wrapped by an editor at seventy characters "
                      "and goes on here.\n\nSecond paragraph.")
