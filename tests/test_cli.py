"""The CLI: facts build, export and show, with the index in a temporary folder."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


@pytest.fixture()
def index_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path))
    return tmp_path


def test_export_before_build_says_what_to_do(index_dir) -> None:
    result = runner.invoke(app, ["facts", "export", "--format", "csv"])
    assert result.exit_code == 1
    assert "assistant facts build" in result.output


def test_build_then_export_csv_and_json(index_dir) -> None:
    result = runner.invoke(app, ["facts", "build"])
    assert result.exit_code == 0, result.output
    assert (index_dir / "facts.sqlite").is_file()
    result = runner.invoke(app, ["facts", "export", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    kinds = {row["kind"] for row in rows}
    assert {"target", "task", "reporting_deadline", "responsibility", "funding", "legal_basis"} <= kinds
    lai_chau_tasks = [r for r in rows if r["plan_id"] == "lai-chau" and r["kind"] == "task"]
    assert "5.1" in {r["number"] for r in lai_chau_tasks}
    result = runner.invoke(app, ["facts", "export", "--format", "json", "--province", "Thái Bình", "--kind", "target"])
    data = json.loads(result.stdout)
    assert data and all(d["province"] == "Thái Bình" for d in data)


def test_show_filters_by_province_without_diacritics(index_dir) -> None:
    runner.invoke(app, ["facts", "build"])
    result = runner.invoke(app, ["facts", "show", "--province", "lai chau", "--kind", "task"])
    assert result.exit_code == 0
    assert "Cục Báo chí" in result.output
    assert "Quảng Trị" not in result.output


def test_unknown_format_is_a_clear_error(index_dir) -> None:
    result = runner.invoke(app, ["facts", "export", "--format", "xml"])
    assert result.exit_code == 1
    assert "--format csv" in result.output


@pytest.mark.parametrize("variable", ["ASSISTANT_ANSWER_WORKERS", "ASSISTANT_CHROMA_PORT"])
def test_unusable_setting_is_one_clear_sentence(index_dir, monkeypatch, variable) -> None:
    monkeypatch.setenv(variable, "zero")
    result = runner.invoke(app, ["corpus", "status"])
    assert result.exit_code == 1
    assert variable in result.output and "số nguyên" in result.output
    assert "Traceback" not in result.output
