"""The web page (Gradio), in Vietnamese: a header with the engine's status, then one tab each for the chat (cited,
verified answers), the facts table, the plans' texts, the duty sheets, the deadline calendar and the target
comparison (:mod:`assistant.serving.tabs`, one function per tab).

:func:`build_ui` assembles the page; :func:`mount_ui` puts it on the server's app.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.config import Settings, load_settings
from assistant.errors import AssistantError
from assistant.facts.store import FactStore
from assistant.ingest.corpus import PlanMeta, load_manifest
from assistant.serving.style import CSS, theme
from assistant.serving.tabs.calendar import calendar_tab
from assistant.serving.tabs.chat import chat_tab
from assistant.serving.tabs.common import TabLoad, esc
from assistant.serving.tabs.duties import duties_tab
from assistant.serving.tabs.facts import facts_tab
from assistant.serving.tabs.plans import plans_tab
from assistant.serving.tabs.targets import targets_tab
from assistant.views.registry import Views, views_for

if TYPE_CHECKING:
    import fastapi

    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)

PAGE_TITLE = "Trợ lý kế hoạch chuyển đổi số báo chí"
# Gradio's queue looks for work every 1 ms and for progress every 10 ms, even when idle: a thousand wake-ups a
# second of the server's event loop, each taking the interpreter lock from the answers (5% of a core when idle).
# Every 10 ms (and progress, which the page does not show, every 100 ms) costs a page event at most 10 ms.
QUEUE_POLL_S = 0.01
PROGRESS_POLL_S = 0.1


def mount_ui(
    app: fastapi.FastAPI,
    get_engine: Callable[[], AnswerEngine],
    settings: Settings | None = None,
    path: str = "/",
    auth_dependency: Callable[[fastapi.Request], str | None] | None = None,
) -> fastapi.FastAPI:
    """Mount the page on ``app`` at ``path`` with its theme and CSS (what ``gradio.mount_gradio_app`` needs).

    ``auth_dependency`` (the server's door when API keys are set) tells Gradio who is logged in; the page takes no
    uploads (the server closes Gradio's upload routes; ``max_file_size`` is the smallest Gradio accepts anyway)."""
    return gr.mount_gradio_app(
        app,
        build_ui(get_engine, settings),
        path=path,
        theme=theme(),
        css=CSS,
        footer_links=[],
        ssr_mode=False,
        auth_dependency=auth_dependency,
        max_file_size=1,
        run_history=False,
    )


def status_html(state: str, text: str) -> str:
    """The header's status pill: ``loading``, ``ready`` or ``error``."""
    return f'<span class="status-pill {state}" role="status"><span class="dot"></span>{esc(text)}</span>'


def header_html(provinces: list[str]) -> str:
    covered = ", ".join(provinces) if provinces else "các tỉnh trong kho văn bản"
    return (
        f'<div class="app-title"><h1>{esc(PAGE_TITLE)}</h1>'
        "<p>Hỏi đáp có trích dẫn nguồn về kế hoạch triển khai Chiến lược chuyển đổi số báo chí "
        f"(Quyết định 348/QĐ-TTg) của {esc(covered)}.</p></div>"
    )


def read_manifest(settings: Settings) -> list[PlanMeta]:
    """The plans the header names before the engine is loaded: the manifest, with each plan's province and number
    as read from its own text (the built facts table holds what was read)."""
    try:
        metas = load_manifest(settings.corpus_dir)
    except AssistantError as error:
        log.warning("Manifest unavailable for the page header: %s", error)
        return []
    try:
        built = {row["id"]: row for row in FactStore(settings.facts_db).plans()}
    except (AssistantError, sqlite3.Error) as error:
        log.warning("Facts table unavailable for the page header: %s", error)
        built = {}
    return [
        replace(
            meta,
            province=meta.province or (built.get(meta.id) or {}).get("province") or "",
            plan_number=meta.plan_number or (built.get(meta.id) or {}).get("plan_number") or "",
        )
        for meta in metas
    ]


def _header(provinces: list[str]) -> gr.HTML:
    """The page's header row; returns its status pill."""
    with gr.Row(elem_id="app-header", equal_height=False):
        # The <style> travels with the page, so it applies however the page is mounted.
        gr.HTML(
            f"<style>{CSS}</style>" + header_html(provinces), elem_id="app-title", scale=1, min_width=280, padding=False
        )
        return gr.HTML(
            status_html("loading", "Đang nạp dữ liệu và mô hình…"),
            elem_id="app-status",
            scale=0,
            min_width=230,
            padding=False,
        )


def _fill_on_open(demo: gr.Blocks, engine: Callable[[], AnswerEngine], status: gr.HTML, tabs: list[TabLoad]) -> None:
    """When the page opens: wait for the engine, say so in the status pill, and let each tab fill itself."""
    keep = tuple(gr.update() for tab in tabs for _ in tab.outputs)

    def on_load() -> tuple:
        try:
            loaded = engine()
        except AssistantError as error:
            log.error("Engine failed to load: %s", error)
            return (status_html("error", f"Chưa sẵn sàng: {error}"), *keep)
        except Exception:
            log.exception("Engine failed to load")
            return (status_html("error", "Không khởi động được trợ lý; hãy xem nhật ký máy chủ."), *keep)
        ready = status_html("ready", f"Sẵn sàng · {len(loaded.corpus.plans)} kế hoạch · {len(loaded.facts)} dữ kiện")
        return (ready, *(update for tab in tabs for update in tab.fill(loaded)))

    event: Any = demo.load(on_load, outputs=[status, *(o for tab in tabs for o in tab.outputs)], show_progress="hidden")
    for tab in tabs:
        if tab.then is not None:
            function, inputs, outputs = tab.then
            event = event.then(function, inputs=inputs, outputs=outputs)


def build_ui(get_engine: Callable[[], AnswerEngine], settings: Settings | None = None) -> gr.Blocks:
    """The Gradio page; ``get_engine`` may block while the engine loads the first time (the page shows that)."""
    settings = settings or load_settings()
    metas = read_manifest(settings)
    provinces = [m.province for m in metas]
    answered = threading.Event()  # set once the engine has been got: later answers do not wait for it to load
    csv_dir = Path(tempfile.mkdtemp(prefix="assistant-csv-"))
    views_dir = Path(tempfile.mkdtemp(prefix="assistant-views-"))  # downloads of the view tabs and the chat export

    def engine() -> AnswerEngine:
        loaded = get_engine()
        answered.set()
        return loaded

    def views() -> Views:
        loaded = engine()
        return views_for(loaded.facts, loaded.corpus.plans)

    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False) as demo:
        status = _header(provinces)
        with gr.Tabs(elem_id="app-tabs", overflow_behavior="wrap"):
            tabs = [
                chat_tab(engine, answered.is_set, provinces, settings, views_dir),
                facts_tab(engine, provinces, csv_dir),
                plans_tab(engine, metas),
            ]
            duties_tab(views, provinces, views_dir)
            calendar_tab(views, provinces, views_dir)
            targets_tab(views, provinces, views_dir)
        _fill_on_open(demo, engine, status, tabs)
    # Gradio's queue is bounded like the engine's: beyond it a page call is refused instead of waiting for minutes.
    demo.queue(max_size=settings.queue_limit + settings.answer_workers)
    _poll_calmly(demo)
    return demo


def _poll_calmly(demo: gr.Blocks) -> None:
    """Let Gradio's queue look for work every :data:`QUEUE_POLL_S` instead of every millisecond (see above)."""
    queue = getattr(demo, "_queue", None)
    if queue is None or not hasattr(queue, "sleep_when_free") or not hasattr(queue, "progress_update_sleep_when_free"):
        log.warning("Gradio's queue has no polling intervals to set; it polls at its own rate")
        return
    queue.sleep_when_free = QUEUE_POLL_S
    queue.progress_update_sleep_when_free = PROGRESS_POLL_S
