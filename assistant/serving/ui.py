"""The web page (Gradio): cited, verified chat answers, the facts table and the plans' texts, in Vietnamese."""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from assistant.config import Settings, load_settings
from assistant.domain.indicators import BY_CODE
from assistant.errors import AssistantError
from assistant.facts.store import FactStore, export_facts
from assistant.ingest.corpus import Plan, PlanMeta, load_manifest
from assistant.schema import Answer, Citation
from assistant.serving.tabs.calendar import calendar_tab
from assistant.serving.tabs.chat_tools import answer_record, chat_tools
from assistant.serving.tabs.duties import duties_tab
from assistant.serving.tabs.targets import targets_tab
from assistant.views.registry import views_for

if TYPE_CHECKING:
    import fastapi

    from assistant.engine import AnswerEngine
    from assistant.facts.model import Fact

log = logging.getLogger(__name__)

PAGE_TITLE = "Trợ lý kế hoạch chuyển đổi số báo chí"
ALL_PROVINCES = "Tất cả các tỉnh"
ALL_KINDS = "Tất cả loại dữ liệu"
ALL_YEARS = "Tất cả các năm"
CONTEXT_CHARS = 200  # plan text shown on each side of a cited span (~400 characters of context)
EXAMPLES = [
    "Mục tiêu năm 2025 của Lai Châu về ứng dụng AI là bao nhiêu?",
    "Ai chủ trì nhiệm vụ 5.1 của Lai Châu?",
    "Hạn báo cáo hằng năm của Thừa Thiên Huế là ngày nào?",
    "So sánh chỉ tiêu đào tạo của các tỉnh",
    "muc tieu 2030 cua thai binh ve doanh thu",
]
KIND_LABELS = {
    "target": "Chỉ tiêu",
    "task": "Nhiệm vụ",
    "reporting_deadline": "Chế độ báo cáo",
    "responsibility": "Trách nhiệm thực hiện",
    "funding": "Kinh phí",
    "legal_basis": "Căn cứ pháp lý",
}
FUNDING_LABELS = {
    "state_budget": "Ngân sách nhà nước",
    "program_integration": "Lồng ghép chương trình, đề án",
    "sponsorship_aid": "Tài trợ, viện trợ",
    "socialization": "Xã hội hóa",
    "other_lawful": "Nguồn hợp pháp khác",
    "allocated_budget": "Kinh phí đã được giao",
}
ORIGIN_LABELS = {"body": "Thân văn bản", "appendix": "Phụ lục", "footnote": "Chú thích"}
TIME_FRAME_LABELS = {
    "ongoing": "Thường xuyên",
    "after_guidance": "Sau khi có hướng dẫn",
    "on_request": "Khi có yêu cầu",
    "yearly": "Hằng năm",
}
BADGES = {  # status → (css class, label, tooltip)
    "verified": (
        "ok",
        "✓ Đã đối chiếu bảng dữ liệu",
        "Mọi số liệu trong câu trả lời khớp với bảng dữ liệu, và câu trả lời đúng điều được hỏi.",
    ),
    "partially_verified": (
        "warn",
        "⚠ Chưa đối chiếu được toàn bộ",
        "Một số số liệu chưa khớp được với bảng dữ liệu; hãy xem nguồn trích dẫn.",
    ),
    "not_verified": ("warn", "⚠ Chưa đối chiếu được", "Số liệu chưa khớp được với bảng dữ liệu; hãy xem nguồn."),
    "no_claims": ("neutral", "Không có số liệu cần đối chiếu", "Câu trả lời không chứa số liệu để đối chiếu."),
    "not_found": ("neutral", "Không tìm thấy trong các kế hoạch", "Kho văn bản không có thông tin để trả lời."),
    "not_addressed": ("neutral", "Không tìm thấy trong các kế hoạch", "Các kế hoạch không nêu điều được hỏi."),
    "unconfirmed": (
        "neutral",
        "Trích từ văn bản kế hoạch",
        "Các câu được trích nguyên văn từ kế hoạch; nội dung chưa được đối chiếu với bảng dữ liệu.",
    ),
}
GENERIC_ERROR = "Xin lỗi, đã có lỗi khi xử lý câu hỏi. Hãy thử lại sau giây lát hoặc đặt câu hỏi theo cách khác."
EMPTY_QUESTION = "Hãy nhập một câu hỏi về kế hoạch chuyển đổi số báo chí của các tỉnh."

