"""Benchmark of the views officials act on, over the whole corpus: duty sheets, calendar, target matrix, feedback.

Usage: .venv/bin/python bench/bench_views.py [--runs 20]
Reads the built facts table (run `assistant index build` first); no model, no index. Each view is timed as a
function and as its HTTP route (in process, through the whole middleware stack); the budget is 200 ms. The
first build of the views (done once per loaded facts table, on first use) is timed apart. Results go to
bench/results/views.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
BUDGET_MS = 200.0


def timed(fn, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(samples), 2), "max_ms": round(max(samples), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="repetitions of each measurement")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from assistant.config import ApiConfig, load_settings
    from assistant.facts.store import FactStore
    from assistant.feedback.store import FeedbackRecord, FeedbackStore
    from assistant.serving.server import create_app
    from assistant.views.duty_formats import sheet_csv, sheet_docx, sheet_markdown
    from assistant.views.ics import to_ics
    from assistant.views.registry import Views, views_for
    from assistant.views.target_matrix import matrix_csv

    settings = load_settings()
    store = FactStore(settings.facts_db)
    facts, plans = store.facts(), store.plans()
    report: dict[str, object] = {"facts": len(facts), "plans": len(plans), "budget_ms": BUDGET_MS}

    started = time.perf_counter()
    Views(facts, plans).warm()
    report["first_build_ms"] = round((time.perf_counter() - started) * 1000, 2)
    views = views_for(facts, plans)
    units = [u["name"] for u in views.units()]
    biggest = max(units, key=lambda u: len(views.sheet(u).items))
    functions = {
        "units": lambda: views.units(),
        "duty_sheet (largest: " + biggest + ")": lambda: views.sheet(biggest),
        "duty_sheet, every unit": lambda: [views.sheet(u) for u in units],
        "duty_sheet .docx": lambda: sheet_docx(views.sheet(biggest)),
        "duty_sheet .csv + .md": lambda: (sheet_csv(views.sheet(biggest)), sheet_markdown(views.sheet(biggest))),
        "calendar": lambda: views.calendar(),
        "calendar .ics": lambda: to_ics(views.calendar()),
        "calendar of a unit": lambda: views.calendar(unit=biggest),
        "target matrix": lambda: views.matrix(),
        "target matrix .csv": lambda: matrix_csv(views.matrix()),
    }
    report["functions"] = {name: timed(fn, args.runs) for name, fn in functions.items()}

    folder = Path(tempfile.mkdtemp(prefix="bench-views-"))
    engine = SimpleNamespace(facts=facts, corpus=SimpleNamespace(plans=plans, errors={}), notes=[])
    app = create_app(
        replace(settings, feedback_path=folder / "feedback.sqlite"),
        engine=engine,
        config=ApiConfig(rate_limit=0),
        ui=False,
        self_test=False,
    )
    unit_path = f"/v1/units/{quote(biggest)}/duties"
    routes = {
        "GET /v1/units": "/v1/units",
        "GET /v1/units/{unit}/duties": unit_path,
        "GET /v1/units/{unit}/duties?format=docx": unit_path + "?format=docx",
        "GET /v1/calendar": "/v1/calendar",
        "GET /v1/calendar.ics": "/v1/calendar.ics",
        "GET /v1/targets/matrix": "/v1/targets/matrix",
        "GET /v1/targets/matrix?format=csv": "/v1/targets/matrix?format=csv",
    }
    with TestClient(app) as client:
        report["routes"] = {}
        for name, path in routes.items():
            assert client.get(path).status_code == 200, path
            report["routes"][name] = timed(lambda p=path: client.get(p), args.runs)
        body = {"rating": "down", "question": "Hạn báo cáo?", "answer": "…", "comment": "thiếu nguồn"}
        report["routes"]["POST /v1/feedback"] = timed(lambda: client.post("/v1/feedback", json=body), args.runs)
    feedback = FeedbackStore(folder / "feedback.sqlite")
    report["feedback_add"] = timed(lambda: feedback.add(FeedbackRecord(rating="up", question="q")), args.runs)

    over = [n for part in ("functions", "routes") for n, t in report[part].items() if t["max_ms"] > BUDGET_MS]
    report["over_budget"] = over
    out = REPO / "bench" / "results" / "views.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))  # noqa: T201 - a benchmark prints its report


if __name__ == "__main__":
    main()
