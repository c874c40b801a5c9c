"""Read article files into :class:`Article` values.

Formats: ``.txt`` (first line = title), ``.md`` (optional YAML front matter), ``.html``/``.htm``
(main text and metadata through trafilatura, :mod:`assistant.html_extract`) and ``.jsonl``
(one article per line: ``id, title, date, source, text``). A folder is read recursively.

Parsers never raise for a bad file: they yield :class:`IngestFailure` with the reason, so
one bad file never stops a batch. Text that is not UTF-8 is decoded as Windows-1252 (or
Latin-1) with an :class:`IngestNotice`; binary files, files over the size limit, broken
symlinks and symlink loops are failures with their reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import yaml

from ..plugins import PARSERS as PARSER_PLUGINS
from ..types import Article, IngestFailure, IngestNotice, IngestSkip

DEFAULT_MAX_BYTES = 10 * 2**20  # per article: a one-article file, or one .jsonl line

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}

_HEADING_MAX = 60  # a line shorter than this with no final punctuation is a heading, not wrapped prose
_END_PUNCT = tuple('.!?:;"\'”’)]')


def content_hash(title: str, text: str, date: str = "", source: str = "") -> str:
    h = hashlib.sha256()
    for part in (title, date, source, text):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def normalize_body(raw: str) -> str:
    """Plain text with one paragraph per block, blocks separated by one blank line.

    Lines within a blank-line-separated block are joined when the previous line looks
    like hard-wrapped prose (long, no closing punctuation); otherwise each line is its own
    paragraph (news files often put one paragraph a line).
    """
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", raw):
        current = ""
        for line in block.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            if current and len(current.split("\n")[-1]) >= _HEADING_MAX and not current.endswith(_END_PUNCT):
                current += " " + line
            else:
                if current:
                    paragraphs.append(current)
                current = line
        if current:
            paragraphs.append(current)
    return "\n\n".join(paragraphs)


def fallback_title(text: str, limit: int = 80) -> str:
    """A title for an article that has none: its first sentence, shortened."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def make_article(
    *, title: str, body: str, path: str, given_id: str = "", outlet: str = "", date: str = "", url: str = "",
    paragraphs: bool = False,
) -> Article:
    """An :class:`Article`; ``source`` is its URL when known, else its file path. With
    ``paragraphs`` the body's lines are paragraphs as given (no hard-wrap joining). The id of
    an article without one hashes its title, text, date and outlet (not its path, so a moved
    file keeps its id)."""
    text = "\n\n".join(" ".join(p.split()) for p in body.split("\n\n") if p.strip()) if paragraphs else normalize_body(body)
    title = " ".join(title.split()) or fallback_title(text)
    digest = content_hash(title, text, date, outlet)
    doc_id = given_id.strip() if given_id and given_id.strip() else f"sha-{digest[:16]}"
    return Article(id=doc_id, title=title, text=text, content_hash=digest, source=url or path, date=date, url=url,
                   path=path, outlet=outlet)