CSS = """
:root, .dark {
  --ui-accent: #1d4ed8;
  --ui-accent-soft: color-mix(in srgb, #1d4ed8 10%, transparent);
  --ui-ok: #15803d;
  --ui-warn: #b45309;
  --ui-font: "Inter", "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  --button-primary-background-fill: #1d4ed8;
  --button-primary-background-fill-hover: #1e40af;
  --button-primary-border-color: #1d4ed8;
  --button-primary-text-color: #ffffff;
  --color-accent: #1d4ed8;
  --color-accent-soft: color-mix(in srgb, #1d4ed8 12%, transparent);
  --loader-color: #1d4ed8;
}
.dark { --ui-ok: #4ade80; --ui-warn: #fbbf24; --ui-accent: #93c5fd; }
.gradio-container { width: 100% !important; max-width: 1200px !important; margin: 0 auto !important; }
.gradio-container, .gradio-container * { font-family: var(--ui-font) !important; }
.gradio-container .prose, .gradio-container .prose p { font-size: 16px; line-height: 1.55; }
footer { display: none !important; }
#app-header { padding: 16px 22px; border-radius: 14px; align-items: center; gap: 10px 20px;
  background: linear-gradient(120deg, #1e3a8a 0%, #1d4ed8 55%, #0e7490 100%); border: none; }
#app-header .block, #app-header .html-container, #app-header .prose { background: transparent !important;
  border: none !important; box-shadow: none !important; padding: 0 !important; }
#app-header h1 { margin: 0; font-size: 1.55rem; line-height: 1.25; font-weight: 700; color: #fff; }
#app-header p { margin: 4px 0 0; font-size: 0.98rem; opacity: 0.92; color: #fff; max-width: 760px; }
#app-status { display: flex; justify-content: flex-end; }
.status-pill { display: inline-flex; align-items: center; gap: 8px; padding: 6px 12px; border-radius: 999px;
  font-size: 0.86rem; font-weight: 600; white-space: nowrap; background: rgba(255, 255, 255, 0.16); color: #fff; }
.status-pill .dot { width: 9px; height: 9px; border-radius: 50%; background: #fbbf24; flex: none; }
.status-pill.ready .dot { background: #4ade80; }
.status-pill.error { white-space: normal; }
.status-pill.error .dot { background: #f87171; }
.status-pill.loading .dot { animation: ui-pulse 1.1s ease-in-out infinite; }
@keyframes ui-pulse { 0%, 100% { opacity: 1; } 50% { opacity: 0.25; } }
#app-tabs button[role="tab"] { font-size: 1rem; font-weight: 600; }
.chat-empty { text-align: center; max-width: 460px; margin: auto; line-height: 1.55; opacity: 0.85; }
.side-title { font-weight: 700; font-size: 0.95rem; margin: 2px 0 0; }
.examples { gap: 6px !important; }
button.chip { justify-content: flex-start !important; text-align: left !important; white-space: normal !important;
  font-weight: 500 !important; line-height: 1.35 !important; padding: 7px 11px !important; box-shadow: none !important;
  background: var(--background-fill-primary) !important; border: 1px solid var(--border-color-primary) !important;
  color: var(--body-text-color) !important; border-radius: 10px !important; }
button.chip:hover { border-color: var(--ui-accent) !important; background: var(--ui-accent-soft) !important; }
#composer { align-items: stretch; gap: 8px; flex-wrap: nowrap !important; }
#composer > * { min-width: 0 !important; }
#composer textarea { font-size: 16px !important; }
#send-btn { flex: 0 0 auto !important; min-width: 72px !important; }
.ans p { margin: 0 0 6px; }
.ans ul { margin: 2px 0 8px 1.1em; padding: 0; list-style: disc; }
.ans li { margin: 3px 0; }
.cite-ref { display: inline-block; font-size: 0.78em; font-weight: 700; color: var(--ui-accent);
  background: var(--ui-accent-soft); border-radius: 6px; padding: 0 5px; margin-left: 2px; vertical-align: 1px; }
.badge { display: inline-block; margin: 8px 0 2px; padding: 3px 10px; border-radius: 999px; font-size: 0.82rem;
  font-weight: 600; border: 1px solid transparent; }
.badge.ok { color: var(--ui-ok); background: color-mix(in srgb, #16a34a 12%, transparent);
  border-color: color-mix(in srgb, #16a34a 35%, transparent); }
.badge.warn { color: var(--ui-warn); background: color-mix(in srgb, #f59e0b 14%, transparent);
  border-color: color-mix(in srgb, #f59e0b 40%, transparent); }
.badge.neutral { color: var(--body-text-color-subdued); background: color-mix(in srgb, #64748b 12%, transparent);
  border-color: color-mix(in srgb, #64748b 30%, transparent); }
.unverified { font-size: 0.85rem; color: var(--ui-warn); margin: 4px 0 0; }
.sources { margin-top: 10px; border-top: 1px solid var(--border-color-primary); padding-top: 8px; }
.sources-title { font-size: 0.78rem; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase;
  color: var(--body-text-color-subdued); margin-bottom: 4px; }
details.src { border: 1px solid var(--border-color-primary); border-radius: 10px; margin: 6px 0;
  background: var(--background-fill-primary); overflow: hidden; }
details.src > summary { cursor: pointer; padding: 8px 10px 8px 26px; font-size: 0.9rem; line-height: 1.4;
  list-style: none; position: relative; }
details.src > summary::-webkit-details-marker { display: none; }
details.src > summary::before { content: "▸"; position: absolute; left: 10px; top: 8px; color: var(--ui-accent); }
details.src[open] > summary::before { content: "▾"; }
details.src > summary:hover { background: var(--ui-accent-soft); }
.src-n { font-weight: 700; color: var(--ui-accent); margin-right: 4px; }
.src-where, .src-preview, .src-plan { color: color-mix(in srgb, var(--body-text-color) 62%, transparent); }
.src-preview { display: block; font-size: 0.85rem; margin-top: 2px; }
details.src[open] .src-preview { display: none; }
.src-body { padding: 2px 12px 10px; font-size: 0.9rem; }
.src-plan { font-size: 0.8rem; margin: 0 0 6px; line-height: 1.4; }
.src-ctx { margin: 0; padding: 8px 10px; border-left: 3px solid var(--ui-accent); border-radius: 0 8px 8px 0;
  background: var(--background-fill-secondary); line-height: 1.55; font-style: normal; }
.src-ctx mark, .plan-text mark { background: #fde68a; color: #1f2937; padding: 1px 2px; border-radius: 3px; }
.timing { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 6px; }
.err { color: #b91c1c; font-weight: 500; margin: 0; }
.dark .err { color: #fca5a5; }
.pending { color: var(--body-text-color-subdued); font-style: italic; margin: 0; }
.pending::after { content: " …"; animation: ui-pulse 1.1s ease-in-out infinite; }
.user-q { white-space: pre-wrap; }
.hint { font-size: 0.92rem; color: color-mix(in srgb, var(--body-text-color) 70%, transparent); margin: 0; }
#facts-bar { align-items: center; }
#facts-bar > .block { min-width: 0 !important; }
.facts-count { font-size: 0.95rem; }
#csv-btn { flex: 0 0 auto !important; }
#app-tabs, #app-tabs .tabitem, #facts-table, #facts-table .table-wrap { min-width: 0 !important; max-width: 100%; }
.gradio-container, .gradio-container .main, .gradio-container .main > .wrap, .gradio-container main.contain {
  min-width: 0 !important; }
#facts-table table { font-size: 0.9rem; }
.meta-card { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 14px 16px;
  background: var(--background-fill-secondary); }
.meta-card h3 { margin: 0 0 8px; font-size: 1.08rem; line-height: 1.4; }
.meta-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 0.93rem; }
.meta-card dt { color: color-mix(in srgb, var(--body-text-color) 62%, transparent); }
.meta-card dd { margin: 0; }
.meta-card .blank { color: var(--body-text-color-subdued); font-style: italic; }
.meta-card ul { margin: 0; padding-left: 1.1em; }
.plan-text { white-space: pre-wrap; font-size: 0.95rem; line-height: 1.6; max-height: 70vh; overflow-y: auto;
  padding: 14px 16px; border: 1px solid var(--border-color-primary); border-radius: 12px; margin-top: 10px;
  background: var(--background-fill-primary); overflow-wrap: anywhere; }
@media (max-width: 720px) {
  .gradio-container .main { padding-left: 10px !important; padding-right: 10px !important; }
  #app-header { padding: 14px 14px; border-radius: 12px; }
  #app-header h1 { font-size: 1.22rem; }
  #app-header p { font-size: 0.9rem; }
  #app-header { flex-direction: column; align-items: stretch; gap: 10px; }
  #app-header > .block { width: 100% !important; min-width: 0 !important; }
  #app-status { justify-content: flex-start; }
  .status-pill { white-space: normal; }
  #app-tabs button[role="tab"] { padding-left: 8px !important; padding-right: 8px !important; font-size: 0.93rem; }
  #chat-window { height: 64vh !important; max-height: 64vh !important; }
  .meta-card dl { gap: 4px 10px; font-size: 0.9rem; }
  .plan-text { max-height: none; font-size: 0.93rem; padding: 10px 12px; }
  .src-body { padding: 2px 8px 8px; }
}
"""


