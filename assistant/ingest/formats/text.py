"""Plain text and Markdown plans (.txt, .md): UTF-8, NFC; Markdown pipe tables become tab-separated rows."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import PlanFileError
from assistant.ingest import Extracted, IngestError, Reader, ReadOptions
from assistant.ingest.row_text import table_line

_PIPE_ROW_RE = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE_CELL_RE = re.compile(r"^\s*:?-{3,}:?\s*$")
CHARS_PER_PAGE = 3000  # a printed A4 page of a plan holds about this many characters


def _sniff(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3  # only a character cut at the end of the sample
    return True


def pipe_tables_to_rows(text: str) -> str:
    """Markdown pipe-table lines as tab-separated rows; the ``|---|`` rule lines are dropped."""
    out: list[str] = []
    for line in text.split("\n"):
        match = _PIPE_ROW_RE.match(line)
        if not match:
            out.append(line)
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", match.group(1))]
        if all(_RULE_CELL_RE.match(cell) or not cell for cell in cells):
            continue
        out.append(table_line([re.sub(r"\*\*|__", "", cell).replace("<br>", " ") for cell in cells]))
    return "\n".join(out)


def _read(path: Path, options: ReadOptions) -> Extracted:
    from assistant.ingest.corpus import read_plan_file

    try:
        text = read_plan_file(path)
    except PlanFileError as error:
        raise IngestError(str(error)) from error
    pages = max(1, len(text) // CHARS_PER_PAGE)
    if pages > options.max_pages:
        raise IngestError(
            f"{path.name}: tệp dài khoảng {pages} trang, quá giới hạn {options.max_pages} trang của một kế hoạch; "
            "hãy kiểm tra đây có đúng là một kế hoạch không."
        )
    markdown = path.suffix.lower() in {".md", ".markdown"}
    return Extracted(pipe_tables_to_rows(text), "markdown" if markdown else "text", pages=pages)


READER = Reader("text", "văn bản UTF-8", (".txt", ".md", ".markdown"), _sniff, _read)
