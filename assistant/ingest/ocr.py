"""Optical character recognition of page images with Tesseract (its Vietnamese model), ruled tables cell by cell.

A page image is cleaned first (a 3×3 median filter against scanner noise, then Otsu's threshold). Ruled
tables are found in the image itself: long dark horizontal and vertical runs are the table's rules, the
rules cut the table into cells, and the rules are erased so that Tesseract does not read them as letters.
One Tesseract run per page gives every word with its box (TSV output); each word inside a table goes to the
cell that holds its centre, so a row comes out as tab-separated cells instead of words read across the
columns. Words outside tables keep Tesseract's reading order, one printed line per line and a blank line
between paragraphs. Pages are read in parallel, one Tesseract thread each.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from assistant.ingest import IngestError, ReadOptions
from assistant.ingest.row_text import table_line

log = logging.getLogger(__name__)

DARK = 150  # grey level under which a pixel counts as ink
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
    rules_y: list[int] = field(default_factory=list)

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
    command = [options.tesseract, "stdin", "stdout", "-l", options.ocr_lang, "--psm", "3"]
    command += ["--dpi", str(options.ocr_dpi), "tsv"]
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")  # pages run in parallel; threads inside one only contend
    try:
        result = subprocess.run(command, input=png, capture_output=True, check=True, timeout=300, env=environment)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        raise IngestError(f"Tesseract không đọc được trang ảnh ({error}); hãy thử lại với ảnh rõ hơn.") from error
    words: list[Word] = []
    for line in result.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        if not any(ch.isalnum() for ch in parts[11]) and parts[11].strip() not in {"-", "+", "•", "%", "–"}:
            continue  # specks read as marks
        word = unicodedata.normalize("NFC", parts[11].strip())
        if float(parts[10]) < 10 and len(word) <= 3 and not any(c.isdigit() for c in word):
            from assistant.domain.syllables import is_valid_syllable

            if not is_valid_syllable(word.lower().strip(".,;:")):
                continue  # a short non-word Tesseract barely believes: noise
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
    # Merge adjacent pixel rows of one thick rule (noise may shorten some of them).
    rules: list[tuple[int, int, int]] = []
    for y, x0, x1 in lines:
        if rules and y - rules[-1][0] <= 4:
            prev = rules[-1]
            rules[-1] = (y, min(prev[1], x0), max(prev[2], x1))
        else:
            rules.append((y, x0, x1))
    # Group rules of one table: they span (nearly) the same columns, one after the other.
    groups: list[list[tuple[int, int, int]]] = []
    for rule in rules:
        if groups:
            left, right = min(r[1] for r in groups[-1]), max(r[2] for r in groups[-1])
            overlap = min(right, rule[2]) - max(left, rule[1])
            if (
                overlap >= 0.9 * min(right - left, rule[2] - rule[1])
                and abs((right - left) - (rule[2] - rule[1])) < 0.1 * width
            ):
                groups[-1].append(rule)
                continue
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
        # A band without column rules is not a row (a title between two tables, a box around text): it
        # splits the rules into separate tables.
        start = 0
        for k in range(len(bands) + 1):
            if k < len(bands) and len(columns[k]) >= 3:
                continue
            if k > start:
                part = bands[start:k]
                grid = Grid(part[0][0] - 2, part[-1][1] + 1, left, right, part, columns[start:k])
                grid.rules_y = [y for y in ys if grid.top - 3 <= y <= grid.bottom + 3]
                _extend_open_ends(grid, vertical)
                grids.append(grid)
            start = k + 1
        # A rule that closes a row carried over from the previous page (no rule above it on this page).
        used = {y for grid in grids for y in grid.rules_y}
        for y in ys:
            if y in used or y > 0.35 * height:
                continue
            cuts = _cuts(vertical, max(0, y - 60), y - 3, left, right)
            if len(cuts) < 3:
                continue
            grid = Grid(y, y, left, right, [], [], [y])
            grid.columns = [cuts]
            grid.rows = []
            piece = Grid(y, y, left, right, [(y - 1, y)], [cuts], [y])
            _extend_open_ends(piece, vertical, directions=(True,))
            if len(piece.rows) > 1:
                piece.rows, piece.columns = piece.rows[:1], piece.columns[:1]
                grids.append(piece)
    return grids


def _cuts(vertical: np.ndarray, y0: int, y1: int, left: int, right: int) -> list[int]:
    """x of the column rules crossing the band [y0, y1) of a table spanning [left, right], edges included."""
    width = vertical.shape[1]
    band = vertical[y0:y1, max(0, left - 3) : min(width, right + 4)]
    if band.size == 0:
        return [left, right]
    share = band.mean(axis=0)
    cuts = [max(0, left - 3) + (a + b) // 2 for a, b in _runs(share >= 0.9)]
    merged: list[int] = []
    for x in sorted({left, *cuts, right}):
        if merged and x - merged[-1] < 12:
            continue
        merged.append(x)
    return merged


def _run_from(column: np.ndarray, start: int, step: int) -> int:
    """How many pixels of ink run from ``start`` in direction ``step`` (±1) along a column."""
    n, y = 0, start
    while 0 <= y < len(column) and column[y]:
        n += 1
        y += step
    return n


def _extend_open_ends(grid: Grid, vertical: np.ndarray, directions: tuple[bool, ...] = (True, False)) -> None:
    """A table cut by a page break has no rule above its first row or below its last one: its column rules
    run on past the first (last) horizontal rule, and the band they cover is one more row."""
    for first, step in ((True, -1), (False, 1)):
        if first not in directions:
            continue
        cuts = grid.columns[0] if first else grid.columns[-1]
        inner = cuts[1:-1] or cuts
        edge = grid.top if first else grid.bottom
        runs = []
        for x in inner:
            band = vertical[:, max(0, x - 2) : x + 3].any(axis=1)
            runs.append(_run_from(band, edge + (-3 if first else 3), step))
        long = sorted(r for r in runs if r > 40)
        if len(long) < max(2, len(inner) // 2):
            continue
        reach = long[len(long) // 2]
        if first:
            new_top = max(0, edge - 3 - reach)
            grid.rows.insert(0, (new_top, edge - 1))
            grid.columns.insert(0, list(cuts))
            grid.top = new_top
        else:
            new_bottom = edge + 3 + reach
            grid.rows.append((edge + 2, new_bottom))
            grid.columns.append(list(cuts))
            grid.bottom = new_bottom


def otsu_threshold(gray: np.ndarray) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(float)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    total = weight[-1]
    mean_below = mass / np.maximum(weight, 1)
    mean_above = (mass[-1] - mass) / np.maximum(total - weight, 1)
    return int(np.argmax(weight * (total - weight) * (mean_below - mean_above) ** 2))


def clean_page(image) -> np.ndarray:
    """Greyscale page → black text on white: median filter against speckles, then Otsu's threshold."""
    from PIL import ImageFilter

    gray = np.asarray(image.convert("L").filter(ImageFilter.MedianFilter(3)))
    return np.where(gray > otsu_threshold(gray), 255, 0).astype(np.uint8)


