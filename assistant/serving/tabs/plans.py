"""The "Văn bản kế hoạch" tab: a plan's metadata card and its full cleaned text, with a search that highlights
every match."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import gradio as gr

from assistant.ingest.corpus import Plan, PlanMeta
from assistant.serving.tabs.answer_html import error_html
from assistant.serving.tabs.common import TabLoad, esc, vn_date

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)


def render_plan_meta(plan: Plan) -> str:
    meta = plan.meta

    def field(value: str, blank: str = "để trống") -> str:
        return esc(value) if value else f'<span class="blank">{blank}</span>'

    basis = "".join(f"<li>{esc(item)}</li>" for item in meta.legal_basis)
    rows = [
        ("Tỉnh", field(meta.province)),
        ("Số kế hoạch", field(meta.plan_number)),
        ("Ngày ban hành", field(vn_date(meta.issue_date))),
        ("Cơ quan ban hành", field(meta.issuing_body)),
        ("Người ký", field(meta.signer, "không ghi trong văn bản")),
    ]
    if basis:
        rows.append(("Căn cứ", f"<ul>{basis}</ul>"))
    if meta.ocr:
        rows.append(("Ghi chú", "Văn bản nhận dạng (OCR) từ bản quét, đã được sửa lỗi chính tả tự động."))
    items = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<div class="meta-card"><h3>{esc(meta.title or meta.id)}</h3><dl>{items}</dl></div>'


def render_plan_text(plan: Plan, search: str | None = None) -> str:
    text = plan.text
    needle = (search or "").strip()
    if not needle:
        return f'<div class="plan-text">{esc(text)}</div>'
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    out, last, hits = [], 0, 0
    for match in pattern.finditer(text):
        out.append(esc(text[last : match.start()]))
        out.append(f"<mark>{esc(match.group(0))}</mark>")
        last, hits = match.end(), hits + 1
    out.append(esc(text[last:]))
    note = (
        f'<p class="hint">{hits} kết quả cho “{esc(needle)}”.</p>'
        if hits
        else (f'<p class="hint">Không thấy “{esc(needle)}” trong văn bản.</p>')
    )
    return note + f'<div class="plan-text">{"".join(out)}</div>'


def plan_choices(plans: list[Plan] | list[PlanMeta]) -> list[tuple[str, str]]:
    choices = []
    for plan in plans:
        meta = plan.meta if isinstance(plan, Plan) else plan
        number = f"số {meta.plan_number}" if meta.plan_number else "chưa ghi số"
        choices.append((f"{meta.province} — Kế hoạch {number}", meta.id))
    return choices


def plans_tab(get_engine: Callable[[], AnswerEngine], metas: list[PlanMeta]) -> TabLoad:
    """Build the tab (inside ``gr.Tabs``) listing the manifest's plans; the page lists the loaded plans when it
    opens, then shows the first."""

    def show_plan(plan_id: str | None, search: str | None) -> tuple[str, str]:
        if not plan_id:
            return "", ""
        try:
            plan = get_engine().corpus.get(plan_id)
        except Exception:
            log.exception("Plan text unavailable")
            return error_html("Chưa tải được văn bản; hãy thử lại sau giây lát."), ""
        if plan is None:
            return error_html("Không tìm thấy kế hoạch này trong kho văn bản."), ""
        return render_plan_meta(plan), render_plan_text(plan, search)

    def fill(loaded: AnswerEngine) -> tuple:
        plans = loaded.corpus.plans
        return (gr.update(choices=plan_choices(plans), value=plans[0].id if plans else None),)

    with gr.Tab("Văn bản kế hoạch", id="plans"):
        with gr.Row(equal_height=True):
            choice = gr.Dropdown(
                choices=plan_choices(metas),
                value=metas[0].id if metas else None,
                label="Kế hoạch",
                scale=2,
                min_width=240,
            )
            search = gr.Textbox(
                label="Tìm trong văn bản", placeholder="ví dụ: báo cáo (nhấn Enter)", scale=1, min_width=200
            )
        meta = gr.HTML(elem_id="plan-meta", padding=False)
        text = gr.HTML(elem_id="plan-text", padding=False)
    choice.change(show_plan, [choice, search], [meta, text])
    search.submit(show_plan, [choice, search], [meta, text])
    return TabLoad(outputs=[choice], fill=fill, then=(show_plan, [choice, search], [meta, text]))
