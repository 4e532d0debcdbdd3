"""Template structure of a plan: sections, blocks with their section path, and appendix tables as rows and cells.

All provincial plans follow the national template of Decision 348/QĐ-TTg: Roman-numeral parts (MỤC ĐÍCH,
YÊU CẦU; MỤC TIÊU; NHIỆM VỤ, GIẢI PHÁP; KINH PHÍ; TỔ CHỨC THỰC HIỆN), numbered and lettered sub-sections,
bullets, and an appendix (PHỤ LỤC) with tables. This module reads that structure from the layout-repaired
text (one block per line), keyed by the template's headings, never by line numbers.

Input: the plan text from :mod:`assistant.ingest.layout` (and where its footnotes and appendix are).
Output: :class:`PlanStructure` with every :class:`Block` (span, kind, section path, section kind) and every
:class:`Table` (column roles, rows of :class:`Cell` spans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.normalize import fold
from assistant.ingest.layout import is_all_caps, is_appendix_title
from assistant.ingest.tables import (  # noqa: F401  (re-exported: the table model belongs to the structure)
    CELL_SEPARATOR,
    Cell,
    Table,
    TableReader,
    TableRow,
    assign_cells,
    collapse,
    is_header_line,
    read_target_row,
    split_target_row,
)

ROMAN_RE = re.compile(r"^([IVX]{1,4})\.\s+(.*)$")
NUMBERED_RE = re.compile(r"^(\d{1,2})[.,]\s+(.*)$")
SUBNUMBERED_RE = re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s+(.*)$")
LETTERED_RE = re.compile(r"^([a-zđ])\)\s+(.*)$")
BULLET_RE = re.compile(r"^[-–—•+*]\s*")

# Template parts, recognised by keywords of their (folded) titles; the first match wins.
SECTION_KINDS: list[tuple[str, str]] = [
    ("phan cong", "assignment"),
    ("muc dich", "purpose"),
    ("muc tieu", "targets"),
    ("nhiem vu", "tasks"),
    ("giai phap", "tasks"),
    ("kinh phi", "funding"),
    ("to chuc thuc hien", "organization"),
    ("phu luc", "appendix"),
]
REQUIRED_KINDS = {"targets"}
ANY_OF_KINDS = {"tasks", "organization"}


@dataclass
class Block:
    """One block (line) of the plan text with its place in the template."""

    start: int
    end: int
    text: str
    kind: str  # title | heading | paragraph | bullet | footnote | table
    level: int  # heading level (1 Roman, 2 numbered, 3 lettered/sub-numbered); 0 for content
    section_path: tuple[str, ...]
    section_kind: str  # preamble | purpose | targets | tasks | assignment | funding | organization | ...

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)


@dataclass
class PlanStructure:
    blocks: list[Block]
    tables: list[Table]

    def section_kinds(self) -> set[str]:
        return {b.section_kind for b in self.blocks if b.kind == "heading"}

    def missing_sections(self) -> list[str]:
        """Template parts that are absent (empty when the plan follows the template)."""
        kinds = self.section_kinds()
        missing = sorted(REQUIRED_KINDS - kinds)
        if not kinds & ANY_OF_KINDS:
            missing.append(" hoặc ".join(sorted(ANY_OF_KINDS)))
        return missing


def section_kind_of(title: str) -> str | None:
    folded = fold(title)
    for keyword, kind in SECTION_KINDS:
        if keyword in folded:
            return kind
    return None


def heading_title(rest: str) -> str:
    """The title of a numbered heading line: text before an inline ': ', or a short line as it is."""
    head, sep, inline = rest.partition(": ")
    if sep and len(head) <= 80:
        # "Các sở: Tài chính, Kế hoạch và Đầu tư" names units after the colon: keep them in the title.
        return rest.strip() if len(inline.split()) <= 8 else head.strip()
    words = rest.split()
    return rest.strip() if len(words) <= 18 else " ".join(words[:12]) + " …"


def _iter_lines(text: str, start: int, end: int):
    offset = start
    for line in text[start:end].split("\n"):
        yield offset, offset + len(line), line
        offset += len(line) + 1


class StructureParser:
    """Parses a layout-repaired plan text into blocks and tables (see the module docstring)."""

    def run(
        self, text: str, footnotes: list[tuple[int, int]] | None = None, appendix_start: int | None = None
    ) -> PlanStructure:
        footnote_starts = {start for start, _ in footnotes or []}
        body_end = appendix_start if appendix_start is not None else len(text)
        blocks: list[Block] = []
        tables: list[Table] = []
        path: list[tuple[int, str]] = []
        kind = "preamble"
        level1_kind = "preamble"
        lines = list(_iter_lines(text, 0, body_end))
        i = 0
        while i < len(lines):
            start, end, line = lines[i]
            if not line.strip():
                i += 1
                continue
            if CELL_SEPARATOR in line and _is_cell_header(line):
                section = tuple(t for _, t in path)
                table, i = TableReader(text, lines, section[-1] if section else "", section).read(i)
                tables.append(table)
                blocks.append(Block(table.start, table.end, text[table.start : table.end], "table", 0, section, kind))
                continue
            i += 1
            block_kind, level, title = self._classify(line)
            if start in footnote_starts:
                block_kind, level = "footnote", 0
            if block_kind == "heading" and level == 3 and kind == "targets" and _is_target_item(line):
                block_kind, level = "bullet", 0  # "a) 67% cơ quan báo chí …": an item of the list, not a title
            if block_kind == "heading" and level == 1:
                level1_kind = section_kind_of(title) or "other"
                kind = level1_kind
            elif block_kind == "heading" and level > 1 and level1_kind == "preamble":
                block_kind, level = "paragraph", 0
            if fold(line).startswith("noi nhan"):
                block_kind, level, title, kind = "heading", 1, line.rstrip(":"), "recipients"
                level1_kind = kind
            if block_kind == "heading":
                while path and path[-1][0] >= level:
                    path.pop()
                path.append((level, title))
            blocks.append(Block(start, end, line, block_kind, level, tuple(t for _, t in path), kind))
        if appendix_start is not None:
            blocks_a, tables_a = self._appendix(text, appendix_start)
            blocks.extend(blocks_a)
            tables.extend(tables_a)
        return PlanStructure(blocks, tables)

    @staticmethod
    def _classify(line: str) -> tuple[str, int, str]:
        stripped = line.strip()
        match = ROMAN_RE.match(stripped)
        if match and is_all_caps(match.group(2)):
            return "heading", 1, stripped.rstrip(":")
        match = SUBNUMBERED_RE.match(stripped)
        if match:
            return "heading", 3, f"{match.group(1)} {heading_title(match.group(2))}"
        match = NUMBERED_RE.match(stripped)
        if match:
            return "heading", 2, f"{match.group(1)}. {heading_title(match.group(2))}"
        match = LETTERED_RE.match(stripped)
        if match:
            return "heading", 3, f"{match.group(1)}) {heading_title(match.group(2))}"
        if BULLET_RE.match(stripped) and len(stripped) > 1:
            return "bullet", 0, ""
        if is_all_caps(stripped):
            return "title", 0, ""
        return "paragraph", 0, ""

    # -- appendix --------------------------------------------------------------------------------------
    def _appendix(self, text: str, appendix_start: int) -> tuple[list[Block], list[Table]]:
        lines = list(_iter_lines(text, appendix_start, len(text)))
        blocks: list[Block] = []
        tables: list[Table] = []
        title_lines: list[str] = []
        path: tuple[str, ...] = ("PHỤ LỤC",)
        i = 0
        while i < len(lines):
            start, end, line = lines[i]
            if is_header_line(line.strip()) or (CELL_SEPARATOR in line and _is_cell_header(line)):
                table, i = TableReader(text, lines, path[-1], path).read(i)
                tables.append(table)
                continue
            if is_appendix_title(line):
                path = ("PHỤ LỤC",)
            elif NUMBERED_RE.match(line.strip()):
                path = ("PHỤ LỤC", line.strip())
            else:
                title_lines.append(line)
            blocks.append(Block(start, end, line, "title", 0, path, "appendix"))
            i += 1
        return blocks, tables


def _is_cell_header(line: str) -> bool:
    """A tab-separated line that heads a table: its cells name at least two column roles."""
    from assistant.ingest.tables import cell_role

    roles = [cell_role(cell) for cell in line.split(CELL_SEPARATOR)]
    return sum(1 for r in roles if r and r != "number") >= 2


_VALUE_RE = re.compile(r"\d\s*%|\d+\s+[^\W\d_]")


def _is_target_item(line: str) -> bool:
    """A lettered line under MỤC TIÊU that states a target (a sentence with a value), not a sub-title."""
    words = line.split()
    return len(words) > 10 and (bool(_VALUE_RE.search(line)) or line.rstrip().endswith("."))


def parse_structure(
    text: str, footnotes: list[tuple[int, int]] | None = None, appendix_start: int | None = None
) -> PlanStructure:
    """Convenience wrapper: :meth:`StructureParser.run`."""
    return StructureParser().run(text, footnotes, appendix_start)
