"""A duty sheet written out: rows for a table, Markdown, CSV and a print-ready .docx, every line with its source."""

from __future__ import annotations

import csv
import io

from assistant.views.docx_writer import add_heading, add_sources, add_table, new_document, to_bytes
from assistant.views.duty_sheet import ROLE_LABELS, DutyItem, DutySheet

HEADER = ["Loại", "Nội dung", "Thời hạn", "Đơn vị được giao", "Nguồn"]
CSV_COLUMNS = [
    "unit",
    "province",
    "plan_id",
    "role",
    "role_label",
    "number",
    "what",
    "time_frame",
    "named_as",
    "via_group",
    "others",
    "section",
    "start",
    "end",
    "quote",
]


def _flat(text: str, limit: int | None = None) -> str:
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def named_as(item: DutyItem) -> str:
    return f"{item.named_as} (qua nhóm)" if item.via_group else item.named_as


def sheet_rows(sheet: DutySheet, limit: int | None = 400) -> list[list[str]]:
    """One row per item: role, what, time frame, how the plan names the unit, [n] of its source."""
    return [
        [item.role_label, _flat(item.what, limit), item.time_frame, named_as(item), f"[{n}]"]
        for n, item in enumerate(sheet.items, start=1)
    ]


def sheet_markdown(sheet: DutySheet) -> str:
    lines = [f"# Nhiệm vụ của {sheet.unit}", ""]
    if sheet.province:
        lines += [f"Phạm vi: kế hoạch của {sheet.province}", ""]
    for plan in sheet.plans:
        lines.append(f"- {plan.number_and_date()}: {plan.title}")
    if sheet.plans:
        lines.append("")
    if not sheet.items:
        return "\n".join([*lines, sheet.message, ""])
    n = 0
    for plan in sheet.plans:
        items = [i for i in sheet.items if i.plan_id == plan.id]
        lines += [f"## {plan.province}", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for item in items:
            n = sheet.items.index(item) + 1
            cells = [item.role_label, _flat(item.what), item.time_frame, named_as(item), f"[{n}]"]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    lines += ["## Nguồn trích dẫn", ""]
    for n, item in enumerate(sheet.items, start=1):
        source = item.source
        if source is not None:
            lines.append(f"[{n}] {source.label()}")
            lines.append(f"> {_flat(source.quote)}")
            lines.append("")
    return "\n".join(lines)


def sheet_csv(sheet: DutySheet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in sheet.items:
        source = item.source
        writer.writerow(
            [
                sheet.unit,
                item.province,
                item.plan_id,
                item.role,
                item.role_label,
                item.number,
                _flat(item.what),
                item.time_frame,
                item.named_as,
                "true" if item.via_group else "false",
                "; ".join(item.others),
                source.section if source else "",
                source.start if source else "",
                source.end if source else "",
                source.quote if source else "",
            ]
        )
    return buffer.getvalue()


def sheet_docx(sheet: DutySheet) -> bytes:
    """Title, each plan's number and date, one table per plan, then the quotes as a numbered sources list."""
    lines = [f"Phạm vi: kế hoạch của {sheet.province}"] if sheet.province else []
    document = new_document(f"Nhiệm vụ của {sheet.unit}", lines)
    if not sheet.items:
        document.add_paragraph(sheet.message)
        return to_bytes(document)
    rows = sheet_rows(sheet, limit=None)
    for plan in sheet.plans:
        add_heading(document, plan.number_and_date())
        if plan.title:
            document.add_paragraph(plan.title).runs[0].italic = True
        chosen = [row for row, item in zip(rows, sheet.items, strict=True) if item.plan_id == plan.id]
        add_table(document, HEADER, chosen, widths_cm=(3.2, 7.4, 2.6, 2.8, 1.2))
    counts = sheet.counts()
    summary = "; ".join(f"{ROLE_LABELS[role]}: {n}" for role, n in counts.items() if n)
    document.add_paragraph(f"Tổng cộng {len(sheet.items)} mục ({summary}).")
    add_sources(document, [i.source for i in sheet.items if i.source is not None])
    return to_bytes(document)
