"""Layout repair of text extracted from PDF or scans: one line per paragraph, bullet or heading.

PDF extraction leaves every printed line as its own line (often with a blank line after each), page
numbers inside tables, table headers repeated on each page, footnotes in the middle of a paragraph,
Markdown decoration, and words broken across lines. This stage rebuilds the logical blocks of the
template (headings, paragraphs, bullets) and keeps the appendix tables line by line, because a table's
cells were flattened into lines and only the table parser in :mod:`assistant.ingest.structure` can put them
back into columns.

A line of tab-separated cells (a table row whose cells are known: Word, PDF and scanned tables, Markdown
pipe tables) is kept whole as its own block. A lone page number between blank lines of the body is dropped,
so a paragraph broken by a page turn reads on.

The output text has one block per line. Every character maps back to the input through an
:class:`~assistant.ingest.textmap.OffsetMap`, so a quote can point at the raw plan text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain.normalize import fold
from assistant.ingest.textmap import OffsetMap, TextBuilder

# A line that starts a new block: Roman-numeral, numbered, lettered headings, bullets, signature lines.
MARKER_RE = re.compile(
    r"^(?:[IVX]{1,4}\.\s|\d{1,2}(?:\.\d{1,2})*[.,)]\s|\d{1,2}\.\d{1,2}\s|[a-zđ]\)\s|[-–—•+*](?!\d{1,2}/)"
    r"|TM\.|KT\.|Nơi nhận)"
)
HEADING_RE = re.compile(r"^(?:[IVX]{1,4}\.\s|\d{1,2}(?:\.\d{1,2})*[.,)]\s|[a-zđ]\)\s)")
ROW_START_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)(?:\s|$)")
PAGE_NUMBER_RE = re.compile(r"^\d{1,3}$")
FOOTNOTE_MARK_RE = re.compile(r"[^\W\d_](\d{1,2})(?=[,.;:)\s])")
_MARKDOWN_HEAD_RE = re.compile(r"^#{1,6}\s+")
_BOLD_LINE_RE = re.compile(r"^\s*\*\*[^*].*\*\*\s*$")  # a whole line in bold: a title of its own
_TERMINAL = ".:!?…"
_OPEN_HEADS = {"Đài", "Báo", "Sở", "Ban", "Hội", "Cục", "Bộ"}
_CONNECTORS = {
    "và",
    "của",
    "với",
    "các",
    "về",
    "cho",
    "tại",
    "theo",
    "trong",
    "từ",
    "đến",
    "hoặc",
    "nhằm",
    "để",
    "thuộc",
    "sở",
    "bộ",
    "ban",
    "ngày",
}


@dataclass
class Line:
    """One input line: ``start``/``end`` delimit its content (stripped of blanks and Markdown)."""

    start: int
    end: int
    text: str
    leading_space: bool
    spaces_only: bool = False
    markdown_heading: bool = False
    cells: bool = False  # a table row of tab-separated cells

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass
class LayoutResult:
    """The repaired text, its map back to the input, and where the footnotes and appendix are."""

    text: str
    offsets: OffsetMap
    footnotes: list[tuple[int, int]] = field(default_factory=list)
    appendix_start: int | None = None


def _strip_markdown(raw: str, start: int) -> tuple[int, int]:
    """Span of ``raw`` without surrounding whitespace, Markdown heading hashes and emphasis stars."""
    lo, hi = 0, len(raw)
    while lo < hi and raw[lo].isspace():
        lo += 1
    while hi > lo and raw[hi - 1].isspace():
        hi -= 1
    match = _MARKDOWN_HEAD_RE.match(raw[lo:hi])
    if match:
        lo += match.end()
    for mark in ("**", "*"):
        if raw[lo:hi].startswith(mark) and raw[lo:hi].endswith(mark) and hi - lo > 2 * len(mark):
            lo, hi = lo + len(mark), hi - len(mark)
            while lo < hi and raw[lo].isspace():
                lo += 1
            while hi > lo and raw[hi - 1].isspace():
                hi -= 1
    return start + lo, start + hi


def split_lines(text: str) -> list[Line]:
    """Lines of ``text`` with the offsets of their content."""
    lines: list[Line] = []
    offset = 0
    for raw in text.split("\n"):
        if "\t" in raw.strip(" \r"):
            lo = len(raw) - len(raw.lstrip(" \r"))
            hi = len(raw.rstrip(" \r"))
            lines.append(Line(offset + lo, offset + hi, raw[lo:hi], leading_space=False, cells=True))
            offset += len(raw) + 1
            continue
        start, end = _strip_markdown(raw, offset)
        lines.append(
            Line(
                start,
                end,
                text[start:end],
                leading_space=raw[:1].isspace() and bool(raw.strip()),
                spaces_only=bool(raw) and not raw.strip(),
                markdown_heading=bool(_MARKDOWN_HEAD_RE.match(raw)) or _BOLD_LINE_RE.match(raw) is not None,
            )
        )
        offset += len(raw) + 1
    return lines


def is_header_start(text: str) -> bool:
    """The first line of a table header: "TT"/"STT" alone or opening the line."""
    folded = fold(text).strip()
    return folded in {"tt", "stt"} or folded.startswith(("tt ", "stt ", "tt\t", "stt\t"))


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def is_appendix_title(text: str) -> bool:
    return fold(text).strip(" .:").startswith("phu luc") and is_all_caps(text)


def _starts_upper(text: str) -> bool:
    first = text[:1]
    return first.isupper() or first.isdigit() or first in "(\"“'"


def _paragraph_per_line(lines: list[Line]) -> bool:
    """True when lines are whole paragraphs (long lines, as in text converted from a word processor)."""
    lengths = sorted(len(line.text) for line in lines if not line.blank and not line.cells)
    if not lengths:
        return False
    return lengths[len(lengths) // 2] > 120


def _double_spaced(lines: list[Line]) -> bool:
    """True when nearly every text line is followed by a blank one, so blank lines carry no meaning."""
    content = [i for i, line in enumerate(lines[:-1]) if not line.blank]
    if not content:
        return False
    followed = sum(1 for i in content if lines[i + 1].blank)
    return followed >= 0.7 * len(content)


class LayoutRepairer:
    """Rebuilds the logical blocks of a plan's text; see the module docstring."""

    def run(self, text: str) -> LayoutResult:
        lines = split_lines(text)
        appendix = next((i for i, line in enumerate(lines) if i > 10 and is_appendix_title(line.text)), len(lines))
        dropped = self._page_artefacts(lines, appendix)
        footnotes = self._footnotes(text, lines, appendix, dropped)
        builder = TextBuilder(text)
        out_footnotes: list[tuple[int, int]] = []
        self._reflow_body(builder, lines[:appendix], dropped, footnotes, out_footnotes)
        appendix_start = None
        if appendix < len(lines):
            if builder.endswith("\n") is False and builder._pieces:
                builder.insert("\n", lines[appendix].start)
            appendix_start = sum(len(p) for p in builder._pieces)
            first = True
            for i in range(appendix, len(lines)):
                line = lines[i]
                if line.blank or i in dropped:
                    continue
                if not first:
                    builder.insert("\n", line.start)
                builder.copy(line.start, line.end)
                first = False
        clean, offsets = builder.build()
        return LayoutResult(clean, offsets, out_footnotes, appendix_start)

    # -- artefacts -----------------------------------------------------------------------------------
    def _page_artefacts(self, lines: list[Line], appendix: int) -> set[int]:
        """Indexes of lines that are page numbers, footnote rules, or repeated table headers."""
        dropped: set[int] = set()
        double_spaced = _double_spaced(lines[:appendix])
        for i, line in enumerate(lines):
            if not line.text:
                continue
            blanks_before = 0
            j = i - 1
            while j >= 0 and lines[j].blank:
                blanks_before += 1
                j -= 1
            if PAGE_NUMBER_RE.match(line.text):
                nxt = next((k for k in range(i + 1, len(lines)) if not lines[k].blank), None)
                same_as_next_row = nxt is not None and lines[nxt].text.split(" ")[0] == line.text
                next_is_header = nxt is not None and is_header_start(lines[nxt].text)
                # A lone number after a page break is a page number when the next line repeats the table
                # header or starts the row it would otherwise number ("7" then "7 Nâng cao …").
                if (blanks_before >= 2 or i >= appendix) and (same_as_next_row or next_is_header):
                    if same_as_next_row and len(lines[nxt].text) <= len(line.text):
                        continue
                    dropped.add(i)
                elif i < appendix and not double_spaced and blanks_before and i + 1 < len(lines) and lines[i + 1].blank:
                    dropped.add(i)  # alone between blank lines of the body: the number of the page
        # Table headers repeated at the top of each page.
        header_block: list[str] = []
        i = appendix
        while i < len(lines):
            text = lines[i].text
            if text and is_header_start(text):
                block = [text]
                k = i + 1
                while k < len(lines) and not ROW_START_RE.match(lines[k].text or "x"):
                    if lines[k].text and k not in dropped:
                        block.append(lines[k].text)
                    k += 1
                if not header_block or block[: len(header_block)] != header_block:
                    header_block = block  # the first table, or another table with its own header
                else:
                    dropped.add(i)
                    remaining = header_block[1:]
                    k = i + 1
                    while k < len(lines) and remaining:
                        if lines[k].text == remaining[0]:
                            dropped.add(k)
                            remaining.pop(0)
                        elif lines[k].text:
                            break
                        k += 1
                i = k
                continue
            i += 1
        return dropped

    def _footnotes(self, text: str, lines: list[Line], appendix: int, dropped: set[int]) -> dict[int, list[int]]:
        """Footnote line groups, keyed by the index of the first line; their rule lines are dropped."""
        marks = {m.group(1) for m in FOOTNOTE_MARK_RE.finditer(text[: lines[appendix - 1].end])}
        groups: dict[int, list[int]] = {}
        i = 0
        while i < appendix:
            line = lines[i]
            number = line.text.split(" ")[0] if line.text else ""
            if (
                number in marks
                and number.isdigit()
                and len(line.text) > len(number) + 1
                and line.text[len(number) + 1 : len(number) + 2].isupper()
                and self._after_rule(text, lines, i)
            ):
                group = [i]
                k = i + 1
                while k < appendix and not lines[k].leading_space:
                    if not lines[k].blank:
                        group.append(k)
                    k += 1
                groups[i] = group
                i = k
                continue
            i += 1
        return groups

    @staticmethod
    def _after_rule(text: str, lines: list[Line], index: int) -> bool:
        """True when a whitespace-only 'rule' line (a footnote separator) stands just before ``index``."""
        k = index - 1
        while k >= 0 and lines[k].blank:
            line_start = text.rfind("\n", 0, lines[k].start) + 1
            line_end = text.find("\n", lines[k].start)
            raw = text[line_start : line_end if line_end >= 0 else len(text)]
            if len(raw) >= 10 and not raw.strip():
                return True
            k -= 1
        return False

    # -- reflow --------------------------------------------------------------------------------------
    def _reflow_body(
        self,
        builder: TextBuilder,
        lines: list[Line],
        dropped: set[int],
        footnotes: dict[int, list[int]],
        out_footnotes: list[tuple[int, int]],
    ) -> None:
        double_spaced = _double_spaced(lines) and not _paragraph_per_line(lines)
        footnote_lines = {k for group in footnotes.values() for k in group}
        pending_footnotes: list[list[int]] = []
        block: list[Line] = []
        blank_before_next = False

        def flush() -> None:
            if block:
                if builder._pieces:
                    builder.insert("\n", block[0].start)
                for n, line in enumerate(block):
                    if n:
                        prev = block[n - 1].text
                        if not (len(prev) > 1 and prev.endswith("-") and prev[-2].isalnum()):
                            builder.insert(" ", line.start)
                    builder.copy(line.start, line.end)
                block.clear()
            for group in pending_footnotes:
                builder.insert("\n", lines[group[0]].start)
                begin = sum(len(p) for p in builder._pieces)
                for n, k in enumerate(group):
                    if n:
                        builder.insert(" ", lines[k].start)
                    builder.copy(lines[k].start, lines[k].end)
                out_footnotes.append((begin, sum(len(p) for p in builder._pieces)))
            pending_footnotes.clear()

        for i, line in enumerate(lines):
            if i in footnotes:
                pending_footnotes.append(footnotes[i])
            if i in footnote_lines or i in dropped:
                continue
            if line.blank:
                blank_before_next = blank_before_next or line.spaces_only or not double_spaced
                continue
            if block and self._continues(block, line, blank_before_next):
                block.append(line)
            else:
                flush()
                block.append(line)
            blank_before_next = False
        flush()

    @staticmethod
    def _continues(block: list[Line], line: Line, paragraph_break: bool) -> bool:
        """Whether ``line`` continues the block being built (the join rules of the module docstring)."""
        prev = block[-1].text
        nxt = line.text
        if line.markdown_heading or block[-1].markdown_heading or line.cells or block[-1].cells:
            return False
        if MARKER_RE.match(nxt) or is_all_caps(nxt) or is_all_caps(prev):
            return False
        if paragraph_break and _starts_upper(nxt):
            return False
        last_char = prev[-1]
        if last_char == "-" and len(prev) > 1 and prev[-2].isalnum():
            return True
        joined = re.sub(r"^(?:[a-zđ]|\d{1,2})\)\s", "", " ".join(b.text for b in block))
        if joined.count("(") > joined.count(")") and not MARKER_RE.match(nxt):
            return True  # inside parentheses: "(Đài" / "PT-TH)"
        if prev.rsplit(" ", 1)[-1].lstrip("(") in _OPEN_HEADS:
            return True  # a name cut after its head word: "… Báo" / "Sóc Trăng điện tử"
        if last_char in _TERMINAL or prev.endswith((".)", ".”", '."')):
            return not _starts_upper(nxt)
        if last_char == ";":
            return not nxt[:1].isupper()
        heading = HEADING_RE.match(block[0].text)
        if heading and nxt[:1].isupper():
            last_word = prev.rsplit(" ", 1)[-1].lower()
            return last_char == "," or last_word in _CONNECTORS
        return True


def repair_layout(text: str) -> LayoutResult:
    """Convenience wrapper: :meth:`LayoutRepairer.run`."""
    return LayoutRepairer().run(text)
