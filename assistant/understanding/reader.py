"""Question understanding: builds the :class:`~assistant.understanding.frame.QuestionFrame` of a question.

Input: the question, the conversation history, an optional province chosen in the UI. Rules work on folded text
(no diacritics), so "muc tieu 2025 cua quang tri" and "Mục tiêu 2025 của Quảng Trị" are read alike. Every cue
found is reported in the frame's trace; the asked attribute is the most salient attribute cue (see
:mod:`assistant.understanding.cues`), corrected where the subject shows what is really asked (a time word beside
a target indicator asks for the target over the years). A follow-up ("còn năm 2030 thì sao?", "thế còn Lai
Châu?") inherits what it leaves out (:mod:`assistant.understanding.conversation`).
"""

from __future__ import annotations

import re

from assistant.domain.glossary import expand_shorthand, expansions
from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.provinces import ProvinceMatcher
from assistant.domain.units import UnitMatcher
from assistant.understanding import cues as C
from assistant.understanding.conversation import inherit
from assistant.understanding.frame import Attribute, Constraint, Cue, QuestionFrame, Scope, Subject
from assistant.understanding.indicator_cues import PlanIndicator, find_question_indicators
from assistant.understanding.language import is_english
from assistant.understanding.quantities import asked_quantity

DOCUMENT_NUMBER_RE = re.compile(r"\b\d+[\w.-]*/(?:\d{4}/)?[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*")
# A document typed by its kind and the first part of its number only ("KH 2317", "quyết định 362"); a year after
# "kế hoạch" ("kế hoạch năm 2025", "kế hoạch 2025") is not a number.
PARTIAL_DOCUMENT_RE = re.compile(
    r"\b(?:quyet dinh|qd|ke hoach|kh|nghi quyet|nq|chi thi|ct|thong tu|nghi dinh|cong van|cv)\s*(?:so\s*)?"
    r"(\d{2,5})\b(?!\s*/)"
)
# A part of a plan the answer must come from ("theo phụ lục", "in the appendix").
PART_RES = {"appendix": re.compile(r"\bphu luc\b|\bappendix\b|\bannex\b|bang phan cong")}
LISTED_NUMBER_RE = re.compile(r"(?:\s*,\s*|\s+va\s+)(\d{2,5})\b(?!\s*/)")
# A law named by its title ("Luật Báo chí", "luat an ninh mang"), up to its year or the end of the phrase.
LAW_TITLE_RE = re.compile(
    r"\b[Ll]u[ậa]t\s+(?!s[ốo]\b|g[ìi]\b|n[àa]o\b|n[àa]y\b|đ[óo]\b|do\b)[\wÀ-ỹ]+(?:\s+(?!n[ăa]m\b|s[ốo]\b|c[ủu]a\b|v[ềe]\b|v[àa]\b|quy\b|theo\b)"
    r"[\wÀ-ỹ]+){0,3}?(?=\s+(?:n[ăa]m|s[ốo]|c[ủu]a|v[ềe]|v[àa]|theo|quy|\d)\b|\s*[,.?;:!)]|\s*$)"
)
# "Ngoài QĐ 348 và 781, …", "besides Decision 348": what follows is set aside, up to the end of the clause.
EXCLUSION_RE = re.compile(r"\b(?:ngoai(?: ra)?|tru|besides|apart from|other than|except(?: for)?)\b[^,;?]*")
WHICH_PLAN_RE = re.compile(r"\b(?:ke hoach|tinh|van ban) nao\b|which (?:plans?|provinces?)")
# "Sở TTTT có nhiệm vụ gì?": a question about what a named agency must do, whatever else it mentions.
DUTY_CUE_RE = re.compile(
    r"trach nhiem|co nhiem vu|nhiem vu (?:gi|cua)|giao nhiem vu|lam gi|phai lam|duoc giao|giao .*viec|vai tro|responsib"
    r"|duties|role"
)
GROUP_UNIT_RE = re.compile(r"^(?:cac |co quan)")
# "phối hợp với trung tâm nào", "sở nào chủ trì": the answer must name an agency of that kind
AGENCY_KINDS = {
    "trung tam": "Trung tâm",
    "so": "Sở",
    "cuc": "Cục",
    "vien": "Viện",
    "hoi": "Hội",
    "ban": "Ban",
    "dai": "Đài",
    "tap chi": "Tạp chí",
    "truong": "Trường",
}
RECURRENCES = [
    (re.compile(r"\bhang quy\b|\bmoi quy\b|\btheo quy\b|\bbao cao quy\b|quarterl"), "quý"),
    (re.compile(r"\bhang thang\b|\bmoi thang\b|\bmonthly\b|\b(?:each|every) month\b"), "hằng tháng"),
    (re.compile(r"\b(?:6|sau) thang\b|semi-?annual|every six months|half-?year"), "6 tháng"),
]
AGENCY_KIND_RE = re.compile(r"\b(" + "|".join(AGENCY_KINDS) + r")\s+(?:[a-z]+\s+)?nao\b")


