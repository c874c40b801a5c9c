"""A question-answering assistant over news articles, with answers cited to the exact passage.

    from assistant import ask, ingest
    ingest(["articles/"])
    answer = ask("What did Netanyahu say about the alliance?")
    for c in answer.citations:
        print(c.n, c.title, c.quote)
"""

from .config import Settings
from .core import Assistant, ask, get_assistant, ingest
from .errors import (
    AssistantError,
    ConfigError,
    EmbeddingError,
    EmbeddingMismatchError,
    IngestError,
    InputError,
    StoreError,
    StoreUnavailableError,
)
from .schema import Answer, Article, ArticleRef, Chunk, Citation, IngestFailure, IngestReport, Passage

__version__ = "0.1.0"

__all__ = [
    "Answer", "Article", "ArticleRef", "Assistant", "AssistantError", "Chunk", "Citation", "ConfigError", "EmbeddingError",
    "EmbeddingMismatchError", "IngestError", "IngestFailure", "IngestReport", "InputError", "Passage", "Settings",
    "StoreError", "StoreUnavailableError", "ask", "get_assistant", "ingest",
]
