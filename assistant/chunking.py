"""Chunking by the plan's structure: one passage per paragraph, bullet, footnote or appendix table row.

Input: a loaded :class:`~assistant.corpus.Plan`. Output: :class:`Passage` objects whose ``text`` is an exact
span of ``Plan.text`` (so a citation can quote it) and whose ``embed_text`` adds what the passage means in
context: the province, the section path, and for a table row the meaning of each column ("Đơn vị chủ trì:
…"). Retrieval indexes ``embed_text``; answers quote ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus import Plan
from assistant.structure import Block, Table, TableRow, assign_cells, collapse

COLUMN_LABELS = {
    "content": "Nội dung nhiệm vụ",
    "lead": "Đơn vị chủ trì",
    "coordinating": "Đơn vị phối hợp",
    "deliverable": "Kết quả, sản phẩm",
    "time_frame": "Thời gian thực hiện",
}


def heading_has_content(text: str) -> bool:
    """A numbered heading that carries content of its own ("2. Các cơ quan báo chí: Căn cứ …", a sentence)."""
    _, sep, inline = text.partition(": ")
    return bool(sep and len(inline.split()) > 8) or text.rstrip().endswith(".") or len(text.split()) > 25


@dataclass(frozen=True)
class Passage:
    """A retrievable passage: its exact span in the plan text and the text that is embedded for it."""

    id: str
    plan_id: str
    province: str
    section: str
    kind: str  # body | footnote | appendix_row | appendix_title | signature
    start: int
    end: int
    text: str
    embed_text: str

    def metadata(self) -> dict[str, str | int]:
        return {
            "plan_id": self.plan_id,
            "province": self.province,
            "section": self.section,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
        }


class Chunker:
    """Turns a plan into passages (see the module docstring)."""

    def run(self, plan: Plan) -> list[Passage]:
        self.plan = plan
        passages: list[Passage] = []
        trailing: list[Block] = []
        for block in plan.structure.blocks:
            if block.section_kind == "appendix":
                continue
            if block.section_kind == "recipients" or (block.kind == "title" and block.section_kind != "preamble"):
                trailing.append(block)
                continue
            if trailing:
                passages.append(self._merged(trailing, "signature"))
                trailing = []
            if block.kind == "heading" and not heading_has_content(block.text):
                continue
            kind = "footnote" if block.kind == "footnote" else "body"
            passages.append(self._passage(block.start, block.end, block.section or "Mở đầu", kind))
        if trailing:
            passages.append(self._merged(trailing, "signature"))
        appendix_titles = [b for b in plan.structure.blocks if b.section_kind == "appendix"]
        if appendix_titles:
            passages.append(self._merged(appendix_titles, "appendix_title"))
        for table in plan.structure.tables:
            for row in table.rows:
                passages.append(self._row(table, row))
        return passages

    def _passage(self, start: int, end: int, section: str, kind: str, described: str | None = None) -> Passage:
        text = self.plan.text[start:end]
        body = described if described is not None else collapse(text)
        embed_text = f"{self.plan.province} | {section} | {body}"
        return Passage(
            id=f"{self.plan.id}:{start}-{end}",
            plan_id=self.plan.id,
            province=self.plan.province,
            section=section,
            kind=kind,
            start=start,
            end=end,
            text=text,
            embed_text=embed_text,
        )

    def _merged(self, blocks: list[Block], kind: str) -> Passage:
        section = "Nơi nhận, chữ ký" if kind == "signature" else "PHỤ LỤC"
        return self._passage(blocks[0].start, blocks[-1].end, section, kind)

    def _row(self, table: Table, row: TableRow) -> Passage:
        section = " › ".join(table.section_path)
        if table.kind == "tasks":
            cells = assign_cells(row, table.columns)
            parts = [f"Nhiệm vụ {row.number}"]
            for role in ("content", "lead", "coordinating", "deliverable", "time_frame"):
                if role in cells:
                    parts.append(f"{COLUMN_LABELS[role]}: {cells[role].text}")
            described = ". ".join(parts)
        else:
            described = f"Chỉ tiêu {row.number} theo năm {', '.join(str(y) for y in table.years)}: " + collapse(
                " ".join(text for _, _, text in row.lines)
            )
        return self._passage(row.start, row.end, f"{section} › {row.number}", "appendix_row", described)


def chunk_plan(plan: Plan) -> list[Passage]:
    """Convenience wrapper: :meth:`Chunker.run`."""
    return Chunker().run(plan)
