"""Question understanding: the frame's asked attribute and aggregate, provinces (loose spellings, outside the corpus),
years, indicators, units, constraints, follow-ups."""

from __future__ import annotations

import pytest

from assistant.understanding import QuestionReader

PROVINCES = ["Quảng Trị", "Thừa Thiên Huế", "Lai Châu", "Thái Bình"]


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    return QuestionReader(PROVINCES)


@pytest.mark.parametrize(
    ("question", "asked", "provinces", "years", "indicators"),
    [
        (
            "Đến năm 2025 Lai Châu đặt mục tiêu bao nhiêu phần trăm cơ quan báo chí dùng nền tảng phân tích dữ liệu?",
            ("target_value", None),
            ["Lai Châu"],
            [2025],
            ["data_ai_platform"],
        ),
        ("muc tieu 2030 cua tt hue ve toa soan hoi tu", ("target_value", None), ["Thừa Thiên Huế"], [2030], ["converged_newsroom"]),
        ("Ai chủ trì nhiệm vụ 5.1 của Lai Châu?", ("lead_units", None), ["Lai Châu"], [], []),
        ("don vi nao phoi hop thuc hien nhiem vu 3 o quang tri", ("coordinating_units", None), ["Quảng Trị"], [], []),
        ("Hạn báo cáo hằng năm của Thái Bình là ngày nào?", ("reporting_deadline", None), ["Thái Bình"], [], []),
        ("So sánh chỉ tiêu đào tạo của các tỉnh", ("target_value", "compare"), [], [], ["staff_training"]),
        ("Sở Tài chính Quảng Trị có nhiệm vụ gì?", ("duties", None), ["Quảng Trị"], [], []),
        ("Kinh phí thực hiện kế hoạch của Lai Châu lấy từ đâu?", ("funding_sources", None), ["Lai Châu"], [], []),
        ("Ai ký kế hoạch của Huế?", ("signer", None), ["Thừa Thiên Huế"], [], []),
        ("What is Thai Binh's 2030 revenue target?", ("target_value", None), ["Thái Bình"], [2030], ["revenue_growth"]),
        ("ke hoach lai chau co nhung nhom nhiem vu giai phap nao", ("outline", None), ["Lai Châu"], [], []),
        ("Bố cục kế hoạch của Thái Bình gồm những phần nào?", ("outline", None), ["Thái Bình"], [], []),
        ("What are the main tasks of the Quang Tri plan?", ("outline", None), ["Quảng Trị"], [], []),
        ("Sở TTTT Lai Châu có những nhiệm vụ gì?", ("duties", None), ["Lai Châu"], [], []),
        ("Các cơ quan báo chí Huế có những nhiệm vụ gì?", ("duties", None), ["Thừa Thiên Huế"], [], []),
        (
            "By 2030, what share of Hue's press leaders and editors should be trained?",
            ("target_value", None),
            ["Thừa Thiên Huế"],
            [2030],
            ["staff_training"],
        ),
    ],
)
def test_reads_attribute_province_year_indicator(reader, question, asked, provinces, years, indicators) -> None:
    u = reader.run(question)
    assert ((u.asked, u.aggregate), u.provinces, u.years, u.indicators) == (asked, provinces, years, indicators)


def test_english_is_detected(reader) -> None:
    assert reader.run("Who leads task 3 in Quang Tri?").language == "en"
    assert reader.run("ai chu tri nhiem vu 3 o quang tri").language == "vi"


def test_province_outside_the_corpus(reader) -> None:
    u = reader.run("Mục tiêu của Đà Nẵng năm 2025?")
    assert u.provinces == [] and u.scope.unknown_provinces == ["Đà Nẵng"]


def test_greetings_and_symbols(reader) -> None:
    for text in ("xin chào", "Cảm ơn!", "???", "🙂🙂"):
        assert reader.run(text).asked == "greeting"


def test_follow_ups_inherit_from_the_conversation(reader) -> None:
    history = [
        {"role": "user", "content": "Mục tiêu tòa soạn hội tụ năm 2025 của Huế?"},
        {"role": "assistant", "content": "30% [1]"},
    ]
    u = reader.run("còn năm 2030 thì sao?", history)
    assert (u.asked, u.provinces, u.years, u.indicators) == (
        "target_value",
        ["Thừa Thiên Huế"],
        [2030],
        ["converged_newsroom"],
    )
    u = reader.run("thế còn Lai Châu?", history)
    assert (u.asked, u.provinces, u.years) == ("target_value", ["Lai Châu"], [2025])
    u = reader.run("ai phối hợp?", [{"role": "user", "content": "Ai chủ trì nhiệm vụ 5.1 của Lai Châu?"}])
    assert (u.asked, u.provinces, u.task_number) == ("coordinating_units", ["Lai Châu"], "5.1")


def test_a_deadline_question_after_a_report_question_is_about_the_report(reader) -> None:
    history = [{"role": "user", "content": "Hạn báo cáo kết quả hằng năm của Lai Châu là ngày nào?"}]
    assert reader.run("Thái Bình có hạn sớm hơn không?", history).asked == "reporting_deadline"
    assert reader.run("Thái Bình có hạn sớm hơn không?").asked != "reporting_deadline"
