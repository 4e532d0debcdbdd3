"""The "Nhiệm vụ theo đơn vị" tab: one unit's duty sheet across the plans or one province's, with downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from assistant.serving.tabs.common import (
    ALL_PROVINCES,
    CSS,
    LOAD_ERROR,
    chosen,
    download_path,
    empty_html,
    esc,
    source_html,
)
from assistant.serving.tabs.widgets import download_button, province_filter
from assistant.views.duty_formats import sheet_csv, sheet_docx
from assistant.views.duty_sheet import ROLE_LABELS, DutySheet, UnknownUnit
from assistant.views.registry import Views

log = logging.getLogger(__name__)
DEFAULT_UNIT = "Sở Thông tin và Truyền thông"


def render_sheet(sheet: DutySheet) -> str:
    """The sheet as HTML: a summary, one table per plan (each line's source opens to its quote)."""
    head = f'<p class="view-note"><b>{esc(sheet.unit)}</b>'
    if sheet.province:
        head += f" · kế hoạch của {esc(sheet.province)}"
    if not sheet.items:
        return head + "</p>" + empty_html(sheet.message)
    counts = "; ".join(f"{ROLE_LABELS[r]}: {n}" for r, n in sheet.counts().items() if n)
    parts = [head + f" · <b>{len(sheet.items)}</b> mục ({esc(counts)})</p>"]
    for plan in sheet.plans:
        parts.append(f'<div class="view-h">{esc(plan.number_and_date())}</div>')
        rows = []
        for n, item in enumerate(sheet.items, start=1):
            if item.plan_id != plan.id:
                continue
            named = esc(item.named_as) + (' <span class="view-group">(qua nhóm)</span>' if item.via_group else "")
            what = esc(" ".join(item.what.split()))
            rows.append(
                f'<tr><td>{esc(item.role_label)}</td><td>{what}</td><td class="when">{esc(item.time_frame)}</td>'
                f"<td>{named}</td><td>{source_html(n, item.source)}</td></tr>"
            )
        parts.append(
            '<div class="view-wrap"><table class="view duty-table"><thead><tr><th>Loại</th><th>Nội dung</th>'
            "<th>Thời hạn</th><th>Đơn vị được giao</th><th>Nguồn</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div>"
        )
    return "".join(parts)


def duties_tab(get_views: Callable[[], Views], provinces: list[str], folder: Path) -> None:
    """Build the tab (inside ``gr.Tabs``); its unit list fills when the tab is opened."""

    def show(unit: str | None, province: str | None) -> tuple:
        try:
            views = get_views()
            sheet = views.sheet(unit or DEFAULT_UNIT, chosen(province, ALL_PROVINCES))
        except UnknownUnit as error:
            return (
                empty_html(str(error)),
                gr.update(value=None, interactive=False),
                gr.update(value=None, interactive=False),
            )
        except Exception:
            log.exception("Duty sheet unavailable")
            return empty_html(LOAD_ERROR), gr.update(), gr.update()
        name = f"nhiem-vu-{sheet.unit}" + (f"-{sheet.province}" if sheet.province else "")
        docx = download_path(folder, name + ".docx", sheet_docx(sheet))
        csv = download_path(folder, name + ".csv", sheet_csv(sheet))
        return (
            render_sheet(sheet),
            gr.update(value=docx, interactive=True),
            gr.update(value=csv, interactive=True, label=f"Tải CSV ({len(sheet.items)} dòng)"),
        )

    def opened(unit: str | None, province: str | None) -> tuple:
        try:
            names = [u["name"] for u in get_views().units()]
        except Exception:
            log.exception("Unit list unavailable")
            return (gr.update(), *show(unit, province))
        value = unit if unit else (DEFAULT_UNIT if DEFAULT_UNIT in names else names[0] if names else None)
        return (gr.update(choices=names, value=value), *show(value, province))

    with gr.Tab("Nhiệm vụ theo đơn vị", id="duties") as tab:
        gr.HTML(
            f"<style>{CSS}</style>"
            '<p class="hint">Mọi việc các kế hoạch giao cho một đơn vị: nhiệm vụ chủ trì, phối hợp, trách nhiệm tại '
            "phần Tổ chức thực hiện, hạn báo cáo phải gửi và được nhận; mỗi dòng có thời hạn và trích dẫn. Có thể gõ "
            "tên viết tắt, ví dụ “Sở TTTT”, “Đài PT-TH tỉnh”.</p>",
            padding=False,
        )
        with gr.Row(equal_height=True):
            unit = gr.Dropdown(
                choices=[],
                value=None,
                label="Đơn vị",
                allow_custom_value=True,
                filterable=True,
                scale=2,
                min_width=240,
                elem_id="duty-unit",
            )
            province = province_filter(provinces, scale=1, elem_id="duty-province")
        with gr.Row(equal_height=True):
            docx_button = download_button(
                "Tải bản in (.docx)", variant="primary", scale=0, min_width=170, elem_id="duty-docx"
            )
            csv_button = download_button("Tải CSV", scale=0, min_width=150, elem_id="duty-csv")
        sheet_html = gr.HTML(empty_html("Đang tải…"), elem_id="duty-sheet", padding=False)
    outputs = [sheet_html, docx_button, csv_button]
    tab.select(opened, [unit, province], [unit, *outputs], show_progress="minimal")
    unit.input(show, [unit, province], outputs, show_progress="minimal")
    province.input(show, [unit, province], outputs, show_progress="minimal")
