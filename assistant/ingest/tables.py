"""Tables of a plan read from their header row: column roles, rows, and each row's cells, however laid out.

A table is known by its header ("TT"/"STT" then the column titles). Each header cell has a role, found from
its words whatever the column order: content (Nội dung, Nhiệm vụ), lead (Chủ trì), coordinating (Phối hợp),
deliverable (Kết quả, Sản phẩm), time_frame (Thời gian), indicator (Chỉ tiêu), measure (Đơn vị tính), and one
column per target year ("Năm 2024", "Kế hoạch năm 2023").

Rows come in two forms. Rows whose cells are known (a line of tab-separated cells, from Word, PDF or scanned
tables) are read cell by cell. Rows flattened into lines by a PDF-to-text tool (one cell per line, cells
split over lines, two cells on one line) are put back into columns by choosing the grouping of their lines
that best fits the column roles: a time frame reads as one of the template's time-frame forms, lead and
coordinating cells read as lists of units (the unit lexicon of :mod:`assistant.domain.units`), content and
deliverable do not; two cells on one line are split where a unit name or a time frame starts. The header
repeated after a page break and a lone page number between rows are skipped; a group row ("II. BÁO … CHỦ
TRÌ") gives the lead unit to the rows under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain.normalize import fold

CELL_SEPARATOR = "\t"
ROW_START_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)(?:\s+(.*))?$")
NUMBERED_RE = re.compile(r"^(\d{1,2})[.,]\s+(.*)$")
GROUP_ROW_RE = re.compile(r"^([IVX]{1,4})\.?(?:\s+(.*))?$")
PAGE_NUMBER_RE = re.compile(r"^\d{1,3}$")
YEAR_COLUMN_RE = re.compile(r"(?:ke hoach|muc tieu|nam)\s*(?:nam\s*)?(20\d\d)")

# Column roles, recognised by keywords of a header cell (or of the header's text); the first match wins.
COLUMN_ROLES: list[tuple[str, str]] = [  # spaces optional and a letter may be misread: OCR ("Thờigian", "phốt hợp")
    (r"noi\s*dung\s*chi\s*tieu|^chi\s*tieu\b|\bchi\s*tieu$|ten\s*chi\s*tieu", "indicator"),
    (r"noi\s*dung|nhiem\s*v\w", "content"),
    (r"chu\s*tr\w", "lead"),
    (r"pho\w\s*h\wp\b", "coordinating"),
    (r"ket\s*qu\w|san\s*ph\w?m", "deliverable"),
    (r"thoi\s*gi\w*n|thoi\s*han|tien\s*do", "time_frame"),
    (r"don\s*v\w*\s*(?:do|tinh)|\bdvt\b", "measure"),
]

# Time frames as the template writes them (folded, whole cell).
TIME_FRAME_RES = [
    re.compile(p)
    for p in (
        r"(?:quy\s+[ivx1-4]+|thang\s+\d{1,2})\s*(?:/|nam)?\s*\d{4}(?:\s*[-–]\s*(?:quy\s+[ivx1-4]+\s*/?\s*)?\d{4})?",
        r"(?:nam|giai doan|tu nam|den nam|trong nam|truoc nam)?\s*\d{4}(?:\s*[-–]\s*\d{4})?",
        r"(?:hang|hằng) (?:nam|quy|thang)(?:\s*\(.*\))?",
        r"thuong xuyen(?:[,;]?\s*(?:hang nam|lien tuc))?",
        r"dinh ky.*",
        r"(?:truoc|trong|sau|tu) ngay .*",
        r"truoc thang .*",
        r"khi co .*",
        r"sau khi .*",
        r"theo (?:yeu cau|huong dan|ke hoach|lo trinh).*",
        r"\d+ thang(?:/lan| mot lan)?",
        r"lien tuc|hang nam, thuong xuyen",
    )
]
# Where a time frame may start inside a line holding two cells ("… thông tin 2023-2025").
TIME_FRAME_START_RE = re.compile(
    r"(?<![\w/])(?:Quý\s+[IVX1-4]+\s*/\s*\d{4}|Năm\s+\d{4}|\d{4}\s*[-–]\s*\d{4}|Thường xuyên|Hằng năm|Hàng năm"
    r"|Định kỳ|Trước ngày|Khi có|Sau khi)"
)
MAX_UNIT_WORDS = 8  # a unit's name between commas is short ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh")
_OPEN_ENDINGS = {"và", "của", "với", "các", "về", "cho", "tại", "theo", "từ", "đến", "hoặc", "sở", "bộ", "ban", "trên"}


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
    group_lead: str = ""  # the lead unit a group row ("I. SỞ … CHỦ TRÌ") gives the rows under it
    group_span: tuple[int, int] | None = None  # where that group row is in the plan text (the lead's evidence)
    split_by_lexicon: bool = False  # two cells on one line, told apart by the unit lexicon / time-frame forms
    known_cells: list[Cell] | None = None  # the cells of a tab-separated row, in column order


@dataclass
class Table:
    """A table: its title, header span, column roles (in order), year columns, and rows."""

    title: str
    start: int
    end: int
    columns: list[str]
    years: list[int]
    rows: list[TableRow] = field(default_factory=list)
    section_path: tuple[str, ...] = ()
    layout: list[str] = field(default_factory=list)  # every column in order: number, roles, "year:2025"

    @property
    def kind(self) -> str:
        return "targets" if self.years else "tasks"


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- headers ---------------------------------------------------------------------------------------------
def cell_role(text: str) -> str | None:
    """Role of one header cell ("Cơ quan chủ trì" → lead, "Năm 2025" → year:2025, "STT" → number)."""
    folded = collapse(fold(text)).strip(" .:*")
    if folded in {"tt", "stt", "so tt"}:
        return "number"
    year = YEAR_COLUMN_RE.search(folded)
    if year:
        return f"year:{year.group(1)}"
    for pattern, role in COLUMN_ROLES:
        if re.search(pattern, folded):
            return role
    return None


def header_layout(text: str) -> list[str]:
    """Column roles of a flattened header, in the order their keywords appear in it."""
    folded = collapse(fold(text))
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, role in COLUMN_ROLES:
        for match in re.finditer(pattern.replace("^", r"(?:^|\s)").replace("$", r"(?=\s|$)"), folded):
            if any(a <= match.start() < b for a, b in taken):
                continue
            found.append((match.start(), role))
            taken.append((match.start(), match.end()))
            break
    for match in YEAR_COLUMN_RE.finditer(folded):
        found.append((match.start(1), f"year:{match.group(1)}"))
    return ["number", *(role for _, role in sorted(found))]


def split_layout(layout: list[str]) -> tuple[list[str], list[int]]:
    columns = [r for r in layout if r != "number" and not r.startswith("year:")]
    years = [int(r.split(":", 1)[1]) for r in layout if r.startswith("year:")]
    return columns, years


def is_header_line(text: str) -> bool:
    folded = fold(text).strip(" *")
    return folded in {"tt", "stt"} or folded.startswith(("tt ", "stt ", "tt\t", "stt\t"))


# -- reading a table -----------------------------------------------------------------------------------
class TableReader:
    """Reads one table from the lines of the plan text, starting at its header line."""

    def __init__(self, text: str, lines: list[tuple[int, int, str]], title: str, path: tuple[str, ...]) -> None:
        self.text = text
        self.lines = lines
        self.title = title
        self.path = path

    def read(self, i: int) -> tuple[Table, int]:
        start, end, line = self.lines[i]
        if CELL_SEPARATOR in line:
            return self._read_cells(i)
        return self._read_flat(i)

    # -- tab-separated rows --------------------------------------------------------------------------
    def _read_cells(self, i: int) -> tuple[Table, int]:
        start, end, line = self.lines[i]
        header = line.split(CELL_SEPARATOR)
        layout = [cell_role(cell) or f"other:{n}" for n, cell in enumerate(header)]
        if "number" not in layout:
            layout[0] = "number"
        columns, years = split_layout([r for r in layout if not r.startswith("other:")])
        table = Table(self.title, start, end, columns, years, section_path=self.path, layout=layout)
        i += 1
        group_lead, group_span = "", None
        current: TableRow | None = None
        while i < len(self.lines):
            start, end, line = self.lines[i]
            if CELL_SEPARATOR not in line:
                if len(line.strip()) <= 3 or PAGE_NUMBER_RE.match(line.strip()):
                    i += 1  # a blank line, a page number, or a speck between two rows
                    continue
                break
            cells = _tab_cells(start, line)
            texts = [c.text for c in cells]
            if [fold(t) for t in texts] == [fold(h.strip()) for h in header][: len(texts)]:
                i += 1  # the header repeated after a page break
                continue
            first = texts[0] if texts else ""
            group = GROUP_ROW_RE.match(first)
            filled = [t for t in texts if t]
            named = " ".join(texts[1:]).strip()
            if len(filled) <= 2 and named and (group and not ROW_START_RE.match(first) or _names_lead(named)):
                group_lead = _group_lead(named or (group.group(2) or ""), self.text)
                group_span = (start, end) if group_lead else None
                i += 1
                continue
            match = ROW_START_RE.match(first)
            expected = table.rows[-1].number if table.rows else None
            digits = re.sub(r"[^\d.]", "", first).strip(".")
            opens = len(texts) > 1 and texts[1][:1].isupper()
            misread = len(first) <= 3 and not GROUP_ROW_RE.fullmatch(first)
            if match is None and (first or opens) and misread and len(filled) > 2:
                # a number cell misread by OCR ("}7", "-"): the row's place in the sequence numbers it
                if digits and _is_next_number(digits, expected):
                    match = ROW_START_RE.match(digits)
                else:
                    match = ROW_START_RE.match(_next_number(expected))
            if match is None:
                if current is not None and first == "":  # a row continued after a page break
                    for n, cell in enumerate(cells[1:], start=1):
                        if cell.text and n < len(current.known_cells or []):
                            old = current.known_cells[n]
                            text = f"{old.text} {cell.text}" if old.text else cell.text
                            current.known_cells[n] = Cell(text, old.start if old.text else cell.start, cell.end)
                    current.end = end
                i += 1
                continue
            number = match.group(1)
            current = TableRow(
                number=number, start=start, end=end, group_lead=group_lead, group_span=group_span, known_cells=cells
            )
            if "." in number:
                current.parent = number.split(".")[0]
            table.rows.append(current)
            i += 1
        for row in table.rows:
            row.lines = [(c.start, c.end, c.text) for c in (row.known_cells or [])[1:] if c.text]
            for role, cell in zip(layout, row.known_cells or [], strict=False):
                if role not in {"number"} and not role.startswith(("year:", "other:")) and cell.text:
                    row.cells[role] = cell
        table.end = table.rows[-1].end if table.rows else table.end
        return table, i

    # -- flattened rows ------------------------------------------------------------------------------
    def _read_flat(self, i: int) -> tuple[Table, int]:
        header_start = self.lines[i][0]
        header_lines = [self.lines[i][2]]
        i += 1
        while i < len(self.lines) and not ROW_START_RE.match(self.lines[i][2].strip()):
            if GROUP_ROW_RE.match(self.lines[i][2].strip()) and header_lines and len(header_lines) > 1:
                break
            header_lines.append(self.lines[i][2])
            i += 1
        layout = header_layout(" ".join(header_lines))
        columns, years = split_layout(layout)
        table = Table(
            self.title, header_start, self.lines[i - 1][1], columns, years, section_path=self.path, layout=layout
        )
        header_folded = [fold(h.strip()) for h in header_lines]
        expected: str | None = None
        current: TableRow | None = None
        group_lead, group_span = "", None
        while i < len(self.lines):
            start, end, line = self.lines[i]
            stripped = line.strip()
            if is_header_line(stripped):
                if fold(stripped) == header_folded[0]:  # the header repeated after a page break
                    k, n = i + 1, 1
                    while (
                        k < len(self.lines)
                        and n < len(header_folded)
                        and fold(self.lines[k][2].strip()) == header_folded[n]
                    ):
                        k, n = k + 1, n + 1
                    i = k
                    continue
                break
            if is_appendix_heading(stripped):
                break
            if years and current is not None and stripped and not _target_row_complete(current, table):
                current.lines.append((start, end, line))  # a value of the row, even a lone number
                current.end = end
                i += 1
                continue
            page_number = PAGE_NUMBER_RE.match(stripped) and not _is_next_number(stripped, expected)
            if page_number and (not years or _next_is_header(self.lines, i)):
                i += 1  # a page number between rows
                continue
            if PAGE_NUMBER_RE.match(stripped) and i + 1 < len(self.lines):
                following = self.lines[i + 1][2].strip()
                if following.split(" ")[0] == stripped and following != stripped or following == stripped:
                    i += 1  # "7" then "7 Xác định …": the first is the page number
                    continue
            group = GROUP_ROW_RE.match(stripped)
            if group and not ROW_START_RE.match(stripped) and (current is None or _closed(current)):
                rest = group.group(2) or ""
                k = i + 1
                if not rest and k < len(self.lines):
                    rest, k = self.lines[k][2].strip(), k + 1
                while (
                    k < len(self.lines)
                    and _is_caps(self.lines[k][2])
                    and not ROW_START_RE.match(self.lines[k][2].strip())
                ):
                    rest, k = f"{rest} {self.lines[k][2].strip()}", k + 1
                if _is_caps(rest) or fold(rest).endswith("chu tri"):
                    group_lead = _group_lead(rest, self.text)
                    group_span = (start, self.lines[k - 1][1]) if group_lead else None
                    expected = None if current is None else expected
                    i = k
                    continue
            match = ROW_START_RE.match(stripped)
            if match and (_is_next_number(match.group(1), expected) or (group_lead and match.group(1) == "1")):
                number = match.group(1)
                parent = ""
                if "." in number:
                    parent = number.split(".")[0]
                elif current is not None and current.parent and number.split(".")[0] == current.parent:
                    parent = current.parent
                current = TableRow(
                    number=number, start=start, end=end, parent=parent, group_lead=group_lead, group_span=group_span
                )
                table.rows.append(current)
                expected = number
                rest = match.group(2) or ""
                if rest:
                    offset = start + line.index(rest)
                    current.lines.append((offset, offset + len(rest), rest))
            elif current is not None and stripped:
                if NUMBERED_RE.match(stripped):
                    break  # a numbered title after the table ("2. Kế hoạch … giai đoạn 2026 - 2030")
                current.lines.append((start, end, line))
                current.end = end
            i += 1
        table.end = table.rows[-1].end if table.rows else table.end
        if not years:
            for row in table.rows:
                row.cells = assign_flat_cells(row, columns)
        return table, i


def _target_row_complete(row: TableRow, table: Table) -> bool:
    """A per-year row holds a value for every year column (a lone number after it starts the next row)."""
    target = read_target_row(row, table)
    return bool(target.wording) and len(target.values) >= len(table.years)


def _next_is_header(lines: list[tuple[int, int, str]], i: int) -> bool:
    following = next((line for _, _, line in lines[i + 1 :] if line.strip()), "")
    return is_header_line(following.strip()) or is_appendix_heading(following.strip())


def is_appendix_heading(text: str) -> bool:
    folded = fold(text).strip(" *#")
    return folded.startswith("phu luc") and text.strip(" *#").upper() == text.strip(" *#")


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _closed(row: TableRow) -> bool:
    return bool(row.lines)


def _tab_cells(start: int, line: str) -> list[Cell]:
    cells: list[Cell] = []
    offset = start
    for raw in line.split(CELL_SEPARATOR):
        lo = len(raw) - len(raw.lstrip())
        text = raw.strip()
        cells.append(Cell(collapse(text), offset + lo, offset + lo + len(text)))
        offset += len(raw) + 1
    return cells


def _names_lead(text: str) -> bool:
    """A group row's only text: units, then "chủ trì" (also as OCR reads it, "chủm")."""
    from assistant.domain.units import is_unit_name

    return is_unit_name(text) and bool(re.search(r"\bchu\s*\w{0,3}$", collapse(fold(text))))


