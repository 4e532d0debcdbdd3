"""The list of extractors: one per registered fact kind, run in the order they are listed."""

from __future__ import annotations

from itertools import groupby

from assistant.facts.extract import EXTRACTORS, FactExtractor, PlanText
from assistant.facts.kinds import BY_NAME, FACT_KINDS
from assistant.ingest.structure import parse_structure

# Every kind (funding twice). The legal basis opens the plan and the reporting deadline closes it, yet their
# extractors run last and third: the facts follow the list of extractors, not the text.
TEXT = """KẾ HOẠCH
Chuyển đổi số báo chí tỉnh Yên Bái

Căn cứ Quyết định số 348/QĐ-TTg ngày 06/4/2023 của Thủ tướng Chính phủ phê duyệt Chiến lược chuyển đổi số báo chí;
I. MỤC TIÊU
- Đến năm 2025, 60% cơ quan báo chí của tỉnh hoạt động theo mô hình tòa soạn hội tụ.
II. NHIỆM VỤ, GIẢI PHÁP
1. Phát triển các sản phẩm báo chí số
1.1. Phát triển sản phẩm báo chí số đa phương tiện
- Cơ quan chủ trì: Báo Yên Bái.
- Thời gian thực hiện: 2024 - 2026.
III. KINH PHÍ THỰC HIỆN
Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành; nguồn xã hội hóa.
IV. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì tổ chức thực hiện Kế hoạch. Định kỳ hằng năm, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12.
"""


def test_every_extractor_declares_a_registered_kind() -> None:
    for extractor in EXTRACTORS:
        assert extractor.kind in BY_NAME, type(extractor).__name__


def test_every_registered_kind_has_one_extractor() -> None:
    kinds = [extractor.kind for extractor in EXTRACTORS]
    assert len(kinds) == len(set(kinds)), kinds
    assert set(kinds) == set(FACT_KINDS)  # every registered kind is read from the plans


def test_a_plan_yields_its_facts_in_the_order_the_extractors_are_listed() -> None:
    facts = FactExtractor().run(PlanText("yen-bai", "Yên Bái", TEXT, parse_structure(TEXT, [], None)))
    assert [kind for kind, _ in groupby(f.kind for f in facts)] == [e.kind for e in EXTRACTORS]
    assert [f.id for f in facts] == [f"yen-bai:{f.kind}:{n}" for n, f in enumerate(facts, 1)]
    assert [(f.kind, f.value_text) for f in facts if f.kind in {"target", "funding", "legal_basis"}] == [
        ("target", "60%"),
        ("funding", "Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành"),
        ("funding", "nguồn xã hội hóa"),
        ("legal_basis", "348/QĐ-TTg"),
    ]
