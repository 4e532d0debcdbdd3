"""The facts table in SQLite: atomic build from the corpus, filtered reads, CSV/JSON export.

Schema (one table ``facts``; columns that do not apply to a row's kind are NULL or empty):

| column                        | kinds                 | meaning                                              |
|-------------------------------|-----------------------|------------------------------------------------------|
| id                            | all                   | ``<plan_id>:<kind>:<n>``                             |
| plan_id, province, kind       | all                   | the plan and the fact kind (see FACT_KINDS)          |
| section                       | all                   | section path ("II. MỤC TIÊU › 1. Mục tiêu …") |
| origin                        | all                   | body, appendix or footnote                           |
| start, end, quote             | all                   | span in the plan text and its text (contains the value) |
| indicator, wording            | target                | canonical indicator code, the plan's wording         |
| year, value, unit, value_text | target                | target year, number, "%"/"cơ quan"/"named", as written |
| qualifiers (JSON)             | target                | {"min_revenue_growth_pct": 20, "recurrence": …}      |
| conflict_group                | target                | shared by rows of one plan that disagree             |
| number, content, parent       | task                  | task number as written (5.1), its content, group row |
| lead_units, coordinating_units (JSON) | task          | canonical unit names; ``*_original``: as written     |
| deliverable, time_frame       | task                  | as written                                           |
| time_frame_kind, start_year, end_year | task          | range/year/ongoing/after_guidance/on_request/yearly  |
| reporter, recipient, via      | reporting_deadline    | who reports, to whom, through whom                   |
| day, month, recurrence        | reporting_deadline    | the deadline ("trước ngày 25/11 hằng năm")           |
| responsible_unit, unit_original, duties | responsibility | a unit under TỔ CHỨC THỰC HIỆN and its duties      |
| source                        | funding               | state_budget, program_integration, sponsorship_aid … |
| doc_type, doc_number, doc_date, issuer | legal_basis  | cited decisions and plans                             |

A table ``plans`` holds the manifest metadata and the content hash of each plan's cleaned text; ``meta`` holds
``built_at``, ``format``, ``code_sha256`` (the extraction code, see :mod:`assistant.artifacts.freshness`) and
``facts_sha256`` (a checksum of the rows). :func:`check_facts_db` says whether a table may be served.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from assistant.artifacts.freshness import FACTS_CODE, code_hash, plan_hashes, stale_reasons
from assistant.errors import FactsDatabaseMissing, storage_error
from assistant.facts.extract import FactExtractor, PlanText
from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus

log = logging.getLogger(__name__)

JSON_COLUMNS = {"qualifiers", "lead_units", "coordinating_units"}
FACT_COLUMNS = [f.name for f in fields(Fact)]
PLAN_COLUMNS = ["id", "province", "title", "plan_number", "issue_date", "issuing_body", "signer", "file"]
PLAN_COLUMNS += ["text_sha256", "facts"]
_SQL_TYPES = {"int | None": "INTEGER", "float | None": "REAL", "int": "INTEGER"}
FACTS_FORMAT = "2"  # bump when the table's layout or meta rows change
TEMP_PREFIX = ".facts-"  # temp files of a build in progress: .facts-<pid>-….sqlite


def _schema() -> str:
    columns = []
    for f in fields(Fact):
        sql_type = _SQL_TYPES.get(str(f.type), "TEXT")
        columns.append(f'"{f.name}" {sql_type}' + (" PRIMARY KEY" if f.name == "id" else ""))
    return (
        f"CREATE TABLE facts ({', '.join(columns)});\n"
        "CREATE INDEX facts_kind ON facts(kind, province);\n"
        "CREATE TABLE plans (id TEXT PRIMARY KEY, province TEXT, title TEXT, plan_number TEXT, issue_date TEXT,"
        " issuing_body TEXT, signer TEXT, file TEXT, text_sha256 TEXT, facts INTEGER);\n"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
    )


@dataclass
class BuildReport:
    """What a build did: facts per plan and kind, plans that failed, time taken."""

    counts: dict[str, dict[str, int]]
    errors: dict[str, str]
    seconds: float
    path: Path


def extract_all(corpus: Corpus, progress: Callable[[str], None] | None = None) -> list[Fact]:
    facts: list[Fact] = []
    for plan in corpus.plans:
        if progress:
            progress(plan.id)
        facts.extend(FactExtractor().run(PlanText(plan.id, plan.province, plan.text, plan.structure)))
    return facts


def _row(fact: Fact) -> tuple:
    values = []
    for name in FACT_COLUMNS:
        value = getattr(fact, name)
        values.append(json.dumps(value, ensure_ascii=False) if name in JSON_COLUMNS else value)
    return tuple(values)


def facts_checksum(facts: Iterable[Fact]) -> str:
    """SHA-256 of the rows as stored, in order: recorded at build, compared at load (an edited value shows)."""
    digest = hashlib.sha256()
    for fact in facts:
        digest.update(json.dumps(_row(fact), ensure_ascii=False, default=str).encode("utf-8") + b"\n")
    return digest.hexdigest()


def build_facts_db(corpus: Corpus, path: Path, progress: Callable[[str], None] | None = None) -> BuildReport:
    """Extract facts from every plan and write them to ``path`` atomically (temp file, then rename).

    A write that fails (disk full, no permission, read-only folder) is a :class:`StorageError` in one sentence."""
    started = time.perf_counter()
    facts = extract_all(corpus, progress)
    tmp_name = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".sqlite", dir=path.parent)
        os.close(handle)
        connection = sqlite3.connect(tmp_name)
        try:
            with connection:
                _write(connection, corpus, facts)
        finally:
            connection.close()
        os.replace(tmp_name, path)
    except (OSError, sqlite3.Error) as error:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise storage_error(error, path.parent) from error
    except BaseException:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise
    counts: dict[str, dict[str, int]] = {}
    for fact in facts:
        counts.setdefault(fact.plan_id, {}).setdefault(fact.kind, 0)
        counts[fact.plan_id][fact.kind] += 1
    return BuildReport(counts, corpus.errors, time.perf_counter() - started, path)


def _write(connection: sqlite3.Connection, corpus: Corpus, facts: list[Fact]) -> None:
    connection.executescript(_schema())
    placeholders = ", ".join("?" for _ in FACT_COLUMNS)
    connection.executemany(f"INSERT INTO facts VALUES ({placeholders})", [_row(f) for f in facts])
    hashes = plan_hashes(corpus)
    for plan in corpus.plans:
        meta = plan.meta
        connection.execute(
            "INSERT INTO plans VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                plan.id,
                plan.province,
                meta.title,
                meta.plan_number,
                meta.issue_date,
                meta.issuing_body,
                meta.signer,
                meta.file,
                hashes[plan.id],
                sum(1 for f in facts if f.plan_id == plan.id),
            ),
        )
    meta_rows = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "format": FACTS_FORMAT,
        "code_sha256": code_hash(FACTS_CODE),
        "facts_sha256": facts_checksum(facts),
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", list(meta_rows.items()))


def check_facts_db(path: Path, corpus: Corpus) -> list[str]:
    """Why the facts table at ``path`` cannot be served for ``corpus`` (empty: it is intact and fresh).

    Checks, in order: the file opens and passes SQLite's integrity check; its schema is this code's; its rows
    match the checksum recorded at build (an edited or damaged value shows); it was built from these plan texts
    by this extraction code (one reason per plan that changed); and every row's quote is its plan's text at its
    span."""
    if not path.is_file():
        return ["it has not been built"]
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [f"it cannot be opened ({error})"]
    try:
        return _check(connection, corpus)
    except (sqlite3.Error, ValueError, TypeError) as error:
        return [f"it cannot be read ({type(error).__name__}: {error})"]
    finally:
        connection.close()


def _check(connection: sqlite3.Connection, corpus: Corpus) -> list[str]:
    verdict = connection.execute("PRAGMA integrity_check").fetchall()
    if verdict != [("ok",)]:
        return [f"SQLite integrity check failed ({'; '.join(str(row[0]) for row in verdict[:3])})"]
    for table, expected in (("facts", FACT_COLUMNS), ("plans", PLAN_COLUMNS), ("meta", ["key", "value"])):
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        if columns != expected:
            return [f"table {table} does not have this code's schema"]
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FACTS_FORMAT:
        return [f"it has format {meta.get('format')!r}, this code writes {FACTS_FORMAT!r}"]
    connection.row_factory = sqlite3.Row
    facts = [_fact_from_row(row) for row in connection.execute("SELECT * FROM facts ORDER BY rowid")]
    if facts_checksum(facts) != meta.get("facts_sha256"):
        return ["its rows do not match the checksum recorded when it was built (edited or damaged)"]
    recorded = {row["id"]: row["text_sha256"] for row in connection.execute("SELECT id, text_sha256 FROM plans")}
    reasons = stale_reasons(recorded, meta.get("code_sha256", ""), corpus, FACTS_CODE)
    if reasons:
        return reasons
    plans = {plan.id: plan for plan in corpus.plans}
    for fact in facts:
        plan = plans.get(fact.plan_id)
        if plan is None or plan.text[fact.start : fact.end] != fact.quote:
            return [f"fact {fact.id} of plan {fact.plan_id} no longer quotes its plan's text"]
    return []


class FactStore:
    """Read access to a built facts database."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FactsDatabaseMissing(f"Chưa có bảng dữ liệu {path}; hãy chạy 'assistant facts build' trước.")
        self.path = path
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._connection.row_factory = sqlite3.Row

    def facts(
        self,
        province: str | None = None,
        kind: str | None = None,
        indicator: str | None = None,
        year: int | None = None,
        plan_id: str | None = None,
    ) -> list[Fact]:
        """Facts matching every filter given (province compared without diacritics and case)."""
        from assistant.domain.normalize import fold

        clauses, params = [], []
        for column, value in (("kind", kind), ("indicator", indicator), ("year", year), ("plan_id", plan_id)):
            if value is not None:
                clauses.append(f'"{column}" = ?')
                params.append(value)
        sql = "SELECT * FROM facts" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        rows = self._connection.execute(sql + " ORDER BY rowid", params).fetchall()
        facts = [_fact_from_row(row) for row in rows]
        if province:
            wanted = fold(province)
            facts = [f for f in facts if fold(f.province) == wanted]
        return facts

    def plans(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._connection.execute("SELECT * FROM plans ORDER BY rowid")]


def _fact_from_row(row: sqlite3.Row) -> Fact:
    values = {}
    for name in FACT_COLUMNS:
        value = row[name]
        values[name] = json.loads(value) if name in JSON_COLUMNS and value is not None else value
    return Fact(**values)


def export_facts(facts: Iterable[Fact], fmt: str) -> str:
    """CSV (lists joined with '; ', qualifiers as JSON) or JSON (a list of objects)."""
    facts = list(facts)
    if fmt == "json":
        return json.dumps([f.to_dict() for f in facts], ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FACT_COLUMNS)
    for fact in facts:
        row = []
        for name in FACT_COLUMNS:
            value = getattr(fact, name)
            if name in {"lead_units", "coordinating_units"}:
                value = "; ".join(value)
            elif name == "qualifiers":
                value = json.dumps(value, ensure_ascii=False) if value else ""
            row.append("" if value is None else value)
        writer.writerow(row)
    return buffer.getvalue()