def theme() -> gr.themes.Base:
    """The page theme: the default Gradio theme with system fonts (no web font downloads) and a blue accent."""
    return gr.themes.Default(
        primary_hue="blue",
        font=["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Noto Sans", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


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


# ---------------------------------------------------------------------------------------------- rendering


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _one_line(fragment: str) -> str:
    """Chat messages are Markdown: keep each HTML message a single block (no blank lines, no raw newlines)."""
    return fragment.replace("\r", "").replace("\n", "<br>")


def _inline(text: str) -> str:
    escaped = _esc(text)
    return re.sub(r"\[(\d{1,3})\]", r'<span class="cite-ref">[\1]</span>', escaped)


def render_answer_text(text: str) -> str:
    """The answer's text as HTML: "- " lines become a list, other lines paragraphs, [n] markers chips."""
    parts: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "• ", "* ")):
            items.append(_inline(stripped[2:].strip()))
            continue
        flush()
        if stripped:
            parts.append(f"<p>{_inline(stripped)}</p>")
    flush()
    return "".join(parts)


def _plan_label(plan: Plan | None, meta: PlanMeta | None = None) -> str:
    meta = plan.meta if plan else meta
    if meta is None:
        return ""
    number = f"Kế hoạch số {meta.plan_number}" if meta.plan_number else "Kế hoạch"
    label = f"{number} của UBND tỉnh {meta.province}" + ("" if meta.plan_number else " (văn bản chưa ghi số)")
    return f"{label}: {meta.title}" if meta.title else label


