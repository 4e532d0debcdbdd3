"""Chunking by the plan's structure: one passage per paragraph, bullet, footnote or appendix table row.

Input: a loaded :class:`~assistant.ingest.corpus.Plan`. Output: :class:`Passage` objects whose ``text`` is an exact
span of ``Plan.text`` (so a citation can quote it) and whose ``embed_text`` adds what the passage means in
context: the province, the section path, and for a table row the meaning of each column ("Đơn vị chủ trì:
…"). Retrieval indexes ``embed_text``; answers quote ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.indicators import find_indicators
from assistant.ingest.corpus import Plan
from assistant.ingest.layout import FOOTNOTE_MARK_RE
from assistant.ingest.structure import Block, Table, TableRow, assign_cells, collapse, split_target_row

COLUMN_LABELS = {
    "content": "Nội dung nhiệm vụ",
    "lead": "Đơn vị chủ trì",
    "coordinating": "Đơn vị phối hợp",
    "deliverable": "Kết quả, sản phẩm",
    "time_frame": "Thời gian thực hiện",
}

# What each part of the template is about, in both languages: added to the embedded text so that questions
# phrased differently ("funded", "ai ký", "căn cứ") still find the part that answers them.
SECTION_TAGS = {
    "preamble": "Số hiệu, ngày ban hành kế hoạch, căn cứ pháp lý (plan number, issue date, legal basis)",
    "purpose": "Mục đích, yêu cầu của kế hoạch (purpose, requirements)",
    "targets": "Mục tiêu, chỉ tiêu phấn đấu theo năm (targets, goals by year)",
    "tasks": "Nhiệm vụ, giải pháp (tasks, solutions)",
    "assignment": "Phân công nhiệm vụ (task assignment)",
    "funding": "Kinh phí thực hiện, nguồn vốn, ngân sách (funding, budget)",
    "organization": "Tổ chức thực hiện: trách nhiệm của các cơ quan, chế độ báo cáo (responsibilities, reporting)",
    "recipients": "Nơi nhận văn bản (recipients)",
    "signature": "Người ký ban hành kế hoạch, chức vụ người ký (signer of the plan, signed by)",
    "footnote": "Chú thích, căn cứ (footnote, legal basis)",
    "task_row": "Phụ lục phân công nhiệm vụ: chủ trì, phối hợp, thời gian (lead, coordinating units, deadline)",
    "target_row": "Phụ lục chỉ tiêu theo năm (yearly targets)",
    "appendix": "Phụ lục (appendix)",
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
    kind: str  # body | footnote | appendix_row | appendix | recipients | signature
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
        recipients: list[Block] = []
        signature: list[Block] = []
        for block in plan.structure.blocks:
            if block.section_kind == "appendix":
                continue
            if block.section_kind == "recipients":
                # The recipients list ends where the signature block begins ("TM. …", "KT. …", then the name).
                in_signature = signature or re.match(r"^(TM|KT|Q)\.\s", block.text.strip())
                (signature if in_signature else recipients).append(block)
                continue
            if block.kind == "heading" and not heading_has_content(block.text):
                continue
            kind = "footnote" if block.kind == "footnote" else "body"
            tag = "footnote" if kind == "footnote" else block.section_kind
            described = self._footnote_context(block) if kind == "footnote" else None
            passages.append(self._passage(block.start, block.end, block.section or "Mở đầu", kind, tag, described))
        if recipients:
            passages.append(self._merged(recipients, "recipients", "Nơi nhận"))
        if signature:
            passages.append(self._merged(signature, "signature", "Người ký"))
        for run in _contiguous([b for b in plan.structure.blocks if b.section_kind == "appendix"], plan.text):
            passages.append(self._merged(run, "appendix", " › ".join(run[-1].section_path)))
        for table in plan.structure.tables:
            for row in table.rows:
                passages.append(self._row(table, row))
        return passages

    def _passage(
        self, start: int, end: int, section: str, kind: str, tag: str, described: str | None = None
    ) -> Passage:
        text = self.plan.text[start:end]
        body = described if described is not None else collapse(text)
        labels = "; ".join(f"{i.label_vi} ({i.label_en})" for i, _ in find_indicators(body))
        embed_text = " | ".join(
            part for part in (self.plan.province, section, SECTION_TAGS.get(tag, ""), labels, body) if part
        )
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

    def _footnote_context(self, footnote: Block) -> str:
        """A footnote's text preceded by the sentence that cites it ("… Tỉnh ủy1, …"), which says what it is for."""
        number = footnote.text.split(" ", 1)[0]
        for block in self.plan.structure.blocks:
            if block.kind != "footnote" and any(m.group(1) == number for m in FOOTNOTE_MARK_RE.finditer(block.text)):
                return f"Chú thích {number} cho: {collapse(block.text)} — {collapse(footnote.text)}"
        return collapse(footnote.text)

    def _merged(self, blocks: list[Block], kind: str, section: str) -> Passage:
        return self._passage(blocks[0].start, blocks[-1].end, section, kind, kind)

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
            wording, values = split_target_row(row, len(table.years))
            per_year = "; ".join(
                f"năm {year}: {value:g}%" + (f" (tăng doanh thu {growth}%)" if growth is not None else "")
                for year, (value, growth, _) in zip(table.years, values, strict=False)
            )
            described = f"Chỉ tiêu {row.number}: {wording}. Kế hoạch theo năm: {per_year}."
        tag = "task_row" if table.kind == "tasks" else "target_row"
        return self._passage(row.start, row.end, f"{section} › {row.number}", "appendix_row", tag, described)


def _contiguous(blocks: list[Block], text: str) -> list[list[Block]]:
    """Runs of blocks with nothing but line breaks between them."""
    runs: list[list[Block]] = []
    for block in blocks:
        if runs and not text[runs[-1][-1].end : block.start].strip():
            runs[-1].append(block)
        else:
            runs.append([block])
    return runs


def chunk_plan(plan: Plan) -> list[Passage]:
    """Convenience wrapper: :meth:`Chunker.run`."""
    return Chunker().run(plan)
