"""The Prometheus metrics: requests by route, method and status, their time, the answer latency histogram and the
answers by status, in the text format."""

from __future__ import annotations

from assistant.serving.metrics import LATENCY_BUCKETS, Metrics


def _values(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_requests_and_answers_are_counted() -> None:
    metrics = Metrics()
    metrics.record_request("/v1/answer", "POST", 200, 0.02)
    metrics.record_request("/v1/answer", "POST", 200, 0.03)
    metrics.record_request('/v1/"odd"', "GET", 404, 0.001)
    metrics.record_answer("answered", 0.02)
    metrics.record_answer("answered", 0.3)
    metrics.record_answer("rejected", None)
    text = metrics.render()
    values = _values(text)
    assert values['assistant_http_requests_total{route="/v1/answer",method="POST",status="200"}'] == 2
    assert values['assistant_http_requests_total{route="/v1/\\"odd\\"",method="GET",status="404"}'] == 1
    assert values['assistant_http_request_duration_seconds_sum{route="/v1/answer",method="POST"}'] == 0.05
    assert values['assistant_answer_latency_seconds_bucket{le="0.025"}'] == 1
    assert values['assistant_answer_latency_seconds_bucket{le="0.5"}'] == 2
    assert values['assistant_answer_latency_seconds_bucket{le="+Inf"}'] == 2
    assert values["assistant_answer_latency_seconds_count"] == 2
    assert values['assistant_answers_total{status="rejected"}'] == 1
    assert values['assistant_answers_total{status="error"}'] == 0  # every status is listed, counted or not
    assert (
        len([k for k in values if k.startswith("assistant_answer_latency_seconds_bucket")]) == len(LATENCY_BUCKETS) + 1
    )
    assert "# TYPE assistant_answer_latency_seconds histogram" in text and text.endswith("\n")
