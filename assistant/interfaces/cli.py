"""The ``assistant`` command line: ingest, ask, articles, info.

Errors of the :class:`AssistantError` family print as one line (plus a hint) on stderr,
with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import AssistantError, LLMUnavailableError


class _FlagsWithoutType:
    """Help that shows no value type for flags (typer would print ``<bool>`` beside --json)."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for p in params:
            if getattr(p, "is_flag", False) and p.metavar is None:
                p.metavar = ""
        return params


class _Command(_FlagsWithoutType, TyperCommand):
    pass


class _Group(_FlagsWithoutType, TyperGroup):
    pass


app = typer.Typer(
    name="assistant",
    cls=_Group,
    help="Ask questions about news articles; answers cite the exact passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
PIPE_WIDTH = 10_000  # columns of stdout or stderr when it is not a terminal: lines are not cut or wrapped


def _console(stderr: bool = False) -> Console:
    """A console as wide as the terminal; when its stream is not a terminal (and COLUMNS is not
    set), wide enough that tables, answers and messages are not cut or wrapped at 80 columns."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty() or os.environ.get("COLUMNS"):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)


out = _console()
err = _console(stderr=True)

_state: dict = {}


def _assistant(**extra):
    from ..api import Assistant

    if "assistant" not in _state:
        overrides = {k: v for k, v in extra.items() if v is not None}
        if _state.get("data_dir"):
            overrides["data_dir"] = _state["data_dir"]
        _state["assistant"] = Assistant(**overrides)
    return _state["assistant"]


@app.callback()
def _main(
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Folder of the embedded store (overrides ASSISTANT_DATA_DIR)."
    ),
) -> None:
    _state.clear()
    _state["data_dir"] = data_dir


class _IngestBar:
    """A rich progress bar fed by the ingest's progress callback."""

    def __init__(self, console: Console, label: str) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{escape(label)}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles"),
            TextColumn("{task.fields[rates]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task("ingest", total=None, rates="")
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def __call__(self, p) -> None:
        secs = max(p.elapsed, 1e-6)
        chunks = max(p.chunks_embedded, p.chunks_done)
        rate, eta = p.rate, p.eta
        if rate is None:
            rates = "measuring the rate…"
        else:
            rates = f"{rate:6.1f} articles/s  {chunks / secs:6.1f} chunks/s  ({chunks} chunks)"
            if p.articles_done < p.articles_total and eta is not None:
                rates += f"  ETA {_clock(eta)}"
        self.progress.update(self.task, completed=p.articles_done, total=p.articles_total, rates=rates)


def _clock(seconds: float) -> str:
    """H:MM:SS."""
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _print_report(report, console: Console) -> None:
    t = Table(show_header=True, header_style="bold", box=None)
    for col in ("added", "replaced", "unchanged", "pruned", "failed", "skipped", "chunks written", "seconds",
                "embedding s", "writing s"):
        t.add_column(col, justify="right")
    t.add_row(
        str(len(report.added)), str(len(report.replaced)), str(len(report.unchanged)), str(len(report.pruned)),
        f"[red]{len(report.failed)}[/red]" if report.failed else "0",
        f"[yellow]{len(report.skipped)}[/yellow]" if report.skipped else "0", str(report.chunks_written),
        f"{report.seconds:.1f}", f"{report.embed_seconds:.1f}", f"{report.write_seconds:.1f}",
    )
    console.print(t)
    for n in report.notices:
        console.print(f"  [yellow]notice[/yellow] {escape(n.path)}: {escape(n.message)}")
    for f in report.failed:
        console.print(f"  [red]failed[/red] {escape(f.path)}: {escape(f.reason)}")
    _print_skipped(report, console)


def _print_skipped(report, console: Console, shown: int = 10) -> None:
    """Files left unread, by kind, the first ``shown`` of them named."""
    if not report.skipped:
        return
    kinds = ", ".join(f"{n} {kind}" for kind, n in report.skipped_by_kind().items())
    strict = "; --strict makes this an error" if any(s.kind != "hidden" for s in report.skipped) else ""
    console.print(f"  [yellow]skipped[/yellow] {len(report.skipped)} files or folders not read "
                  f"({escape(kinds)}){strict}")
    for s in report.skipped[:shown]:
        console.print(f"  [yellow]skipped[/yellow] {escape(s.path)}: {escape(s.reason)}")
    if len(report.skipped) > shown:
        console.print(f"  [yellow]skipped[/yellow] … and {len(report.skipped) - shown} more (--json lists them all)")


@app.command(cls=_Command)
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files (.txt .md .html .jsonl) or folders to ingest."),
    prune: bool = typer.Option(False, "--prune", help="Remove stored articles whose source files are gone."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    strict: bool = typer.Option(False, "--strict", help="Skip nothing: when a folder holds files ingest does not "
                                "read (other types; hidden files are only listed), ingest nothing and exit 1."),
) -> None:
    """Add articles to the store (unchanged articles are skipped, changed ones replaced).

    The summary lists the files a folder held that were not read, by type, and failed files with their reasons."""
    a = _assistant()
    if strict:  # refused before the progress bar appears (ingest checks again)
        from ..ingestion.pipeline import refuse_skips

        refuse_skips(paths)
    with _IngestBar(err, "Ingesting") as bar:
        report = a.ingest([str(p) for p in paths], prune=prune, on_progress=bar, strict=strict,
                          on_wait=lambda msg: err.print(f"[yellow]{escape(msg)}[/yellow]"))
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        _print_report(report, out)
    if report.failed:
        # 3: partial failure (the rest was ingested); 1: nothing could be ingested.
        raise typer.Exit(3 if (report.added or report.replaced or report.unchanged) else 1)


def _render_answer(answer, console: Console, text: bool = True) -> None:
    from ..retrieval.citations import also_in_label

    if text:
        body = escape(answer.text)
        body = re.sub(r"\\?\[(\d+)\]", r"[bold cyan]\[\1][/bold cyan]", body)
        console.print(body)
    for w in answer.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
    if answer.citations:
        console.print()
        console.print("[bold]Sources[/bold]")
        for c in answer.citations:
            meta = ", ".join(x for x in (c.outlet or c.source, c.date) if x)
            console.print(f" [bold cyan]\\[{c.n}][/bold cyan] [bold]{escape(c.title)}[/bold]" + (f" [dim]({escape(meta)})[/dim]" if meta else ""))
            console.print(f"     [green]│ {escape(' '.join(c.quote.split()))}[/green]")
            if c.also_in:
                console.print(f"     [dim]also in: {escape(also_in_label(c))}[/dim]")
    if answer.usage and answer.usage.get("llm_called"):
        u = answer.usage
        cost = f", ~${u['cost_usd']:.5f}" if u.get("cost_usd") is not None else ""
        console.print(f"[dim]{u['model']}: {u['prompt_tokens']} prompt + {u['completion_tokens']} completion tokens{cost}[/dim]")


@app.command(cls=_Command)
def ask(
    question: list[str] = typer.Argument(..., help="The question (quotes optional)."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=100, help="Passages to retrieve."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    mode: Optional[str] = typer.Option(None, "--mode", help="llm | local | extractive | auto (overrides ASSISTANT_ANSWER_MODE)."),
    source: Optional[str] = typer.Option(None, "--source", help="Only articles from this outlet or source (URL/path), in any case."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles dated on or after this day (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Only articles dated on or before this day (YYYY-MM-DD)."),
    doc: Optional[list[str]] = typer.Option(None, "--doc", help="Only this article id (repeatable)."),
    title: Optional[str] = typer.Option(None, "--title", help="Only articles whose title has all these words."),
    local: bool = typer.Option(False, "--local", help="Answer with the bundled local model (same as --mode local)."),
) -> None:
    """Answer a question from the stored articles, citing the passages (streams in llm mode)."""
    a = _assistant(answer_mode=_check_mode(mode, local))
    _require_store(a)
    try:
        _ask(a, question, k, as_json, _filters(source, since, until, doc, title))
    finally:
        a.close()


def _ask(a, question, k, as_json, filters) -> None:
    q = " ".join(question)
    if a.needs_seeding():
        with _IngestBar(err, "First use: ingesting the seed articles") as bar:
            a.ensure_seeded(on_progress=bar)
    _start_local(a)
    if as_json:
        out.print_json(json.dumps(a.ask(q, k=k, filters=filters).to_dict()))
        return
    answer = None
    streamed = []
    streaming = a.settings.effective_answer_mode in ("llm", "local")
    for part in a.stream(q, k=k, filters=filters):
        if isinstance(part, str):
            if streaming:
                out.print(escape(part), end="", soft_wrap=True)
                streamed.append(part)
        else:
            answer = part
    if streamed:
        out.print()
        if answer.text != "".join(streamed).strip():
            out.print("[dim]After verification:[/dim]")
            _render_answer(answer, out)
        else:
            _render_answer(answer, out, text=False)
    else:
        _render_answer(answer, out)


def _require_store(a) -> None:
    """Stop with a clear error when a data folder the user chose (--data-dir, ASSISTANT_DATA_DIR)
    holds no store, creating nothing there. The default folder is made and seeded on first use."""
    from ..config import default_data_dir
    from ..errors import NoStoreError

    data_dir = a.settings.data_dir
    if a.has_store() or data_dir.resolve() == default_data_dir().resolve():
        return
    flag = f"--data-dir {data_dir} " if _state.get("data_dir") else ""
    raise NoStoreError(f"No store in {data_dir}: nothing has been ingested there yet.",
                       hint=f"add articles first: assistant {flag}ingest PATH"
                       + ("" if flag else " (with the same ASSISTANT_DATA_DIR)"))


def _filters(source, since, until, doc, title):
    from ..retrieval.filters import Filters

    f = Filters(source=source, since=since, until=until, doc_ids=tuple(doc or ()), title=title)
    return None if f.empty else f


def _check_mode(mode: Optional[str], local: bool = False) -> Optional[str]:
    if local:
        return "local"
    if mode is not None and mode not in ("llm", "extractive", "auto", "local"):
        raise typer.BadParameter("use llm, local, extractive or auto", param_hint="--mode")
    return mode


def _start_local(a) -> None:
    """Start the local model server now, with a spinner, rather than inside the first answer."""
    if a.settings.effective_answer_mode == "local":
        with err.status("Starting the local model server (llama.cpp)…", spinner="dots"):
            try:
                a.local_server()
            except LLMUnavailableError:
                if a.local_crash() is None:
                    raise  # it never became ready: that is the error
                # it crashed: the answer says so and falls back to the extractive answer


@app.command(cls=_Command)
def chat(
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=100, help="Passages to retrieve."),
    mode: Optional[str] = typer.Option(None, "--mode", help="llm | local | extractive | auto (overrides ASSISTANT_ANSWER_MODE)."),
    source: Optional[str] = typer.Option(None, "--source", help="Only articles from this outlet or source (URL/path), in any case."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles dated on or after this day."),
    until: Optional[str] = typer.Option(None, "--until", help="Only articles dated on or before this day."),
    local: bool = typer.Option(False, "--local", help="Answer with the bundled local model (same as --mode local)."),
) -> None:
    """Chat in the terminal: streaming answers, follow-ups, /sources and /open N (see /help)."""
    from .repl import run_chat

    a = _assistant(answer_mode=_check_mode(mode, local))
    _require_store(a)
    try:
        _start_local(a)
        failed = run_chat(a, k=k, filters=_filters(source, since, until, None, None))
    finally:
        a.close()
    if failed:  # piped: a script must see that an answer failed
        raise typer.Exit(1)


@app.command(cls=_Command)
def articles(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    limit: Optional[int] = typer.Option(None, "-n", "--limit", min=1, help="List only the first N (in the listed order)."),
) -> None:
    """List the stored articles (by source, date and title)."""
    a = _assistant()
    _require_store(a)
    every = a.articles()
    recs = every[:limit] if limit else every
    if as_json:
        out.print_json(json.dumps([r.__dict__ for r in recs]))
        return
    if not recs:
        out.print("No articles stored yet. Add some with: assistant ingest PATH")
        return
    t = Table(header_style="bold")
    for col in ("id", "title", "source", "date", "chunks"):
        t.add_column(col, overflow="fold")
    for r in recs:
        t.add_row(escape(r.id), escape(r.title), escape(r.outlet or r.source), escape(r.date), str(r.chunks))
    out.print(t)
    out.print(f"{len(recs)} of {len(every)} articles" if len(recs) < len(every) else f"{len(recs)} articles")


@app.command(cls=_Command)
def quotes(
    speaker: Optional[str] = typer.Option(None, "--speaker", "-s", help="Only this person's words (surname or full name)."),
    about: Optional[str] = typer.Option(None, "--about", "-a", help="Quotations about this, best first."),
    limit: int = typer.Option(20, "-n", "--limit", min=1, max=10000, help="How many to list."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List quotations found in the stored articles, with their speakers."""
    a = _assistant()
    _require_store(a)
    if a.needs_seeding():
        with _IngestBar(err, "First use: ingesting the seed articles") as bar:
            a.ensure_seeded(on_progress=bar)
    found = a.quotes(speaker=speaker, about=about, limit=limit)
    if as_json:
        out.print_json(json.dumps([q.to_dict() for q in found]))
        return
    if not found:
        who = f" of {speaker}" if speaker else ""
        out.print(f"No quotations{escape(who)} in the stored articles.")
        return
    t = Table(header_style="bold", show_lines=True)
    t.add_column("speaker", overflow="fold", max_width=24)
    t.add_column("quotation", overflow="fold")
    t.add_column("article", overflow="fold", max_width=36)
    t.add_column("date", no_wrap=True)
    for q in found:
        t.add_row(escape(q.who), escape("“" + " ".join(q.text.split()) + "”"),
                  escape(q.title), escape(q.date))
    out.print(t)
    out.print(f"{len(found)} quotations")


@app.command(cls=_Command)
def info(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Show the store, counts, models and every setting."""
    a = _assistant()
    data = a.info()
    if as_json:
        out.print_json(json.dumps({**data, "settings": {n: v for n, v, _ in a.settings.describe()}}))
        return
    t = Table(show_header=False, box=None)
    for key, value in data.items():
        t.add_row(f"[bold]{key}[/bold]", escape(str(value)))
    out.print(t)
    out.print()
    s = Table(title="Settings (ASSISTANT_<NAME>)", header_style="bold")
    s.add_column("name")
    s.add_column("value", overflow="fold")
    s.add_column("meaning", overflow="fold")
    for name, value, desc in a.settings.describe():
        s.add_row(name, escape(value), escape(desc))
    out.print(s)


@app.command(cls=_Command)
def plugins(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the parsers, retrievers and answerers installed packages offer (entry points)."""
    from ..plugins import GROUPS, installed

    found = [{"kind": kind, "name": name, "group": group, "value": ep.value}
             for kind, group in GROUPS.items() for name, ep in sorted(installed(group).items())]
    if as_json:
        out.print_json(json.dumps(found))
        return
    if not found:
        out.print("No plugins installed (entry points in " + ", ".join(GROUPS.values()) + ").")
        return
    t = Table(header_style="bold")
    for col in ("kind", "name", "entry point"):
        t.add_column(col)
    for p in found:
        t.add_row(p["kind"], escape(p["name"]), escape(p["value"]))
    out.print(t)
    out.print("Choose a retriever or an answerer with ASSISTANT_RETRIEVER / ASSISTANT_ANSWERER; parsers read their file type.")


@app.command("eval", cls=_Command)
def eval_(
    eval_set: Optional[Path] = typer.Argument(None, help="Eval set YAML (default: evals/default.yaml)."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=100, help="Passages retrieved per question."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the full report as JSON here."),
    markdown_out: Optional[Path] = typer.Option(None, "--markdown", help="Write a Markdown report (failures listed)."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help="Compare with this baseline JSON; exit 1 when a metric drops past its tolerance."
    ),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Save these numbers as a baseline."),
    mode: Optional[str] = typer.Option(None, "--mode", help="llm | local | extractive | auto (overrides ASSISTANT_ANSWER_MODE)."),
    judge: bool = typer.Option(False, "--judge", help="Also score answers with the configured LLM as judge (prompts/judge.md)."),
    slice_: Optional[list[str]] = typer.Option(None, "--slice", help="Only this slice (repeatable): seed, news, speaker, unanswerable, followup."),
    split: Optional[list[str]] = typer.Option(None, "--split", help="Only this split (repeatable): test, dev. Tune with --split dev."),
) -> None:
    """Run an eval set in an isolated temporary store and report quality as numbers."""
    from ..evaluation.runner import load_eval_set

    the_set = load_eval_set(eval_set)
    base = json.loads(baseline.read_text()) if baseline else None
    if baseline and not base.get("metrics"):
        from ..errors import InputError

        raise InputError(f"{baseline} has no 'metrics'.", hint="write one with --write-baseline")
    settings = _assistant(answer_mode=_check_mode(mode)).settings
    err.print(f"Eval set [bold]{escape(the_set.name)}[/bold]: {the_set.n_questions} questions, "
              f"corpus {', '.join(escape(str(c.name)) for c in the_set.corpus)}")
    report = _run_eval_with_progress(the_set.path, k, settings, judge, slice_, split)
    _print_eval_report(report)
    out.print(f"{len(report.failures)} of {len(report.results)} questions failed"
              + (f"; details in {markdown_out}" if markdown_out else " (--markdown FILE lists them)"))
    _save_eval_outputs(report, json_out, markdown_out, write_baseline)
    if base:
        _gate_eval(report, base, baseline)


def _run_eval_with_progress(path: Path, k: int | None, settings, judge: bool, slices, splits):
    """:func:`assistant.evals.run_eval` with a bar for the ingest, then one for the questions."""
    from ..evaluation.runner import run_eval

    with _IngestBar(err, "Ingesting the eval corpus") as bar:
        progress_q = Progress(TextColumn("[bold]Asking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              TextColumn("{task.description}"), console=err)
        state = {}

        def on_q(p):
            if "task" not in state:
                bar.progress.stop()
                progress_q.start()
                state["task"] = progress_q.add_task("", total=p.total)
            progress_q.update(state["task"], completed=p.done, description=escape(p.current[:60]))

        try:
            if judge and not settings.llm_configured:
                from ..errors import ConfigError

                raise ConfigError("--judge needs a chat model.", hint="set OPENAI_API_KEY or OPENAI_BASE_URL")
            return run_eval(path, k=k, settings=settings, on_ingest_progress=bar, on_progress=on_q,
                            judge=judge, slices=slices or None, splits=splits or None)
        finally:
            progress_q.stop()


def _print_eval_report(report) -> None:
    """The metrics table, attribution and extraction lines of an eval report."""
    from ..evaluation.runner import fmt

    cols = report.columns()
    t = Table(title=f"Eval: {report.set_name} (mode {report.mode}, k={report.k}, "
                    f"{report.n_articles} articles, {report.n_chunks} chunks)", header_style="bold")
    t.add_column("metric")
    for c in cols:
        t.add_column(c, justify="right")
    for name in dict.fromkeys(m for c in cols for m in report.metrics[c]):
        t.add_row(name, *[fmt(report.metrics[c].get(name), name) for c in cols])
    out.print(t)
    for split, at in (report.attribution or {}).items():
        out.print(f"Quotation attribution, {split} ({at['labelled']} hand-labelled quotations, {at['articles']} articles): "
                  f"precision {fmt(at['precision'])}, recall {fmt(at['recall'])}")
    for split, e in (report.extraction or {}).items():
        out.print(f"HTML extraction, {split}: {fmt(e['body_sentences_verbatim'])} of {e['body_sentences']} gold body "
                  f"sentences stored verbatim; {fmt(e['boilerplate_chunks'])} of {e['chunks']} chunks mostly boilerplate")


def _save_eval_outputs(report, json_out: Path | None, markdown_out: Path | None, write_baseline: Path | None) -> None:
    if json_out:
        json_out.write_text(report.to_json())
    if markdown_out:
        markdown_out.write_text(report.to_markdown())
    if write_baseline:
        write_baseline.write_text(json.dumps(report.baseline(), indent=2) + "\n")
        out.print(f"Baseline written to {write_baseline}")


def _gate_eval(report, base: dict, baseline: Path) -> None:
    """Exit 1 when a test figure dropped past its tolerance against the baseline."""
    drops = report.compare(base)
    if drops:
        err.print(f"[bold red]Regression against {baseline}:[/bold red]")
        for d in drops:
            err.print(f"  {escape(d)}")
        raise typer.Exit(1)
    out.print(f"[green]No metric dropped past its tolerance against {baseline}.[/green]")


def main() -> None:
    """Console entry point: run the app, turning our errors into one clear line."""
    try:
        rc = app(standalone_mode=False)  # returns the exit code of typer.Exit
    except AssistantError as exc:
        err.print(f"[bold red]Error:[/bold red] {escape(exc.message)}")
        if exc.hint:
            err.print(f"[dim]→ {escape(exc.hint)}[/dim]")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors and the like
        # typer may carry its own copy of click: recognise click's exceptions by class name,
        # not by isinstance against the separately installed click.
        kinds = {c.__name__ for c in type(exc).__mro__}
        if "Exit" in kinds and hasattr(exc, "exit_code"):
            sys.exit(exc.exit_code)
        if "ClickException" in kinds:
            exc.show()  # "Usage: assistant ask ..." and the offending option; exit 2 for usage errors
            sys.exit(exc.exit_code)
        if "Abort" in kinds:
            err.print("Aborted.")
            sys.exit(1)
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        err.print(f"[bold red]Unexpected error:[/bold red] {escape(exc.__class__.__name__)}: {escape(str(exc))}")
        err.print("[dim]→ nothing already stored was changed by it; run again with ASSISTANT_DEBUG=1 for the "
                  "traceback, and please report it[/dim]")
        sys.exit(1)
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
