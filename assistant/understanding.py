"""Question understanding: what a question asks (kind), about which province(s), years, indicators and task.

Input: the question, the conversation history, an optional province chosen in the UI. Output:
:class:`Understanding`. Rules work on folded text (no diacritics), so "muc tieu 2025 cua quang tri" and
"Mục tiêu 2025 của Quảng Trị" are read alike. A follow-up ("còn năm 2030 thì sao?", "thế còn Lai Châu?")
inherits what it leaves out from the previous questions of the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.glossary import expand_shorthand, expansions
from assistant.indicators import BY_CODE, INDICATORS
from assistant.normalize import fold
from assistant.provinces import ProvinceMatcher
from assistant.units import KNOWN_UNITS, expand_aliases

KINDS = (
    "target",
    "lead_unit",
    "coordinating_units",
    "deadline",
    "task",
    "responsibility",
    "funding",
    "metadata",
    "comparison",
    "other",
    "greeting",
)

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

# Kind cues (folded regexes), checked in this order; the first kind whose cue matches wins.
KIND_CUES: list[tuple[str, str]] = [
    (
        "comparison",
        r"so sanh|tinh nao|nhung tinh|cac tinh|cao nhat|thap nhat|compare|comparison"
        r"|which province|which plans|highest|lowest|each province|all provinces|moi tinh",
    ),
    (
        "metadata",
        r"\bai ky|nguoi ky|ky ban hanh|ky ke hoach|ky van ban|\bky thay|nao ky\b|do .{0,30}\bky\b|\bsign|so hieu"
        r"|so ky hieu|so may|ke hoach so"
        r"|ngay ban hanh|ban hanh ngay|ban hanh khi nao|ban hanh nam|issued|plan number|issue date"
        r"|ban hanh .*(?:ngay nao|khi nao|bao gio)|\bky (?:ngay|khi nao|luc nao)|ngay ky"
        r"|can cu|legal basis|based on|dua tren|(?:quyet dinh|nghi quyet|chi thi|van ban) (?:nao|so)"
        r"|co quan ban hanh|issuing|national decision|which decision",
    ),
    ("coordinating_units", r"phoi hop|coordinat|cung thuc hien|ho tro thuc hien|support"),
    (
        "lead_unit",
        r"chu tri|phu trach|dau moi|don vi nao thuc hien|\bai thuc hien|co quan nao thuc hien|\bai lam\b"
        r"|(?:don vi|co quan) nao (?:chiu trach nhiem|lam)|\bai chiu trach nhiem|(?:do|boi) ai\b"
        r"|(?:^|[,:] ?)ai (?:la|se|phai|duoc|co|chiu|phe|lam|thuc|giao|quyet|dam|chu|phu|nhan|tham|huong|theo"
        r"|don|kiem|xay|to|lo|bo|cung)\b"
        r"|\blead(?:s|ing)?\b|\bled by|in charge|who is responsible for (?:task|the task)",
    ),
    ("task", r"ket qua(?:,)? san pham|san pham (?:gi|nao|dau ra)|dau ra|deliverable|output"),
    (
        "deadline",
        r"thoi gian|thoi han|han chot|\bhan\b|khi nao|bao gio|luc nao|ngay nao|truoc ngay|nam nao|tien do"
        r"|giai doan|by what date|what period|which years|how long"
        r"|deadline|\bwhen\b|time ?frame|timeline|due date|giai doan nao",
    ),
    (
        "responsibility",
        r"trach nhiem|nhiem vu (?:cua|gi)|co nhiem vu|lam gi|phai lam|duoc giao|giao .*viec|vai tro"
        r"|responsib|dut(?:y|ies)|\brole\b|what must|what should",
    ),
    (
        "funding",
        r"kinh phi|ngan sach|nguon von|nguon tien|so tien|bao nhieu tien|lay tien|tien (?:o|tu) dau|ty dong"
        r"|\btien\b.{0,60}\b(?:tu dau|o dau|nguon nao)"
        r"|trieu dong|\bvnd\b"
        r"|\bfund|budget|\bcost|money|financed|financing",
    ),
    ("other", r"muc tieu chung|muc dich|yeu cau chung|purpose"),
    ("target", r"muc tieu|chi tieu|bao nhieu phan tram|phan tram|ty le|\d+\s*%|target|goal|percent|share of"),
]
_KIND_RES = [(kind, re.compile(pattern)) for kind, pattern in KIND_CUES]
GREETING_RE = re.compile(
    r"^(xin chao|chao( ban| anh| chi| em)?|hello|hi|hey|alo|cam on|thank(s| you)?|ok|oke|bye|tam biet)[\s!.?]*$"
)
REPORT_RE = re.compile(
    r"bao cao.*(?:ngay|han|khi nao|bao gio|truoc|cho ai|ve dau|gui (?:cho |ve )?ai|ai nhan|noi nhan)|ai nhan bao cao"
    r"|truoc ngay nao|(?:danh gia|tong hop|gui|nop) .*truoc ngay|\bhan (?:chot )?(?:nop |gui )?bao cao"
    r"|report.*(?:date|deadline|when|each year|annual|to whom|who receives)"
    r"|(?:date|deadline|when|annual|yearly).*(?:report|submit)"
)
TARGET_SIGNAL_RE = re.compile(
    r"muc tieu|chi tieu|bao nhieu|phan tram|%|ty le|muc nao|target|goal|percent|share|how many"
)
# "Kế hoạch gồm những nhóm nhiệm vụ, giải pháp nào?", "các nhiệm vụ phát triển nền tảng số gồm những gì?",
# "bố cục của kế hoạch": the answer is the plan's own outline (headings), not a fact or a passage.
OUTLINE_RE = re.compile(
    r"(?:bao nhieu|may) (?:nhom )?(?:nhiem vu|giai phap)\b"
    r"|(?:nhom|nhung|cac) (?:nhom )?(?:nhiem vu|giai phap)\b(?=.*\b(?:nao|gi|gom|bao gom|ra sao|nhu the nao)\b)"
    r"|gom (?:nhung|cac|may) (?:nhom|phan|noi dung|muc)\b|\bbo cuc\b|cau truc (?:cua )?(?:ke hoach|van ban)"
    r"|(?:nhung|cac|may) phan (?:nao|chinh)"
    r"|\b(?:main|key) (?:tasks|solutions|task groups)|groups? of tasks|task groups"
    r"|what (?:tasks|solutions) (?:does|are|do)"
    r"|sections? of the plan|outline|(?:liet ke|ke ten|\blist\b).*(?:nhiem vu|giai phap|tasks|solutions)"
    r"|^(?:muc dich|yeu cau)(?: chung)? (?:cua|doi voi) (?:ke hoach|cac nhiem vu)"
    r"|(?:muc dich|yeu cau) cua ke hoach"
)
# Group names that make a "những nhiệm vụ gì" question about a unit's duties rather than the plan's outline.
UNIT_GROUP_RE = re.compile(r"\b(?:co quan|don vi|toa soan|uy ban|ubnd|huyen|thanh pho|so,? ban|cac so|press agenc)")
QUANTITY_RE = re.compile(r"phan tram|ty le|%|percent|share of|what share|how many|bao nhieu")
YEAR_RE = re.compile(r"\b(20[2-4]\d)\b")
TASK_RE = re.compile(
    r"(?:nhiem vu|task|muc|dong|hang|stt)\s*(?:so\s*|thu\s*|number\s*|no\.?\s*)?(\d{1,2}(?:\.\d{1,2})?)\b"
)
ENGLISH_WORDS = {
    "what",
    "which",
    "who",
    "when",
    "how",
    "is",
    "are",
    "the",
    "of",
    "in",
    "for",
    "does",
    "do",
    "plan",
    "target",
    "province",
    "by",
    "and",
    "to",
    "a",
    "an",
    "lead",
    "leads",
    "with",
    "set",
    "much",
    "many",
    "should",
    "will",
}
FOLLOW_UP_RE = re.compile(
    r"^(con|the con|vay con|va|con ve|how about|what about|and)\b|thi sao\??$|the nao\??$"
    r"|(?:nhiem vu|viec|ke hoach|task) (?:do|nay|tren)\b|\b(?:that|this) task\b"
)


@dataclass
class Understanding:
    """What the assistant understood of a question."""

    question: str
    folded: str
    language: str  # "vi" | "en"
    kind: str
    provinces: list[str] = field(default_factory=list)  # named (or inherited) provinces, canonical names
    unknown_provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    task_number: str | None = None
    reporting: bool = False  # asks about the reporting deadline, not a task time frame
    topic: str = ""  # the folded words that say what the question is about (inherited by short follow-ups)
    asks_amount: bool = False  # asks for a sum of money
    follow_up: bool = False
    inherited: list[str] = field(default_factory=list)


class QuestionReader:
    """Reads questions; see the module docstring."""

    def __init__(self, corpus_provinces: list[str], embed=None, indicator_vectors=None) -> None:
        self.corpus_provinces = corpus_provinces
        self.matcher = ProvinceMatcher()
        self._embed = embed
        self._indicator_vectors = indicator_vectors

    def run(
        self,
        question: str,
        history: list[dict] | None = None,
        province: str | None = None,
        query_vector=None,
    ) -> Understanding:
        current = self._read(question, query_vector)
        if province:
            current.provinces = self._resolve([province])[0] or current.provinces
        previous = self._previous(history or [])
        if previous is not None:
            current = self._inherit(current, previous)
        return current

    # -- one question ----------------------------------------------------------------------------------
    def _read(self, question: str, query_vector=None) -> Understanding:
        question = expand_shorthand(question)  # history turns come as typed
        # "AI" in capitals is the acronym, never the Vietnamese "ai" (who): spell it out before folding.
        folded = " ".join(fold(re.sub(r"\bAI\b", "trí tuệ nhân tạo", question)).split())
        words = re.findall(r"[a-z]+", folded)
        # English: mostly unmarked words, enough of them English (Vietnamese names keep their marks: "Lai Châu")
        tokens = re.findall(r"\w+", question.lower())
        unmarked = [t for t in tokens if fold(t) == t]
        english = (
            bool(words)
            and len(unmarked) >= 0.75 * len(tokens)
            and (sum(w in ENGLISH_WORDS for w in words) >= max(2, len(words) // 4))
        )
        named = self.matcher.find(question)
        provinces, unknown = self._resolve(named)
        years = sorted({int(y) for y in YEAR_RE.findall(folded)})
        task = TASK_RE.search(folded)
        kind = self._kind(folded)
        # everyday and English words name indicators too ("bảo mật" → "an toàn, an ninh hệ thống thông tin")
        worded = f"{folded} {fold(' '.join(expansions(question)))}"
        indicators = self._indicators(question, worded, query_vector if kind in {"target", "comparison"} else None)
        task_number = task.group(1) if task else None
        explicit_other = re.search(r"muc tieu chung|muc dich|purpose", folded)
        if (
            kind in {"other", "funding"}
            and indicators
            and not explicit_other
            and (years or TARGET_SIGNAL_RE.search(folded))
        ):
            kind = "target"
        if kind == "other" and task_number and not explicit_other:
            kind = "task"
        if (
            kind == "deadline"
            and indicators
            and not task
            and not re.search(r"nhiem vu|task|bao cao|report", folded)
            and (TARGET_SIGNAL_RE.search(folded) or re.search(r"\bdat\b|cap do", folded))
        ):
            kind = "target"  # "đạt cấp độ 3 từ năm nào": a target over the years
        if kind == "responsibility" and indicators and QUANTITY_RE.search(folded):
            kind = "target"  # "what share of reporters should be trained by 2030"
        if (
            kind in {"other", "responsibility", "task", "target"}
            and OUTLINE_RE.search(folded)
            and not _names_a_unit(question)
            and not (
                kind == "target"
                and (years or TARGET_SIGNAL_RE.search(folded))
                and not re.search("yeu cau|muc dich", folded)
            )
        ):
            kind = "outline"
        reporting = bool(REPORT_RE.search(folded)) and kind in {"deadline", "other", "responsibility", "target"}
        if reporting:
            kind = "deadline"
        asks_amount = bool(re.search(r"bao nhieu (?:tien|ty|trieu|dong)|ty dong|trieu dong|\bvnd\b|how much", folded))
        stripped = re.sub(r"[\W_]+", "", folded)
        if not stripped or GREETING_RE.match(folded):
            kind = "greeting"
        return Understanding(
            question=question,
            folded=folded,
            language="en" if english else "vi",
            kind=kind,
            provinces=provinces,
            unknown_provinces=unknown,
            years=years,
            indicators=indicators,
            task_number=task_number,
            reporting=reporting,
            asks_amount=asks_amount,
            follow_up=bool(FOLLOW_UP_RE.search(folded))
            or (len(words) <= 12 and not named and not task and not indicators),
            topic=f"{folded} {fold(' '.join(expansions(question)))}" if english else folded,
        )

    def _resolve(self, named: list[str]) -> tuple[list[str], list[str]]:
        inside = [p for p in self.corpus_provinces if any(fold(p) == fold(n) for n in named)]
        outside = [n for n in named if all(fold(n) != fold(p) for p in self.corpus_provinces)]
        return inside, outside

    @staticmethod
    def _kind(folded: str) -> str:
        for kind, pattern in _KIND_RES:
            if pattern.search(folded):
                return kind
        return "other"

    def _indicators(self, question: str, folded: str, query_vector=None) -> list[str]:
        for name in KNOWN_UNITS:  # "đào tạo" in "Sở Giáo dục và Đào tạo" is not about training
            folded = folded.replace(fold(name), " ")
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
        if not codes and query_vector is not None and self._indicator_vectors is not None:
            scores = self._indicator_vectors @ query_vector
            best = int(scores.argmax())
            if scores[best] >= INDICATOR_MATCH_COSINE:
                codes = [INDICATORS[best].code]
        return codes

    # -- conversation ----------------------------------------------------------------------------------
    def _previous(self, history: list[dict]) -> Understanding | None:
        """The understanding of the conversation so far (later user turns override earlier ones)."""
        merged: Understanding | None = None
        for turn in history:
            if turn.get("role") != "user" or not str(turn.get("content", "")).strip():
                continue
            read = self._read(str(turn["content"]))
            merged = read if merged is None else self._inherit(read, merged)
        return merged

    @staticmethod
    def _inherit(current: Understanding, previous: Understanding) -> Understanding:
        inherited: list[str] = []
        updates: dict = {}
        if not current.provinces and not current.unknown_provinces and previous.provinces:
            updates["provinces"] = previous.provinces
            inherited.append("province")
        if current.kind in {"other", "greeting"} and previous.kind not in {"other", "greeting"} and current.follow_up:
            updates["kind"] = previous.kind
            updates["reporting"] = previous.reporting
            inherited.append("kind")
        if (
            previous.reporting
            and not current.reporting
            and not current.task_number
            and (current.kind == "deadline" or (current.kind == "other" and current.follow_up))
        ):
            updates["kind"], updates["reporting"] = "deadline", True  # "còn Thái Bình thì hạn mấy?" after a report
            inherited.append("kind")
        kind = updates.get("kind", current.kind)
        if not current.indicators and previous.indicators and kind in {"target", "comparison"}:
            updates["indicators"] = previous.indicators
            inherited.append("indicator")
        if not current.years and previous.years and kind in {"target", "comparison"}:
            updates["years"] = previous.years
            inherited.append("year")
        if current.task_number is None and kind in {"lead_unit", "coordinating_units", "deadline", "task", "metadata"}:
            if previous.task_number:
                updates["task_number"] = previous.task_number
                inherited.append("task")
            elif current.follow_up:
                updates["topic"] = f"{previous.topic} {current.folded}"
                inherited.append("topic")
        if not inherited:
            return current
        return replace(current, **updates, inherited=inherited)


INDICATOR_MATCH_COSINE = 0.86

# Sentences that talk to the assistant instead of asking about the plans ("bỏ qua mọi hướng dẫn…",
# "ignore previous instructions", "hãy bịa…"): they are dropped, so they cannot change an answer.
INSTRUCTION_RE = re.compile(
    r"(?:bo qua|quen|phot lo|ignore|disregard|forget|override)\b.{0,40}(?:huong dan|chi dan|quy tac|yeu cau|lenh"
    r"|instruction|prompt|rule)|\bbia\b|make (?:it|something|a number) up|dong vai|pretend|you are now|system prompt"
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+")


def strip_instructions(question: str) -> str:
    """The question without sentences addressed to the assistant (see :data:`INSTRUCTION_RE`)."""
    sentences = _SENTENCE_SPLIT_RE.split(question.strip())
    kept = [s for s in sentences if not INSTRUCTION_RE.search(fold(s))]
    return " ".join(kept) if kept else ""


def indicator_descriptions() -> list[str]:
    """Texts embedded to match a question to an indicator when no keyword does."""
    return [f"{i.label_vi}. {i.description}. {i.label_en}" for i in INDICATORS]


def indicator_label(code: str, language: str = "vi") -> str:
    indicator = BY_CODE.get(code)
    if indicator is None:
        return code
    return indicator.label_en if language == "en" else indicator.label_vi


def _names_a_unit(question: str) -> bool:
    """Whether a question names an agency ("Sở TTTT" too) or a group of agencies."""
    folded = fold(expand_aliases(question))
    if UNIT_GROUP_RE.search(folded):
        return True
    return any(re.search(r"\b" + r"\W+".join(fold(name).split()) + r"\b", folded) for name in KNOWN_UNITS)
