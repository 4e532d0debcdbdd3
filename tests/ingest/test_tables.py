"""Tables read from their header row whatever the column order and however a PDF-to-text tool flattened them."""

from __future__ import annotations

import pytest

from assistant.facts.extract import classify_time_frame
from assistant.ingest.layout import repair_layout
from assistant.ingest.structure import parse_structure
from assistant.ingest.tables import cell_role, header_layout, is_time_frame

BODY = (
    "KẾ HOẠCH\nI. MỤC TIÊU\n1. Mục tiêu đến năm 2025\n- 50% cơ quan báo chí đưa nội dung lên các nền tảng số.\n"
    + "".join(f"- Nhiệm vụ thứ {n} của kế hoạch.\n" for n in range(12))
    + "II. TỔ CHỨC THỰC HIỆN\n1. Sở Thông tin và Truyền thông\nChủ trì theo dõi.\n"
)


def _tables(appendix: str):
    result = repair_layout(BODY + "\n\n PHỤ LỤC\n\n" + appendix)
    return parse_structure(result.text, result.footnotes, result.appendix_start).tables


def _cells(table, number: str) -> dict[str, str]:
    row = next(r for r in table.rows if r.number == number)
    return {role: cell.text for role, cell in row.cells.items()}


def test_header_roles_in_any_order() -> None:
    layout = header_layout("STT Nhiệm vụ Thời gian thực hiện Sản phẩm Cơ quan chủ trì Cơ quan phối hợp")
    assert layout == ["number", "content", "time_frame", "deliverable", "lead", "coordinating"]
    assert cell_role("Năm 2027") == "year:2027" and cell_role("Đơn vị tính") == "measure"
    assert cell_role("Thờigian thực hiện") == "time_frame"  # a space lost by OCR


def test_one_cell_per_line_time_before_units() -> None:
    [table] = _tables(
        "STT\nNội dung\nThời gian\nKết quả\nĐơn vị chủ trì\nĐơn vị phối hợp\n"
        "1\nXây dựng cơ sở dữ liệu báo chí\nNăm 2024\nCơ sở dữ liệu\nSở TT&TT\nBáo tỉnh; Đài tỉnh\n"
        "2\nBồi dưỡng phóng viên\n2024-2026\nLớp bồi dưỡng\nHội Nhà báo tỉnh\nSở Nội vụ\n"
    )
    assert _cells(table, "1") == {
        "content": "Xây dựng cơ sở dữ liệu báo chí",
        "time_frame": "Năm 2024",
        "deliverable": "Cơ sở dữ liệu",
        "lead": "Sở TT&TT",
        "coordinating": "Báo tỉnh; Đài tỉnh",
    }
    assert _cells(table, "2")["time_frame"] == "2024-2026"


def test_cells_split_over_lines_and_two_cells_on_one_line() -> None:
    [table] = _tables(
        "TT Nội dung Chủ trì Phối hợp Thời gian\n"
        "1 Số hóa kho tư liệu của\nĐài phát thanh\nĐài tỉnh Sở Tài chính; Sở\nKhoa học và Công nghệ\nThường xuyên\n"
    )
    cells = _cells(table, "1")
    assert cells["content"] == "Số hóa kho tư liệu của Đài phát thanh"
    assert cells["lead"] == "Đài tỉnh" and cells["coordinating"] == "Sở Tài chính; Sở Khoa học và Công nghệ"
    assert table.rows[0].split_by_lexicon


def test_repeated_header_and_lone_page_number_between_rows() -> None:
    header = "STT\nNhiệm vụ\nĐơn vị chủ trì\nThời gian\n"
    [table] = _tables(
        header
        + "1\nRà soát quy hoạch báo chí\nSở TT&TT\nQuý IV/2023\n\n\n4\n\n"
        + header
        + "2\nTruyền thông chính sách\nBáo tỉnh\nHằng năm\n"
    )
    assert [r.number for r in table.rows] == ["1", "2"]
    assert _cells(table, "2") == {"content": "Truyền thông chính sách", "lead": "Báo tỉnh", "time_frame": "Hằng năm"}


def test_group_rows_give_the_lead() -> None:
    [table] = _tables(
        "STT\nNhiệm vụ\nĐơn vị phối hợp\nThời gian\nI\nSỞ TƯ PHÁP CHỦ TRÌ\n"
        "1\nPhổ biến pháp luật về báo chí\nCác cơ quan báo chí\nHằng năm\n"
    )
    assert table.rows[0].group_lead == "Sở Tư pháp"


def test_cells_known_from_tabs() -> None:
    [table] = _tables("TT\tNhiệm vụ\tChủ trì\tPhối hợp\tThời gian\n1\tKiểm tra\tSở TT&TT\t\tThường xuyên\n")
    assert _cells(table, "1") == {"content": "Kiểm tra", "lead": "Sở TT&TT", "time_frame": "Thường xuyên"}


def test_per_year_rows_with_counts_and_a_unit_column() -> None:
    from assistant.ingest.structure import read_target_row

    [table] = _tables("STT\nChỉ tiêu\nĐơn vị tính\nNăm 2024\nNăm 2025\n1\nSố video ngắn\nsản xuất\nVideo\n120\n1.500\n")
    row = read_target_row(table.rows[0], table)
    assert row.wording == "Số video ngắn sản xuất" and row.measure == "Video"
    assert [v.value for v in row.values] == [120.0, 1500.0]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Quý IV/2023", "quarter"),
        ("Năm 2024", "year"),
        ("2024-2025", "range"),
        ("Hằng năm", "yearly"),
        ("Thường xuyên", "ongoing"),
        ("Định kỳ 6 tháng", "periodic"),
        ("Trước ngày 30/6 hằng năm", "yearly"),
        ("Khi có hướng dẫn của Bộ Thông tin và Truyền thông", "after_guidance"),
        ("Khi có yêu cầu", "on_request"),
    ],
)
def test_every_time_frame_form(text: str, kind: str) -> None:
    assert is_time_frame(text)
    assert classify_time_frame(text)[0] == kind
