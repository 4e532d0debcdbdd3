"""The CLI: facts build, export and show, with the index in a temporary folder."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app

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


# -- views: duties, calendar, facts compare, feedback --------------------------------------------------
@pytest.fixture()
def built(index_dir):
    assert runner.invoke(app, ["facts", "build"]).exit_code == 0
    return index_dir


def test_duties_in_every_format(built, tmp_path) -> None:
    result = runner.invoke(app, ["duties", "Sở TTTT", "--province", "Lai Châu"])
    assert result.exit_code == 0, result.output
    assert "Nhiệm vụ của Sở Thông tin và Truyền thông" in result.output and "Chủ trì nhiệm vụ" in result.output
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["duties", "Đài PT-TH tỉnh", "-f", "csv"]).stdout)))
    assert rows and all(r["quote"] for r in rows)
    out = tmp_path / "sheet.docx"
    assert runner.invoke(app, ["duties", "Báo Lai Châu", "-f", "docx", "--out", str(out)]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    assert runner.invoke(app, ["duties", "Báo Lai Châu", "-f", "docx"]).exit_code == 1  # docx needs --out
    unknown = runner.invoke(app, ["duties", "xyz"])
    assert unknown.exit_code == 1 and "Không có đơn vị nào tên 'xyz'" in unknown.output
    assert runner.invoke(app, ["duties", "Sở TTTT", "-p", "Atlantis"]).exit_code == 1


def test_calendar_and_compare(built, tmp_path) -> None:
    from icalendar import Calendar

    out = tmp_path / "lich.ics"
    result = runner.invoke(app, ["calendar", "--province", "Quảng Trị", "--out", str(out)])
    assert result.exit_code == 0, result.output
    parsed = Calendar.from_ical(out.read_bytes())
    assert any("RRULE" in e for e in parsed.walk("VEVENT"))
    assert runner.invoke(app, ["calendar", "--unit", "xyz"]).exit_code == 1
    table = runner.invoke(app, ["facts", "compare", "--indicator", "revenue_growth"])
    assert table.exit_code == 0 and "⚠" in table.output and "Thái Bình" in table.output
    text = runner.invoke(app, ["facts", "compare", "-f", "csv"]).stdout
    assert text.startswith("indicator,") and "xung đột" in text
    assert runner.invoke(app, ["facts", "compare", "--indicator", "nope"]).exit_code == 1


def test_feedback_list_and_export(index_dir) -> None:
    from assistant.feedback.store import FeedbackRecord, FeedbackStore

    assert "Chưa có góp ý nào" in runner.invoke(app, ["feedback", "list"]).output
    FeedbackStore(index_dir / "feedback.sqlite").add(FeedbackRecord(rating="down", question="Hạn?", comment="<i>x</i>"))
    assert "Hạn?" in runner.invoke(app, ["feedback", "list"]).output
    line = json.loads(runner.invoke(app, ["feedback", "export", "--format", "jsonl"]).stdout)
    assert line["id"] == "fb00001" and line["feedback"]["comment"] == "<i>x</i>"
    assert "comment" in runner.invoke(app, ["feedback", "export", "--format", "csv"]).stdout.splitlines()[0]
    assert runner.invoke(app, ["feedback", "export", "--format", "xml"]).exit_code == 1