def erase_rules(page: np.ndarray, grids: list[Grid], width: int = 3) -> np.ndarray:
    """The page with the tables' rules painted white (Tesseract reads rules as "|" and "_")."""
    out = page.copy()
    for grid in grids:
        for y in grid.rules_y:
            out[max(0, y - width) : y + width + 1, max(0, grid.left - width) : grid.right + width + 1] = 255
        for (y0, y1), cuts in zip(grid.rows, grid.columns, strict=True):
            for x in cuts:
                out[max(0, y0 - width) : y1 + width + 1, max(0, x - width) : x + width + 1] = 255
    return out


def _lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into Tesseract's printed lines, top to bottom, each line left to right."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.paragraph, word.line), []).append(word)
    ordered = sorted(lines.values(), key=lambda ln: sum(w.cy for w in ln) / len(ln))
    return [sorted(line, key=lambda w: w.left) for line in ordered]


_EDGE_RE = re.compile(r"^[^\w(%“\"'-]+|[^\w)%.,;:”\"'/-]+$")


def clean_token(text: str) -> str:
    """A word as Tesseract read it, without specks glued to its ends, split where a space was lost."""
    text = _EDGE_RE.sub("", unicodedata.normalize("NFC", text.strip())).strip("_“”\"'")
    # "SởTT&TT", "QuýIV/2023", "Năm2025", "30/6hằng": a space lost between a word and the next
    out = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if before and (
            (ch.isupper() and before.islower())
            or (ch.isdigit() and before.islower())
            or (ch.islower() and before.isdigit() and nxt.islower())
            or (ch.islower() and nxt.islower() and before.isupper() and i >= 2 and text[i - 2].isupper())
        ):
            out.append(" ")
        out.append(ch)
    return "".join(out)


