"""Overload benchmark of POST /v1/answer on loopback: find the sustainable rate, then offer twice that for 30 s.

Usage: .venv/bin/python bench/bench_overload.py [--measure-seconds 10] [--seconds 30] [--factor 2] [--rate R]

1. Sustainable rate: a closed loop of ``--clients`` clients for ``--measure-seconds`` (or ``--rate`` given).
2. Overload: an open loop at ``--factor`` × that rate for ``--seconds``: requests leave on a fixed schedule
   whatever the server does, and latency counts from the scheduled time (no coordinated omission).

Reports, for the overload phase, the accepted answers (200) with their p50/p95/p99 latency, the refused ones by
status (503 from the bounded answer queue, 429 from a rate limit) with their latency, and anything else as
errors; writes bench/results/overload.json. The server runs with ``ASSISTANT_RATE_LIMIT=0`` so that the shedding
measured is the answer queue's, not one client address's rate limit. The goal (issue 13): accepted p95 ≤ 500 ms
and every other request 429/503, none failing otherwise. Traffic goes only to 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import REPO, free_port, start_server  # noqa: E402

P95_GOAL_MS = 500.0


def closed_loop(url: str, questions: list[dict], clients: int, seconds: float) -> float:
    """Answers per second that ``clients`` back-to-back clients get (the sustainable rate)."""
    done = Counter()
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=30) as session:
            while time.monotonic() < stop_at:
                response = session.post(f"{url}/v1/answer", json=rng.choice(questions))
                with lock:
                    done[response.status_code] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[200] / (time.perf_counter() - started)


def open_loop(url: str, questions: list[dict], rate: float, seconds: float, connections: int) -> list[tuple]:
    """(status, latency ms from the scheduled send time) of every request of a fixed schedule at ``rate``/s."""
    results: list[tuple] = []
    lock = threading.Lock()
    interval = 1.0 / rate
    started = time.perf_counter() + 0.2

    def sender(slot: int) -> None:
        rng = random.Random(slot)
        with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=1)) as session:
            tick = slot
            while (due := started + tick * interval) < started + seconds:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                try:
                    status = session.post(f"{url}/v1/answer", json=rng.choice(questions)).status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                with lock:
                    results.append((status, (time.perf_counter() - due) * 1000))
                tick += connections

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    return {f"p{q}_ms": round(float(np.percentile(values, q)), 1) for q in (50, 95, 99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="closed-loop clients (no more than the queue holds)")
    parser.add_argument("--measure-seconds", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the overload phase")
    parser.add_argument("--factor", type=float, default=2.0, help="overload rate = factor × sustainable rate")
    parser.add_argument("--rate", type=float, default=0.0, help="sustainable rate to use instead of measuring it")
    parser.add_argument("--connections", type=int, default=32, help="client connections of the open loop")
    parser.add_argument("--url", default="", help="an already running server (started with ASSISTANT_RATE_LIMIT=0)")
    args = parser.parse_args()
    questions = [json.loads(line) for line in (REPO / "evals" / "questions.jsonl").read_text().splitlines()]
    questions = [{"question": q["question"], "history": q.get("history") or []} for q in questions]
    process = None
    url = args.url
    if not url:
        os.environ["ASSISTANT_RATE_LIMIT"] = "0"  # measure the answer queue's shedding, not one address's limit
        os.environ.setdefault("ASSISTANT_ANSWER_QUEUE", "")  # empty: the server's default queue
        port = free_port()
        process, _ = start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        for body in questions[:20]:  # warm up
            httpx.post(f"{url}/v1/answer", json=body, timeout=30)
        sustainable = args.rate or closed_loop(url, questions, args.clients, args.measure_seconds)
        offered = args.factor * sustainable
        results = open_loop(url, questions, offered, args.seconds, args.connections)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    statuses = Counter(status for status, _ in results)
    accepted = [ms for status, ms in results if status == 200]
    refused = [ms for status, ms in results if status in (429, 503)]
    others = {str(k): v for k, v in statuses.items() if k not in (200, 429, 503)}
    report = {
        "sustainable_req_per_s": round(sustainable, 1),
        "offered_req_per_s": round(offered, 1),
        "seconds": args.seconds,
        "requests": len(results),
        "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / args.seconds, 1),
        "accepted_latency": percentiles(accepted),
        "refused_503": statuses.get(503, 0),
        "refused_429": statuses.get(429, 0),
        "refused_latency": percentiles(refused),
        "other_statuses": others,
        "goal": f"accepted p95 <= {P95_GOAL_MS:g} ms, the rest 429/503",
    }
    p95 = report["accepted_latency"]["p95_ms"]
    report["goal_met"] = bool(accepted) and p95 is not None and p95 <= P95_GOAL_MS and not others
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "overload.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))  # noqa: T201 - a benchmark prints its report
    sys.exit(0 if report["goal_met"] else 1)


if __name__ == "__main__":
    main()
