"""Hand-built facts of two small invented plans for the view tests: no corpus, no model, no index."""

from __future__ import annotations

from assistant.facts.model import Fact
from assistant.ingest.corpus import PlanMeta

TEXT = {
    "nghe-an": (
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Thông tin và Truyền thông\n"
        "Chủ trì, theo dõi, đôn đốc các cơ quan báo chí thực hiện Kế hoạch.\n"
        "2. Các cơ quan báo chí của tỉnh\n"
        "Xây dựng kế hoạch chuyển đổi số của cơ quan.\n"
        "Các cơ quan, đơn vị báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 20/11 hằng năm.\n"
        "PHỤ LỤC\n"
        "1 | Phát triển sản phẩm báo chí số | Báo Nghệ An | Sở TTTT | 2023-2025\n"
        "2 | Đào tạo nguồn nhân lực | Sở TTTT | Các cơ quan báo chí | Quý III/2024\n"
        "3 | Rà soát giấy phép | Sở TTTT | Các sở, ban, ngành | Thường xuyên\n"
        "4 | Đánh giá kết quả | Sở TTTT |  | Khi có yêu cầu\n"
    ),
    "phu-yen": (
        "I. MỤC TIÊU\n"
        "- 40% cơ quan báo chí của tỉnh hoạt động theo mô hình tòa soạn hội tụ.\n"
        "- Phụ lục: 45% cơ quan báo chí hoạt động theo mô hình tòa soạn hội tụ.\n"
        "- Đến năm 2030, 90% cơ quan báo chí hoạt động theo mô hình tòa soạn hội tụ.\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Tài chính\n"
        "Bố trí kinh phí thực hiện Kế hoạch.\n"
        "Báo Phú Yên báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12.\n"
    ),
}
PROVINCE = {"nghe-an": "Nghệ An", "phu-yen": "Phú Yên"}
PLANS = [
    PlanMeta(
        id="nghe-an",
        province="Nghệ An",
        file="nghe-an.txt",
        title="Kế hoạch chuyển đổi số báo chí Nghệ An",
        plan_number="12/KH-UBND",
        issue_date="2024-03-05",
    ),
    PlanMeta(id="phu-yen", province="Phú Yên", file="phu-yen.txt", title="Kế hoạch chuyển đổi số báo chí Phú Yên"),
]


def fact(plan_id: str, kind: str, n: int, quote: str, **fields) -> Fact:
    text = TEXT[plan_id]
    start = text.index(quote)
    return Fact(
        id=f"{plan_id}:{kind}:{n}",
        plan_id=plan_id,
        province=PROVINCE[plan_id],
        kind=kind,
        section=fields.pop("section", "II. TỔ CHỨC THỰC HIỆN"),
        origin=fields.pop("origin", "body"),
        start=start,
        end=start + len(quote),
        quote=quote,
        **fields,
    )


def task(
    plan_id: str,
    n: int,
    line: str,
    lead: list[str],
    coordinating: list[str],
    time_frame: str,
    kind: str,
    start_year=None,
    end_year=None,
) -> Fact:
    number, content = line.split(" | ")[:2]
    return fact(
        plan_id,
        "task",
        n,
        line,
        section="PHỤ LỤC",
        origin="appendix",
        number=number,
        content=content,
        lead_units=lead,
        coordinating_units=coordinating,
        time_frame=time_frame,
        time_frame_kind=kind,
        start_year=start_year,
        end_year=end_year,
    )


