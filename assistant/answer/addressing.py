"""The "addresses the question" gate: a draft must state the asked attribute, for the asked subject, within the asked
scope, and honour every constraint of the frame (each named agency and document, the part, the quantity, the
national level). A draft that does not becomes an honest "not found" that says what the plans do not contain,
with the draft's closest facts under a separate, labelled line, never as the answer.

Input: the :class:`~assistant.understanding.frame.QuestionFrame`, the composed :class:`Draft`, the answer context.
Output: :class:`Addressing` (``addressed`` and the list of unmet constraints), and :func:`refuse` for the draft
that replaces one that does not address the question. Every check reads the facts and quotes the draft uses,
never the route's own claim about itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.answer.draft import Draft
from assistant.answer.measures import answers_count
from assistant.domain.normalize import collapse_spaces, fold
from assistant.facts.model import Fact
from assistant.understanding import QuestionFrame

# Attributes a prose passage can state, and what its quotes must then contain.
TIME_RE = re.compile(r"\b20\d\d\b|\d{1,2}\s*/\s*\d{1,2}|hang nam|thuong xuyen|\bquy [ivx1-4]+\b|giai doan|dinh ky")
DATE_RE = re.compile(r"\d{1,2}\s*(?:/|thang)\s*\d{1,2}")
# a target's value in prose: a share, or a count of something ("02 cơ quan", "300 sản phẩm"), not a document number
NUMBER_RE = re.compile(
    r"\d+(?:[.,]\d+)?\s*%|\b\d+(?:[.,]\d+)?\s+(?:co quan|san pham|chuyen muc|chuyen trang|tin|bai|kenh|chuong trinh"
    r"|nguoi|luot|podcast|tap chi|bao|dai|trang|don vi|xa|huyen)\b"
)
MONEY_RE = re.compile(r"\b(?:ty|trieu|nghin) dong\b|\bdong\b|\bvnd\b")
NATIONAL_QUOTE_RE = re.compile(r"348|chien luoc|quoc gia|toan quoc|ca nuoc")
REPORT_WORDS_RE = re.compile(r"bao cao|danh gia dinh ky|tong hop|\bnop\b|report|submit")
GROUP_RE = re.compile(r"^(?:cac |co quan|don vi)")
PROSE_ATTRIBUTES = {
    None,
    "passage",
    "duties",
    "lead_units",
    "coordinating_units",
    "funding_sources",
    "task_details",
    "deliverable",
    "outline",
    "task_list",
    "documents_cited",
    "time_frame",
    "target_value",
    "reporting_deadline",
    "baseline_year",
}
BASELINE_RE = re.compile(r"so voi (?:\w+ ){0,3}nam\s+20\d\d")
NOT_ABOUT_AN_AGENCY = {"plan_number", "signer", "legal_basis", "documents_cited", "outline", "greeting"}
ATTRIBUTE_LABELS = {
    "vi": {
        "target_value": "chỉ tiêu",
        "baseline_year": "năm được lấy làm mốc so sánh",
        "lead_units": "đơn vị chủ trì",
        "coordinating_units": "đơn vị phối hợp",
        "time_frame": "thời gian thực hiện",
        "deliverable": "kết quả, sản phẩm",
        "task_details": "nhiệm vụ",
        "reporting_deadline": "thời hạn báo cáo",
        "duties": "nhiệm vụ của đơn vị",
        "funding_sources": "nguồn kinh phí",
        "amount": "số tiền",
        "plan_number": "số và ngày ban hành",
        "signer": "người ký",
        "legal_basis": "căn cứ",
        "documents_cited": "văn bản được dẫn",
        "outline": "các mục",
        "task_list": "danh sách nhiệm vụ",
        "passage": "nội dung",
    },
    "en": {
        "target_value": "a target",
        "baseline_year": "the year compared with",
        "lead_units": "the lead unit",
        "coordinating_units": "the coordinating units",
        "time_frame": "the time frame",
        "deliverable": "the deliverable",
        "task_details": "the task",
        "reporting_deadline": "the reporting deadline",
        "duties": "the unit's duties",
        "funding_sources": "the funding sources",
        "amount": "a sum of money",
        "plan_number": "the number and issue date",
        "signer": "the signer",
        "legal_basis": "the legal basis",
        "documents_cited": "the cited document",
        "outline": "the items",
        "task_list": "the list of tasks",
        "passage": "this",
    },
}
TEMPLATES = {
    "vi": {
        "attribute": "Các kế hoạch ({provinces}) không nêu {label} cho nội dung được hỏi.",
        "unit": "Các kế hoạch ({provinces}) không nêu {unit} trong nội dung được hỏi.",
        "document": "Các kế hoạch ({provinces}) không nhắc đến {document} trong nội dung được hỏi.",
        "province": "Kế hoạch của {province} không có thông tin này, nên không thể trả lời cho cả {provinces}.",
        "level": "Các kế hoạch trong kho là kế hoạch cấp tỉnh ({provinces}); chúng không nêu chỉ tiêu của Chiến lược "
        "quốc gia (Quyết định 348/QĐ-TTg) cho nội dung này.",
        "count": "Các kế hoạch ({provinces}) không nêu con số “{words}” được hỏi; các chỉ tiêu liên quan được đặt theo "
        "tỷ lệ.",
        "money": "Các kế hoạch ({provinces}) không nêu số tiền cụ thể.",
        "year": "Các kế hoạch ({provinces}) không đặt chỉ tiêu này cho năm {years}.",
        "task": "Các kế hoạch ({provinces}) không có nhiệm vụ số {number} như được hỏi.",
        "recurrence": "Các kế hoạch ({provinces}) không đặt hạn báo cáo định kỳ “{value}” như được hỏi.",
        "part": "Các kế hoạch ({provinces}) không có phụ lục nêu nội dung này.",
        "arithmetic": "Phép tính từ bảng dữ liệu không khớp; tôi không đưa ra con số này.",
        "topic": "Các kế hoạch ({provinces}) không đặt chỉ tiêu về “{words}” như được hỏi.",
        "measure": "Các kế hoạch ({provinces}) không đặt chỉ tiêu tỷ lệ trên tổng “{words}” như được hỏi.",
        "related": "Thông tin liên quan (không phải câu trả lời):",
    },
    "en": {
        "attribute": "The plans ({provinces}) do not state {label} for what was asked.",
        "unit": "The plans ({provinces}) do not name {unit} in what was asked.",
        "document": "The plans ({provinces}) do not mention {document} in what was asked.",
        "province": "The {province} plan does not state this, so it cannot be answered for all of {provinces}.",
        "level": "The corpus holds provincial plans ({provinces}); they do not state the national strategy's "
        "(Decision 348/QĐ-TTg) own target for this.",
        "count": "The plans ({provinces}) do not give the number of “{words}” asked; the related targets are shares.",
        "money": "The plans ({provinces}) state no sum of money.",
        "year": "The plans ({provinces}) set no such target for {years}.",
        "task": "The plans ({provinces}) have no task number {number} as asked.",
        "recurrence": "The plans ({provinces}) set no report due “{value}” as asked.",
        "part": "The plans ({provinces}) have no appendix stating this.",
        "arithmetic": "The figure computed from the facts table does not check out; it is not given.",
        "topic": "The plans ({provinces}) set no target on “{words}” as asked.",
        "measure": "The plans ({provinces}) set no share of total “{words}” as asked.",
        "related": "Related information (not an answer to the question):",
    },
}
RELATED_LINES = 3


@dataclass(frozen=True)
class Unmet:
    """One thing the draft does not honour: kind (attribute, unit, document, province, level, count, money, year,
    task, part, arithmetic) and the value concerned."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind


