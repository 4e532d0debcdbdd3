"""Question understanding: kinds, provinces (loose spellings, outside the corpus), years, indicators, follow-ups."""

from __future__ import annotations

import pytest

from assistant.understanding import QuestionReader

PROVINCES = ["Quảng Trị", "Thừa Thiên Huế", "Lai Châu", "Thái Bình"]


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    return QuestionReader(PROVINCES)


@pytest.mark.parametrize(
    ("question", "kind", "provinces", "years", "indicators"),
    [
        (
            "Đến năm 2025 Lai Châu đặt mục tiêu bao nhiêu phần trăm cơ quan báo chí dùng nền tảng phân tích dữ liệu?",
            "target",
            ["Lai Châu"],
            [2025],
            ["data_ai_platform"],
        ),
        ("muc tieu 2030 cua tt hue ve toa soan hoi tu", "target", ["Thừa Thiên Huế"], [2030], ["converged_newsroom"]),
        ("Ai chủ trì nhiệm vụ 5.1 của Lai Châu?", "lead_unit", ["Lai Châu"], [], []),
        ("don vi nao phoi hop thuc hien nhiem vu 3 o quang tri", "coordinating_units", ["Quảng Trị"], [], []),
        ("Hạn báo cáo hằng năm của Thái Bình là ngày nào?", "deadline", ["Thái Bình"], [], []),
        ("So sánh chỉ tiêu đào tạo của các tỉnh", "comparison", [], [], ["staff_training"]),
        ("Sở Tài chính Quảng Trị có nhiệm vụ gì?", "responsibility", ["Quảng Trị"], [], []),
        ("Kinh phí thực hiện kế hoạch của Lai Châu lấy từ đâu?", "funding", ["Lai Châu"], [], []),
        ("Ai ký kế hoạch của Huế?", "metadata", ["Thừa Thiên Huế"], [], []),
        ("What is Thai Binh's 2030 revenue target?", "target", ["Thái Bình"], [2030], ["revenue_growth"]),
        ("ke hoach lai chau co nhung nhom nhiem vu giai phap nao", "outline", ["Lai Châu"], [], []),
        ("Bố cục kế hoạch của Thái Bình gồm những phần nào?", "outline", ["Thái Bình"], [], []),
        ("What are the main tasks of the Quang Tri plan?", "outline", ["Quảng Trị"], [], []),
        ("Sở TTTT Lai Châu có những nhiệm vụ gì?", "responsibility", ["Lai Châu"], [], []),
        ("Các cơ quan báo chí Huế có những nhiệm vụ gì?", "responsibility", ["Thừa Thiên Huế"], [], []),
        (
            "By 2030, what share of Hue's press leaders and editors should be trained?",
            "target",
            ["Thừa Thiên Huế"],
            [2030],
            ["staff_training"],
        ),
    ],
)
def test_reads_kind_province_year_indicator(reader, question, kind, provinces, years, indicators) -> None:
    u = reader.run(question)
    assert (u.kind, u.provinces, u.years, u.indicators) == (kind, provinces, years, indicators)


def test_english_is_detected(reader) -> None:
    assert reader.run("Who leads task 3 in Quang Tri?").language == "en"
    assert reader.run("ai chu tri nhiem vu 3 o quang tri").language == "vi"


def test_province_outside_the_corpus(reader) -> None:
    u = reader.run("Mục tiêu của Đà Nẵng năm 2025?")
    assert u.provinces == [] and u.unknown_provinces == ["Đà Nẵng"]


def test_greetings_and_symbols(reader) -> None:
    for text in ("xin chào", "Cảm ơn!", "???", "🙂🙂"):
        assert reader.run(text).kind == "greeting"


def test_follow_ups_inherit_from_the_conversation(reader) -> None:
    history = [
        {"role": "user", "content": "Mục tiêu tòa soạn hội tụ năm 2025 của Huế?"},
        {"role": "assistant", "content": "30% [1]"},
    ]
    u = reader.run("còn năm 2030 thì sao?", history)
    assert (u.kind, u.provinces, u.years, u.indicators) == (
        "target",
        ["Thừa Thiên Huế"],
        [2030],
        ["converged_newsroom"],
    )
    u = reader.run("thế còn Lai Châu?", history)
    assert (u.kind, u.provinces, u.years) == ("target", ["Lai Châu"], [2025])
    u = reader.run("ai phối hợp?", [{"role": "user", "content": "Ai chủ trì nhiệm vụ 5.1 của Lai Châu?"}])
    assert (u.kind, u.provinces, u.task_number) == ("coordinating_units", ["Lai Châu"], "5.1")


def test_a_deadline_question_after_a_report_question_is_about_the_report(reader) -> None:
    history = [{"role": "user", "content": "Hạn báo cáo kết quả hằng năm của Lai Châu là ngày nào?"}]
    assert reader.run("Thái Bình có hạn sớm hơn không?", history).reporting
    assert not reader.run("Thái Bình có hạn sớm hơn không?").reporting