def _group_lead(text: str, plan_text: str) -> str:
    """The lead unit a group row names ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG CHỦ TRÌ" → "Sở Thông tin và Truyền thông")."""
    folded = collapse(fold(text))
    match = re.match(r"^(?:nhom nhiem vu do |cac nhiem vu do |nhiem vu do |do )?(.+?)\s+chu\s*(?:tri|\w{0,3})$", folded)
    if not match:
        return ""
    name = collapse(text)[match.start(1) : match.end(1)]
    return proper_case(name, plan_text)


def proper_case(name: str, plan_text: str) -> str:
    """A name written in capitals, in the casing the plan uses for it elsewhere (else the known unit's)."""
    if not _is_caps(name):
        return name
    from assistant.domain.units import known_unit_names

    target = fold(name)
    for known in known_unit_names():
        if fold(known) == target:
            return known
    words = re.escape(target).replace(r"\ ", r"\s+")
    folded_text = fold(plan_text)
    for match in re.finditer(words, folded_text):
        candidate = plan_text[match.start() : match.end()]
        if not _is_caps(candidate):
            return collapse(candidate)
    return name[:1] + name[1:].lower()


def _next_number(previous: str | None) -> str:
    if previous is None:
        return "1"
    major, _, minor = previous.partition(".")
    return f"{major}.{int(minor) + 1}" if minor else str(int(major) + 1)


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


