"""Load and soak benchmark of POST /v1/answer on loopback, for a fixed time.

Usage: .venv/bin/python bench/bench_load.py [--clients 8] [--seconds 60] [--rate 30] [--no-query-cache]
                                           [--url http://127.0.0.1:PORT]

Two modes:
- closed loop (default): ``--clients`` clients each send a question, wait for the answer, send the next;
  this finds the most answers per second the server sustains (latency then includes queueing).
- open loop (``--rate R``): questions are sent on a fixed schedule of R per second whatever the server does,
  from up to ``--clients`` connections; latency counts from the scheduled send time, so a slow server cannot
  hide its backlog (no coordinated omission). This answers "p95 at 30 answers/s".

Without --url it starts `assistant serve` (this checkout's code) on a free loopback port (with the built index,
and without the per-client rate limit and with room for every client in the answer queue, unless
ASSISTANT_RATE_LIMIT / ASSISTANT_ANSWER_QUEUE are set), waits until it has started (/readyz, then the chat page,
which is built after the engine), reports the CPU the server used per request, and stops it after.
Questions are a mix of the real eval questions (all three sets, 941). A question asked again reuses its query vector
(the embedder's cache); ``--no-query-cache`` starts the server with ``ASSISTANT_QUERY_CACHE=0``, so every answer
that needs an embedding computes it, as for questions never asked before. Reports req/s, p50/p95/p99 latency and
errors, and writes bench/results/load.json (load-rate-R.json in open loop). Traffic goes only to 127.0.0.1; every
loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
# The console script's entry point; code from before the serving packages (an older commit given to compare with)
# kept it in assistant/cli.py.
SERVE_CODE = "try:\n from assistant.cli.main import app\nexcept ImportError:\n from assistant.cli import app\napp()"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, query_cache: bool = True) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    # `assistant serve` run by this interpreter on this checkout's code (what the console script runs).
    command = [sys.executable, "-c", SERVE_CODE, "serve"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # One client address sends everything: the per-client rate limit is off, and the answer queue holds every
        # client, unless the caller sets them (bench_overload.py measures the default queue).
        env={"ASSISTANT_RATE_LIMIT": "0", "ASSISTANT_ANSWER_QUEUE": "64", **os.environ}
        | {"ASSISTANT_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        | ({} if query_cache else {"ASSISTANT_QUERY_CACHE": "0"}),
    )
    # Ready: /readyz 200 (the engine), then / 200 (the chat page, built after the engine): the load starts on a
    # server that has finished starting.
    deadline = time.monotonic() + 180
    pending = [f"http://127.0.0.1:{port}/readyz", f"http://127.0.0.1:{port}/"]
    ready_s = None
    while pending and time.monotonic() < deadline:
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                ready_s = ready_s or time.perf_counter() - started
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if pending:
        process.terminate()
        raise SystemExit("the server did not become ready within 180 s")
    return process, ready_s


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process ``pid`` has used so far, from /proc; None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second (0: closed loop)")
    parser.add_argument("--no-query-cache", action="store_true", help="embed every question, even a repeated one")
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    questions = [
        json.loads(line)
        for name in ("questions.jsonl", "questions_independent.jsonl", "questions_blind.jsonl")
        for line in (REPO / "evals" / name).read_text().splitlines()
        if line.strip()
    ]
    questions = [{"question": q["question"], "history": q.get("history") or []} for q in questions]
    process, ready_s = None, None
    url = args.url
    if not url:
        port = free_port()
        process, ready_s = start_server(port, query_cache=not args.no_query_cache)
        url = f"http://127.0.0.1:{port}"
    first = time.perf_counter()
    httpx.post(f"{url}/v1/answer", json=questions[0], timeout=30)
    first_answer_s = time.perf_counter() - first
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def scheduled(slot: int) -> None:
        """Open loop: client ``slot`` takes every ``clients``-th tick of the schedule and sends at that time."""
        rng = random.Random(slot)
        interval = 1.0 / args.rate
        with httpx.Client(timeout=30) as session:
            tick = slot
            while True:
                due = started + tick * interval
                if due >= started + args.seconds:
                    return
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                body = rng.choice(questions)
                try:
                    response = session.post(f"{url}/v1/answer", json=body)
                    ok, detail = response.status_code == 200, f"HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    ok, detail = False, type(error).__name__
                elapsed = (time.perf_counter() - due) * 1000  # from the scheduled time, queueing included
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)
                tick += args.clients

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=30) as session:
            while time.monotonic() < stop_at:
                body = rng.choice(questions)
                t0 = time.perf_counter()
                try:
                    response = session.post(f"{url}/v1/answer", json=body)
                    ok = response.status_code == 200
                    detail = f"HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    ok, detail = False, type(error).__name__
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)

    cpu_before = cpu_seconds(process.pid) if process is not None else None
    started = time.perf_counter() + 0.1
    target = scheduled if args.rate > 0 else client
    threads = [threading.Thread(target=target, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = cpu_seconds(process.pid) if process is not None else None
    server_cpu_ms = (
        round(1000 * (cpu_after - cpu_before) / max(1, len(latencies)), 2)
        if cpu_before is not None and cpu_after is not None
        else None
    )
    if process is not None:
        process.terminate()
        process.wait(timeout=20)
    report = {
        "mode": f"open loop, {args.rate:g} req/s scheduled" if args.rate > 0 else "closed loop",
        "query_cache": None if args.url else not args.no_query_cache,
        "clients": args.clients,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / wall, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p95_ms": round(float(np.percentile(latencies, 95)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "server_cpu_ms_per_request": server_cpu_ms,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "server_ready_s": None if ready_s is None else round(ready_s, 1),
        "first_answer_s": round(first_answer_s, 2),
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / (f"load-rate-{args.rate:g}.json" if args.rate > 0 else "load.json")).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))  # noqa: T201 - a benchmark prints its report
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
