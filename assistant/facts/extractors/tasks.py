"""Tasks: the rows of the appendix assignment tables, else the numbered items of the body that name their units."""

from __future__ import annotations

import re
from typing import Any

from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import split_units
from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.model import Fact
from assistant.ingest.structure import Cell, Table, assign_cells

# A task named in the body: its numbered item, then its labelled lines (role, then the pattern of the label).
BODY_TASK_ITEM_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
BODY_TASK_LABELS = [
    ("lead", r"(?:cơ quan|đơn vị) chủ trì"),
    ("coordinating", r"(?:cơ quan|đơn vị) phối hợp"),
    ("time_frame", r"thời gian(?: thực hiện| hoàn thành)?|thời hạn(?: hoàn thành)?|tiến độ(?: thực hiện)?"),
    ("deliverable", r"sản phẩm|kết quả(?:,? sản phẩm)?"),
]
BODY_TASK_LABEL_RE = re.compile(
    r"^[-–+•*]?\s*(" + "|".join(pattern for _, pattern in BODY_TASK_LABELS) + r")\s*:\s*(\S.*?)\s*[.;]?$", re.I
)
PAGE_NUMBER_LINE_RE = re.compile(r"^\d{1,3}$")


class TaskExtractor(Extractor):
    """Tasks of each assignment table; when a plan has none, those its body names with their units."""

    kind = "task"

    def reads_table(self, table: Table) -> bool:
        return "content" in table.columns and bool(
            {"lead", "coordinating"} & set(table.columns) or any(r.group_lead for r in table.rows)
        )

    def from_table(self, ctx: PlanContext, table: Table) -> list[Fact]:
        facts: list[Fact] = []
        for row in table.rows:
            cells = assign_cells(row, table.columns)
            content = cells.get("content")
            if content is None:
                continue
            lead = cells.get("lead") or (Cell(row.group_lead, row.start, row.start) if row.group_lead else None)
            from_group = "lead" not in cells and row.group_lead and row.group_span is not None
            coordinating = cells.get("coordinating")
            time_cell = cells.get("time_frame")
            facts.append(
                self._task(
                    ctx,
                    " › ".join(table.section_path),
                    "appendix",
                    row.start,
                    row.end,
                    number=row.number,
                    content=content.text,
                    lead=lead.text if lead else "",
                    coordinating=coordinating.text if coordinating else "",
                    time_frame=time_cell.text if time_cell else "",
                    deliverable=cells["deliverable"].text if "deliverable" in cells else "",
                    parent=row.parent,
                    qualifiers={"lead_span": list(row.group_span)} if from_group else {},
                )
            )
        return facts

    def _task(
        self,
        ctx: PlanContext,
        section: str,
        origin: str,
        start: int,
        end: int,
        *,
        number: str,
        content: str,
        lead: str,
        coordinating: str,
        time_frame: str,
        deliverable: str,
        parent: str,
        qualifiers: dict[str, Any] | None = None,
    ) -> Fact:
        """A task fact from its written cells: the units split (declared abbreviations expanded), the time frame
        classified; the written texts kept as the evidence check reads them."""
        kind, start_year, end_year = classify_time_frame(time_frame)
        return ctx.fact(
            self.kind,
            section,
            origin,
            start,
            end,
            number=number,
            content=content,
            lead_units=[u.name for u in split_units(lead, ctx.declared)] if lead else [],
            lead_units_original=lead,
            coordinating_units=[u.name for u in split_units(coordinating, ctx.declared)] if coordinating else [],
            coordinating_units_original=coordinating,
            deliverable=deliverable,
            time_frame=time_frame,
            time_frame_kind=kind,
            start_year=start_year,
            end_year=end_year,
            parent=parent,
            qualifiers=qualifiers or {},
        )

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        if any(f.kind == "task" for f in earlier):  # an assignment table: the body's items are not read
            return []
        return self._body_tasks(ctx)

    def _body_tasks(self, ctx: PlanContext) -> list[Fact]:
        """Tasks of a plan without an assignment table that name their units in the body: a numbered item of the
        tasks part ("2.1. Phát triển …") followed by labelled lines ("- Cơ quan chủ trì: …", "- Cơ quan phối hợp:
        …", "- Thời gian thực hiện: …", "- Sản phẩm: …"). The quote runs from the item's heading to its last label."""
        facts: list[Fact] = []
        item: dict[str, Any] | None = None

        def close() -> None:
            if item and item.get("lead"):
                number = item["number"]
                facts.append(
                    self._task(
                        ctx,
                        item["section"],
                        "body",
                        item["start"],
                        item["end"],
                        number=number,
                        content=collapse_spaces(" ".join(item["content"])),
                        lead=item["lead"],
                        coordinating=item.get("coordinating", ""),
                        time_frame=item.get("time_frame", ""),
                        deliverable=item.get("deliverable", ""),
                        parent=number.rsplit(".", 1)[0] if "." in number else "",
                    )
                )

        for block in ctx.plan.structure.blocks:
            if block.section_kind != "tasks":
                continue
            text = collapse_spaces(block.text)
            numbered = BODY_TASK_ITEM_RE.match(text) if block.kind == "heading" else None
            if numbered:
                close()
                item = {"number": numbered.group(1), "content": [numbered.group(2)], "section": block.section,
                        "start": block.start, "end": block.end, "open": not text.endswith((".", ":", ";"))}
                continue
            if item is None:
                continue
            label = BODY_TASK_LABEL_RE.match(text)
            if label:
                role = next(role for role, pattern in BODY_TASK_LABELS if re.match(pattern, label.group(1), re.I))
                item[role] = label.group(2).strip()
                item["end"] = block.start + len(block.text.rstrip(" .;"))
                item["open"] = False
            elif item["open"] and block.kind == "paragraph" and not PAGE_NUMBER_LINE_RE.match(text):
                item["content"].append(text.rstrip(" ."))  # the item's title, continued on the next line
        close()
        return facts


