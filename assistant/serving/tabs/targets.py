"""The "So sánh chỉ tiêu" tab: indicator × province × year, conflicts marked, a chart of one indicator, CSV."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import pandas as pd

from assistant.domain.indicators import BY_CODE
from assistant.serving.tabs.common import ALL_PROVINCES, LOAD_ERROR, chosen, download_path, empty_html, esc, source_html
from assistant.serving.tabs.widgets import download_button, province_filter
from assistant.views.registry import Views
from assistant.views.target_matrix import TargetMatrix, indicator_label, matrix_csv, series

log = logging.getLogger(__name__)
ALL_INDICATORS = "Tất cả các chỉ tiêu"
ALL_YEARS = "Tất cả các năm"
CHART_COLUMNS = ["year", "value", "province"]  # Vega field names: ASCII; the axis titles say them in Vietnamese


def render_matrix(matrix: TargetMatrix) -> str:
    """The matrix as HTML (a row per indicator and province, a column per year; ⚠ cells in conflict), then the
    conflicts with both values and both quotes, then every target with its source."""
    if not matrix.cells:
        return empty_html(matrix.message)
    head = "".join(f"<th>{y}</th>" for y in matrix.years)
    rows = []
    for code, label in matrix.indicators:
        for province in matrix.provinces:
            cells = [matrix.cell(code, province, y) for y in matrix.years]
            if not any(cells):
                continue
            tds = "".join(
                f'<td class="{"conflict" if c and c.conflict else ""}">{esc(c.label()) if c else ""}</td>'
                for c in cells
            )
            rows.append(f"<tr><td>{esc(label)}</td><td>{esc(province)}</td>{tds}</tr>")
    parts = [
        f'<p class="view-note"><b>{len(matrix.cells)}</b> ô · <b>{len(matrix.conflicts)}</b> ô có số liệu khác nhau '
        "trong cùng một kế hoạch (⚠)</p>",
        '<div class="view-wrap"><table class="view matrix-table"><thead><tr><th class="ind">Chỉ tiêu</th><th>Tỉnh</th>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>",
    ]
    n = 0
    if matrix.conflicts:
        parts.append('<div class="view-h">⚠ Số liệu khác nhau trong cùng kế hoạch (giữ cả hai, kèm trích dẫn)</div>')
        for cell in matrix.conflicts:
            items = []
            for value in cell.values:
                n += 1
                items.append(f"<li><b>{esc(value.label)}</b> {source_html(n, value.source)}</li>")
            parts.append(
                f'<div class="conflict-item"><b>{esc(cell.indicator_label)} · {esc(cell.province)} · {cell.year}'
                f"</b><ul>{''.join(items)}</ul></div>"
            )
    rows = []
    for cell in matrix.cells:
        for value in cell.values:
            n += 1
            rows.append(
                f"<tr><td>{esc(cell.indicator_label)}</td><td>{esc(cell.province)}</td><td>{cell.year}</td>"
                f"<td>{esc(value.label)}</td><td>{source_html(n, value.source)}</td></tr>"
            )
    parts.append(
        '<details><summary>Nguồn của từng chỉ tiêu</summary><div class="view-wrap"><table class="view">'
        "<thead><tr><th>Chỉ tiêu</th><th>Tỉnh</th><th>Năm</th><th>Giá trị</th><th>Nguồn</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div></details>"
    )
    return "".join(parts)


def chart_frame(matrix: TargetMatrix, code: str | None) -> tuple[pd.DataFrame, str]:
    """(points, title) of one indicator (the chosen one, else the first of the matrix) across provinces and years."""
    code = code or (matrix.indicators[0][0] if matrix.indicators else None)
    if code is None:
        return pd.DataFrame(columns=CHART_COLUMNS), "Biểu đồ"
    points = series(matrix, code)
    frame = pd.DataFrame([[p["year"], p["value"], p["province"]] for p in points], columns=CHART_COLUMNS)
    return frame, f"{indicator_label(code)} (%) theo tỉnh và năm"


def targets_tab(get_views: Callable[[], Views], provinces: list[str], folder: Path) -> None:
    """Build the tab (inside ``gr.Tabs``)."""
    labels = {BY_CODE[code].label_vi: code for code in BY_CODE}

    def show(indicator: str | None, province: str | None, year: str | None) -> tuple:
        code = labels.get(chosen(indicator, ALL_INDICATORS) or "")
        wanted_year = int(year) if year and str(year).isdigit() else None
        try:
            matrix = get_views().matrix(code, chosen(province, ALL_PROVINCES), wanted_year)
        except Exception:
            log.exception("Target matrix unavailable")
            return empty_html(LOAD_ERROR), gr.update(), gr.update(), gr.update()
        frame, title = chart_frame(matrix, code)
        path = download_path(folder, "so-sanh-chi-tieu.csv", matrix_csv(matrix))
        count = sum(len(c.values) for c in matrix.cells)
        return (
            render_matrix(matrix),
            frame,
            f'<p class="view-note"><b>Biểu đồ:</b> {esc(title)}</p>',
            gr.update(value=path, interactive=bool(count), label=f"Tải CSV ({count} dòng)"),
        )

    def opened(indicator: str | None, province: str | None, year: str | None) -> tuple:
        try:
            years = get_views().matrix().years
        except Exception:
            years = []
        return (gr.update(choices=[ALL_YEARS, *map(str, years)]), *show(indicator, province, year))

    with gr.Tab("So sánh chỉ tiêu", id="targets") as tab:
        gr.HTML(
            '<p class="hint">Chỉ tiêu của các tỉnh theo từng năm. Ô đánh dấu ⚠ là nơi một kế hoạch ghi hai số liệu '
            "khác nhau cho cùng chỉ tiêu và năm: giữ cả hai, kèm trích dẫn. Biểu đồ vẽ một chỉ tiêu (tính theo %).</p>",
            padding=False,
        )
        with gr.Row(equal_height=True):
            indicator = gr.Dropdown(
                choices=[ALL_INDICATORS, *labels],
                value=ALL_INDICATORS,
                label="Chỉ tiêu",
                scale=2,
                min_width=240,
                elem_id="tgt-indicator",
            )
            province = province_filter(provinces, elem_id="tgt-province")
            year = gr.Dropdown(choices=[ALL_YEARS], value=ALL_YEARS, label="Năm", min_width=120, elem_id="tgt-year")
        csv_button = download_button("Tải CSV", elem_id="tgt-csv")
        chart_title = gr.HTML("", elem_id="tgt-chart-title", padding=False)
        chart = gr.LinePlot(
            None,
            x="year",
            y="value",
            color="province",
            x_title="Năm",
            y_title="Giá trị (%)",
            color_title="Tỉnh",
            sort="x",
            y_lim=[0, 100],
            height=320,
            elem_id="tgt-chart",
        )
        matrix_html = gr.HTML(empty_html("Đang tải…"), elem_id="tgt-matrix", padding=False)
    inputs, outputs = [indicator, province, year], [matrix_html, chart, chart_title, csv_button]
    tab.select(opened, inputs, [year, *outputs], show_progress="minimal")
    for control in inputs:
        control.input(show, inputs, outputs, show_progress="minimal")
