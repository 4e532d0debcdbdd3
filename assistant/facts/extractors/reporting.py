"""Reporting deadlines: sentences that send a report "trước ngày D/M", every quarter, or "khi có yêu cầu"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.normalize import collapse_spaces
from assistant.domain.units import canonical_unit, is_unit_name
from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.extractors.text import sentences, unit_of_section
from assistant.facts.model import Fact
from assistant.ingest.structure import Block
from assistant.ingest.tables import looks_like_units

REPORTER_RE = re.compile(
    r"(các cơ quan(?:,\s*đơn vị)?(?:,\s*địa phương)?(?:\s+có)?(?:\s+liên quan)?|các đơn vị(?:\s+có)?(?:\s+liên quan)?)",
    re.IGNORECASE,
)


class ReportingDeadlineExtractor(Extractor):
    """Reporting deadlines of the body, after the tables."""

    kind = "reporting_deadline"

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        """Every deadline of every report: "trước ngày 15/12 (hằng năm)", "trước ngày 31/10/2025" (once),
        "trước ngày 20 của tháng cuối quý" (quarterly), "khi có yêu cầu" (on request); several per sentence."""
        facts: list[Fact] = []
        for block in ctx.plan.structure.blocks:
            if block.kind in {"title", "footnote", "table"} or block.section_kind in {"recipients", "appendix"}:
                continue
            if block.kind == "heading" and block.level == 1:
                continue
            for s_start, s_end in sentences(block.text):
                sentence = block.text[s_start:s_end]
                lowered = sentence.lower()
                if "báo cáo" not in lowered and "gửi" not in lowered:
                    continue
                mentions = _deadline_mentions(sentence)
                previous: dict[str, str] = {}
                for n in range(len(mentions)):
                    fact = self._deadline(ctx, block, sentence, s_start, s_end, mentions, n, previous)
                    if fact is not None:
                        facts.append(fact)
        return facts

    def _deadline(
        self,
        ctx: PlanContext,
        block: Block,
        sentence: str,
        s_start: int,
        s_end: int,
        mentions: list[DeadlineMention],
        n: int,
        previous: dict[str, str],
    ) -> Fact | None:
        mention = mentions[n]
        segment_start = mentions[n - 1].end if n else 0
        segment_end = mentions[n + 1].start if n + 1 < len(mentions) else len(sentence)
        clause_start = sentence.rfind(";", 0, mention.start) + 1
        if mention.kind == "on_request" and "báo cáo" not in sentence[clause_start : mention.end].lower():
            return None
        reporter = self._reporter(ctx, block, sentence, mention.start)
        begin = max(segment_start, clause_start)
        recipient = mention.requested_by or _recipient(sentence, begin, mention, ctx.declared)
        if not recipient and n:
            recipient = previous.get("recipient", "")
        elif not recipient:
            recipient = _recipient(sentence, 0, mention, ctx.declared, after=True)
        via_match = re.search(r"\(qua\s+([^)]+)\)", sentence[segment_start : mention.start]) or (
            re.search(r"\(qua\s+([^)]+)\)", sentence) if not n else None
        )
        via = canonical_unit(via_match.group(1), ctx.declared) if via_match else previous.get("via", "")
        if mention.requested_by:
            via = ""
        recurrence = _recurrence(sentence, segment_start, segment_end, mention)
        previous.update(recipient=recipient, via=via)
        forward = re.search(r"để tổng hợp,?\s*báo cáo\s+(.+?)(?:\s+theo quy định|[.;]|$)", sentence, re.IGNORECASE)
        value_text = ""
        if mention.day is not None and mention.month is not None:
            value_text = f"{mention.day:02d}/{mention.month:02d}"
        elif mention.day is not None:
            value_text = f"ngày {mention.day} tháng cuối quý"
        else:
            value_text = "khi có yêu cầu"
        return ctx.fact(
            self.kind,
            block.section,
            "body",
            block.start + s_start,
            block.start + s_end,
            reporter=reporter,
            recipient=recipient,
            via=via,
            day=mention.day,
            month=mention.month,
            recurrence=recurrence,
            value_text=value_text,
            forward_to=", ".join(canonical_unit(u, ctx.declared) for u in forward.group(1).split(", "))
            if forward
            else "",
        )

    def _reporter(self, ctx: PlanContext, block: Block, sentence: str, before: int) -> str:
        """Who reports: the sentence's subject when it names units, else "các cơ quan, đơn vị …", else the unit
        whose duties the sentence is in."""
        subject = _subject(sentence)
        if subject:
            return canonical_unit(subject, ctx.declared)
        lowered = sentence.lower()
        reporter_match = REPORTER_RE.search(sentence)
        if reporter_match and reporter_match.start() < lowered.find("báo cáo", 0, max(before, 1) + 40):
            return canonical_unit(reporter_match.group(1), ctx.declared)
        return unit_of_section(block, ctx.declared)


@dataclass
class DeadlineMention:
    """Where a sentence sets a reporting deadline, and what the deadline is."""

    start: int
    end: int
    kind: str  # date | quarter | on_request
    day: int | None = None
    month: int | None = None
    year: int | None = None
    requested_by: str = ""


DEADLINE_DATE_RE = re.compile(  # "trước ngày 15/6", "… và ngày 15 tháng 12": a second date of the same deadline
    r"(?:trước|(?<=\d)\s+và(?:\s+trước)?)\s+ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})(?:\s*(?:/|năm)\s*(\d{4}))?",
    re.IGNORECASE,
)
DEADLINE_QUARTER_RE = re.compile(
    r"trước ngày\s+(\d{1,2})\s+(?:của\s+)?tháng cuối(?:\s+(?:mỗi|của))?\s+quý", re.IGNORECASE
)
ON_REQUEST_RE = re.compile(r"(?:đột xuất\s+)?khi có yêu cầu(?:\s+của\s+([^.;]+?))?(?=[.;]|$)", re.IGNORECASE)
RECURRENCES = [
    (re.compile(r"h[ằà]ng quý|cuối quý|mỗi quý|theo quý", re.IGNORECASE), "quý"),
    (re.compile(r"6 tháng|sáu tháng", re.IGNORECASE), "6 tháng"),
    (re.compile(r"h[ằà]ng năm|mỗi năm|định kỳ năm", re.IGNORECASE), "hằng năm"),
]
_ADVERBIAL_RE = re.compile(
    r"^(?:[-–•+]\s*)?(?:(?:Căn cứ|Nhận|Trong|Định kỳ|Hằng năm|Hàng năm|Trên cơ sở)[^,]*,\s*)?"
    r"(?:(?:đề nghị|yêu cầu|giao)\s+)?",
    re.IGNORECASE,
)
_SUBJECT_END_RE = re.compile(
    r"\s+(?:báo cáo|gửi|tổng hợp|được giao|có trách nhiệm|định kỳ|căn cứ|thực hiện|chủ động|tổ chức|xây dựng|"
    r"triển khai|tiến hành|hằng năm|hàng năm)\b",
    re.IGNORECASE,
)
_RECIPIENT_MARK_RE = re.compile(r"(?:\bvề|\bcho|\bgửi|\blên|\btới|báo cáo)\s+", re.IGNORECASE)
_RECIPIENT_STOP_RE = re.compile(
    r"\s*(?:\(|trước ngày|\bđể\b|kết quả|tình hình|tiến độ|về việc|theo quy định|khi có|\bhằng\b|\bhàng\b|[.;]|$)",
    re.IGNORECASE,
)


def _deadline_mentions(sentence: str) -> list[DeadlineMention]:
    mentions: list[DeadlineMention] = []
    for match in DEADLINE_QUARTER_RE.finditer(sentence):
        mentions.append(DeadlineMention(match.start(), match.end(), "quarter", day=int(match.group(1))))
    for match in DEADLINE_DATE_RE.finditer(sentence):
        if any(m.start == match.start() for m in mentions):
            continue
        year = int(match.group(3)) if match.group(3) else None
        mentions.append(
            DeadlineMention(match.start(), match.end(), "date", int(match.group(1)), int(match.group(2)), year)
        )
    for match in ON_REQUEST_RE.finditer(sentence):
        requested = collapse_spaces(match.group(1) or "")
        mentions.append(DeadlineMention(match.start(), match.end(), "on_request", requested_by=requested))
    return sorted(mentions, key=lambda m: m.start)


def _recurrence(sentence: str, segment_start: int, segment_end: int, mention: DeadlineMention) -> str:
    """How often: the recurrence written nearest the deadline (its part of the sentence, else the sentence)."""
    if mention.kind == "quarter":
        return "quý"
    if mention.kind == "on_request":
        return "khi có yêu cầu"
    if mention.year is not None:
        return "một lần"
    for begin, end in ((segment_start, segment_end), (0, len(sentence))):
        found = [
            (abs(m.start() - mention.start), label)
            for pattern, label in RECURRENCES
            for m in pattern.finditer(sentence, begin, end)
        ]
        if found:
            return min(found)[1]
    return ""


def _subject(sentence: str) -> str:
    """The units a sentence opens with, after an adverbial ("Định kỳ 6 tháng, các cơ quan … báo cáo …")."""
    lead = _ADVERBIAL_RE.match(sentence)
    rest = sentence[lead.end() :] if lead else sentence
    end = _SUBJECT_END_RE.search(rest)
    if not end:
        return ""
    subject = rest[: end.start()].strip(" ,")
    subject = _SUBJECT_QUALIFIER_RE.sub("", subject).strip(" ,")  # "… có tên tại Kế hoạch", "… được giao nhiệm vụ"
    return subject if subject and looks_like_units(subject) else ""


_SUBJECT_QUALIFIER_RE = re.compile(
    r"\s+(?:có tên|được giao|được phân công|tham gia thực hiện)\b.*$", re.IGNORECASE
)


def _recipient(
    sentence: str, begin: int, mention: DeadlineMention, declared: dict[str, str], after: bool = False
) -> str:
    """The units a report goes to: after "về/cho/gửi/lên" or "báo cáo", nearest before the deadline (or the
    first after it, with ``after``)."""
    spans: list[str] = []
    region = (mention.end, len(sentence)) if after else (begin, mention.start)
    for mark in _RECIPIENT_MARK_RE.finditer(sentence, *region):
        stop = _RECIPIENT_STOP_RE.search(sentence, mark.end())
        span = sentence[mark.end() : stop.start() if stop else len(sentence)].strip(" ,")
        if span and is_unit_name(span):
            spans.append(span)
    if not spans:
        return ""
    return canonical_unit(spans[0] if after else spans[-1], declared)
