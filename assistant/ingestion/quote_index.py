"""Who-said-what for the store: attributed quotations of articles found with spaCy (the store only
keeps them), and the one-time backfill of a store made before the quote index existed."""

from __future__ import annotations

from collections.abc import Sequence

from ..index.store import ArticleStore
from ..nlp import quotes as nlp_quotes
from ..nlp.quotes import Quote
from ..types import Article


def find_quotes(articles: Sequence[Article], spacy_model: str | None = None) -> list[list[Quote]]:
    """Each article's quotations with their speakers (``spacy_model``: None for the bundled one)."""
    return nlp_quotes.extract_quotes_many(list(articles), spacy_model)


def ensure_quotes(store: ArticleStore, spacy_model: str | None = None) -> int:
    """Index the quotations of articles stored before the quote index existed. Returns how many
    articles were indexed (0 when the index is already in step with the articles)."""
    if not store.quotes_need_backfill():
        return 0
    done = 0
    for article, chunks, vectors in store.stored_articles():
        store.write_quotes(article, chunks, find_quotes([article], spacy_model)[0], vectors)
        done += 1
    store.mark_quotes_backfilled()
    return done
