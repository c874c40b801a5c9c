"""``assistant chat``: a terminal conversation with streaming answers and sources on demand.

Interactive when stdin is a terminal (prompt_toolkit: persistent history, Alt+Enter for a new
line, Ctrl-C cancels the answer in progress, Ctrl-D quits); otherwise it reads one question
per line and prints each (after ``you ›``) with its plain answer, so it scripts well: the
command then exits 1 if any answer failed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.markup import escape
from rich.text import Text
from rich.theme import Theme

from ..retrieval.citations import also_in_label
from ..api import Assistant, Chat
from ..errors import AssistantError
from ..types import Answer

HELP = """\
Commands:
  /help            this list
  /sources         the full passages behind the last answer
  /open N          the article around citation N, the quoted span highlighted
  /articles        the stored articles
  /quotes NAME     what NAME is quoted saying (surname or full name); /quotes alone lists all
  /reset           forget the conversation (follow-ups start afresh)
  /k N             retrieve N passages per question
  /mode MODE       llm (a chat model), local (the bundled model), extractive (quotes, offline) or auto
  /filter ...      source=NAME since=YYYY-MM-DD until=YYYY-MM-DD title=WORDS, or /filter off
  /quit            leave (Ctrl-D works too)
Enter sends; Alt+Enter (or Esc then Enter) starts a new line; Ctrl-C cancels an answer."""

THEME = Theme({"marker": "bold cyan", "markdown.strong": "bold cyan", "quote": "green", "hl": "bold black on yellow"})
_MARKER = re.compile(r"\[(\d+)\]")


def _md(text: str) -> Markdown:
    """The answer as Markdown, its [n] markers bold (themed cyan)."""
    return Markdown(_MARKER.sub(r"**[\1]**", text))


class ChatREPL:
    def __init__(self, assistant: Assistant, console: Console, interactive: bool, k: int | None = None,
                 filters=None) -> None:
        self.assistant = assistant
        self.console = console
        self.interactive = interactive
        self.chat: Chat = assistant.chat(k=k)
        self.chat.filters = filters
        self.failed = 0  # questions whose answer failed with an error

    # --- output -------------------------------------------------------------------------

    def banner(self) -> None:
        info = self.assistant.info()
        self.console.print(
            f"[bold]News assistant[/bold]  store {escape(info['store'])} "
            f"({info['articles']} articles, {info['chunks']} chunks)\n"
            f"embeddings {escape(info['embedding_model'])} · answers: [bold]{info['answer_mode']}[/bold]"
            + (f" ({escape(self.assistant.settings.chat_model)})" if info["answer_mode"] == "llm" else "")
            + "\n[dim]/help for commands · Alt+Enter new line · Ctrl-C cancels an answer · Ctrl-D quits[/dim]"
        )

    def sources_line(self, answer: Answer) -> None:
        for c in answer.citations:
            words = " ".join(c.quote.split())
            head = words if len(words) <= 90 else words[:87].rsplit(" ", 1)[0] + "…"
            date = f" ({escape(c.date)})" if c.date else ""
            self.console.print(f"  [marker]\\[{c.n}][/marker] [bold]{escape(c.title)}[/bold]{date} [dim]— {escape(head)}[/dim]")
            if c.also_in:
                self.console.print(f"      [dim]also in: {escape(also_in_label(c))}[/dim]")

    def show_answer(self, answer: Answer, streamed: bool) -> None:
        if answer.rewritten:
            pass  # already shown before the answer
        if not streamed:
            self.console.print(_md(answer.text) if self.interactive else answer.text)
        for w in answer.warnings:
            self.console.print(f"[yellow]warning:[/yellow] {escape(w)}")
        self.sources_line(answer)

    # --- questions ----------------------------------------------------------------------

    def ask(self, question: str) -> None:
        text = ""
        answer = None
        stream = self.chat.stream(question)
        live = None
        try:
            with self.console.status("Searching the articles…", spinner="dots") if self.interactive else _null():
                first = next(stream)
            parts = [first]
            if isinstance(first, str) and self.assistant.settings.effective_answer_mode == "llm" and self.interactive:
                live = Live(_md(""), console=self.console, refresh_per_second=12, transient=False)
                live.start()
            for part in _chain(parts, stream):
                if isinstance(part, Answer):
                    answer = part
                    break
                text += part
                if live:
                    live.update(_md(text))
        except KeyboardInterrupt:
            if live:
                live.stop()
            stream.close()
            self.console.print("[yellow]Answer cancelled.[/yellow]")
            return
        if live:
            live.update(_md(answer.text))
            live.stop()
        if answer.rewritten:
            self.console.print(f"[dim]↳ searched for: {escape(answer.rewritten)}[/dim]")
        self.show_answer(answer, streamed=live is not None)

    # --- commands -----------------------------------------------------------------------

    def command(self, line: str) -> bool:
        """Run a /command; False means quit."""
        name, _, arg = line[1:].strip().partition(" ")
        arg = arg.strip()
        last = self.chat.last
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self.console.print(HELP, markup=False, highlight=False)
        elif name == "sources":
            if not last or not last.citations:
                self.console.print("No sources yet: ask a question first.")
            for c in last.citations if last else []:
                self.console.rule(f"[{c.n}] {c.title}", style="cyan")
                body = Text(c.text)
                i = c.text.find(c.quote)
                if i >= 0:
                    body.stylize("hl", i, i + len(c.quote))
                self.console.print(body)
        elif name == "open":
            self.open_citation(arg, last)
        elif name == "articles":
            recs = self.assistant.articles()
            for r in recs[:50]:
                self.console.print(f"  {escape(r.title)} [dim]{escape(r.outlet or r.source)} {escape(r.date)} ({escape(r.id)})[/dim]")
            self.console.print(f"{len(recs)} articles" + (" (first 50 shown)" if len(recs) > 50 else ""))
        elif name == "quotes":
            quotes = self.assistant.quotes(speaker=arg or None, limit=20)
            if not quotes:
                self.console.print(f"No quotations{' of ' + escape(arg) if arg else ''} in the stored articles.")
            for q in quotes:
                who = escape(q.who)
                self.console.print(f"[bold]{who}[/bold] [dim]({escape(q.title)}{', ' + escape(q.date) if q.date else ''})[/dim]")
                self.console.print(f"  [quote]“{escape(' '.join(q.text.split()))}”[/quote]")
        elif name == "reset":
            self.chat.reset()
            self.console.print("Conversation forgotten; the next question starts afresh.")
        elif name == "k":
            if not arg.isdigit() or not 1 <= int(arg) <= 100:
                self.console.print("Usage: /k N  (1 to 100)")
            else:
                self.chat.k = int(arg)
                self.console.print(f"Retrieving {arg} passages per question.")
        elif name == "mode":
            try:
                self.assistant.set_mode(arg)
                self.console.print(f"Answer mode: {self.assistant.answerer.mode}")
            except AssistantError as exc:
                self.console.print(f"[red]{escape(exc.message)}[/red]" + (f" [dim]({escape(exc.hint)})[/dim]" if exc.hint else ""))
        elif name == "filter":
            self.set_filter(arg)
        else:
            self.console.print(f"Unknown command /{escape(name)}. Type /help for the list.")
        return True

    def set_filter(self, arg: str) -> None:
        from ..retrieval.filters import Filters

        if arg in ("", "off", "none"):
            self.chat.filters = None
            self.console.print("No filter: all articles are searched.")
            return
        fields: dict[str, str] = {}
        for part in arg.split():
            key, sep, value = part.partition("=")
            if not sep or key not in ("source", "since", "until", "title", "doc"):
                self.console.print("Usage: /filter source=NAME since=YYYY-MM-DD until=YYYY-MM-DD title=WORDS doc=ID")
                return
            fields[key] = (fields.get(key, "") + " " + value).strip() if key == "title" else value
        try:
            f = Filters(source=fields.get("source"), since=fields.get("since"), until=fields.get("until"),
                        title=fields.get("title"), doc_ids=(fields["doc"],) if "doc" in fields else ())
        except AssistantError as exc:
            self.console.print(f"[red]{escape(exc.message)}[/red]")
            return
        self.chat.filters = f
        self.console.print(f"Filter: {escape(f.describe())}")

    def open_citation(self, arg: str, last: Answer | None) -> None:
        if not last or not last.citations:
            self.console.print("No citations yet: ask a question first.")
            return
        cit = next((c for c in last.citations if str(c.n) == arg), None)
        if cit is None:
            self.console.print(f"Usage: /open N with N one of {', '.join(str(c.n) for c in last.citations)}")
            return
        article = self.assistant.store.article_text(cit.doc_id) or cit.text
        start, end = cit.char_start, cit.char_end
        # The paragraphs around the quote.
        lo = article.rfind("\n\n", 0, max(0, start - 600))
        lo = 0 if lo < 0 else lo + 2
        hi = article.find("\n\n", min(len(article), end + 600))
        hi = len(article) if hi < 0 else hi
        body = Text(("…" if lo > 0 else "") + article[lo:hi] + ("…" if hi < len(article) else ""))
        off = 1 if lo > 0 else 0
        body.stylize("hl", start - lo + off, end - lo + off)
        meta = ", ".join(x for x in (cit.outlet or cit.source, cit.date) if x)
        self.console.rule(f"[{cit.n}] {cit.title}" + (f" ({meta})" if meta else ""), style="cyan")
        self.console.print(body)

    # --- loops --------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self.command(line)
        try:
            self.ask(line)
        except AssistantError as exc:
            self.failed += 1
            self.console.print(f"[bold red]Error:[/bold red] {escape(exc.message)}")
            if exc.hint:
                self.console.print(f"[dim]→ {escape(exc.hint)}[/dim]")
        return True

    def run_interactive(self, history_file: Path) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.key_binding import KeyBindings

        history_file.parent.mkdir(parents=True, exist_ok=True)
        kb = KeyBindings()

        @kb.add("escape", "enter")
        def _newline(event):
            event.current_buffer.insert_text("\n")

        session = PromptSession(history=FileHistory(str(history_file)), key_bindings=kb, multiline=False)
        while True:
            try:
                line = session.prompt("you › ", prompt_continuation="    … ")
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                break
            if not self.handle(line):
                break
        self.console.print("Bye.")

    def run_piped(self, stream) -> None:
        """One line at a time, each echoed before its answer (the transcript reads as a chat)."""
        for raw in stream:
            if raw.strip():
                self.console.print(f"you › {escape(raw.strip())}")
            if not self.handle(raw):
                break


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _chain(first: list, rest):
    yield from first
    yield from rest


def run_chat(assistant: Assistant, k: int | None = None, stdin=None, console: Console | None = None,
             filters=None) -> int:
    """Run the chat until the input ends or /quit. Returns how many answers failed with an error
    when the input is piped (0 in a terminal session, where the user saw them)."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty() and sys.stdout.isatty()
    # Piped output is for programs: one line per paragraph, not wrapped at 80 columns.
    console = console or Console(theme=THEME, highlight=False, soft_wrap=not interactive)
    repl = ChatREPL(assistant, console, interactive, k=k, filters=filters)
    with console.status("Loading the models and the store…", spinner="dots") if interactive else _null():
        if assistant.needs_seeding():
            assistant.ensure_seeded()
        assistant.store
        assistant.embedder.embed_query("warm up")
    if interactive:
        repl.banner()
        repl.run_interactive(assistant.settings.data_dir / "chat_history")
        return 0
    repl.run_piped(stdin)
    return repl.failed
