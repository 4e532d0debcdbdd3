"""The view routes over hand-built facts: formats, filters, unknown unit and province, bad dates, the door."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from docx import Document
from fastapi.testclient import TestClient
from icalendar import Calendar

from assistant.config import ApiConfig, load_settings
from assistant.serving.server import create_app
from tests.views.facts import PLANS, facts

OPEN = ApiConfig(rate_limit=0)
KEY = "khoa-thu-views"


def fake_engine():
    """What the view routes read of an engine: its facts and its corpus's plans."""
    return SimpleNamespace(facts=facts(), corpus=SimpleNamespace(plans=PLANS, errors={}), notes=[])


def _app(tmp_path, config: ApiConfig = OPEN):
    settings = replace(load_settings(), index_dir=tmp_path)
    return create_app(settings, engine=fake_engine(), config=config, ui=False, self_test=False)


@pytest.fixture()
def client(tmp_path):
    with TestClient(_app(tmp_path)) as test_client:
        yield test_client


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["message"].endswith(".") and "Traceback" not in response.text
    return body["message"]


def test_units_and_a_duty_sheet_as_json(client: TestClient) -> None:
    units = client.get("/v1/units").json()["units"]
    assert {"name": "Báo Nghệ An", "group": False, "provinces": ["Nghệ An"], "items": 4} in units
    assert [u["name"] for u in client.get("/v1/units", params={"province": "phu yen"}).json()["units"]] == [
        "Báo Phú Yên",
        "Sở Tài chính",
        "Ủy ban nhân dân tỉnh",
    ]
    body = client.get(f"/v1/units/{quote('Sở TTTT')}/duties").json()
    assert body["unit"] == "Sở Thông tin và Truyền thông" and body["counts"]["lead"] == 3
    for item in body["items"]:
        assert set(item["source"]) == {"plan_id", "province", "section", "start", "end", "quote"}
        assert item["time_frame"]
    one = client.get(f"/v1/units/{quote('Sở Tài chính')}/duties", params={"province": "Phú Yên"}).json()
    assert [i["plan_id"] for i in one["items"]] == ["phu-yen"]


def test_duty_sheet_downloads(client: TestClient) -> None:
    path = f"/v1/units/{quote('Báo Nghệ An')}/duties"
    docx = client.get(path, params={"format": "docx"})
    assert docx.status_code == 200 and docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="nhiem-vu-bao-nghe-an.docx"' in docx.headers["content-disposition"]
    document = Document(io.BytesIO(docx.content))
    assert document.paragraphs[0].text == "NHIỆM VỤ CỦA BÁO NGHỆ AN" and len(document.tables) == 1
    rows = list(csv.DictReader(io.StringIO(client.get(path, params={"format": "csv"}).text)))
    assert len(rows) == 4 and all(r["quote"] for r in rows)
    assert client.get(path, params={"format": "md"}).text.startswith("# Nhiệm vụ của Báo Nghệ An")
    _error(client.get(path, params={"format": "pdf"}), 422, "validation_error")


def test_unknown_unit_404_unknown_province_422_empty_views_200(client: TestClient) -> None:
    message = _error(client.get("/v1/units/xyz/duties"), 404, "unknown_unit")
    assert message.startswith("Không có đơn vị nào tên 'xyz'")
    _error(client.get(f"/v1/units/{quote('Sở TTTT')}/duties", params={"province": "Atlantis"}), 422, "unknown_province")
    _error(client.get("/v1/units", params={"province": "Atlantis"}), 422, "unknown_province")
    _error(client.get("/v1/calendar.ics", params={"unit": "xyz"}), 404, "unknown_unit")
    empty = client.get(f"/v1/units/{quote('Công an tỉnh')}/duties").json()
    assert empty["items"] == [] and empty["message"]
    none = client.get("/v1/calendar", params={"province": "Hà Nội"}).json()
    assert none["dated"] == none["undated"] == [] and none["message"]
    matrix = client.get("/v1/targets/matrix", params={"indicator": "staff_training"}).json()
    assert matrix["cells"] == [] and matrix["message"].startswith("Không có chỉ tiêu")


def test_calendar_json_ics_and_bad_dates(client: TestClient) -> None:
    body = client.get("/v1/calendar", params={"today": "2024-10-01"}).json()
    assert [u["date"] for u in body["upcoming"]] == ["2024-11-20", "2025-12-31"]
    assert {i["when"] for i in body["undated"]} == {"Thường xuyên", "Khi có yêu cầu", "Trước ngày 15/12"}
    for bad in ("2024-13-01", "2024-02-30", "01/10/2024", "hôm nay"):
        assert "YYYY-MM-DD" in _error(client.get("/v1/calendar", params={"today": bad}), 422, "invalid_date")
    ics = client.get("/v1/calendar.ics", params={"province": "Nghệ An", "unit": "Báo Nghệ An"})
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    parsed = Calendar.from_ical(ics.content)
    assert {str(e["UID"]).split("@")[0] for e in parsed.walk("VEVENT")} == {
        "nghe-an:task:4",
        "nghe-an:task:5",
        "nghe-an:reporting_deadline:3",
    }


def test_targets_matrix_json_and_csv(client: TestClient) -> None:
    body = client.get("/v1/targets/matrix", params={"province": "Phú Yên"}).json()
    conflict = next(c for c in body["cells"] if c["conflict"])
    assert [v["value"] for v in conflict["values"]] == [40.0, 45.0]
    assert all(v["source"]["quote"] for v in conflict["values"])
    text = client.get("/v1/targets/matrix", params={"format": "csv"}).text
    assert text.splitlines()[0].startswith("indicator,indicator_label,province,year,value")
    _error(client.get("/v1/targets/matrix", params={"indicator": "nope"}), 422, "validation_error")
    _error(client.get("/v1/targets/matrix", params={"year": "abc"}), 422, "validation_error")


def test_other_methods_get_405(client: TestClient) -> None:
    response = client.post("/v1/units")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert client.get("/v1/feedback").headers["allow"] == "POST"


def test_with_keys_every_new_route_needs_one(tmp_path) -> None:
    with TestClient(_app(tmp_path, ApiConfig(rate_limit=0, api_keys=frozenset({KEY})))) as locked:
        paths = [
            "/v1/units",
            f"/v1/units/{quote('Sở TTTT')}/duties",
            "/v1/calendar",
            "/v1/calendar.ics",
            "/v1/targets/matrix",
        ]
        for path in paths:
            _error(locked.get(path), 401, "missing_api_key")
            assert locked.get(path, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        _error(locked.post("/v1/feedback", json={"rating": "up", "question": "q"}), 401, "missing_api_key")
        ok = locked.post(
            "/v1/feedback", json={"rating": "up", "question": "q"}, headers={"Authorization": f"Bearer {KEY}"}
        )
        assert ok.status_code == 201
