"""Metadata read from a plan's own text; what the text leaves blank stays blank."""

from __future__ import annotations

from assistant.ingest.metadata import find_province, read_metadata

HEADER = """ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN
Số: 45/KH-UBND
Phú Yên, ngày 07 tháng 3 năm 2024
KẾ HOẠCH
Thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025 trên địa bàn tỉnh Phú Yên
Căn cứ Quyết định số 348/QĐ-TTg ngày 06/4/2023 của Thủ tướng Chính phủ;
I. MỤC TIÊU
"""


def test_header_number_date_title_and_legal_basis() -> None:
    meta = read_metadata(HEADER + "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Văn An\n")
    assert meta.province == "Phú Yên" and meta.plan_number == "45/KH-UBND" and meta.issue_date == "2024-03-07"
    assert meta.title == "Thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025 trên địa bàn tỉnh Phú Yên"
    assert meta.issuing_body == "Ủy ban nhân dân tỉnh Phú Yên"
    assert meta.signer == "Lê Văn An, Phó Chủ tịch" and meta.signer_title == "Phó Chủ tịch"
    assert meta.legal_basis == ("Quyết định số 348/QĐ-TTg ngày 06/4/2023 của Thủ tướng Chính phủ",)
    assert meta.blank == []


def test_blank_number_and_date_stay_blank() -> None:
    text = HEADER.replace("Số: 45/KH-UBND", "Số:      /KH-UBND").replace("ngày 07 tháng 3", "ngày    tháng 3")
    meta = read_metadata(text)
    assert meta.plan_number == "" and meta.issue_date == ""
    assert {"plan_number", "issue_date", "signer"} <= set(meta.blank)


def test_number_from_the_appendix_and_a_signature_beside_the_recipients() -> None:
    text = (
        "KẾ HOẠCH\nTriển khai Chiến lược trên địa bàn tỉnh Hà Giang\nI. MỤC TIÊU\n"
        "Nơi nhận: TM. ỦY BAN NHÂN DÂN\n- Bộ Thông tin và Truyền thông; KT. CHỦ TỊCH\n- Tỉnh ủy; PHÓ CHỦ TỊCH\n"
        "- Lưu: VT; Hoàng Thị Mai\nPHỤ LỤC\n(Kèm theo Kế hoạch số 12/KH-UBND ngày 15/9/2023 của UBND tỉnh)\n"
    )
    meta = read_metadata(text)
    assert meta.plan_number == "12/KH-UBND" and meta.issue_date == "2023-09-15"
    assert meta.signer == "Hoàng Thị Mai, Phó Chủ tịch"


def test_province_from_the_title_not_from_a_place_named_earlier() -> None:
    assert find_province("Đông Hà, ngày 1 tháng 2 năm 2024\nKẾ HOẠCH\n… trên địa bàn tỉnh Quảng Trị") == "Quảng Trị"


def test_a_page_number_joined_to_the_signers_name_is_not_part_of_it() -> None:
    from assistant.ingest.metadata import _signature

    block = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Minh Khoa 5", "PHỤ LỤC"]
    assert _signature(block) == ("Trần Minh Khoa", "Chủ tịch")