class NotText(ValueError):
    """The bytes are binary, not text in any encoding we read."""


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters other than white space, in the first 8 KiB."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(head) and controls / len(head) > 0.05


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of ``data`` and the fallback encoding used (None for UTF-8).

    UTF-8 (a BOM is dropped) first; otherwise Windows-1252, the usual encoding of text saved on
    Windows, then Latin-1, which decodes any byte. Binary data raises :class:`NotText`.
    """
    if looks_binary(data):
        raise NotText("binary file, not text")
    try:
        return data.decode("utf-8").lstrip("\ufeff"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _notice(path: Path, encoding: str) -> IngestNotice:
    return IngestNotice(str(path), f"not UTF-8; decoded as {encoding} (check accented letters and quotes)")


def _read_text(path: Path) -> tuple[str, IngestNotice | None]:
    text, enc = decode(path.read_bytes())
    return text, (_notice(path, enc) if enc else None)


def parse_txt(path: Path) -> Iterator[Article | IngestFailure | IngestNotice]:
    raw, notice = _read_text(path)
    if notice:
        yield notice
    title, _, body = raw.lstrip().partition("\n")
    if not body.strip():
        yield IngestFailure(str(path), "no article text after the title line")
        return
    yield make_article(title=title, body=body, path=str(path))


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def parse_md(path: Path) -> Iterator[Article | IngestFailure | IngestNotice]:
    raw, notice = _read_text(path)
    if notice:
        yield notice
    meta: dict = {}
    m = _FRONT_MATTER.match(raw)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            yield IngestFailure(str(path), f"front matter is not valid YAML: {exc.__class__.__name__}")
            return
        if not isinstance(loaded, dict):
            yield IngestFailure(str(path), "front matter must be a YAML mapping (key: value lines)")
            return
        meta = loaded
        raw = raw[m.end():]
    lines = raw.strip().split("\n")
    title = str(meta.get("title") or "")
    if not title and lines and lines[0].startswith("#"):
        title = lines.pop(0).lstrip("#").strip()
    body = "\n".join(re.sub(r"^#{1,6}\s+", "", ln) for ln in lines)
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)  # images
    body = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", body)  # links -> their text
    body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)
    if not body.strip():
        yield IngestFailure(str(path), "no article text")
        return
    yield make_article(
        title=title,
        body=body,
        path=str(path),
        given_id=str(meta.get("id") or ""),
        outlet=str(meta.get("outlet") or meta.get("source") or ""),
        date=str(meta.get("date") or ""),
        url=str(meta.get("url") or ""),
    )


def parse_html(path: Path) -> Iterator[Article | IngestFailure | IngestNotice]:
    """The article of a web page: main text and metadata through trafilatura (see
    :mod:`assistant.html_extract`); what was odd about the page comes as notices."""
    from .html_extract import extract_page

    data = path.read_bytes()
    if looks_binary(data):
        raise NotText("binary file, not text")
    page = extract_page(data)
    if not page.paragraphs:
        yield IngestFailure(str(path), "no article text in the HTML (only scripts, styles or navigation)")
        return
    for problem in page.problems:
        yield IngestNotice(str(path), problem)
    yield make_article(title=page.title, body="\n\n".join(page.paragraphs), path=str(path), outlet=page.outlet,
                       date=page.date, url=page.url, paragraphs=True)


def parse_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | IngestFailure | IngestNotice]:
    noticed = False
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            if len(raw) > max_bytes:
                yield IngestFailure(where, f"line of {len(raw) / 2**20:.1f} MB is over the {max_bytes / 2**20:g} MB "
                                           "limit per article (ASSISTANT_MAX_ARTICLE_MB)")
                continue
            try:
                line, enc = decode(raw)
            except NotText:
                yield IngestFailure(where, "binary data, not a JSON line")
                continue
            if enc and not noticed:
                noticed = True
                yield _notice(path, enc)
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield IngestFailure(where, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                yield IngestFailure(where, "a line must be a JSON object")
                continue
            text = obj.get("text")
            if not isinstance(text, str) or not text.strip():
                yield IngestFailure(where, "missing or empty 'text'")
                continue
            yield make_article(
                title=str(obj.get("title") or ""),
                body=text,
                path=str(path),
                given_id=str(obj.get("id") or ""),
                outlet=str(obj.get("outlet") or obj.get("source") or ""),
                date=str(obj.get("date") or ""),
                url=str(obj.get("url") or ""),
            )


PARSERS = {
    ".txt": parse_txt,
    ".md": parse_md,
    ".markdown": parse_md,
    ".html": parse_html,
    ".htm": parse_html,
    ".jsonl": parse_jsonl,
}
ENTRY_POINT_GROUP = PARSER_PLUGINS  # a plugin package's parsers: name = the suffix, value = parse(path)
_plugins_loaded = False


def register_parser(suffix: str, parse: Callable[[Path], Iterator[Article | IngestFailure | IngestNotice]]) -> None:
    """Read files ending in ``suffix`` (".rss") with ``parse``: it takes the path and yields
    :class:`Article` (see :func:`make_article`), :class:`IngestFailure` or :class:`IngestNotice`,
    and raises nothing for a bad file. A plugin package registers one by an entry point in the
    ``news_assistant.parsers`` group instead (name: the suffix without its dot)."""
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    PARSERS[suffix] = parse
    SUPPORTED_SUFFIXES.add(suffix)


def load_parser_plugins() -> None:
    """Register the parsers installed packages offer by entry point (once per process)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from ..plugins import installed

    for name, ep in installed(ENTRY_POINT_GROUP).items():
        register_parser(name, ep.load())


