"""Readers of each input format, and every kind of bad input: one sentence naming the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.ingest import IngestError, ReadOptions, read_document, readers

from .conftest import needs_font, needs_tesseract
from .plan_files import make_docx, make_pdf

SMALL = """# KẾ HOẠCH

**Triển khai Chiến lược trên địa bàn tỉnh Thử**

- Một gạch đầu dòng.

| TT | Nội dung | Đơn vị chủ trì | Thời gian |
|---|---|---|---|
| 1 | Xây dựng kế hoạch | Sở TT&TT | Quý IV/2023 |
| 2 | Tập huấn<br>phóng viên | Báo tỉnh; Đài tỉnh | Hằng năm |
"""


def test_one_reader_module_per_format() -> None:
    names = {r.name for r in readers()}
    assert {"text", "docx", "pdf", "image"} <= names
    extensions = {ext for r in readers() for ext in r.extensions}
    assert {".txt", ".md", ".docx", ".pdf", ".png", ".jpg"} <= extensions


def test_markdown_pipe_tables_become_rows_of_cells(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(SMALL, encoding="utf-8")
    text = read_document(path).text
    assert "1\tXây dựng kế hoạch\tSở TT&TT\tQuý IV/2023" in text.split("\n")
    assert "---" not in text


def test_word_tables_keep_their_cells_and_bullets_their_mark(tmp_path: Path) -> None:
    extracted = read_document(make_docx(SMALL, tmp_path / "plan.docx"))
    lines = extracted.text.split("\n")
    assert extracted.format == "docx"
    assert "2\tTập huấn phóng viên\tBáo tỉnh; Đài tỉnh\tHằng năm" in lines
    assert "- Một gạch đầu dòng." in lines


def test_pdf_tables_are_read_cell_by_cell(tmp_path: Path) -> None:
    needs_font()
    extracted = read_document(make_pdf(SMALL, tmp_path / "plan.pdf"))
    assert extracted.format == "pdf" and extracted.pages == 1 and not extracted.ocr
    assert "1\tXây dựng kế hoạch\tSở TT&TT\tQuý IV/2023" in extracted.text.split("\n")


def _fails(path: Path, *words: str, options: ReadOptions | None = None) -> str:
    with pytest.raises(IngestError) as error:
        read_document(path, options)
    message = str(error.value)
    assert message.startswith(path.name) and message.count("\n") == 0
    for word in words:
        assert word in message, message
    return message


def test_encrypted_pdf(tmp_path: Path) -> None:
    import pymupdf

    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Kế hoạch")
    path = tmp_path / "khoa.pdf"
    document.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    _fails(path, "mật khẩu")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00garbage" * 50)
    _fails(path, "PDF")


def test_a_file_that_is_not_what_its_extension_says(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.pdf"
    path.write_text("KẾ HOẠCH\nI. MỤC TIÊU\n", encoding="utf-8")
    _fails(path, ".pdf", "văn bản UTF-8")
    fake = tmp_path / "ke-hoach.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.txt", "không phải Word")
    fake.write_bytes(buffer.getvalue())
    _fails(fake, ".docx")


def test_an_unsupported_extension_and_an_empty_file(tmp_path: Path) -> None:
    odd = tmp_path / "ke-hoach.odt"
    odd.write_bytes(b"PK\x03\x04 odt")
    _fails(odd, "không hỗ trợ", ".odt")
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    _fails(empty, "rỗng")


def test_a_300_page_file(tmp_path: Path) -> None:
    import pymupdf

    document = pymupdf.open()
    for n in range(300):
        document.new_page().insert_text((72, 72), f"Trang {n + 1} của một tài liệu rất dài")
    path = tmp_path / "dai.pdf"
    document.save(path)
    _fails(path, "300 trang", "giới hạn")


def test_an_image_without_text(tmp_path: Path) -> None:
    needs_tesseract()
    from PIL import Image

    path = tmp_path / "trang.png"
    Image.new("L", (1240, 1754), 255).save(path)
    _fails(path, "không có chữ")


def test_a_scan_with_ocr_off_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "anh.jpg"
    Image.new("L", (200, 200), 255).save(path)
    _fails(path, "--ocr off", options=ReadOptions(ocr="off"))