@dataclass
class Addressing:
    addressed: bool
    unmet: list[Unmet] = field(default_factory=list)


# -- what a draft states -------------------------------------------------------------------------------------
def stated_attributes(frame: QuestionFrame, draft: Draft) -> set[str]:
    """The attributes the draft's facts state (for drafts without facts, what its route says it quotes)."""
    if not draft.facts:
        return {draft.states} if draft.states else set()
    stated: set[str] = set()
    for fact in draft.facts:
        if fact.kind == "target":
            stated.add("target_value")
            if fact.qualifiers.get("baseline_year"):
                stated.add("baseline_year")
        elif fact.kind == "task":
            stated |= {"task_details", "task_list", "duties"}  # leading or coordinating a task is a unit's duty
            stated |= {"lead_units"} if fact.lead_units else set()
            stated |= {"coordinating_units"} if fact.coordinating_units else set()
            stated |= {"time_frame"} if fact.time_frame else set()
            stated |= {"deliverable"} if fact.deliverable else set()
            if fact.time_frame and "bao cao" in fold(fact.deliverable):  # a report as the task's product
                stated.add("reporting_deadline")
        elif fact.kind == "reporting_deadline":
            stated |= {"reporting_deadline", "duties"}  # who must report, to whom: a duty
            if REPORT_WORDS_RE.search(frame.folded):  # "thời gian nộp báo cáo": the report's date is the time asked
                stated.add("time_frame")
        elif fact.kind == "responsibility":
            stated |= {"duties", "lead_units", "coordinating_units"}  # a duty line says who does what
            if re.search(r"kinh phi|ngan sach|nguon von", fold(fact.duties)):
                stated.add("funding_sources")
        elif fact.kind == "funding":
            stated.add("funding_sources")
        elif fact.kind == "legal_basis":
            stated |= {"legal_basis", "documents_cited"}
            if frame.subject.documents:  # "văn bản đó ban hành ngày nào?": the named document's date
                stated |= {"time_frame", "plan_number"}
    if draft.states in {"plan_number", "signer"} and not any(f.kind != "legal_basis" for f in draft.facts):
        stated.add(draft.states)
    return stated


