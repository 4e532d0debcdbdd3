"""Start-up benchmark: process start to ``/readyz`` = 200 (the API answers) and to ``/`` = 200 (the chat page).

Usage: PYTHONPATH=. .venv/bin/python bench/bench_startup.py [--runs 10] [--label after]

Each run starts ``assistant serve`` (this checkout's code, with its built index) on a free loopback port as a new
process, polls ``/readyz`` and ``/`` every 20 ms from the moment the process is spawned, and stops the server once
both answered 200 (or after 180 s). Reports the median, min and max of both times over the runs, with the machine's
load average before and after, and writes ``bench/results/startup[-LABEL].json``. Traffic goes only to 127.0.0.1;
every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
POLL_S = 0.02
TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int) -> list[str]:
    """``assistant serve`` run by this interpreter on this checkout's code (what the console script runs)."""
    return [
        sys.executable,
        "-c",
        "from assistant.cli.main import app; app()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def one_start() -> dict[str, float]:
    """Seconds from spawning the server to /readyz = 200 and to / = 200 (the chat page)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "ASSISTANT_LOG_LEVEL": "WARNING",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        server_command(port), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    times: dict[str, float] = {}
    try:
        with httpx.Client(timeout=5) as client:
            deadline = time.monotonic() + TIMEOUT_S
            while len(times) < 2 and time.monotonic() < deadline:
                if process.poll() is not None:
                    raise SystemExit(f"the server exited with {process.returncode} before it was ready")
                for name, path in (("ready_s", "/readyz"), ("page_s", "/")):
                    if name in times:
                        continue
                    try:
                        if client.get(base + path).status_code == 200:
                            times[name] = time.perf_counter() - started
                    except httpx.HTTPError:
                        pass
                time.sleep(POLL_S)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if len(times) < 2:
        raise SystemExit(f"the server was not ready within {TIMEOUT_S:.0f} s ({times})")
    return times


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--label", default="", help="suffix of the results file, e.g. before or after")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs = [one_start() for _ in range(args.runs)]
    report = {
        "runs": args.runs,
        "start_to_ready_s": summary([r["ready_s"] for r in runs]),
        "start_to_page_s": summary([r["page_s"] for r in runs]),
        "each": [{k: round(v, 2) for k, v in r.items()} for r in runs],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = f"startup-{args.label}.json" if args.label else "startup.json"
    (out / name).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))  # noqa: T201 - a benchmark prints its report


if __name__ == "__main__":
    main()
