"""Hand-built plans and facts for the answer tests: no model, no index, no file of the corpus."""

from __future__ import annotations

from assistant.answer.context import AnswerContext
from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus, Plan, PlanMeta
from assistant.ingest.textmap import OffsetMap

# Two small plans in the national template, with invented figures.
NGHE_AN = """KẾ HOẠCH
Triển khai Chiến lược chuyển đổi số báo chí trên địa bàn tỉnh Nghệ An

I. MỤC TIÊU
1. Mục tiêu đến năm 2025
- 60% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.
2. Mục tiêu đến năm 2030
- 90% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.
II. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì, theo dõi, đôn đốc các cơ quan báo chí thực hiện Kế hoạch; định kỳ báo cáo Ủy ban nhân dân tỉnh.
2. Sở Tài chính
Bố trí kinh phí thực hiện Kế hoạch.
Các cơ quan, đơn vị báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 20/11 hằng năm.
"""
PHU_YEN = """KẾ HOẠCH
Triển khai Chiến lược chuyển đổi số báo chí trên địa bàn tỉnh Phú Yên

I. MỤC TIÊU
1. Mục tiêu đến năm 2025
- 40% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.
II. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì tổ chức thực hiện Kế hoạch.
Các cơ quan, đơn vị báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 10/12 hằng năm.
"""


def plan(plan_id: str, province: str, text: str) -> Plan:
    meta = PlanMeta(id=plan_id, province=province, file=f"{plan_id}.txt")
    return Plan(meta=meta, raw_text=text, text=text, offsets=OffsetMap.identity(len(text)))


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def target(plan_id, province, text, quote, year, value, indicator="converged_newsroom", **fields) -> Fact:
    start, end = span(text, quote)
    return Fact(
        id=f"{plan_id}:target:{year}",
        plan_id=plan_id,
        province=province,
        kind="target",
        section="I. MỤC TIÊU",
        origin="body",
        start=start,
        end=end,
        quote=quote,
        indicator=indicator,
        wording=quote.lstrip("- ").rstrip("."),
        year=year,
        value=value,
        unit="%",
        value_text=f"{value:g}%",
        **fields,
    )


def deadline(plan_id, province, text, quote, day, month) -> Fact:
    start, end = span(text, quote)
    return Fact(
        id=f"{plan_id}:reporting_deadline:1",
        plan_id=plan_id,
        province=province,
        kind="reporting_deadline",
        section="II. TỔ CHỨC THỰC HIỆN",
        origin="body",
        start=start,
        end=end,
        quote=quote,
        reporter="Các cơ quan, đơn vị",
        recipient="Sở Thông tin và Truyền thông",
        day=day,
        month=month,
        recurrence="hằng năm",
    )


def duty(plan_id, province, text, unit, quote) -> Fact:
    start, end = span(text, quote)
    return Fact(
        id=f"{plan_id}:responsibility:{unit}",
        plan_id=plan_id,
        province=province,
        kind="responsibility",
        section=f"II. TỔ CHỨC THỰC HIỆN › {unit}",
        origin="body",
        start=start,
        end=end,
        quote=quote,
        responsible_unit=unit,
        duties=quote,
    )


def context() -> AnswerContext:
    nghe_an, phu_yen = plan("nghe-an", "Nghệ An", NGHE_AN), plan("phu-yen", "Phú Yên", PHU_YEN)
    facts = [
        target(
            "nghe-an",
            "Nghệ An",
            NGHE_AN,
            "- 60% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.",
            2025,
            60,
        ),
        target(
            "nghe-an",
            "Nghệ An",
            NGHE_AN,
            "- 90% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.",
            2030,
            90,
        ),
        target(
            "phu-yen",
            "Phú Yên",
            PHU_YEN,
            "- 40% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.",
            2025,
            40,
        ),
        deadline(
            "nghe-an",
            "Nghệ An",
            NGHE_AN,
            "báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 20/11 hằng năm",
            20,
            11,
        ),
        deadline(
            "phu-yen",
            "Phú Yên",
            PHU_YEN,
            "báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 10/12 hằng năm",
            10,
            12,
        ),
        duty(
            "nghe-an",
            "Nghệ An",
            NGHE_AN,
            "Sở Thông tin và Truyền thông",
            "Chủ trì, theo dõi, đôn đốc các cơ quan báo chí thực hiện Kế hoạch; định kỳ báo cáo Ủy ban nhân dân tỉnh.",
        ),
        duty("nghe-an", "Nghệ An", NGHE_AN, "Sở Tài chính", "Bố trí kinh phí thực hiện Kế hoạch."),
        duty("phu-yen", "Phú Yên", PHU_YEN, "Sở Thông tin và Truyền thông", "Chủ trì tổ chức thực hiện Kế hoạch."),
    ]
    return AnswerContext(Corpus([nghe_an, phu_yen], {}), facts)


def task(plan_id, province, text, quote, number, lead, coordinating, time_frame, kind="range", parent="") -> Fact:
    start, end = span(text, quote)
    return Fact(
        id=f"{plan_id}:task:{number}",
        plan_id=plan_id,
        province=province,
        kind="task",
        section="PHỤ LỤC",
        origin="appendix",
        start=start,
        end=end,
        quote=quote,
        number=number,
        content=quote,
        lead_units=lead,
        coordinating_units=coordinating,
        time_frame=time_frame,
        time_frame_kind=kind,
        parent=parent,
    )


TASKS_TEXT = (
    NGHE_AN
    + """
PHỤ LỤC
1 Phát triển nền tảng số cho báo chí Sở Thông tin và Truyền thông Các cơ quan báo chí 2024-2025
2 Đào tạo kỹ năng số cho phóng viên Các cơ quan báo chí Sở Thông tin và Truyền thông Thường xuyên
3 Rà soát giấy phép hoạt động báo chí Sở Thông tin và Truyền thông Các cơ quan báo chí Hằng năm
"""
)


def tasks_context() -> AnswerContext:
    """One plan with a three-row task appendix."""
    text = TASKS_TEXT
    facts = [
        task(
            "nghe-an",
            "Nghệ An",
            text,
            "Phát triển nền tảng số cho báo chí",
            "1",
            ["Sở Thông tin và Truyền thông"],
            ["Các cơ quan báo chí"],
            "2024-2025",
        ),
        task(
            "nghe-an",
            "Nghệ An",
            text,
            "Đào tạo kỹ năng số cho phóng viên",
            "2",
            ["Các cơ quan báo chí"],
            ["Sở Thông tin và Truyền thông"],
            "Thường xuyên",
            kind="ongoing",
        ),
        task(
            "nghe-an",
            "Nghệ An",
            text,
            "Rà soát giấy phép hoạt động báo chí",
            "3",
            ["Sở Thông tin và Truyền thông"],
            ["Các cơ quan báo chí"],
            "Hằng năm",
            kind="yearly",
        ),
    ]
    return AnswerContext(Corpus([plan("nghe-an", "Nghệ An", text)], {}), facts)