def _context(plan: Plan, citation: Citation) -> tuple[str, str, str, bool, bool]:
    """(before, quote, after, clipped_left, clipped_right): ~400 characters of plan text around the cited span."""
    text = plan.text
    start, end = citation.start, citation.end
    if not (0 <= start < end <= len(text)) or text[start:end] != citation.quote:
        found = text.find(citation.quote) if citation.quote else -1
        if found < 0:
            return "", citation.quote, "", False, False
        start, end = found, found + len(citation.quote)
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(text), end + CONTEXT_CHARS)
    if left > 0:  # start at a line start when one is near, else at a word start
        newline = text.find("\n", left, start)
        if newline != -1 and start - newline > 40:
            left = newline + 1
        else:
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
    if right < len(text):  # end at a line end when one is near, else at a word end
        newline = text.rfind("\n", end, right)
        if newline != -1 and newline - end > 40:
            right = newline
        else:
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
    cut_left = left > 0 and text[left - 1] != "\n"
    cut_right = right < len(text) and text[right] != "\n"
    return text[left:start], text[start:end], text[end:right], cut_left, cut_right


def render_source(citation: Citation, plan: Plan | None) -> str:
    """One numbered source: a <details> whose summary names plan and section and whose body highlights the quote."""
    if plan is not None:
        before, quote, after, cut_left, cut_right = _context(plan, citation)
    else:
        before, quote, after, cut_left, cut_right = "", citation.quote, "", False, False
    flat = " ".join(quote.split())
    preview = flat if len(flat) <= 110 else flat[:107].rsplit(" ", 1)[0] + "…"
    body = (
        ("…" if cut_left else "")
        + _esc(before)
        + f"<mark>{_esc(quote)}</mark>"
        + _esc(after)
        + ("…" if cut_right else "")
    )
    section = f' · <span class="src-where">{_esc(citation.section)}</span>' if citation.section else ""
    return (
        f'<details class="src" data-n="{citation.n}"><summary><span class="src-n">[{citation.n}]</span>'
        f"<b>{_esc(citation.province)}</b>{section}"
        f'<span class="src-preview">“{_esc(preview)}”</span></summary>'
        f'<div class="src-body"><div class="src-plan">{_esc(_plan_label(plan))}</div>'
        f'<div class="src-ctx">{body}</div></div></details>'
    )


def render_badge(answer: Answer) -> str:
    key = "not_found" if answer.status == "not_found" else answer.verification.status
    css_class, label, tooltip = BADGES[key]
    return f'<span class="badge {css_class}" title="{_esc(tooltip)}">{_esc(label)}</span>'


def render_answer(answer: Answer, corpus: Any | None) -> str:
    """An assistant message: answer text, verification badge, expandable numbered sources, timing."""
    parts = ['<div class="ans">', render_answer_text(answer.answer), render_badge(answer)]
    unverified = [c.text for c in answer.verification.claims if not c.verified]
    if unverified and answer.status != "not_found":
        parts.append(f'<p class="unverified">Chưa khớp bảng dữ liệu: {_esc(", ".join(unverified))}</p>')
    if answer.citations:
        parts.append('<div class="sources"><div class="sources-title">Nguồn trích dẫn</div>')
        for citation in answer.citations:
            plan = corpus.get(citation.plan_id) if corpus is not None else None
            parts.append(render_source(citation, plan))
        parts.append("</div>")
    total = answer.timings_ms.get("total")
    if total is not None:
        parts.append(f'<div class="timing">Trả lời trong {total / 1000:.2f} giây</div>'.replace(".", ",", 1))
    parts.append("</div>")
    return _one_line("".join(parts))


def _error_html(message: str) -> str:
    return _one_line(f'<div class="ans"><p class="err">{_esc(message)}</p></div>')


def _pending_html(first_load: bool) -> str:
    text = (
        "Đang khởi động trợ lý (lần đầu mất khoảng 10–20 giây)"
        if first_load
        else "Đang tìm trong các kế hoạch và đối chiếu số liệu"
    )
    return f'<div class="ans"><p class="pending">{text}</p></div>'


def _user_html(question: str) -> str:
    return _one_line(f'<div class="user-q">{_esc(question)}</div>')


def _status_html(state: str, text: str) -> str:
    return f'<span class="status-pill {state}" role="status"><span class="dot"></span>{_esc(text)}</span>'


def _header_html(provinces: list[str]) -> str:
    covered = ", ".join(provinces) if provinces else "các tỉnh trong kho văn bản"
    return (
        f'<div class="app-title"><h1>{_esc(PAGE_TITLE)}</h1>'
        "<p>Hỏi đáp có trích dẫn nguồn về kế hoạch triển khai Chiến lược chuyển đổi số báo chí "
        f"(Quyết định 348/QĐ-TTg) của {_esc(covered)}.</p></div>"
    )


# ---------------------------------------------------------------------------------------------- facts table


def _join(values: list[str] | None, original: str = "") -> str:
    return original or "; ".join(values or [])


def _target_value(fact: Fact) -> str:
    if fact.value_text:
        return fact.value_text
    if fact.value is None:
        return ""
    return f"{fact.value:g}{fact.unit if fact.unit == '%' else ' ' + fact.unit}".strip()