# What a task row states: asked about a task, a plan's own indicator that shares its words does not name the plan.
TASK_ATTRIBUTES = frozenset({"lead_units", "coordinating_units", "time_frame", "deliverable", "task_details"})


class QuestionReader:
    """Reads questions into frames; see the module docstring."""

    def __init__(
        self,
        corpus_provinces: list[str],
        indicator_vectors=None,
        plan_numbers: dict[str, str] | None = None,
        unit_names: list[str] | tuple[str, ...] = (),
        plan_indicators: list[PlanIndicator] | tuple = (),
    ) -> None:
        self.corpus_provinces = corpus_provinces
        self.matcher = ProvinceMatcher(preferred=corpus_provinces)
        self.units = UnitMatcher(list(unit_names))
        self._indicator_vectors = indicator_vectors
        self.plan_numbers = plan_numbers or {}  # province → its plan number ("270/KH-UBND")
        self.plan_indicators = list(plan_indicators)  # the targets plans add (vectors after the national ones)

    def run(
        self,
        question: str,
        history: list[dict] | None = None,
        province: str | None = None,
        query_vector=None,
    ) -> QuestionFrame:
        current = self.read(question, query_vector)
        if province:
            current.scope.provinces = self._resolve([province])[0] or current.scope.provinces
        previous = self._previous(history or [])
        if previous is not None:
            current = inherit(current, previous)
        return current

    # -- one question ----------------------------------------------------------------------------------
    def read(self, question: str, query_vector=None) -> QuestionFrame:
        """The frame of one question on its own (no conversation)."""
        question = expand_shorthand(question)  # history turns come as typed
        # "AI" in capitals is the acronym, never the Vietnamese "ai" (who): spell it out before folding.
        folded = " ".join(fold(re.sub(r"\bAI\b", "trí tuệ nhân tạo", question)).split())
        words = re.findall(r"[a-z]+", folded)
        english = is_english(question, folded)
        trace: list[Cue] = []
        named = self.matcher.find(question)
        provinces, unknown = self._resolve(named)
        if not provinces and not unknown:
            provinces = self._provinces_by_plan_number(question, folded)
            if provinces:
                trace.append(Cue("province:plan_number", ", ".join(provinces)))
        years = sorted({int(y) for y in C.YEAR_RE.findall(folded)})
        task = C.TASK_RE.search(folded)
        # everyday and English words name indicators too ("bảo mật" → "an toàn, an ninh hệ thống thông tin")
        worded = f"{folded} {fold(' '.join(expansions(question)))}"
        found = [(name, m) for name, pattern in C.ATTRIBUTE_RES if (m := pattern.search(folded))]
        trace += [Cue(f"attribute:{name}", m.group(0)) for name, m in found]
        comparison = C.COMPARISON_RE.search(folded)
        if comparison:
            trace.append(Cue("aggregate:compare", comparison.group(0)))
        kind = "comparison" if comparison else (found[0][0] if found else "other")
        units = self.units.named(DOCUMENT_NUMBER_RE.sub(" ", question))  # "270/KH-UBND" names no agency
        indicators = find_question_indicators(
            question,
            self.units.without(self.units.folded(worded), units),  # "đào tạo" in "Sở Giáo dục và Đào tạo"
            query_vector if kind in {"target_value", "comparison"} else None,
            self._indicator_vectors,
            self.plan_indicators,
            provinces,
        )
        task_number = task.group(1) if task else None
        own = {p.province for p in self.plan_indicators if p.code in indicators}
        if (
            not provinces
            and not unknown
            and indicators
            and kind not in TASK_ATTRIBUTES  # a task is found by its own words in every plan, not by a target's
            and all(any(p.code == code for p in self.plan_indicators) for code in indicators)
        ):
            provinces = [p for p in self.corpus_provinces if p in own]  # only that plan sets it
            trace.append(Cue("province:indicator", ", ".join(provinces)))
        kind = self._corrected(kind, folded, question, indicators, years, task_number, units, trace)
        reporting = bool(C.REPORT_RE.search(folded)) and kind in {
            "time_frame",
            "other",
            "passage",
            "duties",
            "target_value",
        }
        if reporting:
            kind = "reporting_deadline"
            trace.append(Cue("attribute:reporting_deadline", "báo cáo"))
        if not re.sub(r"[\W_]+", "", folded) or C.GREETING_RE.match(folded):
            kind = "greeting"
        asked, aggregate = self._asked(kind, folded, indicators, found, comparison is not None)
        also = [name for name, _ in found if name in ATTRIBUTES and name != asked]
        for name, pattern in C.AGGREGATE_RES:
            m = pattern.search(folded)
            # "cao nhất", "muộn nhất" rank the plans only in a comparison; a count, a difference or "kế hoạch nào
            # có …" aggregates on its own
            across = aggregate or WHICH_PLAN_RE.search(folded)  # "kế hoạch nào … sớm nhất": across the plans
            if m and (across or name in {"difference", "count", "which"}):
                aggregate = name
                trace.append(Cue(f"aggregate:{name}", m.group(0)))
                break
        level = "provincial"
        if m := C.NATIONAL_RE.search(folded):
            level = "national"
            trace.append(Cue("level:national", m.group(0)))
        documents, excluded = self._documents(question)
        constraints = [Constraint("unit", u) for u in units]
        constraints += [Constraint("document", d) for d in documents]
        constraints += [Constraint("part", part, m.group(0)) for part, p in PART_RES.items() if (m := p.search(folded))]
        for pattern, recurrence in RECURRENCES:  # "báo cáo hằng quý": a report that recurs so
            if m := pattern.search(folded):
                constraints.append(Constraint("recurrence", recurrence, m.group(0)))
                break
        if kind_of := AGENCY_KIND_RE.search(folded):
            constraints.append(Constraint("agency_kind", AGENCY_KINDS[kind_of.group(1)], kind_of.group(0)))
        quantity = asked_quantity(folded, english)
        if quantity:
            constraints.append(Constraint("quantity", quantity[0], quantity[1]))
            trace.append(Cue(f"quantity:{quantity[0]}", quantity[1]))
        return QuestionFrame(
            question=question,
            folded=folded,
            language="en" if english else "vi",
            asked=asked,
            also_asked=also,
            aggregate=aggregate,
            subject=Subject(
                indicators=indicators,
                task_number=task_number,
                words=f"{folded} {fold(' '.join(expansions(question)))}" if english else folded,
                units=units,
                documents=documents,
                excluded_documents=excluded,
            ),
            scope=Scope(provinces=provinces, unknown_provinces=unknown, years=years, level=level),
            constraints=constraints,
            cues=trace,
            follow_up=bool(C.FOLLOW_UP_RE.search(folded))
            or (len(words) <= 12 and not named and not task and not indicators),
        )

    def _corrected(self, kind, folded, question, indicators, years, task_number, units, trace) -> str:
        """The attribute the subject shows is asked, where the most salient cue alone misreads it."""
        explicit_passage = C.EXPLICIT_PASSAGE_RE.search(folded)
        target_signal = C.TARGET_SIGNAL_RE.search(folded)
        corrected = kind
        if (
            kind in {"other", "passage", "funding_sources"}
            and indicators
            and not explicit_passage
            and (years or target_signal)
        ):
            corrected = "target_value"
        elif kind in {"other", "passage"} and task_number and not explicit_passage:
            corrected = "task_details"
        elif (
            kind == "time_frame"
            and indicators
            and not task_number
            and not re.search(r"nhiem vu|task|bao cao|report", folded)
            and (target_signal or re.search(r"\bcap do", folded) or _reach(question, folded))
        ):
            corrected = "target_value"  # "đạt cấp độ 3 từ năm nào": a target over the years
        elif (
            kind == "time_frame"
            and re.search(r"\b(?:chi tieu|muc tieu)\b", folded)
            and not task_number
            and not re.search(r"nhiem vu|task|bao cao|report|ban hanh", folded)
        ):
            corrected = "target_value"  # "Thái Bình chia chỉ tiêu thành mấy giai đoạn?": the targets over the years
        elif kind == "duties" and indicators and C.QUANTITY_RE.search(folded):
            corrected = "target_value"  # "what share of reporters should be trained by 2030"
        if (
            corrected in {"other", "passage", "duties", "task_details", "deliverable", "target_value"}
            and C.OUTLINE_RE.search(folded)
            and not self._names_a_unit(question, folded)
            and not (
                corrected == "target_value" and (years or target_signal) and not re.search("yeu cau|muc dich", folded)
            )
        ):
            corrected = "outline"
        appendix = PART_RES["appendix"].search(folded)
        if corrected == "outline" and appendix:
            corrected = "task_list"  # "liệt kê các nhiệm vụ trong phụ lục": the appendix's rows, not the headings
        elif (
            corrected in {"time_frame", "passage", "other", "outline"}
            and C.TASK_LIST_RE.search(folded)
            and C.TIME_FILTER_RE.search(folded)
        ):
            corrected = "task_list"  # "which tasks are ongoing?"
        specific = [u for u in units if not GROUP_UNIT_RE.match(fold(u))]
        if (
            corrected in {"funding_sources", "comparison", "target_value", "other", "passage", "lead_units"}
            and specific
            and DUTY_CUE_RE.search(folded)
        ):
            corrected = "duties"  # "Sở Tài chính có trách nhiệm gì về kinh phí?"
        if corrected == "other" and specific and not (indicators or task_number or target_signal):
            corrected = "duties"  # "Sở KHCN đóng góp gì cho chuyển đổi số báo chí?": what the named agency does
        if corrected == "duties" and not self._names_a_unit(question, folded) and not C.WHO_RE.search(folded):
            corrected = "passage"  # "Thái Bình làm gì để đào tạo lại đội ngũ?": what the plan does, in its prose
        if corrected == "lead_units" and not task_number and dict(C.ATTRIBUTE_RES)["funding_sources"].search(folded):
            corrected = "funding_sources"  # "kinh phí từ đâu, ai lo việc bố trí": the funding duties name who
        if C.BASELINE_RE.search(folded) and corrected in {"target_value", "time_frame", "other", "passage"}:
            corrected = "baseline_year"
        if corrected != kind:
            trace.append(Cue(f"corrected:{kind}->{corrected}", ""))
        return corrected

    @staticmethod
    def _asked(kind: str, folded: str, indicators, found, comparison: bool) -> tuple[Attribute | None, str | None]:
        """The asked attribute and the aggregate, from the corrected cue."""
        if kind == "plan_metadata":
            if C.SIGNER_RE.search(folded):
                return "signer", None
            if C.LEGAL_BASIS_RE.search(folded):
                return "legal_basis", None
            return "plan_number", None
        if kind == "comparison":
            if re.search(r"bao cao|report", folded):
                return "reporting_deadline", "compare"
            secondary = next((name for name, _ in found if name not in {"passage", "target_value"}), None)
            if secondary == "plan_metadata":
                return QuestionReader._asked("plan_metadata", folded, indicators, found, False)[0], "compare"
            if secondary and not (secondary == "time_frame" and indicators):
                return secondary, "compare"  # "qt và lc, nhiệm vụ … ai chủ trì ở mỗi tỉnh?": the lead units compared
            if indicators:
                return "target_value", "compare"
            return secondary, "compare"
        return (None if kind == "other" else kind), None  # type: ignore[return-value]

    @staticmethod
    def _documents(question: str) -> tuple[list[str], list[str]]:
        """Documents the question names (in full, or by kind and number: "KH 2317"), and those it sets aside
        ("Ngoài QĐ 348, kế hoạch còn căn cứ …": 348 is not what is asked)."""
        named: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in DOCUMENT_NUMBER_RE.finditer(question)]
        heads = {re.match(r"\d+", d).group(0) for _, d in named}
        rest = fold(DOCUMENT_NUMBER_RE.sub(lambda m: " " * len(m.group(0)), question))
        for m in PARTIAL_DOCUMENT_RE.finditer(rest):
            # "QĐ 348 và 781": the kind carries over to the numbers listed after it
            listed, at = [(m.start(), m.group(1))], m.end()
            while more := LISTED_NUMBER_RE.match(rest, at):
                listed.append((more.start(1), more.group(1)))
                at = more.end()
            named += [(at, n) for at, n in listed if not 2020 <= int(n) <= 2040 and n not in heads]
        for m in LAW_TITLE_RE.finditer(question):  # "Luật Báo chí năm 2016": a law named by its title
            named.append((m.start(), collapse_spaces(m.group(0))))
        aside = EXCLUSION_RE.search(fold(question))
        excluded = [d for start, d in named if aside and aside.start() <= start < aside.end()]
        return [d for _, d in sorted(named) if d not in excluded], excluded

    def _resolve(self, named: list[str]) -> tuple[list[str], list[str]]:
        inside = [p for p in self.corpus_provinces if any(fold(p) == fold(n) for n in named)]
        outside = [n for n in named if all(fold(n) != fold(p) for p in self.corpus_provinces)]
        return inside, outside

    def _provinces_by_plan_number(self, question: str, folded: str) -> list[str]:
        """A plan named by its number ("kế hoạch 270/KH-UBND", "kh 270") stands for its province."""
        found = []
        for province, number in self.plan_numbers.items():
            head = number.split("/")[0]
            if number in question or re.search(rf"\b(?:ke hoach|kh|so)\s*(?:so\s*)?{re.escape(head)}\b", folded):
                found.append(province)
        return found

    def _names_a_unit(self, question: str, folded: str) -> bool:
        """Whether a question names an agency ("Sở TTTT" too) or a group of agencies."""
        return bool(C.UNIT_GROUP_RE.search(fold(self.units.folded(question)))) or bool(self.units.named(question))

    # -- conversation ----------------------------------------------------------------------------------
    def _previous(self, history: list[dict]) -> QuestionFrame | None:
        """The frame of the conversation so far (later user turns override earlier ones)."""
        merged: QuestionFrame | None = None
        for turn in history:
            if turn.get("role") != "user" or not str(turn.get("content", "")).strip():
                continue
            read = self.read(str(turn["content"]))
            merged = read if merged is None else inherit(read, merged)
        return merged


def _reach(question: str, folded: str) -> bool:
    """ "đạt" (reach a level) in the question; typed without marks "dat" may be it, typed with marks "đặt" is not."""
    if question != fold(question) and fold(question) != question.lower():
        return bool(re.search(r"\bđạt\b", question.lower()))
    return bool(re.search(r"\bdat\b", folded))


ATTRIBUTES = {
    "target_value",
    "lead_units",
    "coordinating_units",
    "time_frame",
    "deliverable",
    "reporting_deadline",
    "duties",
    "funding_sources",
    "passage",
}