def classify_time_frame(text: str) -> tuple[str, int | None, int | None]:
    """Kind of a time frame as written, with start/end years when it names them.

    Kinds: range (2024-2025), year (Năm 2024), quarter (Quý IV/2023), ongoing (Thường xuyên), yearly (Hằng
    năm, Trước ngày 30/6 hằng năm), periodic (Định kỳ 6 tháng), deadline (Trước ngày 31/10/2025),
    after_guidance (Sau khi / Khi có hướng dẫn …), on_request (Khi có yêu cầu), other.
    """
    if not text:
        return "", None, None
    folded = collapse_spaces(fold(text)).strip(" .;,")
    match = re.fullmatch(r"(?:(?:nam|giai doan|tu nam)\s+)?(\d{4})\s*[-–]\s*(?:nam\s+)?(\d{4})", folded)
    if match:
        return "range", int(match.group(1)), int(match.group(2))
    match = re.fullmatch(r"(?:(?:nam|trong nam|den nam)\s+)?(\d{4})", folded)
    if match:
        return "year", int(match.group(1)), int(match.group(1))
    match = re.fullmatch(r"quy\s+[ivx1-4]+\s*(?:/|nam)\s*(\d{4})", folded)
    if match:
        return "quarter", int(match.group(1)), int(match.group(1))
    if folded.startswith("thuong xuyen"):
        return "ongoing", None, None
    if folded.startswith(("sau khi", "khi co huong dan")):
        return "after_guidance", None, None
    if folded.startswith("khi co"):
        return "on_request", None, None
    if folded.startswith("dinh ky"):
        return "periodic", None, None
    if folded.startswith(("hang nam", "hang quy")) or re.search(r"\bhang nam\b", folded):
        return "yearly", None, None
    match = re.fullmatch(r"truoc ngay \d{1,2}\s*/\s*\d{1,2}\s*/\s*(\d{4})", folded)
    if match:
        return "deadline", int(match.group(1)), int(match.group(1))
    return "other", None, None