def _missing(path: Path) -> IngestFailure:
    """Why a path that does not resolve to a file or folder cannot be read."""
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return IngestFailure(str(path), "symlink loop (the link points back to itself)")
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                return IngestFailure(str(path), "symlink loop (the link points back to itself)")
            return IngestFailure(str(path), f"broken symlink (its target {os.readlink(path)} does not exist)")
    return IngestFailure(str(path), "no such file or folder")


def _skip(path: Path) -> IngestSkip:
    """Why a file or folder found in a folder is not read."""
    if path.name.startswith("."):
        what = "folder" if path.is_dir() else "file"
        return IngestSkip(str(path), f"hidden {what} (its name starts with a dot)", "hidden")
    kind = path.suffix.lower() or "no suffix"
    return IngestSkip(str(path), f"file type {kind} is not read (ingest reads {', '.join(sorted(SUPPORTED_SUFFIXES))})",
                      kind)


def _walk(root: Path) -> Iterator[Path | IngestFailure | IngestSkip]:
    """Files under ``root`` in sorted order, following folder symlinks once (a folder already
    visited, e.g. through a link back to a parent, is a reported loop) and reporting folders
    that cannot be read, and files left unread (hidden ones, other types)."""
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path) -> Iterator[Path | IngestFailure | IngestSkip]:
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                yield IngestFailure(str(folder), "symlink loop (this folder was already read)")
                return
            seen.add(key)
            entries = sorted(folder.iterdir())
        except PermissionError:
            yield IngestFailure(str(folder), "cannot read the folder: permission denied")
            return
        except OSError as exc:
            if exc.errno == 40:
                yield IngestFailure(str(folder), "symlink loop (the link points back to itself)")
            else:
                yield IngestFailure(str(folder), f"cannot read the folder: {exc.strerror or exc}")
            return
        for child in entries:
            if child.name.startswith("."):
                yield _skip(child)
            elif child.is_dir():
                yield from visit(child)
            elif child.is_file():
                yield child if child.suffix.lower() in SUPPORTED_SUFFIXES else _skip(child)
            elif child.is_symlink():
                yield _missing(child)

    yield from visit(root)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | IngestFailure | IngestSkip]:
    """Files to ingest, folders expanded recursively in sorted order; files in them that are not
    read come as :class:`IngestSkip` (a file named on its own with an unsupported type is a failure)."""
    load_parser_plugins()
    for p in paths:
        path = Path(p).expanduser()
        if path.is_dir():
            found = False
            for child in _walk(path):
                if isinstance(child, Path):
                    found = True
                    yield child.resolve()
                else:
                    yield child
            if not found:
                yield IngestFailure(str(path), f"folder holds no {', '.join(sorted(SUPPORTED_SUFFIXES))} file")
        elif path.is_file():
            if path.suffix.lower() not in PARSERS:
                yield IngestFailure(
                    str(path), f"unsupported file type '{path.suffix}' (use {', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            else:
                yield path.resolve()
        else:
            yield _missing(path)


def parse_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | IngestFailure | IngestNotice]:
    """Articles of one file (with notices); failures instead of exceptions."""
    try:
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from parse_jsonl(path, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield IngestFailure(str(path), f"{size / 2**20:.1f} MB is over the {max_bytes / 2**20:g} MB limit per "
                                           "article (raise ASSISTANT_MAX_ARTICLE_MB, or split the file)")
            return
        if size == 0:
            yield IngestFailure(str(path), "empty file")
            return
        yield from PARSERS[suffix](path)
    except NotText as exc:
        yield IngestFailure(str(path), str(exc))
    except PermissionError:
        yield IngestFailure(str(path), "cannot read: permission denied (check the file's permissions)")
    except OSError as exc:
        yield IngestFailure(str(path), f"cannot read: {exc.strerror or exc}")
    except RecursionError:
        yield IngestFailure(str(path), "cannot parse: nested too deeply")


def read_articles(paths: Iterable[str | Path]) -> Iterator[Article | IngestFailure | IngestNotice]:
    """Articles of files and folders, with failures and notices; files a folder holds that are
    not read (:class:`IngestSkip`) are left out (``ingest`` reports them)."""
    for item in expand_paths(paths):
        if isinstance(item, IngestSkip):
            continue
        if isinstance(item, IngestFailure):
            yield item
        else:
            yield from parse_file(item)
