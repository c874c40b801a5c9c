"""A question-answering assistant over news articles, with answers cited to the exact passage.

    from assistant import ask, ingest
    ingest(["articles/"])
    answer = ask("What did Netanyahu say about the alliance?")
    for c in answer.citations:
        print(c.n, c.title, c.quote)
"""

import importlib
import importlib.abc
import importlib.util
import sys

# Modules that moved into the stage packages, by their old names: ``import assistant.store`` still
# works (the same module object as ``assistant.index.store``), for one release.
_MOVED = {
    "core": "api", "schema": "types",
    "parsers": "ingestion.parsers", "html_extract": "ingestion.html_extract", "html_chrome": "ingestion.html_chrome",
    "chunking": "ingestion.chunking", "ingest": "ingestion.pipeline", "locking": "ingestion.locking",
    "text": "nlp.text", "lexicon": "nlp.lexicon", "quote_marks": "nlp.quote_marks", "attribution": "nlp.attribution",
    "quotes": "nlp.quotes", "store": "index.store", "store_migrations": "index.migrations", "lexical": "index.lexical",
    "embeddings": "index.embeddings", "embed_cache": "index.embed_cache", "chroma_embedding": "index.chroma_embedding",
    "rerank": "retrieval.rerank", "filters": "retrieval.filters", "speech": "retrieval.speakers",
    "conversation": "retrieval.followups", "answer": "answering.extractive", "llm": "answering.llm",
    "context": "answering.prompts", "verify": "answering.verify", "citations": "retrieval.citations",
    "local_llm": "answering.local_server", "cli": "interfaces.cli", "repl": "interfaces.repl",
    "runnable": "interfaces.langchain", "evals": "evaluation.runner", "eval_extraction": "evaluation.extraction",
    "eval_pages": "evaluation.pages",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old module name as the module at its new place."""

    def find_spec(self, fullname, path=None, target=None):
        old = fullname.removeprefix(__name__ + ".")
        return importlib.util.spec_from_loader(fullname, self) if old in _MOVED and old != fullname else None

    def create_module(self, spec):
        return importlib.import_module(f"{__name__}.{_MOVED[spec.name.removeprefix(__name__ + '.')]}")

    def exec_module(self, module) -> None:
        pass

    def get_code(self, fullname):  # ``python -m assistant.cli`` runs the moved module's code
        new = f"{__name__}.{_MOVED[fullname.removeprefix(__name__ + '.')]}"
        return compile(f"import runpy; runpy.run_module({new!r}, run_name='__main__', alter_sys=True)", fullname, "exec")


sys.meta_path.insert(0, _MovedModules())

from .config import Settings  # noqa: E402
from .api import Assistant, ask, get_assistant, ingest  # noqa: E402
from .errors import (  # noqa: E402
    AssistantError,
    ConfigError,
    EmbeddingError,
    EmbeddingMismatchError,
    IngestError,
    InputError,
    StoreError,
    StoreUnavailableError,
)
from .types import Answer, Article, ArticleRef, Chunk, Citation, IngestFailure, IngestReport, Passage  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Answer", "Article", "ArticleRef", "Assistant", "AssistantError", "Chunk", "Citation", "ConfigError", "EmbeddingError",
    "EmbeddingMismatchError", "IngestError", "IngestFailure", "IngestReport", "InputError", "Passage", "Settings",
    "StoreError", "StoreUnavailableError", "ask", "get_assistant", "ingest",
]
