"""OCR helpers that need no Tesseract: ruled tables found in a page image, Tesseract's specks cleaned."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from assistant.ingest.ocr import Word, clean_page, clean_token, find_grids, fix_line, page_text, split_glued


def _page() -> Image.Image:
    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    for y in (100, 200, 320, 440):
        draw.line([(100, y), (1100, y)], fill=0, width=3)
    for x in (100, 200, 700, 1100):
        draw.line([(x, 100), (x, 440)], fill=0, width=3)
    for y in (600, 640):  # a rule under a heading, not a table
        draw.line([(100, y), (1100, y)], fill=0, width=3) if y == 600 else None
    return image


def test_a_ruled_table_is_found_and_cut_into_cells() -> None:
    [grid] = find_grids(clean_page(_page()))
    assert len(grid.rows) == 3 and all(len(cuts) == 4 for cuts in grid.columns)
    assert grid.cell_of(150, 250) == (1, 0) and grid.cell_of(900, 400) == (2, 2)


def test_words_go_to_their_cells() -> None:
    page = clean_page(_page())
    words = [
        Word("1", 140, 240, 20, 30, 1, 1, 1, 90),
        Word("Kiểm", 220, 240, 80, 30, 2, 1, 1, 90),
        Word("tra", 310, 240, 50, 30, 2, 1, 1, 90),
        Word("Sở", 720, 240, 40, 30, 3, 1, 1, 90),
        Word("TT&TT", 770, 240, 90, 30, 3, 1, 1, 90),
        Word("Ghi", 120, 700, 60, 30, 9, 1, 1, 90),
        Word("chú", 190, 700, 60, 30, 9, 1, 1, 90),
    ]
    text = page_text(np.asarray(page), words).text
    assert "1\tKiểm tra\tSở TT&TT" in text.split("\n") and "Ghi chú" in text


def test_specks_and_lost_spaces() -> None:
    assert clean_token("SởTT&TT") == "Sở TT&TT"
    assert clean_token("Năm2025.") == "Năm 2025."
    assert clean_token("348/QĐ-TTg") == "348/QĐ-TTg"
    assert split_glued("Khicóhướng") == "Khi có hướng"
    assert split_glued("Kon") == "Kon"  # a name, not glued syllables
    assert fix_line("đạt 240. sản phẩm và 1.200. 000 người") == "đạt 240 sản phẩm và 1.200.000 người"
    assert fix_line("1. các cơ quan") == "1. các cơ quan"
