"""Template structure of a plan: sections, blocks with their section path, and appendix tables as rows and cells.

All provincial plans follow the national template of Decision 348/QĐ-TTg: Roman-numeral parts (MỤC ĐÍCH,
YÊU CẦU; MỤC TIÊU; NHIỆM VỤ, GIẢI PHÁP; KINH PHÍ; TỔ CHỨC THỰC HIỆN), numbered and lettered sub-sections,
bullets, and an appendix (PHỤ LỤC) with tables. This module reads that structure from the layout-repaired
text (one block per line), keyed by the template's headings, never by line numbers.

Input: the plan text from :mod:`assistant.layout` (and where its footnotes and appendix are).
Output: :class:`PlanStructure` with every :class:`Block` (span, kind, section path, section kind) and every
:class:`Table` (column roles, rows of :class:`Cell` spans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.layout import is_all_caps, is_appendix_title
from assistant.normalize import fold

ROMAN_RE = re.compile(r"^([IVX]{1,4})\.\s+(.*)$")
NUMBERED_RE = re.compile(r"^(\d{1,2})[.,]\s+(.*)$")
SUBNUMBERED_RE = re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s+(.*)$")
LETTERED_RE = re.compile(r"^([a-zđ])\)\s+(.*)$")
BULLET_RE = re.compile(r"^[-–—•+*]\s*")
ROW_START_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)(?:\s+(.*))?$")
YEAR_COLUMN_RE = re.compile(r"(?:ke hoach|muc tieu|nam)\s*(?:nam\s*)?(20\d\d)")

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

# Column roles of appendix tables, recognised by keywords of the header.
COLUMN_ROLES: list[tuple[str, str]] = [
    (r"noi dung chi tieu", "indicator"),
    (r"noi dung|nhiem vu", "content"),
    (r"chu tri", "lead"),
    (r"phoi\s+hop", "coordinating"),
    (r"ket qua|san pham", "deliverable"),
    (r"thoi gian", "time_frame"),
    (r"don vi do", "measure"),
]


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
class Cell:
    """A table cell: its text (lines joined by spaces) and its span in the plan text."""

    text: str
    start: int
    end: int


@dataclass
class TableRow:
    number: str
    start: int
    end: int
    cells: dict[str, Cell] = field(default_factory=dict)
    lines: list[tuple[int, int, str]] = field(default_factory=list)
    parent: str = ""  # number of the group row this row belongs to (5 for 5.1)


@dataclass
class Table:
    """An appendix table: its title, header span, column roles (in order), year columns, and rows."""

    title: str
    start: int
    end: int
    columns: list[str]
    years: list[int]
    rows: list[TableRow] = field(default_factory=list)
    section_path: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "targets" if self.years else "tasks"


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
        path: list[tuple[int, str]] = []
        kind = "preamble"
        level1_kind = "preamble"
        for start, end, line in _iter_lines(text, 0, body_end):
            if not line.strip():
                continue
            block_kind, level, title = self._classify(line)
            if start in footnote_starts:
                block_kind, level = "footnote", 0
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
        tables: list[Table] = []
        if appendix_start is not None:
            blocks_a, tables = self._appendix(text, appendix_start)
            blocks.extend(blocks_a)
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
            folded = fold(line)
            if folded.startswith(("tt ", "stt ")) or folded in {"tt", "stt"}:
                table, i = self._table(lines, i, path)
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

    def _table(self, lines: list[tuple[int, int, str]], i: int, path: tuple[str, ...]) -> tuple[Table, int]:
        header_start = lines[i][0]
        header: list[str] = [lines[i][2]]
        i += 1
        while i < len(lines) and not ROW_START_RE.match(lines[i][2].strip()):
            header.append(lines[i][2])
            i += 1
        folded_header = fold(" ".join(header))
        roles: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        for pattern, role in COLUMN_ROLES:
            for match in re.finditer(pattern, folded_header):
                if any(a <= match.start() < b for a, b in taken):
                    continue
                roles.append((match.start(), role))
                taken.append((match.start(), match.end()))
                break
        years = [int(m.group(1)) for m in YEAR_COLUMN_RE.finditer(folded_header)]
        columns = [role for _, role in sorted(roles)]
        table = Table(
            title=path[-1],
            start=header_start,
            end=lines[i - 1][1],
            columns=columns,
            years=years,
            section_path=path,
        )
        expected: str | None = None
        current: TableRow | None = None
        while i < len(lines):
            start, end, line = lines[i]
            stripped = line.strip()
            folded = fold(stripped)
            if folded.startswith(("tt ", "stt ")) or (
                NUMBERED_RE.match(stripped) and not ROW_START_RE.match(stripped) and current is not None
            ):
                break
            match = ROW_START_RE.match(stripped)
            if match and _is_next_number(match.group(1), expected):
                number = match.group(1)
                parent = ""
                if "." in number:
                    parent = number.split(".")[0]
                elif current is not None and current.parent and number.split(".")[0] == current.parent:
                    parent = current.parent
                current = TableRow(number=number, start=start, end=end, parent=parent)
                table.rows.append(current)
                expected = number
                rest = match.group(2) or ""
                if rest:
                    offset = start + line.index(rest)
                    current.lines.append((offset, offset + len(rest), rest))
            elif current is not None and stripped:
                current.lines.append((start, end, line))
                current.end = end
            i += 1
        table.end = table.rows[-1].end if table.rows else table.end
        return table, i


def _is_next_number(number: str, previous: str | None) -> bool:
    """Row numbers run 1, 2, 3 … with optional sub-rows 5.1, 5.2 after a group row 5."""
    if previous is None:
        return number in {"1", "1.1"}
    prev_major, _, prev_minor = previous.partition(".")
    major, _, minor = number.partition(".")
    if not minor:
        return int(major) == int(prev_major) + 1
    if prev_minor:
        return (major == prev_major and int(minor) == int(prev_minor) + 1) or (
            int(major) == int(prev_major) + 1 and minor == "1"
        )
    return major == prev_major and minor == "1"


def parse_structure(
    text: str, footnotes: list[tuple[int, int]] | None = None, appendix_start: int | None = None
) -> PlanStructure:
    """Convenience wrapper: :meth:`StructureParser.run`."""
    return StructureParser().run(text, footnotes, appendix_start)


# -- cells of task tables -------------------------------------------------------------------------------
TIME_FRAME_TAIL_RES = [
    re.compile(r"(?:^|\s)((?:Sau khi|Khi có|Trước ngày|Trước tháng)\b[\s\S]*)$"),
    re.compile(r"(?:^|\s)((?:Năm|Quý|Tháng)\s+[\w/]+(?:\s*[-–]\s*\d{4})?)\s*$"),
    re.compile(r"(?:^|\s)(\d{4}\s*[-–]\s*\d{4}|\d{4})\s*$"),
    re.compile(r"(?:^|\s)(Thường xuyên|Hằng năm|Hàng năm|Định kỳ[\w ]*)\s*$", re.IGNORECASE),
]
_OPEN_ENDINGS = {"và", "của", "với", "các", "về", "cho", "tại", "theo", "từ", "đến", "hoặc", "sở", "bộ", "ban"}


def _line_is_open(text: str) -> bool:
    """A cell line that cannot end a cell: ends with a comma/semicolon or a word that needs a continuation."""
    text = text.rstrip()
    if not text or text[-1] in ",;(/-–":
        return True
    last = text.rsplit(" ", 1)[-1].lower()
    return last in _OPEN_ENDINGS or text.endswith(("Tạp chí", "Đài", "Báo"))


def _looks_like_units(text: str) -> bool:
    from assistant.units import UNIT_HEADS, split_units

    units = split_units(text)
    if not units:
        return False
    return all(
        any(u.name.startswith(h) or u.original.startswith(h) for h in UNIT_HEADS)
        or fold(u.name).startswith(("cac ", "co quan", "don vi"))
        for u in units
    )


def assign_cells(row: TableRow, columns: list[str]) -> dict[str, Cell]:
    """Put a flattened task-table row back into its columns (content, lead, coordinating, …, time frame).

    The time frame is recognised at the end of the row by its forms (a year range, "Thường xuyên",
    "Sau khi có hướng dẫn …", "Khi có yêu cầu …"). The other cells start at a line that opens with a
    capital letter after a line that could end a cell; when that gives more pieces than columns, the
    split that makes the lead and coordinating cells read as unit lists wins.
    """
    lines = list(row.lines)
    cells: dict[str, Cell] = {}
    if not lines:
        return cells
    if "time_frame" in columns:
        joined = "\n".join(text for _, _, text in lines)
        for pattern in TIME_FRAME_TAIL_RES:
            match = pattern.search(joined)
            if not match:
                continue
            begin = match.start(1)
            # Map the offset in the joined text back to a line and a position.
            offset = 0
            for index, (start, _end, text) in enumerate(lines):
                if offset <= begin <= offset + len(text):
                    cut = start + (begin - offset)
                    head = text[: begin - offset].rstrip()
                    last_start, last_end, _ = lines[-1]
                    cells["time_frame"] = Cell(collapse(joined[begin:]), cut, last_end)
                    lines = lines[:index] + ([(start, start + len(head), head)] if head else [])
                    break
                offset += len(text) + 1
            break
    segments: list[list[tuple[int, int, str]]] = []
    for line in lines:
        text = line[2].strip()
        if not text:
            continue
        if segments and not (text[:1].isupper() and not _line_is_open(segments[-1][-1][2])):
            segments[-1].append(line)
        else:
            segments.append([line])
    roles = [c for c in columns if c not in {"time_frame", "indicator", "measure"}]
    groups = _best_grouping(segments, roles)
    for role, group in zip(roles, groups, strict=False):
        if group:
            cells[role] = Cell(collapse(" ".join(t for _, _, t in group)), group[0][0], group[-1][1])
    return cells


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _best_grouping(segments: list[list[tuple[int, int, str]]], roles: list[str]) -> list[list]:
    """Group consecutive segments into ``len(roles)`` cells, preferring unit lists in lead/coordinating."""
    if len(segments) <= len(roles):
        return [seg for seg in segments]
    best: tuple[float, list[list]] | None = None
    n, k = len(segments), len(roles)

    def partitions(start: int, parts: int):
        if parts == 1:
            yield [segments[start:]]
            return
        for cut in range(start + 1, n - parts + 2):
            for rest in partitions(cut, parts - 1):
                yield [segments[start:cut], *rest]

    for partition in partitions(0, k):
        groups = [[line for seg in part for line in seg] for part in partition]
        score = 0.0
        for role, group in zip(roles, groups, strict=True):
            text = " ".join(t for _, _, t in group)
            unit_like = _looks_like_units(text)
            if role in {"lead", "coordinating"}:
                score += 2 if unit_like else -2
            elif unit_like:
                score -= 1
        if best is None or score > best[0]:
            best = (score, groups)
    return best[1] if best else []


# -- cells of per-year target tables --------------------------------------------------------------------
PERCENT_RE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def split_target_row(row: TableRow, years: int) -> tuple[str, list[tuple[float, int | None, int]]]:
    """Split a per-year target row into its wording and one (value, growth qualifier, end offset) per year."""
    wording_parts: list[str] = []
    values: list[tuple[float, int | None, int]] = []
    region: list[tuple[int, int, str]] = []
    for line in row.lines:
        text = line[2].strip()
        if not region and not PERCENT_RE.match(text):
            wording_parts.append(text)
        else:
            region.append(line)
    joined = ""
    positions: list[int] = []
    for start, _end, text in region:
        if joined:
            joined += " "
            positions.append(start)
        joined += text
        positions.extend(range(start, start + len(text)))
    matches = list(PERCENT_RE.finditer(joined))
    k = 0
    while k < len(matches) and len(values) < years:
        main = matches[k]
        growth = None
        end = main.end()
        if k + 1 < len(matches):
            between = fold(joined[main.end() : matches[k + 1].start()])
            if "tang" in between and len(between.split()) <= 10:
                growth = int(_number(matches[k + 1].group(1)))
                end = matches[k + 1].end()
                k += 1
        values.append((_number(main.group(1)), growth, positions[end - 1] + 1))
        k += 1
    return collapse(" ".join(wording_parts)), values
