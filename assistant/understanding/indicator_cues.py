"""Which target indicators a question names: question-side synonyms (everyday and English words), then embedding
similarity to the indicators' descriptions when no word does."""

from __future__ import annotations

import re

from assistant.indicators import BY_CODE, INDICATORS

# Question-side synonyms of the indicators (folded regexes), beyond the plans' own wording.
INDICATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "digital_platform_content": (
        r"nen tang so",
        r"dua noi dung",
        r"digital platform",
        r"online platform",
        r"mang xa hoi",
        r"social media",
        r"len mang",
    ),
    "data_ai_platform": (
        r"tri tue nhan tao",
        r"phan tich(?:,)? (?:xu ly )?du lieu",
        r"du lieu tap trung",
        r"artificial intelligence",
        r"data anal",
        r"big data",
    ),
    "converged_newsroom": (r"toa soan hoi tu", r"hoi tu", r"converged", r"newsroom", r"da phuong tien"),
    "revenue_growth": (r"doanh thu", r"nguon thu", r"revenue", r"income"),
    "staff_training": (r"dao tao", r"boi duong", r"tap huan", r"train", r"skill"),
    "security_level3": (r"an toan", r"an ninh", r"cap do 3", r"cap 3", r"security", r"cyber", r"level 3"),
    "university_curriculum": (r"dai hoc", r"chuong trinh dao tao", r"sinh vien", r"universit", r"curricul", r"student"),
    "remote_access": (r"vung sau", r"vung xa", r"remote", r"mountain", r"tiep can"),
    "news_growth": (r"tin,? bai", r"so luong tin", r"news item", r"articles"),
    "financial_autonomy": (r"tu chu", r"autonom"),
    "e_newspaper_upgrade": (r"trang thong tin dien tu", r"bao dien tu", r"e-newspaper", r"news website"),
    "relicensing": (r"cap phep lai", r"relicens"),
}
_INDICATOR_RES = {code: [re.compile(p) for p in patterns] for code, patterns in INDICATOR_SYNONYMS.items()}
INDICATOR_PATTERNS = _INDICATOR_RES  # code → compiled folded patterns of the words that name it in a question
INDICATOR_MATCH_COSINE = 0.86


def find_question_indicators(question: str, folded: str, query_vector=None, indicator_vectors=None) -> list[str]:
    # ``query_vector``: the question's embedding, or a callable that computes it when needed
    """Indicator codes the question names, in order of mention (``folded`` may carry glossary expansions and has
    the agencies' names taken out: "đào tạo" in "Sở Giáo dục và Đào tạo" is not about training)."""
    found: list[tuple[int, str]] = []
    for code, patterns in _INDICATOR_RES.items():
        positions = [m.start() for p in patterns for m in [p.search(folded)] if m]
        if code == "data_ai_platform" and re.search(r"\bAI\b", question):
            positions.append(question.index("AI"))
        if positions:
            found.append((min(positions), code))
    codes = [code for _, code in sorted(found)]
    # "đào tạo" inside "chương trình đào tạo … sinh viên" is about curricula, not staff training.
    if (
        "university_curriculum" in codes
        and "staff_training" in codes
        and not re.search(r"phong vien|bien tap|can bo|lanh dao|journalist|reporter|editor", folded)
    ):
        codes.remove("staff_training")
    if not codes and query_vector is not None and indicator_vectors is not None:
        # the query's embedding, computed only now that no word names an indicator (a callable gives it)
        scores = indicator_vectors @ (query_vector() if callable(query_vector) else query_vector)
        best = int(scores.argmax())
        if scores[best] >= INDICATOR_MATCH_COSINE:
            codes = [INDICATORS[best].code]
    return codes


def indicator_descriptions() -> list[str]:
    """Texts embedded to match a question to an indicator when no keyword does."""
    return [f"{i.label_vi}. {i.description}. {i.label_en}" for i in INDICATORS]


def indicator_label(code: str, language: str = "vi") -> str:
    indicator = BY_CODE.get(code)
    if indicator is None:
        return code
    return indicator.label_en if language == "en" else indicator.label_vi
