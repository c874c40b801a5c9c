"""One exception hierarchy for everything the assistant raises on purpose.

Every error carries a message that says what went wrong and a ``hint`` that says
what to do next. The CLI prints both on one or two lines, without a traceback.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error the assistant raises deliberately."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(AssistantError):
    """A setting is missing, malformed or contradicts another one."""

    exit_code = 2


class InputError(AssistantError):
    """The user's input (a question, a path, an option) cannot be used."""

    exit_code = 2


class IngestError(AssistantError):
    """An article could not be read or parsed."""


class EmbeddingError(AssistantError):
    """The embedding model could not be loaded or run."""


class StoreError(AssistantError):
    """The vector store could not be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process holds the store's ingest lock."""


class StoreUnavailableError(StoreError):
    """The Chroma server (``ASSISTANT_CHROMA_URL``) could not be reached."""


class EmbeddingMismatchError(StoreError):
    """The store was built with another embedding model than the one configured."""


class LLMError(AssistantError):
    """The chat model (OpenAI or an OpenAI-compatible server) failed to answer."""


class LLMAuthError(LLMError):
    """The server rejected the API key (401/403)."""


class LLMModelNotFoundError(LLMError):
    """The server does not serve the configured chat model (404)."""


class LLMUnavailableError(LLMError):
    """The server could not be reached, timed out, or kept failing after retries."""


class LLMContextLengthError(LLMError):
    """The prompt did not fit the model's context window."""


class NoStoreError(StoreError):
    """The data folder chosen (``--data-dir``, ``ASSISTANT_DATA_DIR``) holds no store yet."""
