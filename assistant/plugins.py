"""Parts that installed packages offer by entry point, in the style of simonw/llm's plugins:
answerers (``news_assistant.answerers``) and retrievers (``news_assistant.retrievers``), each a
factory called with the assistant's parts (:class:`~assistant.components.Components`: its
settings, embedder, store and keyword index) and chosen by name with ``ASSISTANT_ANSWERER`` /
``ASSISTANT_RETRIEVER``; parsers (``news_assistant.parsers``) register themselves by file suffix
(:mod:`assistant.ingestion.parsers`)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from .errors import ConfigError

ANSWERERS = "news_assistant.answerers"
RETRIEVERS = "news_assistant.retrievers"
PARSERS = "news_assistant.parsers"
GROUPS = {"answerer": ANSWERERS, "retriever": RETRIEVERS, "parser": PARSERS}


def installed(group: str) -> dict[str, EntryPoint]:
    """The entry points installed packages offer in ``group``, by name."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load_factory(kind: str, name: str) -> Callable:
    """The factory of the ``kind`` plugin (answerer or retriever) called ``name``; a clear error
    naming the installed ones when there is none, or when it cannot be imported."""
    group = GROUPS[kind]
    found = installed(group)
    if name not in found:
        have = ", ".join(sorted(found)) or "none"
        raise ConfigError(f"No {kind} plugin named {name!r} is installed (installed: {have}).",
                          hint=f"a package offers one as an entry point in the {group!r} group; "
                               "`assistant plugins` lists them")
    try:
        return found[name].load()
    except Exception as e:  # noqa: BLE001 - a broken plugin is a setting to fix, not a crash
        raise ConfigError(f"The {kind} plugin {name!r} ({found[name].value}) could not be loaded: {e}",
                          hint=f"unset ASSISTANT_{kind.upper()} to use the built-in one") from None


_NEEDS = {"answerer": "stream", "retriever": "retrieve"}


def build_plugin(kind: str, name: str, parts):
    """The ``kind`` plugin called ``name``, built by its factory from the assistant's ``parts``; a
    settings error when the factory fails or builds something without the method the kind needs
    (``stream`` for an answerer, ``retrieve`` for a retriever)."""
    factory = load_factory(kind, name)
    try:
        built = factory(parts)
    except Exception as e:  # noqa: BLE001 - a plugin's failure is reported as its own
        raise ConfigError(f"The {kind} plugin {name!r} failed to start: {type(e).__name__}: {e}",
                          hint=f"unset ASSISTANT_{kind.upper()} to use the built-in one") from None
    if not callable(getattr(built, _NEEDS[kind], None)):
        raise ConfigError(f"The {kind} plugin {name!r} built a {type(built).__name__}, which has no "
                          f"{_NEEDS[kind]}() method.", hint=f"unset ASSISTANT_{kind.upper()} to use the built-in one")
    return built