# -- cells of flattened task rows ------------------------------------------------------------------------
def is_time_frame(text: str) -> bool:
    folded = collapse(fold(text)).strip(" .;,")
    return bool(folded) and any(p.fullmatch(folded) for p in TIME_FRAME_RES)


def is_closed_time_frame(text: str) -> bool:
    """A time frame that cannot run on ("Quý IV/2023", "2024-2025", "Hằng năm"), unlike "Khi có hướng dẫn …"."""
    folded = collapse(fold(text)).strip(" .;,")
    return any(p.fullmatch(folded) for p in TIME_FRAME_RES[:4])


def _line_is_open(text: str) -> bool:
    """A cell line that cannot end a cell: ends with a comma/semicolon or a word that needs a continuation."""
    text = text.rstrip()
    if not text or text[-1] in ",;(/-–&":
        return True
    last = text.rsplit(" ", 1)[-1].lower()
    return last in _OPEN_ENDINGS or text.endswith(("Tạp chí", "Đài", "Báo", "Hội", "Ủy ban", "Trung tâm"))


def looks_like_units(text: str) -> bool:
    """True when every item of ``text`` names an agency (the unit lexicon)."""
    from assistant.domain.units import is_unit_name, split_units

    units = split_units(text)
    return bool(units) and all(
        (is_unit_name(u.original) or is_unit_name(u.name))
        and max(len(part.split()) for part in re.split(r"[,;]", u.original)) <= MAX_UNIT_WORDS
        for u in units
    )


