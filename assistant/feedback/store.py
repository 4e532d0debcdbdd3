"""Answer feedback in SQLite: one row per 👍 / 👎 (question, answer, citations, route, verification, time; no
personal data), in a file of its own beside the index that builds and healing never touch.

Writes are safe from many threads and processes at once: WAL journal, a busy timeout, one short transaction per
write, and a process-wide lock so that no write waits on another in this process for the busy timeout.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    province TEXT,
    history TEXT NOT NULL DEFAULT '[]',
    citations TEXT NOT NULL DEFAULT '[]',
    route TEXT NOT NULL DEFAULT '',
    route_detail TEXT NOT NULL DEFAULT '',
    verification TEXT NOT NULL DEFAULT '{}',
    source TEXT NOT NULL DEFAULT 'api'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
JSON_FIELDS = ("history", "citations", "verification")


class FeedbackUnavailable(AssistantError):
    """The feedback file cannot be opened or written (one Vietnamese sentence)."""


@dataclass
class FeedbackRecord:
    """One stored feedback: the rating, the comment as typed (plain text), and the answer it is about."""

    rating: Rating
    question: str
    answer: str = ""
    comment: str = ""
    status: str = ""
    language: str = ""
    province: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    route: str = ""
    route_detail: str = ""
    verification: dict[str, Any] = field(default_factory=dict)
    source: str = "api"  # api | page
    id: int | None = None
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FeedbackStore:
    """The feedback file (created on first use); see the module docstring."""

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._locks_guard:
            self._lock = self._locks.setdefault(str(path.resolve()), threading.Lock())
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            if not self._ready:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
                connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                connection.commit()
                self._ready = True
            return connection
        except (OSError, sqlite3.Error) as error:
            log.error("Feedback file %s unusable: %s", self.path, error)
            raise FeedbackUnavailable(
                f"Không ghi được góp ý vào {self.path.name} ({type(error).__name__}); hãy báo quản trị viên kiểm tra "
                "thư mục lưu góp ý (ASSISTANT_FEEDBACK_DB)."
            ) from error

    def add(self, record: FeedbackRecord) -> FeedbackRecord:
        """Store ``record``; returns it with its id and time."""
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        row = record.to_dict()
        row.pop("id")
        row["created_at"] = created
        for name in JSON_FIELDS:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._lock:
            connection = self._connect()
            try:
                with connection:
                    cursor = connection.execute(
                        f"INSERT INTO feedback ({columns}) VALUES ({marks})", list(row.values())
                    )
                new_id = cursor.lastrowid
            except sqlite3.Error as error:
                raise FeedbackUnavailable(
                    f"Không ghi được góp ý ({type(error).__name__}); hãy thử lại sau giây lát."
                ) from error
            finally:
                connection.close()
        record.id, record.created_at = new_id, created
        return record

    def update(self, feedback_id: int, rating: Rating | None = None, comment: str | None = None) -> bool:
        """Change the rating and/or the comment of a stored feedback; False when there is no such row."""
        changes = {k: v for k, v in (("rating", rating), ("comment", comment)) if v is not None}
        if not changes:
            return False
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._lock:
            connection = self._connect()
            try:
                with connection:
                    cursor = connection.execute(
                        f"UPDATE feedback SET {assignments} WHERE id = ?", [*changes.values(), feedback_id]
                    )
                return cursor.rowcount == 1
            finally:
                connection.close()

    def records(self, rating: Rating | None = None, limit: int | None = None) -> list[FeedbackRecord]:
        """Stored feedback, newest first (``rating``: only those)."""
        if not self.path.is_file():
            return []
        connection = self._connect()
        connection.row_factory = sqlite3.Row
        try:
            sql = "SELECT * FROM feedback" + (" WHERE rating = ?" if rating else "") + " ORDER BY id DESC"
            params: list[Any] = [rating] if rating else []
            if limit:
                sql += " LIMIT ?"
                params.append(limit)
            rows = connection.execute(sql, params).fetchall()
        finally:
            connection.close()
        out = []
        for row in rows:
            values = dict(row)
            for name in JSON_FIELDS:
                values[name] = json.loads(values[name] or ("{}" if name == "verification" else "[]"))
            out.append(FeedbackRecord(**values))
        return out

    def count(self) -> int:
        if not self.path.is_file():
            return 0
        connection = self._connect()
        try:
            return int(connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        finally:
            connection.close()