def _evidence(draft: Draft) -> str:
    """The folded quotes the draft cites (what it rests on)."""
    return fold(" ".join(c.quote for c in draft.citations))


def _fact_units(draft: Draft) -> list[str]:
    return [
        name
        for f in draft.facts
        for name in [*f.lead_units, *f.coordinating_units, f.responsible_unit, f.reporter, f.recipient, f.via]
        + f.forward_to.split(", ")
        if name
    ]


# -- the checks ----------------------------------------------------------------------------------------------
def check_attribute(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    asked = frame.asked
    if asked in (None, "passage", "greeting"):
        return []
    stated = stated_attributes(frame, draft)
    if asked in stated or (asked in {"plan_number", "legal_basis"} and "documents_cited" in stated):
        return []
    prose = not draft.facts and draft.states in {"passage", "outline"} and asked in PROSE_ATTRIBUTES
    if prose and any(_sentence_states(asked, c, ctx) for c in draft.citations):
        return []
    return [Unmet("attribute", asked)]


def _sentence_states(asked: str, citation, ctx) -> bool:
    """Whether one cited sentence states the asked attribute (a date for a deadline, a name for a unit …)."""
    quote = fold(citation.quote)
    if asked == "time_frame":
        return bool(TIME_RE.search(quote))
    if asked == "reporting_deadline":
        return "bao cao" in quote and bool(DATE_RE.search(quote))
    if asked == "target_value":
        return bool(NUMBER_RE.search(quote))
    if asked == "baseline_year":
        return bool(BASELINE_RE.search(quote))
    if asked in {"lead_units", "coordinating_units"}:
        word = "chu tri" if asked == "lead_units" else "phoi hop"
        return bool(ctx.units.named(citation.quote)) or word in quote
    return True


# What a target's value counts ("30% cơ quan báo chí | tăng doanh thu", "02 cơ quan báo chí tỉnh (Báo Lai Châu, Đài
# …) | tăng doanh thu"): the words after the value, up to the verb of the target.
POPULATION_RE = re.compile(
    r"(?:\d+(?:[.,]\d+)?\s*%|\b0\d\b|\b\d+\b(?=\s+co quan))\s+(.+?)(?=\s(?:dua|su dung|hoat dong|co(?! quan)|tang"
    r"|duoc|cap|tu chu|toi uu|nang cap|van hanh|thuc hien|dat|trien khai|ung dung|tiep can|chuyen)\b|[;.]|$)"
)


def _target_names(units, folded_quote: str, unit: str) -> bool:
    """Whether a target's clause is about ``unit``: a population after its value names it, or is a group that
    holds it without listing its members."""
    for m in POPULATION_RE.finditer(folded_quote):
        population = m.group(1)
        if units.mentions(population, unit, folded=True):
            return True
        if "(" not in population and units.group_in(population, unit):
            return True
    return False


def check_units(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """Every agency the question names is what the answer is about: in the facts it uses or the quotes it cites."""
    if frame.asked in NOT_ABOUT_AN_AGENCY or not frame.subject.units:
        return []
    named = [u for u in frame.subject.units if not GROUP_RE.match(fold(u))]
    if not named:
        return []
    if frame.asked == "target_value" and draft.facts:  # the agency must be what a target's value counts
        targets = [f for f in draft.facts if f.kind == "target"]
        return [
            Unmet("unit", u)
            for u in named
            if not any(
                ctx.units.mentions(f.value_text, u)
                if f.unit == "named"
                else _target_names(ctx.units, ctx.units.folded(f.quote), u)
                for f in targets
            )
        ]
    if frame.asked == "target_value":  # prose: see check_prose_target
        return []
    units = _fact_units(draft)
    # the quotes and the sections they sit in ("4. Các sở: Tài chính, Kế hoạch và Đầu tư" heads its duties); a
    # reporting deadline names its reporter, recipient and relay in its own fields, and only there
    reporting = bool(draft.facts) and all(f.kind == "reporting_deadline" for f in draft.facts)
    # being sent the plan ("Nơi nhận") is not being part of the answer
    quotes = [ctx.units.folded(f"{c.section} {c.quote}") for c in draft.citations if c.section != "Nơi nhận"]
    unmet = []
    for unit in named:
        in_facts = any(
            ctx.units.mentions(name, unit) or ctx.units.mentions(unit, name) or ctx.units.member_of(unit, name)
            for name in units
        )
        in_quotes = not reporting and any(
            ctx.units.mentions_loosely(q, unit) or ctx.units.group_in(q, unit) for q in quotes
        )
        if not in_facts and not in_quotes:
            unmet.append(Unmet("unit", unit))
    return unmet


def check_agency_kind(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """ "Trung tâm nào …?": the answer names an agency of that kind, in its facts or its quotes."""
    unmet = []
    for kind in frame.constraint_values("agency_kind"):
        head = fold(kind)
        names = [fold(n) for n in _fact_units(draft)]
        quotes = ctx.units.folded(" ".join(c.quote for c in draft.citations))
        if not any(n.startswith(head + " ") for n in names) and not re.search(rf"\b{re.escape(head)} [a-z]", quotes):
            unmet.append(Unmet("unit", kind))
    return unmet


def check_recurrence(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """ "Báo cáo hằng quý": a report that recurs so, not a six-monthly or a yearly one."""
    wanted = frame.constraint_values("recurrence")
    if not wanted or frame.asked not in {"reporting_deadline", "time_frame"}:
        return []
    reports = [f for f in draft.facts if f.kind == "reporting_deadline"]
    if reports:
        return [] if any(f.recurrence in wanted for f in reports) else [Unmet("recurrence", wanted[0])]
    words = {"quý": r"\bquy\b", "6 tháng": r"\b(?:6|sau) thang\b"}
    if not draft.facts and not any(re.search(words[w], fold(c.quote)) for w in wanted for c in draft.citations):
        return [Unmet("recurrence", wanted[0])]
    return []


def check_documents(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """Every document the question names by number is in the facts or the quotes the answer uses."""
    from assistant.answer.routes.document_facts import document_regex, named_documents, same_document

    quotes = fold(" ".join(c.quote for c in draft.citations))
    numbers = [f.doc_number for f in draft.facts if f.doc_number]
    return [
        Unmet("document", document)
        for document in named_documents(frame, ctx)
        if not any(same_document(document, n) for n in numbers) and not document_regex(document).search(quotes)
    ]


def check_scope(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """The answer stays in the provinces asked, and a comparison of named provinces has every side."""
    unmet = []
    used = {f.province for f in draft.facts} | {c.province for c in draft.citations}
    if frame.provinces:
        unmet += [Unmet("province", p) for p in sorted(used - set(frame.provinces))]
        comparing = frame.aggregate in {"compare", "difference"} and len(frame.provinces) > 1
        if comparing and frame.asked == "target_value":
            covered = {f.province for f in draft.facts if f.kind == "target"}
            unmet += [Unmet("province", p) for p in frame.provinces if p not in covered]
    if frame.years and frame.asked == "target_value":
        wrong = sorted({f.year for f in draft.facts if f.kind == "target" and f.year not in frame.years})
        unmet += [Unmet("year", str(y)) for y in wrong]

    if frame.task_number and frame.asked in {"lead_units", "coordinating_units", "time_frame", "deliverable"}:
        tasks = [f for f in draft.facts if f.kind == "task"]
        if any(f.number != frame.task_number and f.parent != frame.task_number for f in tasks):
            unmet.append(Unmet("task", frame.task_number))
    return unmet


def check_prose(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """An answer in prose needs one cited sentence that carries it all: the asked attribute (a value, a date, a
    unit), the asked indicator and year for a target, and the agencies the question names (in the sentence or
    the section it sits in). Pieces spread over several sentences do not make an answer."""
    structured = {"target_value", "reporting_deadline", "time_frame", "lead_units", "coordinating_units"}
    if frame.asked not in structured or draft.facts or not draft.citations:
        return []
    from assistant.domain.indicators import find_indicators

    named = [u for u in frame.subject.units if not GROUP_RE.match(fold(u))]
    for c in draft.citations:
        if not _sentence_states(frame.asked, c, ctx):
            continue
        if frame.asked == "target_value":
            if frame.indicators and not {i.code for i, _ in find_indicators(c.quote)} & set(frame.indicators):
                continue
            if frame.years and not any(str(y) in f"{c.section} {c.quote}" for y in frame.years):
                continue
            if all(_target_names(ctx.units, ctx.units.folded(c.quote), u) for u in named):
                return []
            continue
        where = ctx.units.folded(f"{c.section} {c.quote}")
        if all(ctx.units.mentions_loosely(where, u) or ctx.units.group_in(where, u) for u in named):
            return []
    return [Unmet("attribute", frame.asked)]


def check_level(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """The national strategy's own figures cannot come from a province's targets."""
    if frame.scope.level != "national" or frame.asked != "target_value":
        return []
    if any(f.kind in {"target", "task", "reporting_deadline", "responsibility"} for f in draft.facts):
        return [Unmet("level", "national")]
    if not any(
        NATIONAL_QUOTE_RE.search(q) and NUMBER_RE.search(q) for q in map(fold, (c.quote for c in draft.citations))
    ):
        return [Unmet("level", "national")]  # one sentence that gives the strategy's own value
    return []


def check_quantity(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """A count or a sum asked must be answered with that measure, not with a share."""
    unmet = []
    for constraint in frame.constraints:
        if constraint.kind != "quantity":
            continue
        if constraint.value == "money" and not MONEY_RE.search(_evidence(draft)):
            unmet.append(Unmet("money", constraint.words))
        if constraint.value == "count" and (frame.asked == "target_value" or draft.states == "passage"):
            computed = [c for c in draft.computed if c[0] == "count"]
            if not computed and not answers_count(frame, constraint.words, draft.facts, _evidence(draft)):
                unmet.append(Unmet("count", constraint.words))
    return unmet


# Words of a target question that say what is asked or join its parts, not what it is about.
TOPIC_FREE_WORDS = frozenset(
    """
    muc tieu chi tieu nam dat ra gi nhung bao nhieu phan tram ty le den duoc se phai can co quan bao chi ke hoach
    tinh cua cac la toi thieu tang tro len hang moi nao the sao vay qua dinh huong phan dau cho ve voi nhu con thi
    va giua so sanh hay hoac o tai trong nay do khong bao gio khi luc nhieu it hon nhat cao thap chenh lech muc dia
    ban theo cung tung tat ca moi deu tong
    phu luc bang ghi neu noi phan khop nhau van gom chia may giai doan
    target targets goal goals percent percentage share set sets plan plans province provinces by what which how much
    many is are the of in for and to a an compare comparison between each all
    """.split()
)
TOPIC_UNCOVERED_MAX = 0.5  # above this share of its topic words unstated by the evidence, a target answer is off-topic


def _uncovered_topic(frame: QuestionFrame, said: str, indicators: list[str]) -> tuple[list[str], int]:
    """The question's topic words that ``said`` (folded) does not state, and how many topic words there are; the
    words that named the indicator and glossary terms whose plan wording ``said`` holds count as stated."""
    from assistant.domain.glossary import GLOSSARY_PATTERNS
    from assistant.understanding.indicator_cues import INDICATOR_PATTERNS

    said_words = set(re.findall(r"[a-z0-9]+", said))
    covered = [False] * len(frame.folded)
    for code in indicators:
        for pattern in INDICATOR_PATTERNS.get(code, []):
            for m in pattern.finditer(frame.folded):
                covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    for pattern, expansion in GLOSSARY_PATTERNS:
        wording = set(fold(expansion).split())
        if len(wording & said_words) >= 0.6 * len(wording):
            for m in pattern.finditer(frame.folded):
                covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    years = {str(y) for y in frame.years}
    province_words = {w for p in frame.provinces for w in fold(p).split()}
    question = re.sub(r"\b\d+[\w.-]*/\S+", lambda m: " " * len(m.group(0)), frame.folded)  # "270/kh-ubnd"
    topic = [
        m
        for m in re.finditer(r"[a-z0-9]+", question)
        if m.group(0) not in TOPIC_FREE_WORDS | years | province_words and len(m.group(0)) > 1
    ]
    return [m.group(0) for m in topic if m.group(0) not in said_words and not covered[m.start()]], len(topic)


def check_topic(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """A target answer must be about what the question names: most of its topic words are in the wording of the
    facts (or of one cited sentence that also holds a value), or are the words that named the indicator ("mạng
    xã hội" for "nền tảng số"), or glossary terms whose plan wording it holds. "Doanh thu từ mô hình thu phí" is
    not answered by "% cơ quan báo chí tăng doanh thu". A follow-up's topic was checked on its first turn."""
    if frame.asked != "target_value" or frame.language != "vi" or "indicator" in frame.inherited:
        return []
    from assistant.domain.indicators import find_indicators

    if draft.facts:  # each target on its own: the words of one do not make another on-topic
        candidates = [(fold(f"{f.wording} {f.quote}"), [f.indicator]) for f in draft.facts if f.kind == "target"]
    else:  # one cited sentence holding a value, about the asked indicator
        candidates = [
            (fold(c.quote), codes)
            for c in draft.citations
            if NUMBER_RE.search(fold(c.quote))
            and (codes := [i.code for i, _ in find_indicators(c.quote)])
            and (not frame.indicators or set(codes) & set(frame.indicators))
        ]
    best: list[str] | None = None
    for said, indicators in candidates:
        uncovered, total = _uncovered_topic(frame, said, indicators)
        if len(uncovered) < 2 or len(uncovered) <= TOPIC_UNCOVERED_MAX * total:
            return []
        best = uncovered if best is None or len(uncovered) < len(best) else best
    return [Unmet("topic", " ".join(best))] if best else ([] if draft.facts else [Unmet("topic", "")])


# A share of a total ("chiếm bao nhiêu phần trăm tổng doanh thu", "bao nhiêu % doanh thu đến từ thu phí"): the
# total is what the share is of.
SHARE_OF_TOTAL_RE = re.compile(
    r"(?:phan tram|%|ty trong)\s+(?:cua\s+)?(?:tong\s+)?([a-z]+ [a-z]+)\s+(?:den tu|thu tu|tu)\b"
    r"|\bchiem\b.{0,40}?(?:phan tram|%)\s+(?:cua\s+)?tong\s+([a-z]+ [a-z]+)|\bty trong\s+([a-z]+ [a-z]+)"
)


EN_SHARE_OF_REVENUE_RE = re.compile(r"(?:share|percentage|proportion|per ?cent) of (?:[a-z']+ ){0,4}revenue")


def check_measure(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """A share of a total (revenue from one model in all revenue) is answered only by a target that is itself a
    share of that total ("tỷ trọng doanh thu số trong tổng doanh thu"), not by a share of agencies."""
    if frame.asked != "target_value" or not draft.citations:
        return []
    m = SHARE_OF_TOTAL_RE.search(frame.folded) if frame.language == "vi" else None
    total = next(g for g in m.groups() if g) if m else None
    if frame.language == "en" and EN_SHARE_OF_REVENUE_RE.search(frame.folded):
        total = "doanh thu"
    if total is None:
        return []
    for fact in draft.facts:
        if fact.kind != "target":
            continue
        wording = fold(f"{fact.wording} {fact.qualifiers.get('label', '')}")
        if total in wording and re.search(r"\bty trong\b|\btong\b|\bchiem\b", wording):
            return []
        if any(total in p.group(1) for p in POPULATION_RE.finditer(fold(fact.quote))):
            return []
    if not draft.facts and any(  # prose: a sentence that gives a share of that total
        total in q and re.search(r"\bty trong\b|\btong\b|\bchiem\b", q) and NUMBER_RE.search(q)
        for q in (fold(c.quote) for c in draft.citations)
    ):
        return []
    return [Unmet("measure", total)]


# English: the noun a "what …" question asks for; a target answers only the words that ask for targets
EN_HEAD_RE = re.compile(r"^what\s+([a-z]+)(?:\s+or\s+([a-z]+))?")
EN_TARGET_HEADS = frozenset(
    "target targets goal goals share percentage proportion level rate is are does do did was were the a an plan plans "
    "province provinces year years value will should must has have can".split()
)


def check_english_topic(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """ "What fines or penalties apply …?" asks for fines, not the targets its clause mentions."""
    if frame.asked != "target_value" or frame.language != "en":
        return []
    from assistant.domain.glossary import expansions

    m = EN_HEAD_RE.search(frame.folded)
    if m is None:
        return []
    heads = [h for h in m.groups() if h]
    if any(h in EN_TARGET_HEADS or expansions(h) for h in heads):
        return []
    return [Unmet("topic", " ".join(heads))]


def check_part(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    if "appendix" not in frame.constraint_values("part") or frame.asked in {None, "passage", "outline"}:
        return []
    from_appendix = any(f.origin == "appendix" or f.kind == "task" for f in draft.facts)
    in_appendix = any("phu luc" in fold(c.section) for c in draft.citations)
    return [] if from_appendix or in_appendix or not draft.facts else [Unmet("part", "appendix")]


def check_arithmetic(frame: QuestionFrame, draft: Draft, ctx) -> list[Unmet]:
    """Every figure the draft computed is recomputed from the facts it came from, and is in the text."""
    unmet = []
    for kind, value, facts in draft.computed:
        expected = recompute(kind, facts)
        shown = f"{value:g}" in draft.text
        if expected is None or abs(expected - value) > 1e-9 or not shown:
            unmet.append(Unmet("arithmetic", kind))
    return unmet


def recompute(kind: str, facts: list[Fact]) -> float | None:
    if kind == "difference" and len(facts) == 2 and all(f.value is not None for f in facts):
        return abs(facts[0].value - facts[1].value)
    if kind == "days" and len(facts) == 2 and all(f.day and f.month for f in facts):
        days = [date(2001, f.month, f.day).toordinal() for f in facts]  # a year with no 29 February
        return abs(days[0] - days[1])
    if kind == "count":
        return float(len(facts))
    return None


CHECKS = [
    check_attribute,
    check_units,
    check_prose,
    check_agency_kind,
    check_recurrence,
    check_documents,
    check_scope,
    check_level,
    check_quantity,
    check_part,
    check_topic,
    check_measure,
    check_english_topic,
    check_arithmetic,
]


def check(frame: QuestionFrame, draft: Draft, ctx) -> Addressing:
    """Whether ``draft`` addresses ``frame`` (see the module docstring). A refusal addresses nothing."""
    if draft.status != "answered":
        return Addressing(False, [])
    unmet = [u for run in CHECKS for u in run(frame, draft, ctx)]
    return Addressing(not unmet, unmet)


def refuse(frame: QuestionFrame, draft: Draft, addressing: Addressing, ctx) -> Draft:
    """The "not found" that replaces a draft answering a neighbouring question: what the plans do not contain,
    then the draft's first lines under a labelled "related" line."""
    t = TEMPLATES[frame.language]
    provinces = ", ".join(frame.provinces or ctx.provinces)
    first = addressing.unmet[0]
    if first.kind == "attribute":
        label = ATTRIBUTE_LABELS[frame.language].get(first.value, first.value)
        reason = t["attribute"].format(provinces=provinces, label=label)
    elif first.kind == "unit":
        reason = t["unit"].format(provinces=provinces, unit=first.value)
    elif first.kind == "document":
        reason = t["document"].format(provinces=provinces, document=first.value)
    elif first.kind == "province":
        reason = t["province"].format(province=first.value, provinces=provinces)
    elif first.kind == "level":
        reason = t["level"].format(provinces=provinces)
    elif first.kind == "count":
        reason = t["count"].format(provinces=provinces, words=first.value)
    elif first.kind == "year":
        reason = t["year"].format(provinces=provinces, years=", ".join(map(str, frame.years)))
    elif first.kind in {"topic", "measure"}:
        reason = t[first.kind].format(provinces=provinces, words=first.value)
    elif first.kind == "recurrence":
        reason = t["recurrence"].format(provinces=provinces, value=first.value)
    elif first.kind == "task":
        reason = t["task"].format(provinces=provinces, number=first.value)
    else:
        reason = t[first.kind].format(provinces=provinces)
    related = [line for line in draft.text.split("\n") if line.strip()][:RELATED_LINES]
    text = reason
    if related and first.kind != "arithmetic":
        text += f"\n{t['related']}\n" + "\n".join(collapse_spaces(line) for line in related)
    kept = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    renumber = {old: new for new, old in enumerate(kept, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)
    citations = [c.model_copy(update={"n": renumber[c.n]}) for c in draft.citations if c.n in renumber]
    facts = [
        f for f in draft.facts if any(c.plan_id == f.plan_id and c.start < f.end and f.start < c.end for c in citations)
    ]
    return Draft(
        text,
        "not_found",
        draft.route,
        citations,
        facts,
        draft.province,
        route_detail=draft.route_detail,
        states=draft.states,
    )