@dataclass
class _Piece:
    start: int
    end: int
    text: str
    cut: bool  # starts inside a line (a split between two cells on one line)


def _pieces(lines: list[tuple[int, int, str]]) -> list[_Piece]:
    """The row's lines, each also cut where a unit name or a time frame starts inside it."""
    from assistant.domain.units import unit_starts

    pieces: list[_Piece] = []
    for start, _end, raw in lines:
        text = raw.rstrip()
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        start += lead
        if not text:
            continue
        cuts = set(unit_starts(text))
        for match in TIME_FRAME_START_RE.finditer(text):
            if match.start() > 0:
                cuts.add(match.start())
            tail = text[match.start() :]
            for end_match in re.finditer(r"\s+(?=[A-ZĐÀ-Ỹ])", tail):
                if is_closed_time_frame(tail[: end_match.start()]):
                    cuts.add(match.start() + end_match.end())
        previous = 0
        for cut in sorted(c for c in cuts if 0 < c < len(text)):
            piece = text[previous:cut].rstrip()
            if piece:
                pieces.append(_Piece(start + previous, start + previous + len(piece), piece, previous > 0))
            previous = cut
        pieces.append(_Piece(start + previous, start + len(text), text[previous:], previous > 0))
    return pieces


def _role_score(role: str, text: str) -> float:
    if not text:
        return {"content": -4.0, "lead": -2.0, "time_frame": -1.5, "coordinating": -0.6, "deliverable": -0.6}.get(
            role, -0.5
        )
    timeish = is_time_frame(text)
    unitish = looks_like_units(text)
    if role == "time_frame":
        return 4.0 if timeish else -4.0
    if role in {"lead", "coordinating"}:
        return 2.5 if unitish and not timeish else -3.0
    if timeish:
        return -3.0
    if role == "content":
        return (-2.0 if unitish else 1.0) + min(len(text), 120) / 120
    return -1.5 if unitish else 0.8  # deliverable and any other text column


