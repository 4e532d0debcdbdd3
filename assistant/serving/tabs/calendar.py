"""The "Lịch hạn" tab: what falls due next from a day on (today by default), the undated items apart, an .ics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.serving.tabs.common import (
    ALL_PROVINCES,
    ALL_UNITS,
    LOAD_ERROR,
    chosen,
    download_path,
    empty_html,
    esc,
    source_html,
)
from assistant.serving.tabs.widgets import download_button, province_filter
from assistant.views.calendar import Calendar, CalendarItem
from assistant.views.duty_sheet import UnknownUnit
from assistant.views.ics import to_ics
from assistant.views.registry import Views

log = logging.getLogger(__name__)
BAD_DAY = "Ngày '{text}' không hợp lệ; hãy viết theo dạng dd/mm/yyyy, ví dụ 25/11/2026."


def read_day(text: str | None) -> date | None:
    """dd/mm/yyyy or yyyy-mm-dd; None when it is neither (empty: today)."""
    value = (text or "").strip()
    if not value:
        return date.today()
    try:
        if "/" in value:
            day, month, year = (int(p) for p in value.split("/"))
        else:
            year, month, day = (int(p) for p in value.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def _row(when: str, item: CalendarItem, n: int) -> str:
    units = "; ".join(item.units)
    return (
        f'<tr><td class="when">{esc(when)}</td><td>{esc(item.province)}</td><td>{esc(item.title)}'
        f'<div class="view-group">{esc(units)}</div></td><td>{esc(item.when)}</td>'
        f"<td>{source_html(n, item.source)}</td></tr>"
    )


def _table(rows: list[str], first: str, css: str) -> str:
    return (
        f'<div class="view-wrap"><table class="view {css}"><thead><tr><th>{first}</th><th>Tỉnh</th><th>Việc</th>'
        "<th>Thời gian (theo kế hoạch)</th><th>Nguồn</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def render_calendar(calendar: Calendar, today: date) -> str:
    if calendar.message:
        return empty_html(calendar.message)
    upcoming = calendar.upcoming(today)
    past = calendar.past(today)
    parts = [f'<div class="view-h">Sắp đến hạn, tính từ {today:%d/%m/%Y}</div>']
    n = 0
    if upcoming:
        rows = []
        for day, item in upcoming:
            n += 1
            label = f"{day:%d/%m/%Y}" + (" (hằng năm)" if item.recurrence == "yearly" else "")
            rows.append(_row(label, item, n))
        parts.append(_table(rows, "Hạn tới", "due-table"))
    else:
        parts.append(empty_html(f"Không còn hạn nào từ {today:%d/%m/%Y} trở đi."))
    if calendar.undated:
        parts.append('<div class="view-h">Không có ngày cụ thể (không gán ngày giả định)</div>')
        rows = []
        for item in calendar.undated:
            n += 1
            rows.append(_row("—", item, n))
        parts.append(_table(rows, "Hạn", "undated-table"))
    if past:
        rows = []
        for item in past:
            n += 1
            rows.append(_row(f"{item.last_due():%d/%m/%Y}", item, n))
        parts.append(
            f"<details><summary>Đã qua hạn ({len(past)} mục)</summary>"
            + _table(rows, "Hạn cuối", "past-table")
            + "</details>"
        )
    return "".join(parts)


def calendar_tab(get_views: Callable[[], Views], provinces: list[str], folder: Path) -> None:
    """Build the tab (inside ``gr.Tabs``); its unit list fills when the tab is opened."""

    def show(province: str | None, unit: str | None, day_text: str | None) -> tuple:
        today = read_day(day_text)
        if today is None:
            return empty_html(BAD_DAY.format(text=(day_text or "")[:20])), gr.update(value=None, interactive=False)
        try:
            calendar = get_views().calendar(chosen(province, ALL_PROVINCES), chosen(unit, ALL_UNITS))
        except UnknownUnit as error:
            return empty_html(str(error)), gr.update(value=None, interactive=False)
        except Exception:
            log.exception("Calendar unavailable")
            return empty_html(LOAD_ERROR), gr.update()
        scope = "-".join(p for p in (calendar.province, calendar.unit) if p)
        ics = download_path(folder, "lich-han" + (f"-{scope}" if scope else "") + ".ics", to_ics(calendar))
        count = len(calendar.dated) + len(calendar.undated)
        return render_calendar(calendar, today), gr.update(
            value=ics, interactive=True, label=f"Tải lịch .ics ({count} mục)"
        )

    def opened(province: str | None, unit: str | None, day_text: str | None) -> tuple:
        try:
            names = [u["name"] for u in get_views().units()]
        except Exception:
            log.exception("Unit list unavailable")
            names = []
        return (gr.update(choices=[ALL_UNITS, *names]), *show(province, unit, day_text))

    with gr.Tab("Lịch hạn", id="calendar") as tab:
        gr.HTML(
            '<p class="hint">Hạn báo cáo và thời hạn nhiệm vụ: hạn hằng năm lặp lại mỗi năm; thời gian theo giai đoạn, '
            "quý, năm lấy ngày cuối kỳ; việc “Thường xuyên”, “Khi có yêu cầu” được liệt kê riêng, không gán ngày. "
            "Tệp .ics nhập được vào Outlook, Google Calendar, Thunderbird.</p>",
            padding=False,
        )
        with gr.Row(equal_height=True):
            province = province_filter(provinces, elem_id="cal-province")
            unit = gr.Dropdown(
                choices=[ALL_UNITS],
                value=ALL_UNITS,
                label="Đơn vị",
                allow_custom_value=True,
                filterable=True,
                min_width=220,
                elem_id="cal-unit",
            )
            day = gr.Textbox(
                value=f"{date.today():%d/%m/%Y}",
                label="Tính từ ngày (dd/mm/yyyy)",
                max_lines=1,
                min_width=160,
                elem_id="cal-day",
            )
        ics_button = download_button("Tải lịch .ics", variant="primary", elem_id="cal-ics")
        calendar_html = gr.HTML(empty_html("Đang tải…"), elem_id="cal-view", padding=False)
    inputs, outputs = [province, unit, day], [calendar_html, ics_button]
    tab.select(opened, inputs, [unit, *outputs], show_progress="minimal")
    province.input(show, inputs, outputs, show_progress="minimal")
    unit.input(show, inputs, outputs, show_progress="minimal")
    day.submit(show, inputs, outputs, show_progress="minimal")