def _qualifiers(fact: Fact) -> str:
    if not fact.qualifiers:
        return ""
    labels = {"min_revenue_growth_pct": "tăng doanh thu tối thiểu {}%", "recurrence": "{}"}
    return "; ".join(labels.get(k, k + ": {}").format(v) for k, v in fact.qualifiers.items())


def _year_span(fact: Fact) -> str:
    if fact.time_frame:
        return fact.time_frame
    return TIME_FRAME_LABELS.get(fact.time_frame_kind, "")


COLUMNS: dict[str, list[tuple[str, int, Callable[[Fact], Any]]]] = {  # kind → (header, width px, value)
    "target": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Năm", 64, lambda f: f.year or ""),
        ("Chỉ tiêu", 250, lambda f: BY_CODE[f.indicator].label_vi if f.indicator in BY_CODE else f.indicator),
        ("Giá trị", 84, _target_value),
        ("Điều kiện", 150, _qualifiers),
        ("Cách ghi trong kế hoạch", 330, lambda f: f.wording or f.quote),
        ("Vị trí", 110, lambda f: ORIGIN_LABELS.get(f.origin, f.origin)),
    ],
    "task": [
        ("Tỉnh", 110, lambda f: f.province),
        ("STT", 56, lambda f: f.number),
        ("Nhiệm vụ", 300, lambda f: f.content),
        ("Chủ trì", 200, lambda f: _join(f.lead_units, f.lead_units_original)),
        ("Phối hợp", 200, lambda f: _join(f.coordinating_units, f.coordinating_units_original)),
        ("Sản phẩm", 180, lambda f: f.deliverable),
        ("Thời gian", 110, _year_span),
    ],
    "reporting_deadline": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Hạn", 110, lambda f: f"trước ngày {f.value_text}" if f.value_text else ""),
        ("Định kỳ", 90, lambda f: f.recurrence),
        ("Đơn vị báo cáo", 190, lambda f: f.reporter),
        ("Gửi về", 190, lambda f: f.recipient),
        ("Qua", 190, lambda f: f.via),
        ("Để báo cáo", 190, lambda f: f.forward_to),
    ],
    "responsibility": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Đơn vị", 210, lambda f: f.unit_original or f.responsible_unit),
        ("Nhiệm vụ được giao", 560, lambda f: f.duties),
        ("Mục", 240, lambda f: f.section),
    ],
    "funding": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Nguồn kinh phí", 220, lambda f: FUNDING_LABELS.get(f.source, f.source)),
        ("Trích văn bản", 700, lambda f: f.value_text or f.quote),
    ],
    "legal_basis": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Loại văn bản", 100, lambda f: f.doc_type),
        ("Số hiệu", 150, lambda f: f.doc_number),
        ("Ngày", 100, lambda f: _vn_date(f.doc_date)),
        ("Cơ quan ban hành", 220, lambda f: f.issuer),
        ("Về việc", 430, lambda f: f.subject),
    ],
    "": [
        ("Tỉnh", 116, lambda f: f.province),
        ("Loại", 130, lambda f: KIND_LABELS.get(f.kind, f.kind)),
        ("Nội dung", 600, lambda f: f.quote),
        ("Mục", 280, lambda f: f.section),
    ],
}