def facts() -> list[Fact]:
    na = TEXT["nghe-an"]
    return [
        fact(
            "nghe-an",
            "responsibility",
            1,
            na[na.index("1. Sở") : na.index("2. Các")].strip(),
            responsible_unit="Sở Thông tin và Truyền thông",
            unit_original="Sở Thông tin và Truyền thông",
            duties="Chủ trì, theo dõi, đôn đốc các cơ quan báo chí thực hiện Kế hoạch.",
        ),
        fact(
            "nghe-an",
            "responsibility",
            2,
            na[na.index("2. Các") : na.index("Các cơ quan, đơn vị")].strip(),
            responsible_unit="Các cơ quan báo chí của tỉnh",
            unit_original="Các cơ quan báo chí của tỉnh",
            duties="Xây dựng kế hoạch chuyển đổi số của cơ quan.",
        ),
        fact(
            "nghe-an",
            "reporting_deadline",
            3,
            "Các cơ quan, đơn vị báo cáo kết quả về Sở Thông tin và Truyền thông trước ngày 20/11 hằng năm.",
            reporter="Các cơ quan, đơn vị",
            recipient="Sở Thông tin và Truyền thông",
            day=20,
            month=11,
            recurrence="hằng năm",
            value_text="20/11",
        ),
        task(
            "nghe-an",
            4,
            "1 | Phát triển sản phẩm báo chí số | Báo Nghệ An | Sở TTTT | 2023-2025",
            ["Báo Nghệ An"],
            ["Sở Thông tin và Truyền thông"],
            "2023-2025",
            "range",
            2023,
            2025,
        ),
        task(
            "nghe-an",
            5,
            "2 | Đào tạo nguồn nhân lực | Sở TTTT | Các cơ quan báo chí | Quý III/2024",
            ["Sở Thông tin và Truyền thông"],
            ["Các cơ quan báo chí"],
            "Quý III/2024",
            "other",
        ),
        task(
            "nghe-an",
            6,
            "3 | Rà soát giấy phép | Sở TTTT | Các sở, ban, ngành | Thường xuyên",
            ["Sở Thông tin và Truyền thông"],
            ["Các sở, ban, ngành"],
            "Thường xuyên",
            "ongoing",
        ),
        task(
            "nghe-an",
            7,
            "4 | Đánh giá kết quả | Sở TTTT |  | Khi có yêu cầu",
            ["Sở Thông tin và Truyền thông"],
            [],
            "Khi có yêu cầu",
            "on_request",
        ),
        fact("nghe-an", "legal_basis", 8, "PHỤ LỤC", doc_date="2023-04-06", doc_number="348/QĐ-TTg"),
        fact(
            "phu-yen",
            "target",
            1,
            "40% cơ quan báo chí của tỉnh hoạt động theo mô hình tòa soạn hội tụ",
            section="I. MỤC TIÊU",
            indicator="converged_newsroom",
            year=2025,
            value=40.0,
            unit="%",
            value_text="40%",
            conflict_group="phu-yen:converged_newsroom:2025",
        ),
        fact(
            "phu-yen",
            "target",
            2,
            "45% cơ quan báo chí hoạt động theo mô hình tòa soạn hội tụ",
            section="PHỤ LỤC",
            origin="appendix",
            indicator="converged_newsroom",
            year=2025,
            value=45.0,
            unit="%",
            value_text="45%",
            conflict_group="phu-yen:converged_newsroom:2025",
        ),
        fact(
            "phu-yen",
            "target",
            3,
            "Đến năm 2030, 90% cơ quan báo chí hoạt động theo mô hình tòa soạn hội tụ",
            section="I. MỤC TIÊU",
            indicator="converged_newsroom",
            year=2030,
            value=90.0,
            unit="%",
            value_text="90%",
        ),
        fact(
            "phu-yen",
            "responsibility",
            4,
            "1. Sở Tài chính\nBố trí kinh phí thực hiện Kế hoạch.",
            responsible_unit="Sở Tài chính",
            unit_original="Sở Tài chính",
            duties="Bố trí kinh phí thực hiện Kế hoạch.",
        ),
        fact(
            "phu-yen",
            "reporting_deadline",
            5,
            "Báo Phú Yên báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12.",
            reporter="Báo Phú Yên",
            recipient="Ủy ban nhân dân tỉnh",
            day=15,
            month=12,
            value_text="15/12",
        ),
    ]
