"""The store's embedding model as a Chroma ``EmbeddingFunction``, registered under a name.

Every collection the assistant writes records this function (name ``news-assistant``, config
``{"model_id": ...}``) in its Chroma configuration, and the model's id and dimension in its
metadata. A plain ``chromadb`` user who imports this module first gets the right model back
from ``client.get_collection("news")``, so ``query(query_texts=[...])`` embeds the question the
way the stored chunks were embedded::

    import chromadb, assistant.chroma_embedding  # registers "news-assistant" with Chroma
    news = chromadb.PersistentClient(path=".../chroma").get_collection("news")
    news.query(query_texts=["What did the minister say?"], n_results=3)

Without the import Chroma still opens the collection and reads its documents; only
``query_texts`` fails, with Chroma's message naming ``news-assistant``. The model is loaded
on the first call, not when the collection is opened.
"""

from __future__ import annotations

import os
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from ..errors import ConfigError

NAME = "news-assistant"


@register_embedding_function
class StoreEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds texts with the model a store was built with (``model_id`` as the store records it):
    the bundled MiniLM, or ``openai:<model>`` through ``OPENAI_API_KEY``/``OPENAI_BASE_URL``."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self._embedder = None

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        import numpy as np

        vectors = self.langchain_embeddings().embed_documents(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def langchain_embeddings(self):
        """The model as LangChain ``Embeddings`` (loaded on first use)."""
        if self._embedder is None:
            from .embeddings import LOCAL_MODEL_ID, LocalMiniLMEmbeddings, openai_embeddings

            if self.model_id == LOCAL_MODEL_ID:
                self._embedder = LocalMiniLMEmbeddings()
            elif self.model_id.startswith("openai:"):
                self._embedder = openai_embeddings(self.model_id.split(":", 1)[1], os.environ.get("OPENAI_API_KEY"),
                                                   os.environ.get("OPENAI_BASE_URL"))
            else:
                raise ConfigError(f"The store was built with the embedding model '{self.model_id}', which "
                                  "this package cannot load by name.",
                                  hint="embed the query yourself and pass query_embeddings=")
        return self._embedder

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "StoreEmbeddingFunction":
        return StoreEmbeddingFunction(str(config.get("model_id", "")))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]