def split_glued(token: str) -> str:
    """Syllables Tesseract ran together ("Khicóhướng" → "Khi có hướng"), split when every piece is a valid
    Vietnamese syllable; anything else is returned as it is."""
    from assistant.domain.syllables import is_valid_syllable

    word = token.strip(",.;:")
    if len(word) < 5 or not word.isalpha() or not word[1:].islower() or is_valid_syllable(word.lower()):
        return token
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 7), end):
            piece = word[start:end]
            if best[start] is not None and is_valid_syllable(piece.lower()):
                candidate = [*best[start], piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    pieces = best[n]
    if not pieces or len(pieces) < 2 or len(pieces) > 4 or any(len(p) < 2 and p.lower() not in "ởýà" for p in pieces):
        return token
    return token.replace(word, " ".join(pieces))


def _cell_text(words: list[Word]) -> str:
    tokens = [clean_token(w.text) for line in _lines_of(words) for w in line]
    tokens = [t for t in tokens if any(unicodedata.category(ch) in {"Lu", "Ll", "Nd"} for ch in t) or t == "%"]
    tokens = [t for t in tokens if len(t) > 1 or t.isdigit() or t in {"&", "%"}]  # a lone letter in a cell: a speck
    text = " ".join(split_glued(piece) for t in tokens for piece in t.split(" "))
    text = re.sub(r"(?<=[^\W\d]{2})\.\s+(?=\w)", " ", text)  # "Bắc. Giang": a speck read as a full stop in a cell
    text = re.sub(r"\s+\d{1,2}$", "", text) if re.search(r"[^\W\d]{2}", text) else text  # a stray digit at the end
    text = re.sub(r"\b(Quý)\s+[lI1|]\s*([VX])", r"\1 I\2", text)  # "Quýl V/2023": IV misread
    return fix_line(text)


def fix_line(text: str) -> str:
    """Specks Tesseract reads inside a printed line: a full stop before a lowercase word ("240. sản phẩm"),
    a number split at its thousands ("1.200. 000"), a range broken at its dash ("2024- 2025")."""

    def stop(match: re.Match) -> str:
        start = match.start()
        following = text[match.end() : match.end() + 1]
        if not following.islower() or re.fullmatch(r"\s*[\dA-Za-zđ]{1,3}", text[:start]):
            return match.group(0)  # a real full stop, or the number of a heading ("1. các …")
        return " "

    text = re.sub(r"(?<=[\w%])\.\s+(?=\w)", stop, text)
    text = re.sub(r"(?<=\d\.\d{3})\.?\s+(?=\d{3}\b)", ".", text)
    return re.sub(r"(?<=\d)\s*([-–])\s+(?=\d)", r"\1", text)


def page_text(gray: np.ndarray, words: list[Word], grids: list[Grid] | None = None) -> OcrPage:
    """The page as text: lines outside tables in reading order, table rows as tab-separated cells."""
    grids = find_grids(gray) if grids is None else grids
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
        text = "\n".join(
            fix_line(" ".join(clean_token(w.text) or w.text for w in sorted(ws, key=lambda w: w.left)))
            for ws in by_line.values()
        )
        if re.search(r"[^\W\d_]{2}|\d", text):  # a paragraph of specks is not text
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
    from PIL import Image

    page = clean_page(image)
    grids = find_grids(page)
    buffer = io.BytesIO()
    Image.fromarray(erase_rules(page, grids)).save(buffer, format="PNG")
    words = _tesseract_words(buffer.getvalue(), options)
    return page_text(page, words, grids)


def ocr_pages(images, options: ReadOptions) -> list[OcrPage]:
    """OCR of several page images, ``options.ocr_workers`` at a time, in page order."""
    from concurrent.futures import ThreadPoolExecutor

    images = list(images)
    done = 0

    def one(image) -> OcrPage:
        nonlocal done
        page = ocr_page_image(image, options)
        done += 1
        if options.progress:
            options.progress(f"OCR {done}/{len(images)} trang")
        return page

    with ThreadPoolExecutor(max_workers=max(1, options.ocr_workers)) as pool:
        return list(pool.map(one, images))
