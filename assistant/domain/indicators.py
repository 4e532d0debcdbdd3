"""The target indicators of Decision 348/QĐ-TTg (and the extra ones provincial plans add), with how to recognise them.

Each indicator has a canonical code, a Vietnamese and English label, folded keyword patterns that recognise
it in a plan's wording, and a description used later for embedding-based matching of questions. A target a
plan adds beyond these gets a code derived from its own wording (:func:`derive_indicator`, prefix ``plan_``)
and keeps the plan's wording as its label. Counts are measured in the nouns of :data:`MEASURES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.normalize import fold


@dataclass(frozen=True)
class Indicator:
    code: str
    label_vi: str
    label_en: str
    patterns: tuple[str, ...]  # regexes over folded text; any match recognises the indicator
    description: str
    national: bool = True  # one of the six indicators of Decision 348/QĐ-TTg


INDICATORS: list[Indicator] = [
    Indicator(
        "digital_platform_content",
        "Cơ quan báo chí đưa nội dung lên nền tảng số",
        "Press agencies publishing content on digital platforms",
        (r"dua noi dung len (cac )?nen tang so",),
        "tỷ lệ cơ quan báo chí đưa nội dung lên các nền tảng số, ưu tiên nền tảng trong nước",
    ),
    Indicator(
        "data_ai_platform",
        "Cơ quan báo chí dùng nền tảng phân tích, xử lý dữ liệu tập trung, ứng dụng trí tuệ nhân tạo",
        "Press agencies using a central data-analysis platform with artificial intelligence",
        (r"nen tang phan tich", r"tri tue nhan tao"),
        "tỷ lệ cơ quan báo chí sử dụng nền tảng phân tích, xử lý dữ liệu tổng hợp tập trung, ứng dụng AI",
    ),
    Indicator(
        "converged_newsroom",
        "Cơ quan báo chí vận hành mô hình tòa soạn hội tụ",
        "Press agencies operating a converged newsroom",
        (r"toa soan hoi tu",),
        "tỷ lệ cơ quan báo chí hoạt động, vận hành mô hình tòa soạn hội tụ, đa phương tiện",
    ),
    Indicator(
        "revenue_growth",
        "Cơ quan báo chí tăng doanh thu",
        "Press agencies growing their revenue",
        (r"tang doanh thu", r"doanh thu toi thieu"),
        "tỷ lệ cơ quan báo chí tối ưu hóa nguồn thu, tăng doanh thu tối thiểu",
    ),
    Indicator(
        "staff_training",
        "Lãnh đạo, phóng viên, biên tập viên được đào tạo về chuyển đổi số",
        "Press leaders, reporters and editors trained in digital transformation",
        (r"duoc dao tao, boi duong", r"dao tao, boi duong (kien thuc|idến)", r"duoc (?:dao tao|boi duong)\b"),
        "tỷ lệ lãnh đạo, cán bộ, phóng viên, biên tập viên được đào tạo, bồi dưỡng kỹ năng chuyển đổi số",
    ),
    Indicator(
        "security_level3",
        "Cơ quan báo chí có giải pháp an toàn, an ninh thông tin cấp độ 3",
        "Press agencies with information-security solutions at level 3 or above",
        (r"cap do 3", r"an toan,? an ninh he thong thong tin"),
        "tỷ lệ cơ quan báo chí điện tử có giải pháp bảo đảm an toàn, an ninh hệ thống thông tin cấp độ 3",
    ),
    Indicator(
        "university_curriculum",
        "Cơ sở đào tạo báo chí cập nhật kỹ năng báo chí số vào chương trình",
        "Journalism schools updating curricula with digital-journalism skills",
        (r"co so giao duc dai hoc", r"chuong trinh dao tao cho sinh vien"),
        "tỷ lệ cơ sở giáo dục đại học chuyên ngành báo chí cập nhật kiến thức báo chí số cho sinh viên",
        national=False,
    ),
    Indicator(
        "remote_access",
        "Người dân vùng sâu, vùng xa tiếp cận báo chí",
        "People in remote areas with access to the press",
        (r"vung sau, vung xa",),
        "tỷ lệ người dân ở vùng sâu, vùng xa được tiếp cận ít nhất một loại hình báo chí",
        national=False,
    ),
    Indicator(
        "news_growth",
        "Tăng số lượng tin, bài mới hằng năm",
        "Yearly growth in new news items",
        (r"so luong tin, bai",),
        "mức tăng số lượng tin, bài mới phục vụ nhiệm vụ chính trị, thông tin thiết yếu hằng năm",
        national=False,
    ),
    Indicator(
        "financial_autonomy",
        "Cơ quan báo chí tự chủ tài chính",
        "Press agencies that are financially autonomous",
        (r"\btu chu\b", r"tu bao dam (?:mot phan |toan bo )?chi thuong xuyen"),
        "tỷ lệ cơ quan báo chí tự chủ; Nhà nước đặt hàng, giao nhiệm vụ",
        national=False,
    ),
    Indicator(
        "e_newspaper_upgrade",
        "Trang thông tin điện tử tổng hợp nâng cấp thành báo, tạp chí điện tử",
        "News websites upgraded to e-newspapers or e-magazines",
        (r"trang thong tin dien tu tong hop.*nang cap", r"cap phep xuat ban (?:bao|tap chi) dien tu"),
        "tỷ lệ trang thông tin điện tử tổng hợp của cơ quan báo chí nâng cấp thành báo điện tử, tạp chí điện tử",
        national=False,
    ),
    Indicator(
        "relicensing",
        "Cơ quan báo chí được cấp phép lại",
        "Press outlet re-licensed",
        (r"duoc cap phep lai", r"duoc cap lai giay phep"),
        "tạp chí, cơ quan báo chí được cấp phép lại, hoạt động đúng tôn chỉ, tính chất",
        national=False,
    ),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
_COMPILED = [(ind, [re.compile(p) for p in ind.patterns]) for ind in INDICATORS]


def find_indicators(text: str) -> list[tuple[Indicator, int]]:
    """Indicators mentioned in ``text``, with the (folded-text) offset of the first mention, in order."""
    folded = re.sub(r"[^\w\s,%/-]", " ", fold(text))  # OCR puts stray marks between words ("nền tảng: số")
    folded = re.sub(r" +", " ", folded)
    found: list[tuple[Indicator, int]] = []
    for indicator, patterns in _COMPILED:
        positions = [m.start() for p in patterns for m in [p.search(folded)] if m]
        if positions:
            found.append((indicator, min(positions)))
    # 'tự chủ' also appears inside other wording; only a clause without another indicator counts it.
    if len(found) > 1:
        found = [f for f in found if f[0].code != "financial_autonomy"]
    return sorted(found, key=lambda f: f[1])


# Count units of targets as plans write them (folded), longest first when matched.
MEASURES = (
    "cơ quan báo chí",
    "cơ quan",
    "sản phẩm",
    "tập",
    "chương trình",
    "chuyên trang",
    "chuyên mục",
    "chuyên đề",
    "cộng tác viên",
    "người",
    "tin, bài",
    "tin bài",
    "tin",
    "bài",
    "tác phẩm",
    "lượt truy cập",
    "lượt xem",
    "lượt",
    "trang",
    "kênh",
    "tài khoản",
    "ấn phẩm",
    "video",
    "podcast",
    "lớp",
    "đơn vị",
    "xã",
    "hộ",
    "thiết bị",
    "hệ thống",
    "nền tảng",
    "phóng viên",
    "cán bộ",
    "giờ",
    "phút",
    "bản tin",
    "cuộc",
    "hội nghị",
    "tỷ đồng",
    "triệu đồng",
    "đồng",
    "thuê bao",
    "điểm",
    "số",
)
_MEASURES_FOLDED = sorted(((fold(m), m) for m in MEASURES), key=lambda pair: -len(pair[0]))
_STOP = {"cac", "cua", "va", "duoc", "trong", "tren", "den", "nam", "dat", "toi", "thieu", "so", "ty", "le", "do"}


def measure_at(text: str) -> str:
    """The count unit that ``text`` starts with ("sản phẩm trong năm 2024" → "sản phẩm"), else ""."""
    folded = fold(text.strip())
    for key, measure in _MEASURES_FOLDED:
        if folded.startswith(key) and (len(folded) == len(key) or not folded[len(key)].isalnum()):
            return measure
    return ""


def is_measure(text: str) -> bool:
    """True when a table cell is a unit of measure ("Sản phẩm", "Tập", "% cơ quan báo chí")."""
    stripped = text.strip()
    return stripped.startswith("%") or (bool(measure_at(stripped)) and len(stripped.split()) <= 4)


def derive_indicator(wording: str) -> str:
    """A stable code for an indicator a plan adds, from the content words of its wording."""
    content = [w for w in re.findall(r"[a-z]+", fold(wording)) if w not in _STOP and len(w) > 1]
    return "plan_" + "_".join(content[:6]) if content else "plan_other"


# Indicators that measure a share of press agencies: a percentage of something else is another indicator
# ("100% tin, bài … bằng công nghệ trí tuệ nhân tạo" is not the agencies' AI platform).
AGENCY_SHARE = {"digital_platform_content", "data_ai_platform", "converged_newsroom"}
_PERCENT_RE = re.compile(r"\d{1,3}(?:[.,]\d+)?\s*%")


def find_target_indicators(clause: str) -> list[tuple[Indicator, int]]:
    """:func:`find_indicators` of a target's wording, less agency-share indicators whose percentage counts
    something other than press agencies."""
    found = find_indicators(clause)
    percent = _PERCENT_RE.search(clause)
    if not percent:
        return found
    subject = fold(clause[percent.end() :]).strip()
    if subject.startswith(("co quan", "cac co quan", "so co quan")):
        return found
    return [f for f in found if f[0].code not in AGENCY_SHARE]
