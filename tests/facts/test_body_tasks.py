"""Tasks a plan without an assignment table writes in its body, each item followed by labelled lines."""

from __future__ import annotations

from assistant.facts.extract import FactExtractor, PlanText
from assistant.ingest.corpus import Corpus
from assistant.ingest.structure import parse_structure
from assistant.verification.evidence import check_fact
from tests.answer.plans import plan

TEXT = """KẾ HOẠCH
Chuyển đổi số báo chí tỉnh Yên Bái

I. MỤC TIÊU
- Đến năm 2025, 60% cơ quan báo chí của tỉnh hoạt động theo mô hình tòa soạn hội tụ.
II. NHIỆM VỤ, GIẢI PHÁP
1. Phát triển các sản phẩm báo chí số
1.1. Phát triển sản phẩm báo chí số đa phương tiện, chuyên mục song ngữ
trên nền tảng số.
- Cơ quan chủ trì: Báo Yên Bái, Đài PT-TH tỉnh.
- Cơ quan phối hợp: Sở Thông tin và Truyền thông.
- Thời gian thực hiện: 2024 - 2026.
1.2. Xây dựng cơ sở dữ liệu số dùng chung cho các cơ quan báo chí
- Đơn vị chủ trì: Sở Thông tin và Truyền thông.
- Thời gian hoàn thành: Quý II/2025.
2. Nâng cao nhận thức về chuyển đổi số báo chí
Tuyên truyền sâu rộng trên các phương tiện thông tin đại chúng.
III. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì tổ chức thực hiện Kế hoạch.
"""


def test_each_item_with_a_lead_line_is_a_task_with_its_units_and_time_frame() -> None:
    structure = parse_structure(TEXT, [], None)
    facts = [f for f in FactExtractor().run(PlanText("yen-bai", "Yên Bái", TEXT, structure)) if f.kind == "task"]
    assert [f.number for f in facts] == ["1.1", "1.2"]  # item 2 names no unit: no task
    first, second = facts
    assert first.lead_units == ["Báo Yên Bái", "Đài Phát thanh và Truyền hình tỉnh"]
    assert first.coordinating_units == ["Sở Thông tin và Truyền thông"]
    assert (first.time_frame, first.start_year, first.end_year, first.parent) == ("2024 - 2026", 2024, 2026, "1")
    assert "chuyên mục song ngữ trên nền tảng số" in first.content
    assert second.lead_units == ["Sở Thông tin và Truyền thông"] and second.coordinating_units == []
    assert second.time_frame == "Quý II/2025"
    corpus = Corpus([plan("yen-bai", "Yên Bái", TEXT)], {})
    assert not [p for f in facts for p in check_fact(f, corpus)]
