"""The page assembled without a browser: every tab and the ids the browser test drives, the page filled when it
opens (the status, then each tab's own outputs in order), an engine that failed, and Gradio's calmer queue."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.config import load_settings
from assistant.errors import AssistantError
from assistant.serving import ui

TABS = ["Hỏi đáp", "Bảng dữ liệu", "Văn bản kế hoạch", "Nhiệm vụ theo đơn vị", "Lịch hạn", "So sánh chỉ tiêu"]
IDS = {
    "app-status",
    "app-tabs",
    "chat-window",
    "question-box",
    "send-btn",
    "province-filter",
    "clear-btn",
    "feedback-note",
    "feedback-comment",
    "feedback-send",
    "export-docx",
    "export-md",
    "facts-table",
    "csv-btn",
    "plan-meta",
    "plan-text",
    "duty-unit",
    "duty-province",
    "duty-sheet",
    "duty-docx",
    "duty-csv",
    "cal-view",
    "cal-province",
    "cal-day",
    "cal-ics",
    "tgt-matrix",
    "tgt-indicator",
    "tgt-chart",
    "tgt-csv",
}


def _fn(demo: Any, name: str) -> Any:
    return next(block for block in demo.fns.values() if block.name == name)


@pytest.fixture(scope="module")
def page(engine):
    return ui.build_ui(lambda: engine, load_settings())


def test_every_tab_and_id_the_browser_uses(page) -> None:
    config = page.get_config_file()
    props = [c.get("props", {}) for c in config["components"]]
    assert {p.get("elem_id") for p in props} >= IDS
    assert [p["label"] for c, p in zip(config["components"], props, strict=True) if c["type"] == "tabitem"] == TABS
    assert any(fn["api_name"] == "respond" for fn in config["dependencies"])  # scripts call /gradio_api/call/respond


def test_the_page_fills_itself_when_it_opens(page, engine) -> None:
    load = _fn(page, "on_load")
    updates = load.fn()
    assert len(updates) == len(load.outputs) == 8
    status, chat_provinces, facts_provinces, years, table, count, csv_button, plan = updates
    assert f"Sẵn sàng · {len(engine.corpus.plans)} kế hoạch · {len(engine.facts)} dữ kiện" in status
    names = [p.province for p in engine.corpus.plans]
    assert chat_provinces["choices"] == facts_provinces["choices"] == ["Tất cả các tỉnh", *names]
    assert years["choices"][0] == "Tất cả các năm" and "2025" in years["choices"]
    assert "<b>" in count and csv_button["value"].endswith(".csv")
    assert plan["value"] == engine.corpus.plans[0].id


def test_an_engine_that_failed_says_so() -> None:
    def failed():
        raise AssistantError("Không tìm thấy tệp manifest.toml; hãy tạo tệp mô tả các kế hoạch.")

    demo = ui.build_ui(failed, load_settings())
    status, *kept = _fn(demo, "on_load").fn()
    assert "Chưa sẵn sàng: Không tìm thấy tệp manifest.toml" in status and "error" in status
    assert all(update == {"__type__": "update"} for update in kept)


def test_the_queue_polls_calmly(page) -> None:
    assert page._queue.sleep_when_free == ui.QUEUE_POLL_S
    assert page._queue.progress_update_sleep_when_free == ui.PROGRESS_POLL_S
