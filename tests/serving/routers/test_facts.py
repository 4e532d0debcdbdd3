"""GET /v1/facts: every filter, CSV, and invalid filters answered in one Vietnamese sentence."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.serving.conftest import (
    assert_error,
)


def test_facts_filters(client: TestClient, engine) -> None:
    every = client.get("/v1/facts").json()
    assert len(every) == len(engine.facts)
    folded = client.get("/v1/facts", params={"province": "lai chau", "kind": "target", "year": 2025}).json()
    accented = client.get("/v1/facts", params={"province": "Lai Châu", "kind": "target", "year": 2025}).json()
    assert folded == accented and folded
    assert all(f["province"] == "Lai Châu" and f["kind"] == "target" and f["year"] == 2025 for f in folded)
    revenue = client.get("/v1/facts", params={"indicator": "revenue_growth", "plan_id": "thai-binh"}).json()
    assert revenue and {f["indicator"] for f in revenue} == {"revenue_growth"}
    assert client.get("/v1/facts", params={"province": "Hà Nội"}).json() == []


def test_facts_csv(client: TestClient) -> None:
    response = client.get("/v1/facts", params={"kind": "task", "province": "Lai Châu", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("id,plan_id,province,kind") and len(lines) > 2 and "lai-chau:task:" in lines[1]


def test_facts_invalid_filters(client: TestClient) -> None:
    for params in ({"kind": "bogus"}, {"year": "abc"}, {"year": 1200}, {"format": "xml"}):
        assert_error(client.get("/v1/facts", params=params), 422, "validation_error")
    error = assert_error(client.get("/v1/facts", params={"indicator": "no_such"}), 422, "validation_error")
    assert "revenue_growth" in error["message"]
    assert client.get("/v1/facts", params={"plan_id": "no-such"}).json() == []
