"""Optical character recognition of page images with Tesseract (its Vietnamese model), ruled tables cell by cell.

One Tesseract run per page gives every word with its box (TSV output). Ruled tables are found in the image
itself: long dark horizontal and vertical runs are the table's rules, the rules cut the table into cells,
and each word goes to the cell that holds its centre, so a row comes out as tab-separated cells instead of
words read across the columns. Words outside tables keep Tesseract's reading order, one printed line per
line and a blank line between paragraphs.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np

from assistant.ingest import IngestError, ReadOptions
from assistant.ingest.tables import table_line

log = logging.getLogger(__name__)

DARK = 150  # grey level under which a pixel counts as ink
RULE_SHARE = 0.5  # a rule runs over at least this share of the table (rows) or of a row band (columns)
MIN_RULE_FRACTION = 0.25  # a horizontal rule is at least this share of the page width


@dataclass
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    block: int
    paragraph: int
    line: int
    confidence: float

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2


@dataclass
class Grid:
    """A ruled table: the y of its horizontal rules, and per row band the x of the rules that cut it."""

    top: int
    bottom: int
    left: int
    right: int
    rows: list[tuple[int, int]]
    columns: list[list[int]]  # per row band: the x positions separating its cells, left and right edges included

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        for r, (y0, y1) in enumerate(self.rows):
            if y0 <= y < y1:
                cuts = self.columns[r]
                for c in range(len(cuts) - 1):
                    if cuts[c] <= x < cuts[c + 1]:
                        return r, c
        return None


@dataclass
class OcrPage:
    text: str
    words: int
    letters: int
    tables: int = 0
    grids: list[Grid] = field(default_factory=list)


def check_tesseract(options: ReadOptions) -> None:
    """An :class:`IngestError` saying how to install Tesseract or its Vietnamese model when either is missing."""
    if shutil.which(options.tesseract) is None:
        raise IngestError(
            "Chưa cài Tesseract để đọc bản quét; hãy cài bằng 'apt-get install tesseract-ocr tesseract-ocr-vie'."
        )
    languages = subprocess.run([options.tesseract, "--list-langs"], capture_output=True, text=True, check=False)
    wanted = options.ocr_lang.split("+")
    have = set(languages.stdout.split())
    missing = [lang for lang in wanted if lang not in have]
    if missing:
        raise IngestError(
            f"Tesseract chưa có mô hình ngôn ngữ {', '.join(missing)}; hãy cài 'apt-get install tesseract-ocr-vie'."
        )


def _tesseract_words(png: bytes, options: ReadOptions) -> list[Word]:
    command = [
        options.tesseract,
        "stdin",
        "stdout",
        "-l",
        options.ocr_lang,
        "--psm",
        "3",
        "--dpi",
        str(options.ocr_dpi),
    ]
    try:
        result = subprocess.run([*command, "tsv"], input=png, capture_output=True, check=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        raise IngestError(f"Tesseract không đọc được trang ảnh ({error}); hãy thử lại với ảnh rõ hơn.") from error
    words: list[Word] = []
    for line in result.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        words.append(
            Word(
                text=parts[11].strip(),
                left=int(parts[6]),
                top=int(parts[7]),
                width=int(parts[8]),
                height=int(parts[9]),
                block=int(parts[2]),
                paragraph=int(parts[3]),
                line=int(parts[4]),
                confidence=float(parts[10]),
            )
        )
    return words


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the True runs of a 1-D boolean array."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    runs = _runs(mask)
    return max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)


def _close(mask: np.ndarray, gap: int, axis: int) -> np.ndarray:
    """Fill gaps of up to ``gap`` pixels along ``axis`` (noise and blur break rules into dashes)."""
    out = mask.copy()
    for shift in range(1, gap + 1):
        out |= np.roll(mask, shift, axis=axis) & np.roll(mask, -shift, axis=axis)
    return out


def find_grids(gray: np.ndarray) -> list[Grid]:
    """Ruled tables of a page image (see the module docstring)."""
    height, width = gray.shape
    ink = gray < DARK
    horizontal = _close(ink, 3, axis=1)
    lines: list[tuple[int, int, int]] = []  # (y, x0, x1)
    min_len = int(MIN_RULE_FRACTION * width)
    row_counts = horizontal.sum(axis=1)
    for y in np.flatnonzero(row_counts >= min_len).tolist():
        x0, x1 = _longest_run(horizontal[y])
        if x1 - x0 >= min_len:
            lines.append((y, x0, x1))
    # Merge adjacent pixel rows of one thick rule.
    rules: list[tuple[int, int, int]] = []
    for y, x0, x1 in lines:
        if rules and y - rules[-1][0] <= 4 and abs(x0 - rules[-1][1]) < 20:
            prev = rules[-1]
            rules[-1] = (y, min(prev[1], x0), max(prev[2], x1))
        else:
            rules.append((y, x0, x1))
    # Group rules of one table: similar left and right ends, consecutive.
    groups: list[list[tuple[int, int, int]]] = []
    for rule in rules:
        if groups and abs(rule[1] - groups[-1][-1][1]) < 25 and abs(rule[2] - groups[-1][-1][2]) < 25:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    grids: list[Grid] = []
    vertical = _close(ink, 3, axis=0)
    for group in groups:
        if len(group) < 2:
            continue
        left = min(r[1] for r in group)
        right = max(r[2] for r in group)
        ys = [r[0] for r in group]
        bands = [(ys[i] + 2, ys[i + 1] - 1) for i in range(len(ys) - 1) if ys[i + 1] - ys[i] > 8]
        if not bands:
            continue
        columns: list[list[int]] = []
        for y0, y1 in bands:
            band = vertical[y0:y1, max(0, left - 3) : min(width, right + 4)]
            share = band.mean(axis=0)
            xs = np.flatnonzero(share >= 0.9)
            cuts: list[int] = []
            for start, end in _runs(np.isin(np.arange(band.shape[1]), xs)):
                cuts.append(max(0, left - 3) + (start + end) // 2)
            cuts = sorted(set([left, *cuts, right]))
            merged: list[int] = []
            for x in cuts:
                if merged and x - merged[-1] < 12:
                    continue
                merged.append(x)
            columns.append(merged)
        if max(len(c) for c in columns) < 3:  # a single column: a box around text, not a table
            continue
        grids.append(Grid(ys[0], ys[-1], left, right, bands, columns))
    return grids


def _lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines by their vertical position, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.left)):
        for line in lines:
            top = min(w.top for w in line)
            bottom = max(w.top + w.height for w in line)
            if top - 2 <= word.cy <= bottom + 2:
                line.append(word)
                break
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in sorted(lines, key=lambda ln: min(w.top for w in ln))]


def _cell_text(words: list[Word]) -> str:
    return " ".join(" ".join(w.text for w in line) for line in _lines_of(words))


def page_text(gray: np.ndarray, words: list[Word]) -> OcrPage:
    """The page as text: lines outside tables in reading order, table rows as tab-separated cells."""
    grids = find_grids(gray)
    in_grid: dict[int, tuple[int, int, int]] = {}
    for index, word in enumerate(words):
        for g, grid in enumerate(grids):
            if grid.top <= word.cy <= grid.bottom and grid.left <= word.cx <= grid.right:
                cell = grid.cell_of(word.cx, word.cy)
                if cell is not None:
                    in_grid[index] = (g, *cell)
                break
    items: list[tuple[float, str]] = []  # (y, text), paragraphs and table rows
    outside = [
        w
        for i, w in enumerate(words)
        if not any(g.top <= w.cy <= g.bottom and g.left <= w.cx <= g.right for g in grids)
    ]
    paragraphs: dict[tuple[int, int], list[Word]] = {}
    for word in outside:
        paragraphs.setdefault((word.block, word.paragraph), []).append(word)
    for paragraph in paragraphs.values():
        by_line: dict[int, list[Word]] = {}
        for word in paragraph:
            by_line.setdefault(word.line, []).append(word)
        text = "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in by_line.values())
        items.append((min(w.top for w in paragraph), text))
    for g, grid in enumerate(grids):
        for r, (y0, _y1) in enumerate(grid.rows):
            cells = []
            for c in range(len(grid.columns[r]) - 1):
                cells.append(_cell_text([words[i] for i, key in in_grid.items() if key == (g, r, c)]))
            if any(cells):
                items.append((y0, table_line(cells)))
    items.sort(key=lambda item: item[0])
    text = "\n\n".join(text for _, text in items)
    letters = sum(ch.isalpha() for w in words for ch in w.text)
    return OcrPage(text, len(words), letters, len(grids), grids)


def ocr_page_image(image, options: ReadOptions) -> OcrPage:
    """OCR of one page image (a PIL image at ``options.ocr_dpi``)."""
    gray = image.convert("L")
    buffer = io.BytesIO()
    gray.save(buffer, format="PNG")
    words = _tesseract_words(buffer.getvalue(), options)
    return page_text(np.asarray(gray), words)
