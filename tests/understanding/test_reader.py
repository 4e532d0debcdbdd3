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
        (
            "muc tieu 2030 cua tt hue ve toa soan hoi tu",
            ("target_value", None),
            ["Thừa Thiên Huế"],
            [2030],
            ["converged_newsroom"],
        ),
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


@pytest.mark.parametrize(
    ("question", "asked", "aggregate"),
    [
        ("Năm 2025, chỉ tiêu tòa soạn hội tụ của Quảng Trị cao hơn Lai Châu bao nhiêu?", "target_value", "difference"),
        ("Hạn báo cáo hằng năm của Huế sớm hơn của Quảng Trị bao nhiêu ngày?", "reporting_deadline", "difference"),
        ("phu luc qt co bao nhieu nhiem vu", "task_list", "count"),
        ("Kế hoạch nào có chỉ tiêu tăng doanh thu tối thiểu 10%?", "target_value", "which"),
        ("qt va lc, nv ung dung nen tang so thi ai chu tri o moi tinh", "lead_units", "compare"),
        ("Tỉnh nào đặt chỉ tiêu tòa soạn hội tụ năm 2025 cao nhất?", "target_value", "highest"),
        ("thai binh chia chi tieu thanh may giai doan?", "target_value", None),
        ("Lai Châu tăng tin bài so với năm nào?", "baseline_year", None),
        ("liet ke cac nhiem vu trong phu luc cua quang tri", "task_list", None),
    ],
)
def test_reads_the_aggregate_beside_the_attribute(reader, question, asked, aggregate) -> None:
    frame = reader.run(question)
    assert (frame.asked, frame.aggregate) == (asked, aggregate)


def test_documents_named_in_full_in_part_by_title_or_set_aside(reader) -> None:
    assert reader.run("KH 2317 của QT ban hành ngày nào").subject.documents == ["2317"]
    assert reader.run("Kế hoạch nào căn cứ Luật Báo chí năm 2016?").subject.documents == ["Luật Báo chí"]
    frame = reader.run("Ngoài QĐ 348 và 781, KH Lai Châu còn viện dẫn những quyết định nào?")
    assert frame.subject.documents == [] and frame.subject.excluded_documents == ["348", "781"]
    assert reader.run("kế hoạch năm 2025 của Huế").subject.documents == []  # a year, not a number
    history = [{"role": "user", "content": "Những kế hoạch nào trích dẫn Quyết định 781/QĐ-BTTTT?"}]
    assert reader.run("Văn bản đó ban hành ngày nào?", history).subject.documents == ["781/QĐ-BTTTT"]


def test_constraints_an_answer_must_honour(reader) -> None:
    frame = reader.run("Công an tỉnh Quảng Trị có nhiệm vụ gì về an ninh mạng?")
    assert frame.constraint_values("unit") == ["Công an tỉnh"] and frame.asked == "duties"
    assert reader.run("Quảng Trị phối hợp với trung tâm nào của Bộ?").constraint_values("agency_kind") == ["Trung tâm"]
    assert reader.run("How many journalists in Quang Tri are trained?").constraint_values("quantity") == ["count"]
    assert reader.run("Lai Châu cần bao nhiêu tiền để thực hiện?").constraint_values("quantity") == ["money"]
    assert reader.run("Trong kế hoạch 270/KH-UBND, đến 2025 …").subject.units == []  # no agency inside a number
    assert reader.run("phu luc qt co gi").constraint_values("part") == ["appendix"]


def test_the_national_strategy_is_another_level(reader) -> None:
    assert reader.run("Chiến lược quốc gia đặt bao nhiêu % tòa soạn hội tụ năm 2025?").scope.level == "national"
    assert reader.run("Chiến lược đó đặt mục tiêu năm 2025 là bao nhiêu %?").scope.level == "national"
    assert reader.run("Huế triển khai chiến lược với mục tiêu gì năm 2025?").scope.level == "provincial"


def test_province_initials_in_lower_case_and_plans_by_number() -> None:
    reader = QuestionReader(PROVINCES, plan_numbers={"Thừa Thiên Huế": "270/KH-UBND"})
    assert reader.run("muc tieu 2025 cua qt ve nen tang so").provinces == ["Quảng Trị"]
    assert reader.run("nv 4 lc ai chu tri").provinces == ["Lai Châu"]  # Lào Cai has no plan in the corpus
    assert reader.run("ai ki kh 270").provinces == ["Thừa Thiên Huế"]
    assert reader.run("ai ki kh 270").asked == "signer"


def test_a_ranking_follow_up_asks_across_the_provinces(reader) -> None:
    history = [{"role": "user", "content": "Huế yêu cầu báo cáo kết quả trước ngày nào?"}]
    frame = reader.run("Tỉnh nào muộn nhất?", history)
    assert (frame.asked, frame.aggregate, frame.provinces) == ("reporting_deadline", "latest", [])
    history = [{"role": "user", "content": "Quảng Trị đặt bao nhiêu % cơ quan báo chí tăng doanh thu năm 2030?"}]
    frame = reader.run("chenh lech voi Hue bao nhieu?", history)
    assert frame.aggregate == "difference" and frame.provinces == ["Quảng Trị", "Thừa Thiên Huế"]
    assert frame.indicators == ["revenue_growth"] and frame.years == [2030]


def test_english_is_told_by_words_no_mark_makes_vietnamese() -> None:
    from assistant.domain.normalize import fold
    from assistant.understanding.language import is_english

    for question, english in [
        ("Compare the 2030 revenue-growth targets for press agencies in Quảng Trị and Thừa Thiên Huế.", True),
        ("Per Thai Binh's appendix, what share of press agencies should use AI platforms in 2024?", True),
        ("Quang Tri dat muc tieu bao nhieu luot truy cap bao dien tu moi thang?", False),
    ]:
        assert is_english(question, fold(question)) is english


def test_two_plans_that_derive_one_code_from_different_labels_are_both_matched() -> None:
    from assistant.understanding.indicator_cues import PlanIndicator, find_plan_indicators

    indicators = [
        PlanIndicator("plan_san_pham_so", "Cà Mau", "Sản phẩm báo chí số đa phương tiện"),
        PlanIndicator("plan_san_pham_so", "Đắk Lắk", "Sản phẩm số phát trên nền tảng thông tin"),
    ]
    found = find_plan_indicators("san pham phat tren nen tang thong tin", indicators, [])
    assert [code for code, _ in found] == ["plan_san_pham_so"]
