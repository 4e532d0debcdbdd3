"""The server's Prometheus metrics: HTTP requests by route, method and status, answer latency, answers by status.

Rendered in the Prometheus text format (version 0.0.4) at ``GET /metrics``; updated by
:class:`~assistant.serving.middleware.RequestContextMiddleware` (requests) and
:meth:`~assistant.serving.state.ApiState.answer` (answers).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Counters and histograms rendered in the Prometheus text format (version 0.0.4)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.request_seconds: dict[tuple[str, str], list[float]] = {}
        self.answers: Counter[str] = Counter()
        self.latency_buckets = [0] * len(LATENCY_BUCKETS)
        self.latency_sum = 0.0
        self.latency_count = 0

    def record_request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            total = self.request_seconds.setdefault((route, method), [0.0, 0])
            total[0] += seconds
            total[1] += 1

    def record_answer(self, status: str, seconds: float | None) -> None:
        with self._lock:
            self.answers[status] += 1
            if seconds is None:
                return
            self.latency_sum += seconds
            self.latency_count += 1
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    self.latency_buckets[i] += 1

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP assistant_http_requests_total HTTP requests by route template, method and status.",
                "# TYPE assistant_http_requests_total counter",
            ]
            for (route, method, status), n in sorted(self.requests.items()):
                lines.append(
                    f'assistant_http_requests_total{{route="{_label(route)}",method="{method}",status="{status}"}} {n}'
                )
            lines += [
                "# HELP assistant_http_request_duration_seconds Time to handle HTTP requests.",
                "# TYPE assistant_http_request_duration_seconds summary",
            ]
            for (route, method), (total, count) in sorted(self.request_seconds.items()):
                labels = f'route="{_label(route)}",method="{method}"'
                lines.append(f"assistant_http_request_duration_seconds_sum{{{labels}}} {total:.6f}")
                lines.append(f"assistant_http_request_duration_seconds_count{{{labels}}} {int(count)}")
            lines += [
                "# HELP assistant_answer_latency_seconds Time the engine took to answer a question.",
                "# TYPE assistant_answer_latency_seconds histogram",
            ]
            for bound, n in zip(LATENCY_BUCKETS, self.latency_buckets, strict=True):
                lines.append(f'assistant_answer_latency_seconds_bucket{{le="{bound}"}} {n}')
            lines.append(f'assistant_answer_latency_seconds_bucket{{le="+Inf"}} {self.latency_count}')
            lines.append(f"assistant_answer_latency_seconds_sum {self.latency_sum:.6f}")
            lines.append(f"assistant_answer_latency_seconds_count {self.latency_count}")
            lines += [
                "# HELP assistant_answers_total Questions handled, by answer status (rejected: invalid question).",
                "# TYPE assistant_answers_total counter",
            ]
            for status in sorted({"answered", "not_found", "rejected", "error", *self.answers}):
                lines.append(f'assistant_answers_total{{status="{_label(status)}"}} {self.answers[status]}')
            lines += [
                "# HELP assistant_start_time_seconds Unix time the API was created.",
                "# TYPE assistant_start_time_seconds gauge",
                f"assistant_start_time_seconds {self.started:.3f}",
            ]
        return "\n".join(lines) + "\n"
