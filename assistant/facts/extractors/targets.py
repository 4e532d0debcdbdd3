"""Targets: the bullets of MỤC TIÊU's year sub-sections, clause by clause, and the per-year appendix tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.domain.indicators import derive_indicator, find_target_indicators, measure_at
from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import split_units
from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.model import Fact
from assistant.ingest.structure import Block, Table, read_target_row
from assistant.ingest.tables import parse_number

PERCENT_RE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
LEAD_YEAR_RE = re.compile(r"(?:Đến|Tới|Trong|Vào)?\s*năm\s+(20\d\d)\s*[,:]", re.IGNORECASE)
NUMBER_RE = re.compile(r"(?<![\w/.,])(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\w/])")
YEAR_AFTER_RE = re.compile(r"\bnăm\s+(20\d\d)\b")
COUNT_RE = re.compile(r"\b(0?\d{1,2})\s+cơ quan\b")
YEAR_RE = re.compile(r"năm\s+(20\d\d)")
VERB_STARTS = (
    "đưa nội dung",
    "sử dụng nền tảng",
    "hoạt động, vận hành",
    "có giải pháp",
    "tăng doanh thu",
    "được đào tạo",
    "được cấp phép",
    "được tiếp cận",
    "cập nhật",
    "tự chủ",
    "tự bảo đảm",
    "được cấp lại",
    "tối ưu hóa",
)


class TargetExtractor(Extractor):
    """Targets of the body (before the tables), then those of each per-year appendix table."""

    kind = "target"

    def before_tables(self, ctx: PlanContext) -> list[Fact]:
        facts: list[Fact] = []
        for block in ctx.plan.structure.blocks:
            if block.section_kind != "targets" or block.kind not in {"bullet", "paragraph"}:
                continue
            facts += self._targets_in_block(ctx, block, _year_of(block))
        return facts

    def _targets_in_block(self, ctx: PlanContext, block: Block, section_year: int | None) -> list[Fact]:
        """Targets of one bullet: per clause, the indicators it names (or one derived from its wording) and
        each value with its year (a year written after the value, else the bullet's "Đến năm …", else the
        section's)."""
        text = block.text
        body_start = len(text) - len(text.lstrip("-–•+* "))
        lettered = re.match(r"[a-zđ]\)\s+", text[body_start:])
        if lettered:
            body_start += lettered.end()
        lead_year = LEAD_YEAR_RE.match(text[body_start:])
        default_year = int(lead_year.group(1)) if lead_year else section_year
        clauses: list[tuple[int, int]] = []
        position = body_start
        for piece in re.split(r"(;)", text[body_start:]):
            if piece == ";":
                position += 1
                continue
            clauses.append((position, position + len(piece)))
            position += len(piece)
        facts: list[Fact] = []
        recurrence = "hằng năm" if fold(text[body_start:]).startswith(("hang nam", "hằng năm")) else ""
        derived: tuple[str, str, str] | None = None  # (code, label, clause) of the last derived indicator
        for c_start, c_end in clauses:
            clause = text[c_start:c_end]
            found = find_target_indicators(clause)
            mentions = value_mentions(clause)
            start = block.start + body_start
            end = block.start + len(text[:c_end].rstrip(" ."))
            if not found:
                if not mentions:
                    continue
                wording = _wording_without_values(clause)
                if derived is not None and _is_continuation(wording):
                    code, label, stated = derived  # "…; đạt 100% vào năm 2030": the previous clause's indicator
                else:
                    code, stated = derive_indicator(wording), collapse_spaces(clause.strip(" ."))
                    label = label_of(clause, mentions)
                    derived = (code, label, stated)
                for mention in mentions:
                    year = _year_after(clause, mention, mentions) or default_year
                    if year is None:
                        continue
                    qualifiers: dict[str, Any] = {"label": label}
                    if recurrence:
                        qualifiers["recurrence"] = recurrence
                    if len(mentions) > 1:  # the quote ends at this value's year; the wording is the whole clause
                        qualifiers["clause_end"] = end
                    facts.append(
                        ctx.fact(
                            self.kind,
                            block.section,
                            "body",
                            start,
                            block.start + c_start + _value_end(clause, mention, mentions) if len(mentions) > 1 else end,
                            indicator=code,
                            wording=stated,
                            year=year,
                            value=mention.value,
                            unit=mention.unit,
                            value_text=mention.text,
                            qualifiers=qualifiers,
                        )
                    )
                continue
            derived = None
            for indicator, _ in found:
                dated = [m for m in mentions if m.unit == "%" and _year_after(clause, m, mentions)]
                if indicator.code not in {"revenue_growth", "news_growth"} and len(dated) >= 2:
                    for mention in dated:
                        facts.append(
                            ctx.fact(
                                self.kind,
                                block.section,
                                "body",
                                start,
                                block.start + c_start + _value_end(clause, mention, mentions),
                                indicator=indicator.code,
                                wording=collapse_spaces(clause.strip(" .")),
                                year=_year_after(clause, mention, mentions),
                                value=mention.value,
                                unit="%",
                                value_text=mention.text,
                                qualifiers={"clause_end": end, **({"recurrence": recurrence} if recurrence else {})},
                            )
                        )
                    continue
                fields = _target_value(clause, indicator.code)
                if fields is None:
                    continue
                year = default_year
                first = next((m for m in mentions if m.unit == "%"), None)
                if first is not None and indicator.code != "revenue_growth":
                    year = _year_after(clause, first, mentions) or default_year
                if year is None:
                    continue
                qualifiers = fields.pop("qualifiers")
                if recurrence:
                    qualifiers["recurrence"] = recurrence
                baseline = re.search(r"so với năm\s+(20\d\d)", text)
                if baseline and indicator.code == "news_growth":
                    qualifiers["baseline_year"] = int(baseline.group(1))
                # The quote runs from the start of the bullet to the end of the clause: it names the
                # subject and contains the value.
                facts.append(
                    ctx.fact(
                        self.kind,
                        block.section,
                        "body",
                        start,
                        end,
                        indicator=indicator.code,
                        wording=collapse_spaces(clause.strip(" .")),
                        year=year,
                        qualifiers=qualifiers,
                        **fields,
                    )
                )
        return facts

    def reads_table(self, table: Table) -> bool:
        return table.kind == "targets"

    def from_table(self, ctx: PlanContext, table: Table) -> list[Fact]:
        facts: list[Fact] = []
        for row in table.rows:
            target = read_target_row(row, table)
            if not target.wording or len(target.values) != len(table.years):
                continue
            found = find_target_indicators(target.wording)
            code = found[0][0].code if found else derive_indicator(target.wording)
            measure = measure_at(target.measure.lstrip("% ")) if target.measure else ""
            for year, value in zip(table.years, target.values, strict=True):
                qualifiers: dict[str, Any] = {} if found else {"label": target.wording}
                qualifiers["header_span"] = [table.start, table.end]  # the year is a column of the header
                if value.growth is not None:
                    qualifiers["min_revenue_growth_pct"] = value.growth
                percent = value.percent or target.measure.strip().startswith("%")
                unit = "%" if percent else (measure or collapse_spaces(target.measure).lower() or "")
                text = f"{_fmt(value.value)}%" if percent else f"{_fmt(value.value)} {unit}".strip()
                facts.append(
                    ctx.fact(
                        self.kind,
                        " › ".join(table.section_path),
                        "appendix",
                        row.start,
                        value.end,
                        indicator=code,
                        wording=target.wording,
                        year=year,
                        value=value.value,
                        unit=unit,
                        value_text=text,
                        qualifiers=qualifiers,
                    )
                )
        return facts


# -- target value parsing ------------------------------------------------------------------------------
def _target_value(clause: str, code: str) -> dict[str, Any] | None:
    """Value, unit, value text and qualifiers of one indicator in a target clause (None: no target here)."""
    qualifiers: dict[str, Any] = {}
    folded = fold(clause)
    if code == "revenue_growth":
        growth = re.search(r"doanh thu (?:toi thieu )?(\d{1,3})\s*%", folded)
        if growth:
            qualifiers["min_revenue_growth_pct"] = int(growth.group(1))
        head = clause[: growth.start()] if growth else clause
        percents = [m for m in PERCENT_RE.finditer(head)]
        if percents:
            value = _num(percents[-1].group(1))
            return {"value": value, "unit": "%", "value_text": percents[-1].group(0), "qualifiers": qualifiers}
        count = list(COUNT_RE.finditer(head))
        if count:
            named = re.search(r"\(([^)]+)\)", head[count[-1].end() :])
            if named:
                qualifiers["agencies"] = [u.name for u in split_units(named.group(1).replace(",", ";"))]
            return {
                "value": float(int(count[-1].group(1))),
                "unit": "cơ quan",
                "value_text": count[-1].group(1),
                "qualifiers": qualifiers,
            }
        subject = _named_subject(clause)
        if subject:
            return {"value": None, "unit": "named", "value_text": subject, "qualifiers": qualifiers}
        return None
    percents = list(PERCENT_RE.finditer(clause))
    if percents:
        first = percents[0]
        return {"value": _num(first.group(1)), "unit": "%", "value_text": first.group(0), "qualifiers": qualifiers}
    subject = _named_subject(clause)
    if subject:
        return {"value": None, "unit": "named", "value_text": subject, "qualifiers": qualifiers}
    return None


def _named_subject(clause: str) -> str:
    """The agencies a clause names as its subject ("Báo Thái Bình, Đài … đưa nội dung …" → the names).

    In "Các cơ quan … tối ưu hóa nguồn thu, trong đó <subject> tăng doanh thu …" the subject follows "trong đó".
    """
    if "trong đó" in clause:
        clause = clause.split("trong đó", 1)[1]
    folded = fold(clause)
    cut = min((folded.find(fold(v)) for v in VERB_STARTS if fold(v) in folded), default=-1)
    if cut <= 0:
        return ""
    subject = clause[:cut].strip(" ,-")
    if not subject or not subject[:1].isupper() or fold(subject).startswith(("cac co quan", "co quan")):
        return ""
    return subject


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _year_of(block: Block) -> int | None:
    for title in reversed(block.section_path):
        match = YEAR_RE.search(title)
        if match:
            return int(match.group(1))
    return None


# -- values of body targets ----------------------------------------------------------------------------
@dataclass
class Mention:
    """A value in a target's wording: a percentage or a count with its unit of measure."""

    start: int
    end: int
    value: float
    unit: str
    text: str


def value_mentions(clause: str) -> list[Mention]:
    """Percentages and counts ("180 sản phẩm", "1.200.000 người") of a clause, in order."""
    mentions = [Mention(m.start(), m.end(), _num(m.group(1)), "%", m.group(0)) for m in PERCENT_RE.finditer(clause)]
    for match in NUMBER_RE.finditer(clause):
        if clause[match.end() :].lstrip().startswith("%"):
            continue
        measure = measure_at(clause[match.end() :])
        if not measure or not clause[match.end() : match.end() + 1].isspace():
            continue
        end = match.end() + 1 + len(measure)
        mentions.append(Mention(match.start(), end, parse_number(match.group(1)), measure, clause[match.start() : end]))
    return sorted(mentions, key=lambda m: m.start)


_NOT_TARGET_YEAR = ("so với", "giai đoạn", "định hướng", "chiến lược", "từ năm", "trước liền kề")


def _year_match(clause: str, mention: Mention, mentions: list[Mention]) -> re.Match[str] | None:
    """The year written after a value and before the next value ("240 sản phẩm trong năm 2025")."""
    following = [m.start for m in mentions if m.start > mention.start]
    segment_end = min(following) if following else len(clause)
    for match in YEAR_AFTER_RE.finditer(clause, mention.end, segment_end):
        before = clause[max(0, match.start() - 14) : match.start()].lower()
        if not any(word in before for word in _NOT_TARGET_YEAR):
            return match
    return None


def _year_after(clause: str, mention: Mention, mentions: list[Mention]) -> int | None:
    match = _year_match(clause, mention, mentions)
    return int(match.group(1)) if match else None


def _value_end(clause: str, mention: Mention, mentions: list[Mention]) -> int:
    """Where the quote of one of a clause's several values ends: after its year, when one follows it."""
    match = _year_match(clause, mention, mentions)
    return match.end() if match else mention.end


_LEADING_YEAR_RE = re.compile(r"^\s*(?:đến|tới|trong|vào)\s+năm\s+20\d\d\s*,?\s*", re.IGNORECASE)
_YEAR_PHRASE_RE = re.compile(r"\s*(?:trong|vào|đến|tới)?\s*năm\s+20\d\d", re.IGNORECASE)
_BEFORE_VALUE_RE = re.compile(r"\s*(?:tối thiểu|ít nhất|đạt|là)\s*$", re.IGNORECASE)
_DANGLING_RE = re.compile(r"(?:\s*(?:,|;|:|-|và|đạt|tối thiểu|ít nhất|trong đó))+\s*$", re.IGNORECASE)


def label_of(clause: str, mentions: list[Mention]) -> str:
    """The indicator a clause sets, in its own words, without values or years: what an answer names next to one of
    its values ("Đến năm 2025, Báo X xây dựng 2 chuyên trang song ngữ" → "Báo X xây dựng chuyên trang song ngữ";
    "… tối thiểu 480 chương trình … trong năm 2024 và 520 chương trình trong năm 2025" → "… chương trình …")."""
    if not mentions:
        return collapse_spaces(_YEAR_PHRASE_RE.sub(" ", _LEADING_YEAR_RE.sub("", clause))).strip(" .,;:-")
    first = mentions[0]
    head = _BEFORE_VALUE_RE.sub("", clause[: first.start])
    measure = "" if first.unit == "%" else first.unit
    tail = clause[first.end : mentions[1].start] if len(mentions) > 1 else clause[first.end :]
    text = _LEADING_YEAR_RE.sub("", f"{head} {measure}{tail}")
    text = _YEAR_PHRASE_RE.sub(" ", text)
    text = _DANGLING_RE.sub("", collapse_spaces(text).strip(" .,;:-"))
    return text.strip(" .,;:-") or _wording_without_values(clause)


def _wording_without_values(clause: str) -> str:
    text = PERCENT_RE.sub(" ", clause)
    text = re.sub(r"(?:trong|vào|đến|tới)?\s*năm\s+20\d\d", " ", text)
    text = NUMBER_RE.sub(" ", text)
    return collapse_spaces(text).strip(" .,;:-")


def _is_continuation(wording: str) -> bool:
    """A clause that only repeats the previous one's indicator with another value ("đạt 100% vào năm 2030")."""
    content = [w for w in fold(wording).split() if w not in {"dat", "va", "vao", "nam", "toi", "thieu", "la", "con"}]
    return len(content) <= 2