def _vn_date(iso: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return f"{match[3]}/{match[2]}/{match[1]}" if match else (iso or "")


def _fact_years(fact: Fact) -> set[int]:
    if fact.year:
        return {fact.year}
    if fact.start_year and fact.end_year:
        return set(range(fact.start_year, fact.end_year + 1))
    return set()


def filter_facts(facts: list[Fact], province: str | None, kind: str | None, year: str | None) -> list[Fact]:
    """Facts of the chosen province, kind label and year (each "all" choice or None means no filter)."""
    kind_code = next((code for code, label in KIND_LABELS.items() if label == kind), None)
    wanted_year = int(year) if year and str(year).isdigit() else None
    rows = []
    for fact in facts:
        if province and province != ALL_PROVINCES and fact.province != province:
            continue
        if kind_code and fact.kind != kind_code:
            continue
        if wanted_year is not None and wanted_year not in _fact_years(fact):
            continue
        rows.append(fact)
    return rows


def facts_frame(facts: list[Fact], kind: str | None) -> pd.DataFrame:
    """A table with readable Vietnamese columns for the kind (a generic layout when kinds are mixed)."""
    kind_code = next((code for code, label in KIND_LABELS.items() if label == kind), "")
    columns = COLUMNS[kind_code]
    data = [["" if (value := getter(f)) is None else str(value) for _, _, getter in columns] for f in facts]
    return pd.DataFrame(data, columns=[name for name, _, _ in columns])


def facts_widths(kind: str | None) -> list[int]:
    kind_code = next((code for code, label in KIND_LABELS.items() if label == kind), "")
    return [width for _, width, _ in COLUMNS[kind_code]]


def _slug(text: str) -> str:
    from assistant.domain.normalize import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-") or "tat-ca"


def write_csv(
    facts: list[Fact], province: str | None, kind: str | None, year: str | None, folder: Path | None = None
) -> str:
    """Write the rows to a UTF-8 (with BOM, for spreadsheet programs) CSV file named after the filters."""
    parts = [p for p in (province, kind, year) if p and p not in (ALL_PROVINCES, ALL_KINDS, ALL_YEARS)]
    name = "bang-du-lieu" + ("-" + _slug(" ".join(parts)) if parts else "") + ".csv"
    folder = folder or Path(tempfile.mkdtemp(prefix="assistant-csv-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(export_facts(facts, "csv"), encoding="utf-8-sig")
    tmp.replace(path)
    return str(path)


# ---------------------------------------------------------------------------------------------- plans


def render_plan_meta(plan: Plan) -> str:
    meta = plan.meta

    def field(value: str, blank: str = "để trống") -> str:
        return _esc(value) if value else f'<span class="blank">{blank}</span>'

    basis = "".join(f"<li>{_esc(item)}</li>" for item in meta.legal_basis)
    rows = [
        ("Tỉnh", field(meta.province)),
        ("Số kế hoạch", field(meta.plan_number)),
        ("Ngày ban hành", field(_vn_date(meta.issue_date))),
        ("Cơ quan ban hành", field(meta.issuing_body)),
        ("Người ký", field(meta.signer, "không ghi trong văn bản")),
    ]
    if basis:
        rows.append(("Căn cứ", f"<ul>{basis}</ul>"))
    if meta.ocr:
        rows.append(("Ghi chú", "Văn bản nhận dạng (OCR) từ bản quét, đã được sửa lỗi chính tả tự động."))
    items = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<div class="meta-card"><h3>{_esc(meta.title or meta.id)}</h3><dl>{items}</dl></div>'


def render_plan_text(plan: Plan, search: str | None = None) -> str:
    text = plan.text
    needle = (search or "").strip()
    if not needle:
        return f'<div class="plan-text">{_esc(text)}</div>'
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    out, last, hits = [], 0, 0
    for match in pattern.finditer(text):
        out.append(_esc(text[last : match.start()]))
        out.append(f"<mark>{_esc(match.group(0))}</mark>")
        last, hits = match.end(), hits + 1
    out.append(_esc(text[last:]))
    note = (
        f'<p class="hint">{hits} kết quả cho “{_esc(needle)}”.</p>'
        if hits
        else (f'<p class="hint">Không thấy “{_esc(needle)}” trong văn bản.</p>')
    )
    return note + f'<div class="plan-text">{"".join(out)}</div>'


def _plan_choices(plans: list[Plan] | list[PlanMeta]) -> list[tuple[str, str]]:
    choices = []
    for plan in plans:
        meta = plan.meta if isinstance(plan, Plan) else plan
        number = f"số {meta.plan_number}" if meta.plan_number else "chưa ghi số"
        choices.append((f"{meta.province} — Kế hoạch {number}", meta.id))
    return choices


# ---------------------------------------------------------------------------------------------- page


def _manifest(settings: Settings) -> list[PlanMeta]:
    try:
        metas = load_manifest(settings.corpus_dir)
    except AssistantError as error:
        log.warning("Manifest unavailable for the page header: %s", error)
        return []
    # A plan's province and number are read from its own text: the built facts table holds what was read.
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


def build_ui(get_engine: Callable[[], AnswerEngine], settings: Settings | None = None) -> gr.Blocks:
    """The Gradio page; ``get_engine`` may block while the engine loads the first time (the page shows that)."""
    settings = settings or load_settings()
    metas = _manifest(settings)
    provinces = [m.province for m in metas]
    ready = threading.Event()
    csv_dir = Path(tempfile.mkdtemp(prefix="assistant-csv-"))
    views_dir = Path(tempfile.mkdtemp(prefix="assistant-views-"))  # downloads of the view tabs and the chat export

    def engine() -> AnswerEngine:
        loaded = get_engine()
        ready.set()
        return loaded

    def views():
        loaded = engine()
        return views_for(loaded.facts, loaded.corpus.plans)

    def on_load() -> tuple:
        keep = tuple(gr.update() for _ in range(7))
        try:
            loaded = engine()
        except AssistantError as error:
            log.error("Engine failed to load: %s", error)
            return (_status_html("error", f"Chưa sẵn sàng: {error}"), *keep)
        except Exception:
            log.exception("Engine failed to load")
            return (_status_html("error", "Không khởi động được trợ lý; hãy xem nhật ký máy chủ."), *keep)
        plans = loaded.corpus.plans
        names = [p.province for p in plans]
        years = sorted({y for f in loaded.facts for y in _fact_years(f)})
        status = _status_html("ready", f"Sẵn sàng · {len(plans)} kế hoạch · {len(loaded.facts)} dữ kiện")
        kind = KIND_LABELS["target"]
        first = plans[0] if plans else None
        return (
            status,
            gr.update(choices=[ALL_PROVINCES, *names]),
            gr.update(choices=[ALL_PROVINCES, *names]),
            gr.update(choices=[ALL_YEARS, *[str(y) for y in years]]),
            *_facts_outputs(loaded.facts, ALL_PROVINCES, kind, ALL_YEARS),
            gr.update(choices=_plan_choices(plans), value=first.id if first else None),
        )

    def _facts_outputs(facts: list[Fact], province: str | None, kind: str | None, year: str | None) -> tuple:
        rows = filter_facts(facts, province, kind, year)
        count = f'<div class="facts-count"><b>{len(rows)}</b> dòng</div>'
        try:
            csv_path = write_csv(rows, province, kind, year, folder=csv_dir)
            button = gr.update(value=csv_path, label=f"Tải CSV ({len(rows)} dòng)", interactive=bool(rows))
        except OSError:
            log.exception("CSV export failed")
            button = gr.update(value=None, interactive=False)
        return gr.update(value=facts_frame(rows, kind), column_widths=facts_widths(kind)), count, button

    def respond(message: str, chat: list, history: list, province: str, answers: dict) -> Iterator[tuple]:
        question = (message or "").strip()
        chat = list(chat or [])
        history = list(history or [])
        answers = dict(answers or {})
        if not question:
            gr.Warning(EMPTY_QUESTION)
            yield gr.update(), chat, history, answers
            return
        first_load = not ready.is_set()
        chat += [{"role": "user", "content": _user_html(question)}, {"role": "assistant", "content": ""}]
        chat[-1]["content"] = _pending_html(first_load)
        yield "", chat, history, answers
        chosen = province if province and province != ALL_PROVINCES else None
        try:
            loaded = engine()
            answer = loaded.answer(question, history=history or None, province=chosen)
        except AssistantError as error:  # QuestionError and load errors carry one Vietnamese sentence
            log.info("Question refused: %s", error)
            chat[-1]["content"] = _error_html(str(error))
            yield gr.update(), chat, history, answers
            return
        except Exception:
            log.exception("Answering failed for %r", question)
            chat[-1]["content"] = _error_html(GENERIC_ERROR)
            yield gr.update(), chat, history, answers
            return
        try:
            chat[-1]["content"] = render_answer(answer, loaded.corpus)
        except Exception:
            log.exception("Rendering the answer failed")
            chat[-1]["content"] = _one_line(f'<div class="ans">{render_answer_text(answer.answer)}</div>')
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        answers[len(chat) - 1] = answer_record(answer)  # for 👍/👎 and the conversation export
        yield gr.update(), chat, history, answers

    def update_facts(province: str, kind: str, year: str) -> tuple:
        try:
            facts = engine().facts
        except Exception:
            log.exception("Facts table unavailable")
            gr.Warning("Chưa tải được bảng dữ liệu; hãy thử lại sau giây lát.")
            return gr.update(), gr.update(), gr.update()
        return _facts_outputs(facts, province, kind, year)

    def show_plan(plan_id: str | None, search: str | None) -> tuple[str, str]:
        if not plan_id:
            return "", ""
        try:
            plan = engine().corpus.get(plan_id)
        except Exception:
            log.exception("Plan text unavailable")
            return _error_html("Chưa tải được văn bản; hãy thử lại sau giây lát."), ""
        if plan is None:
            return _error_html("Không tìm thấy kế hoạch này trong kho văn bản."), ""
        return render_plan_meta(plan), render_plan_text(plan, search)

    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False) as demo:
        with gr.Row(elem_id="app-header", equal_height=False):
            # The <style> travels with the page, so it applies however the page is mounted.
            gr.HTML(
                f"<style>{CSS}</style>" + _header_html(provinces),
                elem_id="app-title",
                scale=1,
                min_width=280,
                padding=False,
            )
            status = gr.HTML(
                _status_html("loading", "Đang nạp dữ liệu và mô hình…"),
                elem_id="app-status",
                scale=0,
                min_width=230,
                padding=False,
            )
        history = gr.State([])
        answers = gr.State({})  # chat message index → the answer shown there (assistant.serving.tabs.chat_tools)
        with gr.Tabs(elem_id="app-tabs", overflow_behavior="wrap"):
            with gr.Tab("Hỏi đáp", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=340):
                    chatbot = gr.Chatbot(
                        elem_id="chat-window",
                        show_label=False,
                        height="max(440px, calc(100vh - 300px))",
                        layout="bubble",
                        buttons=[],
                        feedback_options=("Like", "Dislike"),
                        latex_delimiters=[],
                        group_consecutive_messages=False,
                        placeholder=(
                            "<div class='chat-empty'><b>Xin chào!</b><br>Hãy hỏi về chỉ tiêu, nhiệm vụ, đơn vị "
                            "chủ trì, "
                            "thời hạn báo cáo hay kinh phí trong kế hoạch của các tỉnh. Mỗi câu trả lời kèm nguồn "
                            "trích dẫn và được đối chiếu với bảng dữ liệu.</div>"
                        ),
                    )
                    with gr.Row(elem_id="composer", equal_height=True):
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Nhập câu hỏi về kế hoạch của các tỉnh…",
                            lines=1,
                            max_lines=5,
                            scale=6,
                            min_width=0,
                            container=False,
                            autofocus=True,
                            elem_id="question-box",
                        )
                        send = gr.Button("Gửi", variant="primary", scale=0, min_width=72, elem_id="send-btn")
                    chat_tools(chatbot, answers, history, settings, views_dir, lambda: engine().corpus.plans)
                with gr.Column(scale=1, min_width=260, elem_id="chat-side"):
                    province = gr.Dropdown(
                        choices=[ALL_PROVINCES, *provinces],
                        value=ALL_PROVINCES,
                        label="Phạm vi tỉnh",
                        info="Chỉ tìm trong kế hoạch của tỉnh đã chọn.",
                        interactive=True,
                        elem_id="province-filter",
                    )
                    with gr.Column(elem_classes="examples"):
                        gr.HTML('<div class="side-title">Câu hỏi mẫu</div>', padding=False)
                        example_buttons = [
                            gr.Button(text, size="sm", variant="secondary", elem_classes="chip") for text in EXAMPLES
                        ]
                    clear = gr.Button("Bắt đầu hội thoại mới", size="sm", variant="secondary", elem_id="clear-btn")
            with gr.Tab("Bảng dữ liệu", id="facts"):
                gr.HTML(
                    '<p class="hint">Dữ kiện trích xuất từ các kế hoạch: chỉ tiêu, nhiệm vụ, chế độ báo cáo, trách '
                    "nhiệm, kinh phí, căn cứ pháp lý. Chọn bộ lọc để thu hẹp bảng; tệp CSV chứa đúng các dòng đang lọc "
                    "kèm vị trí trong văn bản gốc.</p>",
                    padding=False,
                )
                with gr.Row(equal_height=True, elem_id="facts-filters"):
                    facts_province = gr.Dropdown(
                        choices=[ALL_PROVINCES, *provinces], value=ALL_PROVINCES, label="Tỉnh", min_width=160
                    )
                    facts_kind = gr.Dropdown(
                        choices=[ALL_KINDS, *KIND_LABELS.values()],
                        value=KIND_LABELS["target"],
                        label="Loại dữ liệu",
                        min_width=160,
                    )
                    facts_year = gr.Dropdown(choices=[ALL_YEARS], value=ALL_YEARS, label="Năm", min_width=140)
                with gr.Row(equal_height=True, elem_id="facts-bar"):
                    facts_count = gr.HTML('<div class="facts-count">Đang tải…</div>', padding=False, min_width=120)
                    csv_button = gr.DownloadButton(
                        "Tải CSV", value=None, size="sm", variant="secondary", scale=0, min_width=160, elem_id="csv-btn"
                    )
                facts_table = gr.Dataframe(
                    value=pd.DataFrame(columns=[name for name, _, _ in COLUMNS["target"]]),
                    column_widths=facts_widths(KIND_LABELS["target"]),
                    interactive=False,
                    wrap=True,
                    max_height=620,
                    show_label=False,
                    buttons=["fullscreen"],
                    elem_id="facts-table",
                )
            with gr.Tab("Văn bản kế hoạch", id="plans"):
                with gr.Row(equal_height=True):
                    plan_choice = gr.Dropdown(
                        choices=_plan_choices(metas),
                        value=metas[0].id if metas else None,
                        label="Kế hoạch",
                        scale=2,
                        min_width=240,
                    )
                    plan_search = gr.Textbox(
                        label="Tìm trong văn bản", placeholder="ví dụ: báo cáo (nhấn Enter)", scale=1, min_width=200
                    )
                plan_meta = gr.HTML(elem_id="plan-meta", padding=False)
                plan_text = gr.HTML(elem_id="plan-text", padding=False)
            duties_tab(views, provinces, views_dir)
            calendar_tab(views, provinces, views_dir)
            targets_tab(views, provinces, views_dir)

        demo.load(
            on_load,
            outputs=[status, province, facts_province, facts_year, facts_table, facts_count, csv_button, plan_choice],
            show_progress="hidden",
        ).then(show_plan, inputs=[plan_choice, plan_search], outputs=[plan_meta, plan_text])

        chat_inputs = [question, chatbot, history, province, answers]
        chat_outputs = [question, chatbot, history, answers]
        # One answer at a time across the page's triggers (the engine is shared; the API serializes too).
        answering = {"show_progress": "hidden", "concurrency_id": "answer", "concurrency_limit": 1}
        send.click(respond, chat_inputs, chat_outputs, **answering)
        question.submit(respond, chat_inputs, chat_outputs, **answering)
        for button, text in zip(example_buttons, EXAMPLES, strict=True):
            button.click(lambda t=text: t, outputs=question, queue=False, show_progress="hidden").then(
                respond, chat_inputs, chat_outputs, **answering
            )
        clear.click(lambda: ([], [], "", {}), outputs=[chatbot, history, question, answers], queue=False)
        chatbot.clear(lambda: ([], {}), outputs=[history, answers], queue=False)

        facts_filters = [facts_province, facts_kind, facts_year]
        for control in facts_filters:
            control.change(update_facts, facts_filters, [facts_table, facts_count, csv_button], show_progress="minimal")

        plan_choice.change(show_plan, [plan_choice, plan_search], [plan_meta, plan_text])
        plan_search.submit(show_plan, [plan_choice, plan_search], [plan_meta, plan_text])
    # Gradio's queue is bounded like the engine's: beyond it a page call is refused instead of waiting for minutes.
    demo.queue(max_size=settings.queue_limit + settings.answer_workers)
    return demo
