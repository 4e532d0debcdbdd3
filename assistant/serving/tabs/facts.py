"""The "Bảng dữ liệu" tab: the facts table with readable Vietnamese columns for each kind, filtered by province,
kind and year, and its rows as a CSV download (UTF-8 with BOM, with where each row is in its plan)."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import fold
from assistant.facts.kinds import KINDS
from assistant.facts.store import export_facts
from assistant.serving.tabs.common import ALL_PROVINCES, TabLoad, vn_date
from assistant.serving.tabs.widgets import download_button, province_filter

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine
    from assistant.facts.model import Fact

log = logging.getLogger(__name__)

ALL_KINDS = "Tất cả loại dữ liệu"
ALL_YEARS = "Tất cả các năm"
KIND_LABELS = {kind.name: kind.label for kind in KINDS}  # the registry's Vietnamese labels (assistant.facts.kinds)
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
        ("Ngày", 100, lambda f: vn_date(f.doc_date)),
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


def fact_years(fact: Fact) -> set[int]:
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
        if wanted_year is not None and wanted_year not in fact_years(fact):
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


def facts_tab(get_engine: Callable[[], AnswerEngine], provinces: list[str], folder: Path) -> TabLoad:
    """Build the tab (inside ``gr.Tabs``); the page fills its province and year choices and the table when it
    opens."""

    def outputs(facts: list[Fact], province: str | None, kind: str | None, year: str | None) -> tuple:
        rows = filter_facts(facts, province, kind, year)
        count = f'<div class="facts-count"><b>{len(rows)}</b> dòng</div>'
        try:
            csv_path = write_csv(rows, province, kind, year, folder=folder)
            button = gr.update(value=csv_path, label=f"Tải CSV ({len(rows)} dòng)", interactive=bool(rows))
        except OSError:
            log.exception("CSV export failed")
            button = gr.update(value=None, interactive=False)
        return gr.update(value=facts_frame(rows, kind), column_widths=facts_widths(kind)), count, button

    def update_facts(province: str, kind: str, year: str) -> tuple:
        try:
            facts = get_engine().facts
        except Exception:
            log.exception("Facts table unavailable")
            gr.Warning("Chưa tải được bảng dữ liệu; hãy thử lại sau giây lát.")
            return gr.update(), gr.update(), gr.update()
        return outputs(facts, province, kind, year)

    def fill(loaded: AnswerEngine) -> tuple:
        names = [p.province for p in loaded.corpus.plans]
        years = sorted({y for f in loaded.facts for y in fact_years(f)})
        return (
            gr.update(choices=[ALL_PROVINCES, *names]),
            gr.update(choices=[ALL_YEARS, *[str(y) for y in years]]),
            *outputs(loaded.facts, ALL_PROVINCES, KIND_LABELS["target"], ALL_YEARS),
        )

    with gr.Tab("Bảng dữ liệu", id="facts"):
        gr.HTML(
            '<p class="hint">Dữ kiện trích xuất từ các kế hoạch: chỉ tiêu, nhiệm vụ, chế độ báo cáo, trách '
            "nhiệm, kinh phí, căn cứ pháp lý. Chọn bộ lọc để thu hẹp bảng; tệp CSV chứa đúng các dòng đang lọc "
            "kèm vị trí trong văn bản gốc.</p>",
            padding=False,
        )
        with gr.Row(equal_height=True, elem_id="facts-filters"):
            province = province_filter(provinces)
            kind = gr.Dropdown(
                choices=[ALL_KINDS, *KIND_LABELS.values()],
                value=KIND_LABELS["target"],
                label="Loại dữ liệu",
                min_width=160,
            )
            year = gr.Dropdown(choices=[ALL_YEARS], value=ALL_YEARS, label="Năm", min_width=140)
        with gr.Row(equal_height=True, elem_id="facts-bar"):
            count = gr.HTML('<div class="facts-count">Đang tải…</div>', padding=False, min_width=120)
            csv_button = download_button("Tải CSV", interactive=True, scale=0, min_width=160, elem_id="csv-btn")
        table = gr.Dataframe(
            value=pd.DataFrame(columns=[name for name, _, _ in COLUMNS["target"]]),
            column_widths=facts_widths(KIND_LABELS["target"]),
            interactive=False,
            wrap=True,
            max_height=620,
            show_label=False,
            buttons=["fullscreen"],
            elem_id="facts-table",
        )
    filters = [province, kind, year]
    for control in filters:
        control.change(update_facts, filters, [table, count, csv_button], show_progress="minimal")
    return TabLoad(outputs=[province, year, table, count, csv_button], fill=fill)