def _boundary_cost(previous: _Piece, piece: _Piece) -> float:
    """Cost of starting a new cell at ``piece`` (after ``previous``)."""
    if piece.cut:
        return 0.7
    cost = 0.0
    if _line_is_open(previous.text):
        cost += 2.5
    if not (piece.text[:1].isupper() or piece.text[:1].isdigit() or piece.text[:1] in '("“'):
        cost += 2.0
    return cost


def _join_cost(previous: _Piece, piece: _Piece) -> float:
    """Cost of continuing the same cell with ``piece`` (none: a cut is only a place where a cell may start)."""
    return 0.0


def assign_flat_cells(row: TableRow, columns: list[str]) -> dict[str, Cell]:
    """Put a flattened task row back into its columns (see the module docstring)."""
    roles = [c for c in columns if c not in {"indicator", "measure"}]
    pieces = _pieces(row.lines)
    if not pieces or not roles:
        return {}
    n, k = len(pieces), len(roles)
    joined_cache: dict[tuple[int, int], str] = {}

    def text_of(a: int, b: int) -> str:
        if (a, b) not in joined_cache:
            joined_cache[(a, b)] = collapse(" ".join(p.text for p in pieces[a:b]))
        return joined_cache[(a, b)]

    inner: dict[tuple[int, int], float] = {}

    def inside(a: int, b: int) -> float:
        if (a, b) not in inner:
            inner[(a, b)] = sum(_join_cost(pieces[j - 1], pieces[j]) for j in range(a + 1, b))
        return inner[(a, b)]

    # best[r][i]: best score placing roles[:r] over pieces[:i]; choice keeps the cut.
    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(k + 1)]
    choice: list[list[int]] = [[-1] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for r in range(1, k + 1):
        for i in range(0, n + 1):
            for a in range(0, i + 1):
                if best[r - 1][a] == neg:
                    continue
                text = text_of(a, i) if a < i else ""
                score = best[r - 1][a] + _role_score(roles[r - 1], text)
                if a < i:
                    score -= inside(a, i)
                    if a > 0:
                        score -= _boundary_cost(pieces[a - 1], pieces[a])
                if score > best[r][i]:
                    best[r][i] = score
                    choice[r][i] = a
    cells: dict[str, Cell] = {}
    i = n
    bounds: list[tuple[int, int]] = []
    for r in range(k, 0, -1):
        a = choice[r][i]
        bounds.append((a, i))
        i = a
    bounds.reverse()
    for role, (a, b) in zip(roles, bounds, strict=True):
        if a < b:
            cells[role] = Cell(text_of(a, b), pieces[a].start, pieces[b - 1].end)
            if pieces[a].cut:
                row.split_by_lexicon = True
    return cells


def assign_cells(row: TableRow, columns: list[str]) -> dict[str, Cell]:
    """The row's cells by role: known cells of a tab-separated row, else those put back by the grouping."""
    if row.cells or row.known_cells is not None:
        return row.cells
    row.cells = assign_flat_cells(row, columns)
    return row.cells


# -- per-year target rows -------------------------------------------------------------------------------
VALUE_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s*(%)?(?![\w/])")
def parse_number(text: str) -> float:
    """A number as plans write it: "1.200.000" and "1,5" (Vietnamese separators), "67"."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))


@dataclass
class YearValue:
    value: float
    percent: bool
    growth: int | None
    end: int  # offset in the plan text just after the value (and its qualifier)


@dataclass
class TargetRow:
    wording: str
    measure: str
    values: list[YearValue]


def _is_value_line(text: str) -> bool:
    return bool(re.match(r"^\d[\d.,]*\s*%?(?:$|\s|\()", text.strip())) and not re.match(r"^\d{4}\)", text.strip())


def read_target_row(row: TableRow, table: Table) -> TargetRow:
    """A per-year target row: its wording, its measure (unit), and one value per year column."""
    from assistant.domain.indicators import is_measure

    years = len(table.years)
    if row.known_cells is not None:
        wording = row.cells.get("indicator") or row.cells.get("content")
        measure = row.cells.get("measure")
        values: list[YearValue] = []
        for role, cell in zip(table.layout, row.known_cells, strict=False):
            if role.startswith("year:"):
                found = _values_in(cell.text, cell.start)
                if found:
                    values.append(found[0])
        return TargetRow(wording.text if wording else "", measure.text if measure else "", values)
    layout = [r for r in table.layout if r != "number"]
    measure_first = (
        "measure" in layout
        and any(r.startswith("year:") for r in layout)
        and layout.index("measure") < next(n for n, r in enumerate(layout) if r.startswith("year:"))
    )
    wording_parts: list[str] = []
    measure_parts: list[str] = []
    region: list[tuple[int, int, str]] = []
    state = "wording"
    for line in row.lines:
        text = line[2].strip()
        if not text:
            continue
        if state == "wording":
            if wording_parts and measure_first and (text.startswith("%") or is_measure(text)):
                state = "measure"
            elif wording_parts and _is_value_line(text):
                state = "values"
        elif state == "measure" and _is_value_line(text):
            state = "values"
        if state == "wording":
            wording_parts.append(text)
        elif state == "measure":
            measure_parts.append(text)
        else:
            region.append(line)
    values = []
    joined, positions = "", []
    for start, _end, text in region:
        if joined:
            joined += " "
            positions.append(start)
        joined += text
        positions.extend(range(start, start + len(text)))
    for value in _values_in_joined(joined, positions):
        if len(values) < years:
            values.append(value)
    measure = collapse(" ".join(measure_parts))
    return TargetRow(collapse(" ".join(wording_parts)), measure, values)


def _values_in(text: str, start: int) -> list[YearValue]:
    return _values_in_joined(text, list(range(start, start + len(text))))


def _values_in_joined(joined: str, positions: list[int]) -> list[YearValue]:
    """Values in order, each with the growth qualifier that follows it ("33% (tăng tối thiểu 10%)")."""
    matches = [m for m in VALUE_RE.finditer(joined)]
    values: list[YearValue] = []
    k = 0
    while k < len(matches):
        main = matches[k]
        growth = None
        end = main.end()
        if k + 1 < len(matches):
            between = fold(joined[main.end() : matches[k + 1].start()])
            if "tang" in between and len(between.split()) <= 10:
                growth = int(parse_number(matches[k + 1].group(1)))
                end = matches[k + 1].end()
                k += 1
        values.append(YearValue(parse_number(main.group(1)), bool(main.group(2)), growth, positions[end - 1] + 1))
        k += 1
    return values


def split_target_row(row: TableRow, years: int, table: Table | None = None) -> tuple[str, list]:
    """Compatibility view of :func:`read_target_row`: wording and (value, growth, end offset) per year."""
    if table is None:
        table = Table("", row.start, row.end, ["indicator"], list(range(years)), layout=["number", "indicator"])
        table.layout += [f"year:{y}" for y in table.years]
    target = read_target_row(row, table)
    return target.wording, [(v.value, v.growth, v.end) for v in target.values]


__all__ = [
    "Cell",
    "Table",
    "TableRow",
    "TableReader",
    "assign_cells",
    "collapse",
    "read_target_row",
    "split_target_row",
]
