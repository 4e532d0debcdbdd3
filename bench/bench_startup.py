"""Start-up benchmark: process start to ``/readyz`` = 200 (the API answers) and to ``/`` = 200 (the chat page).

Usage: .venv/bin/python bench/bench_startup.py [--runs 10] [--label after] [--code DIR --code DIR2]

Each run starts ``assistant serve`` (this checkout's code, with its built index) on a free loopback port as a new
process, polls from the moment the process is spawned, every 50 ms, whichever of ``/readyz`` and ``/`` has not
answered 200 yet (one request a tick, alternating while both are pending, so polling takes little of the CPU it
measures), and stops the server once both have (or after 180 s). Reports the median, min and max of both times over
the runs, with the machine's load average before and after, and writes ``bench/results/startup[-LABEL].json``.
``--code`` runs another copy of the code instead (e.g. an older commit unpacked with ``git archive``, with its own
built index: run ``assistant index build`` there first); given twice or more, the runs alternate between them, so
that a machine busy with other work weighs on each alike. Traffic goes only to 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import REPO, SERVE_CODE, free_port  # noqa: E402

POLL_S = 0.05
TIMEOUT_S = 180.0


def server_command(port: int) -> list[str]:
    """``assistant serve`` run by this interpreter on this checkout's code (what the console script runs)."""
    return [
        sys.executable,
        "-c",
        SERVE_CODE,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def one_start(code: Path) -> dict[str, float]:
    """Seconds from spawning the server of ``code`` to /readyz = 200 and to / = 200 (the chat page)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(code) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "ASSISTANT_INDEX_DIR": os.environ.get("ASSISTANT_INDEX_DIR", str(code / "index")),
        "ASSISTANT_CORPUS_DIR": os.environ.get("ASSISTANT_CORPUS_DIR", str(code / "corpus")),
        "ASSISTANT_LOG_LEVEL": "WARNING",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        server_command(port), cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    times: dict[str, float] = {}
    pending = [("ready_s", "/readyz"), ("page_s", "/")]
    tick = 0
    try:
        with httpx.Client(timeout=5) as client:
            deadline = time.monotonic() + TIMEOUT_S
            while pending and time.monotonic() < deadline:
                if process.poll() is not None:
                    raise SystemExit(f"the server exited with {process.returncode} before it was ready")
                name, path = pending[tick % len(pending)]
                tick += 1
                try:
                    if client.get(base + path).status_code == 200:
                        times[name] = time.perf_counter() - started
                        pending.remove((name, path))
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
    if pending:
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
    parser.add_argument("--runs", type=int, default=10, help="starts of each code")
    parser.add_argument("--label", default="", help="suffix of the results file, e.g. before or after")
    parser.add_argument("--code", type=Path, action="append", help="folder of the code to start (default: this one)")
    args = parser.parse_args()
    codes = [path.resolve() for path in args.code or [REPO]]
    load_before = os.getloadavg()
    runs: dict[Path, list[dict[str, float]]] = {code: [] for code in codes}
    for _ in range(args.runs):
        for code in codes:
            runs[code].append(one_start(code))
    report = {
        "runs": args.runs,
        "poll_s": POLL_S,
        "codes": {
            str(code): {
                "start_to_ready_s": summary([r["ready_s"] for r in each]),
                "start_to_page_s": summary([r["page_s"] for r in each]),
                "each": [{k: round(v, 2) for k, v in r.items()} for r in each],
            }
            for code, each in runs.items()
        },
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
