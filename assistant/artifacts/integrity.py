"""Integrity checks of built files at load: file checksums, BM25 arrays' shapes and bounds, the vector store.

Each check returns ``None`` when the part is sound, else one English line for the log saying what is wrong;
callers turn a problem into a rebuild (see :mod:`assistant.healing`). Checks are cheap (milliseconds for this
corpus), so they run at every start.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

CHUNK = 1 << 20
SELF_QUERY_SAMPLES = 2000  # at most this many passages are looked up in the vector store by their own vectors


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def folder_checksums(folder: Path, skip: set[str]) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative POSIX paths), leaving out top-level names in ``skip``."""
    sums = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in skip:
            sums[relative.as_posix()] = file_sha256(path)
    return sums


def checksum_problem(folder: Path, recorded: dict[str, str]) -> str | None:
    """The first file of ``recorded`` that is missing or differs from its recorded SHA-256."""
    if not recorded:
        return "no checksums were recorded for its files"
    for name, digest in recorded.items():
        path = folder / name
        try:
            actual = file_sha256(path)
        except OSError:
            return f"{name} is missing or unreadable"
        if actual != digest:
            return f"{name} does not match its checksum (damaged or edited)"
    return None


def sqlite_problem(path: Path) -> str | None:
    """SQLite's own quick check of a database file, opened read-only."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return f"{path.name} cannot be read ({error})"
    return None if verdict == [("ok",)] else f"{path.name} fails SQLite's check ({verdict[0][0]})"


def vectors_problem(vectors: Any, rows: int, dimension: int) -> str | None:
    if not isinstance(vectors, np.ndarray) or vectors.shape != (rows, dimension):
        shape = getattr(vectors, "shape", None)
        return f"vectors have shape {shape}, expected ({rows}, {dimension})"
    if not np.all(np.isfinite(vectors)):
        return "vectors hold values that are not finite"
    return None


def bm25_problem(bm25: Any, num_docs: int) -> str | None:
    """The BM25 score matrix (CSC: one column per token) must fit the vocabulary and the passages."""
    scores = getattr(bm25, "scores", None) or {}
    vocab = getattr(bm25, "vocab_dict", None) or {}
    data, indices, indptr = scores.get("data"), scores.get("indices"), scores.get("indptr")
    if not all(isinstance(a, np.ndarray) and a.ndim == 1 for a in (data, indices, indptr)):
        return "BM25 arrays are missing or not one-dimensional"
    if scores.get("num_docs") != num_docs:
        return f"BM25 counts {scores.get('num_docs')} documents, the index has {num_docs} passages"
    if len(indptr) == 0 or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
        return "BM25 column pointers are not an increasing sequence from 0"
    if not (int(indptr[-1]) == len(data) == len(indices)):
        return "BM25 column pointers do not match the length of the data"
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= num_docs):
        return "BM25 document indices fall outside the passages"
    if not np.all(np.isfinite(data)) or np.any(data < 0):
        return "BM25 scores hold negative or non-finite values"
    ids = sorted(vocab.values())
    if ids != list(range(len(vocab))):
        return "BM25 vocabulary ids are not 0…n-1"
    queried = [token_id for token, token_id in vocab.items() if token]  # bm25s keeps "" as an unused last id
    if queried and max(queried) + 1 >= len(indptr):
        return "BM25 vocabulary ids point past the column pointers"
    return None


def collection_problem(collection: Any, ids: list[str], vectors: np.ndarray) -> str | None:
    """The vector store holds exactly the passages with their vectors (compared with ``vectors``, whose checksum
    was verified), and finds passages by their own vectors (all of them, or a sample of a large index)."""
    try:
        count = collection.count()
        stored = collection.get(include=["embeddings"]) if count == len(ids) else None
    except Exception as error:  # noqa: BLE001 - any failure means the store cannot be used
        return f"the vector store cannot be read ({type(error).__name__})"
    if stored is None:
        return f"the vector store holds {count} entries, the index has {len(ids)} passages"
    position = {passage_id: i for i, passage_id in enumerate(stored["ids"])}
    missing = next((passage_id for passage_id in ids if passage_id not in position), None)
    if missing is not None:
        return f"the vector store has no entry for passage {missing}"
    held = np.asarray(stored["embeddings"], dtype=np.float32)[[position[passage_id] for passage_id in ids]]
    if held.shape != vectors.shape:
        return f"the vector store holds vectors of shape {held.shape}, the index {vectors.shape}"
    differs = np.flatnonzero(~np.all(np.isclose(held, vectors, atol=1e-4), axis=1))
    if len(differs):
        return f"the vector store's entry for passage {ids[differs[0]]} differs from its vector"
    if not ids:
        return None
    step = max(1, len(ids) // SELF_QUERY_SAMPLES)
    sample = list(range(0, len(ids), step))
    try:
        found = collection.query(
            query_embeddings=[vectors[i] for i in sample], n_results=min(3, len(ids)), include=["distances"]
        )
    except Exception as error:  # noqa: BLE001
        return f"the vector store cannot be searched ({type(error).__name__})"
    for i, hits in zip(sample, found["ids"], strict=True):
        if ids[i] not in hits:
            return f"the vector store does not find passage {ids[i]} by its own vector"
    return None
