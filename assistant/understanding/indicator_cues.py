"""Which target indicators a question names: question-side synonyms (everyday and English words), then embedding
similarity to the indicators' descriptions when no word does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.indicators import BY_CODE, INDICATORS
from assistant.domain.normalize import fold

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
    "e_newspaper_upgrade": (
        r"trang thong tin dien tu",
        r"bao dien tu",
        r"tap chi dien tu",
        r"e-newspaper",
        r"e-magazine",
        r"news website",
    ),
    "relicensing": (r"cap phep lai", r"cap lai giay phep", r"giay phep hoat dong", r"relicens", r"licen[cs]e"),
}
_INDICATOR_RES = {code: [re.compile(p) for p in patterns] for code, patterns in INDICATOR_SYNONYMS.items()}
INDICATOR_PATTERNS = _INDICATOR_RES  # code → compiled folded patterns of the words that name it in a question
INDICATOR_MATCH_COSINE = 0.86


def find_question_indicators(
    question: str,
    folded: str,
    query_vector=None,
    indicator_vectors=None,
    plan_indicators: list[PlanIndicator] | tuple = (),
    provinces: list[str] | tuple = (),
) -> list[str]:
    """Indicator codes the question names, in order of mention (``folded`` may carry glossary expansions and has
    the agencies' names taken out: "đào tạo" in "Sở Giáo dục và Đào tạo" is not about training). A plan's own
    indicator is named when its label's words are (:func:`find_plan_indicators`); it takes the place of a
    national one only when the question says more of it. ``query_vector``: the question's embedding, or a
    callable that computes it; ``indicator_vectors`` row by row: the national indicators, then the plan's."""
    found: list[tuple[int, str, frozenset[str]]] = []
    for code, patterns in _INDICATOR_RES.items():
        matches = [m for p in patterns for m in [p.search(folded)] if m]
        if code == "data_ai_platform" and re.search(r"\bAI\b", question):
            found.append((question.index("AI"), code, frozenset()))
            continue
        if matches:
            first = min(matches, key=lambda m: m.start())
            found.append((first.start(), code, frozenset(re.findall(r"[a-z0-9]+", first.group(0)))))
    found.sort()
    codes = [code for _, code, _ in found]
    planned = find_plan_indicators(folded, list(plan_indicators), list(provinces))
    if planned:
        codes = _explaining(folded, found, planned)
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
        all_codes = [i.code for i in INDICATORS] + [p.code for p in plan_indicators]
        scoped = [
            i
            for i, code in enumerate(all_codes[: len(scores)])
            if i < len(INDICATORS) or not provinces or plan_indicators[i - len(INDICATORS)].province in provinces
        ]
        best = max(scoped, key=lambda i: scores[i]) if scoped else None
        if best is not None and scores[best] >= INDICATOR_MATCH_COSINE:
            codes = [all_codes[best]]
    return codes


def _national_words(code: str) -> frozenset[str]:
    indicator = BY_CODE[code]
    text = fold(f"{indicator.label_vi} {indicator.description}")
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text) if w not in LABEL_GENERIC_WORDS)


def _explaining(folded: str, found, planned) -> list[str]:
    """The indicators that explain the question's words, most first: each national one by its label and
    description (and the words that named it), each plan one by its label; a national indicator wins a tie, and
    one that explains no word the kept ones leave is dropped. Plan indicators with the same words (a body target
    and its appendix row under two codes) are kept together."""
    asked = frozenset(re.findall(r"[a-z0-9]+", folded)) - LABEL_GENERIC_WORDS
    candidates = [
        (len(asked & (_national_words(code) | span)), 1, code, asked & (_national_words(code) | span))
        for _, code, span in found
    ]
    candidates += [(len(words), 0, code, frozenset(words)) for code, words in planned]
    candidates.sort(key=lambda c: (-c[0], -c[1]))
    kept: list[str] = []
    explained: frozenset[str] = frozenset()
    best_plan: frozenset[str] | None = None
    for _count, national, code, words in candidates:
        if not kept:
            kept.append(code)
            explained = words
            best_plan = None if national else words
        elif not national and best_plan is not None and words == best_plan:
            kept.append(code)  # the same indicator under another code
        elif len(words - explained) >= 2:
            kept.append(code)
            explained |= words
    return kept


def indicator_descriptions() -> list[str]:
    """Texts embedded to match a question to an indicator when no keyword does."""
    return [f"{i.label_vi}. {i.description}. {i.label_en}" for i in INDICATORS]


def indicator_label(code: str, language: str = "vi") -> str:
    indicator = BY_CODE.get(code)
    if indicator is None:
        return code
    return indicator.label_en if language == "en" else indicator.label_vi


# Words of a plan-added indicator's label that do not tell it from another ("cơ quan báo chí", "đạt tối thiểu").
LABEL_GENERIC_WORDS = frozenset(
    """
    co quan bao chi tinh cac cua va trong tren duoc dat toi thieu tong so ty le nam den voi cho tai o la mot nhung
    phan tram muc tieu chi tieu hang moi vao cung theo nay do ve tu thi se phai can dam bao
    """.split()
)


@dataclass(frozen=True)
class PlanIndicator:
    """A target a plan adds beyond the national indicators: its derived code, the plan's province and wording."""

    code: str
    province: str
    label: str

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for w in re.findall(r"[a-z0-9]+", fold(self.label)) if w not in LABEL_GENERIC_WORDS)


def find_plan_indicators(
    folded: str, plan_indicators: list[PlanIndicator], provinces: list[str]
) -> list[tuple[str, frozenset[str]]]:
    """Plan-added indicators a question names by their own words, best first, with the words that named them.
    A label word no other label in scope uses counts double ("podcast"); a match needs a weight of 2."""
    scope = [p for p in plan_indicators if not provinces or p.province in provinces]
    if not scope:
        return []
    named = {w for p in provinces for w in fold(p).split()}  # "Điện Biên" names the scope, not "Báo Điện Biên Phủ"
    asked = set(re.findall(r"[a-z0-9]+", folded)) - LABEL_GENERIC_WORDS - named
    counts: dict[str, int] = {}  # in how many indicators (codes) a label word is
    words_of: dict[str, set[str]] = {}
    for indicator in scope:  # two plans may derive one code from different labels: the union of their words
        words_of.setdefault(indicator.code, set()).update(indicator.words)
    for words in words_of.values():
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    found: dict[str, tuple[float, frozenset[str]]] = {}
    for indicator in scope:
        common = frozenset(asked & indicator.words)
        weight = sum(2 if counts[w] == 1 and len(w) >= 4 else 1 for w in common)
        if weight >= 2 and weight > found.get(indicator.code, (0.0, frozenset()))[0]:
            found[indicator.code] = (weight, common)
    ranked = sorted(found.items(), key=lambda item: -item[1][0])
    return [(code, words) for code, (_, words) in ranked]
