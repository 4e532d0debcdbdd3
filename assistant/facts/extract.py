"""Facts extraction: targets, tasks, reporting deadlines, responsibilities, funding and legal basis of a plan.

Input: a loaded :class:`~assistant.ingest.corpus.Plan` (clean text plus its
:class:`~assistant.ingest.structure.PlanStructure`).
Output: a list of :class:`Fact` rows, each with the plan id, province, section path, origin (body, appendix,
footnote) and a source span into the plan text whose quote contains the fact's value.

Extraction follows the national template, never a file's line numbers:
- target: bullets under the year sub-sections of MỤC TIÊU ("Mục tiêu đến năm 2025", "a) Đến năm 2030 …"),
  split into clauses; per-year appendix tables (columns "Kế hoạch năm 2023" …) give one row per year.
- task: rows of the appendix assignment table (columns recognised from its header).
- reporting_deadline: sentences with "báo cáo" and "trước ngày D/M" (or "D tháng M").
- responsibility: numbered units under TỔ CHỨC THỰC HIỆN and their duties.
- funding: the sources named under KINH PHÍ.
- legal_basis: decisions, resolutions, directives and plans cited with number and date.
Where a plan gives two values for the same indicator, year and qualifier, both rows are kept and share a
``conflict_group``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.domain.indicators import BY_CODE, derive_indicator, find_target_indicators, measure_at
from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import canonical_unit, declared_aliases, split_units
from assistant.facts.model import Fact
from assistant.ingest.structure import Block, Cell, PlanStructure, Table, assign_cells, read_target_row
from assistant.ingest.tables import parse_number


@dataclass
class PlanText:
    """What the extractor needs of a plan: ids, the clean text, its structure."""

    plan_id: str
    province: str
    text: str
    structure: PlanStructure


PERCENT_RE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
LEAD_YEAR_RE = re.compile(r"(?:Đến|Tới|Trong|Vào)?\s*năm\s+(20\d\d)\s*[,:]", re.IGNORECASE)
NUMBER_RE = re.compile(r"(?<![\w/.,])(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\w/])")
YEAR_AFTER_RE = re.compile(r"\bnăm\s+(20\d\d)\b")
COUNT_RE = re.compile(r"\b(0?\d{1,2})\s+cơ quan\b")
YEAR_RE = re.compile(r"năm\s+(20\d\d)")
REPORTER_RE = re.compile(
    r"(các cơ quan(?:,\s*đơn vị)?(?:,\s*địa phương)?(?:\s+có)?(?:\s+liên quan)?|các đơn vị(?:\s+có)?(?:\s+liên quan)?)",
    re.IGNORECASE,
)
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
FUNDING_SOURCES: list[tuple[str, str]] = [
    (r"ngan sach nha nuoc|ngan sach dia phuong|von dau tu phat trien|kinh phi su nghiep", "state_budget"),
    (r"long ghep", "program_integration"),
    (r"tai tro|vien tro", "sponsorship_aid"),
    (r"xa hoi hoa", "socialization"),
    (r"hop phap khac", "other_lawful"),
    (
        r"nguon thu (?:su nghiep|cua (?:cac )?(?:co quan|don vi)|hop phap cua (?:cac )?co quan)"
        r"|quy phat trien hoat dong su nghiep",
        "agency_revenue",
    ),
    (r"da duoc .*giao tai quyet dinh", "allocated_budget"),
]
LEGAL_RE = re.compile(
    r"(?:(Quyết định|Nghị quyết|Chỉ thị|Kế hoạch|Thông tư|Nghị định|Luật)\s+(?:số\s+)?|\b[Ss]ố\s+)"
    r"(\d+[\w.-]*/(?:\d{4}/)?[\wĐđ]+(?:-[\wĐđ]+)*)\s+ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})"
    r"(?:\s+của\s+([^,;.]*?)(?=\s+(?:về|phê duyệt|ban hành|triển khai|Phê duyệt)\b|[,;.]|$))?"
)

# A task named in the body: its numbered item, then its labelled lines (role, then the pattern of the label).
BODY_TASK_ITEM_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
BODY_TASK_LABELS = [
    ("lead", r"(?:cơ quan|đơn vị) chủ trì"),
    ("coordinating", r"(?:cơ quan|đơn vị) phối hợp"),
    ("time_frame", r"thời gian(?: thực hiện| hoàn thành)?|thời hạn(?: hoàn thành)?|tiến độ(?: thực hiện)?"),
    ("deliverable", r"sản phẩm|kết quả(?:,? sản phẩm)?"),
]
BODY_TASK_LABEL_RE = re.compile(
    r"^[-–+•*]?\s*(" + "|".join(pattern for _, pattern in BODY_TASK_LABELS) + r")\s*:\s*(\S.*?)\s*[.;]?$", re.I
)
PAGE_NUMBER_LINE_RE = re.compile(r"^\d{1,3}$")


class FactExtractor:
    """Extracts every kind of fact from one plan (see the module docstring)."""

    def run(self, plan: PlanText) -> list[Fact]:
        self.plan = plan
        self.counter = 0
        self.declared = declared_aliases(plan.text)
        facts: list[Fact] = []
        facts += self._body_targets()
        for table in plan.structure.tables:
            if table.kind == "targets":
                facts += self._table_targets(table)
            elif "content" in table.columns and (
                {"lead", "coordinating"} & set(table.columns) or any(r.group_lead for r in table.rows)
            ):
                facts += self._tasks(table)
        if not any(f.kind == "task" for f in facts):  # no assignment table: tasks may name their units in the body
            facts += self._body_tasks()
        facts += self._reporting_deadlines()
        facts += self._responsibilities()
        facts += self._funding()
        facts += self._legal_basis()
        mark_conflicts(facts)
        return facts

    # -- helpers -------------------------------------------------------------------------------------
    def _fact(self, kind: str, section: str, origin: str, start: int, end: int, **fields: Any) -> Fact:
        self.counter += 1
        return Fact(
            id=f"{self.plan.plan_id}:{kind}:{self.counter}",
            plan_id=self.plan.plan_id,
            province=self.plan.province,
            kind=kind,
            section=section,
            origin=origin,
            start=start,
            end=end,
            quote=self.plan.text[start:end],
            **fields,
        )

    # -- targets -------------------------------------------------------------------------------------
    def _body_targets(self) -> list[Fact]:
        facts: list[Fact] = []
        for block in self.plan.structure.blocks:
            if block.section_kind != "targets" or block.kind not in {"bullet", "paragraph"}:
                continue
            facts += self._targets_in_block(block, _year_of(block))
        return facts

    def _targets_in_block(self, block: Block, section_year: int | None) -> list[Fact]:
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
                        self._fact(
                            "target",
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
                            self._fact(
                                "target",
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
                    self._fact(
                        "target",
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

    def _table_targets(self, table: Table) -> list[Fact]:
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
                    self._fact(
                        "target",
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

    # -- tasks ---------------------------------------------------------------------------------------
    def _tasks(self, table: Table) -> list[Fact]:
        facts: list[Fact] = []
        for row in table.rows:
            cells = assign_cells(row, table.columns)
            content = cells.get("content")
            if content is None:
                continue
            lead = cells.get("lead") or (Cell(row.group_lead, row.start, row.start) if row.group_lead else None)
            from_group = "lead" not in cells and row.group_lead and row.group_span is not None
            coordinating = cells.get("coordinating")
            time_cell = cells.get("time_frame")
            facts.append(
                self._task(
                    " › ".join(table.section_path),
                    "appendix",
                    row.start,
                    row.end,
                    number=row.number,
                    content=content.text,
                    lead=lead.text if lead else "",
                    coordinating=coordinating.text if coordinating else "",
                    time_frame=time_cell.text if time_cell else "",
                    deliverable=cells["deliverable"].text if "deliverable" in cells else "",
                    parent=row.parent,
                    qualifiers={"lead_span": list(row.group_span)} if from_group else {},
                )
            )
        return facts

    def _task(
        self,
        section: str,
        origin: str,
        start: int,
        end: int,
        *,
        number: str,
        content: str,
        lead: str,
        coordinating: str,
        time_frame: str,
        deliverable: str,
        parent: str,
        qualifiers: dict[str, Any] | None = None,
    ) -> Fact:
        """A task fact from its written cells: the units split (declared abbreviations expanded), the time frame
        classified; the written texts kept as the evidence check reads them."""
        kind, start_year, end_year = classify_time_frame(time_frame)
        return self._fact(
            "task",
            section,
            origin,
            start,
            end,
            number=number,
            content=content,
            lead_units=[u.name for u in split_units(lead, self.declared)] if lead else [],
            lead_units_original=lead,
            coordinating_units=[u.name for u in split_units(coordinating, self.declared)] if coordinating else [],
            coordinating_units_original=coordinating,
            deliverable=deliverable,
            time_frame=time_frame,
            time_frame_kind=kind,
            start_year=start_year,
            end_year=end_year,
            parent=parent,
            qualifiers=qualifiers or {},
        )

    def _body_tasks(self) -> list[Fact]:
        """Tasks of a plan without an assignment table that name their units in the body: a numbered item of the
        tasks part ("2.1. Phát triển …") followed by labelled lines ("- Cơ quan chủ trì: …", "- Cơ quan phối hợp:
        …", "- Thời gian thực hiện: …", "- Sản phẩm: …"). The quote runs from the item's heading to its last label."""
        facts: list[Fact] = []
        item: dict[str, Any] | None = None

        def close() -> None:
            if item and item.get("lead"):
                number = item["number"]
                facts.append(
                    self._task(
                        item["section"],
                        "body",
                        item["start"],
                        item["end"],
                        number=number,
                        content=collapse_spaces(" ".join(item["content"])),
                        lead=item["lead"],
                        coordinating=item.get("coordinating", ""),
                        time_frame=item.get("time_frame", ""),
                        deliverable=item.get("deliverable", ""),
                        parent=number.rsplit(".", 1)[0] if "." in number else "",
                    )
                )

        for block in self.plan.structure.blocks:
            if block.section_kind != "tasks":
                continue
            text = collapse_spaces(block.text)
            numbered = BODY_TASK_ITEM_RE.match(text) if block.kind == "heading" else None
            if numbered:
                close()
                item = {"number": numbered.group(1), "content": [numbered.group(2)], "section": block.section,
                        "start": block.start, "end": block.end, "open": not text.endswith((".", ":", ";"))}
                continue
            if item is None:
                continue
            label = BODY_TASK_LABEL_RE.match(text)
            if label:
                role = next(role for role, pattern in BODY_TASK_LABELS if re.match(pattern, label.group(1), re.I))
                item[role] = label.group(2).strip()
                item["end"] = block.start + len(block.text.rstrip(" .;"))
                item["open"] = False
            elif item["open"] and block.kind == "paragraph" and not PAGE_NUMBER_LINE_RE.match(text):
                item["content"].append(text.rstrip(" ."))  # the item's title, continued on the next line
        close()
        return facts

    # -- reporting deadlines -------------------------------------------------------------------------
    def _reporting_deadlines(self) -> list[Fact]:
        """Every deadline of every report: "trước ngày 15/12 (hằng năm)", "trước ngày 31/10/2025" (once),
        "trước ngày 20 của tháng cuối quý" (quarterly), "khi có yêu cầu" (on request); several per sentence."""
        facts: list[Fact] = []
        for block in self.plan.structure.blocks:
            if block.kind in {"title", "footnote", "table"} or block.section_kind in {"recipients", "appendix"}:
                continue
            if block.kind == "heading" and block.level == 1:
                continue
            for s_start, s_end in _sentences(block.text):
                sentence = block.text[s_start:s_end]
                lowered = sentence.lower()
                if "báo cáo" not in lowered and "gửi" not in lowered:
                    continue
                mentions = _deadline_mentions(sentence)
                previous: dict[str, str] = {}
                for n in range(len(mentions)):
                    fact = self._deadline(block, sentence, s_start, s_end, mentions, n, previous)
                    if fact is not None:
                        facts.append(fact)
        return facts

    def _deadline(
        self,
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
        reporter = self._reporter(block, sentence, mention.start)
        begin = max(segment_start, clause_start)
        recipient = mention.requested_by or _recipient(sentence, begin, mention, self.declared)
        if not recipient and n:
            recipient = previous.get("recipient", "")
        elif not recipient:
            recipient = _recipient(sentence, 0, mention, self.declared, after=True)
        via_match = re.search(r"\(qua\s+([^)]+)\)", sentence[segment_start : mention.start]) or (
            re.search(r"\(qua\s+([^)]+)\)", sentence) if not n else None
        )
        via = canonical_unit(via_match.group(1), self.declared) if via_match else previous.get("via", "")
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
        return self._fact(
            "reporting_deadline",
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
            forward_to=", ".join(canonical_unit(u, self.declared) for u in forward.group(1).split(", "))
            if forward
            else "",
        )

    def _reporter(self, block: Block, sentence: str, before: int) -> str:
        """Who reports: the sentence's subject when it names units, else "các cơ quan, đơn vị …", else the unit
        whose duties the sentence is in."""
        subject = _subject(sentence)
        if subject:
            return canonical_unit(subject, self.declared)
        lowered = sentence.lower()
        reporter_match = REPORTER_RE.search(sentence)
        if reporter_match and reporter_match.start() < lowered.find("báo cáo", 0, max(before, 1) + 40):
            return canonical_unit(reporter_match.group(1), self.declared)
        return _unit_of_section(block, self.declared)

    # -- responsibilities ----------------------------------------------------------------------------
    def _responsibilities(self) -> list[Fact]:
        facts: list[Fact] = []
        blocks = [b for b in self.plan.structure.blocks if b.section_kind == "organization"]
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if block.kind != "heading" or block.level != 2:
                i += 1
                continue
            heading = re.sub(r"^\d{1,2}[.,]\s*", "", block.text).strip()
            unit_text, _, inline = heading.partition(": ")
            # "Các sở: Tài chính, Kế hoạch và Đầu tư" names units after the colon; otherwise it holds duties.
            names_units = re.fullmatch(r"các sở", unit_text.strip(), re.IGNORECASE) is not None
            if inline and not names_units:
                duties_parts = [(block.start + block.text.index(inline), block.end)]
            else:
                unit_text, duties_parts = heading.rstrip(":"), []
                if inline:
                    unit_text = heading
            j = i + 1
            while j < len(blocks) and not (blocks[j].kind == "heading" and blocks[j].level <= 2):
                if not blocks[j].text.rstrip().endswith("./."):
                    duties_parts.append((blocks[j].start, blocks[j].end))
                j += 1
            units = _units_of_heading(unit_text, self.declared, self.plan.text)
            if units and duties_parts:
                start, end = block.start, duties_parts[-1][1]
                duties = "\n".join(self.plan.text[a:b] for a, b in duties_parts)
                for name, original in units:
                    facts.append(
                        self._fact(
                            "responsibility",
                            block.section,
                            "body",
                            start,
                            end,
                            responsible_unit=name,
                            unit_original=original,
                            duties=duties,
                        )
                    )
            i = j
        return facts

    # -- funding -------------------------------------------------------------------------------------
    def _funding(self) -> list[Fact]:
        facts: list[Fact] = []
        seen: set[str] = set()
        for block in self.plan.structure.blocks:
            if block.section_kind != "funding" or block.kind == "heading" and block.level == 1:
                continue
            for c_start, c_end in _clauses(block.text):
                clause = block.text[c_start:c_end]
                folded = fold(clause)
                for pattern, code in FUNDING_SOURCES:
                    if re.search(pattern, folded) and code not in seen:
                        seen.add(code)
                        facts.append(
                            self._fact(
                                "funding",
                                block.section,
                                "body",
                                block.start + c_start,
                                block.start + c_end,
                                source=code,
                                value_text=collapse_spaces(clause.strip(" -.")),
                            )
                        )
        return facts

    # -- legal basis ---------------------------------------------------------------------------------
    def _legal_basis(self) -> list[Fact]:
        facts: list[Fact] = []
        seen: set[str] = set()
        for block in self.plan.structure.blocks:
            if block.kind == "title" and block.section_kind == "appendix":
                continue
            for match in LEGAL_RE.finditer(block.text):
                number = match.group(2)
                if number in seen:
                    continue
                seen.add(number)
                day, month, year = (int(match.group(k)) for k in (3, 4, 5))
                doc_type = match.group(1) or _doc_type_of(number)
                issuer = collapse_spaces(match.group(6) or "") or _issuer_of(number)
                rest = block.text[match.end() :]
                about = re.match(
                    r"\s*(?:của [^,;]*?\s+)?((?:về|phê duyệt|ban hành|triển khai|Phê duyệt)\b[^;]*?)(?:[;.]\s|[;.]?$)",
                    rest,
                )
                subject = collapse_spaces(about.group(1)).rstrip(" ,") if about else ""
                # the quote runs to the end of the subject, so that everything the answer says about it is quoted
                end = match.end() + (len(about.group(1).rstrip(" ,")) + about.start(1) if about else 0)
                facts.append(
                    self._fact(
                        "legal_basis",
                        block.section,
                        "footnote" if block.kind == "footnote" else "body",
                        block.start + match.start(),
                        block.start + end,
                        doc_type=doc_type,
                        doc_number=number,
                        doc_date=f"{year:04d}-{month:02d}-{day:02d}",
                        issuer=canonical_unit(issuer) if issuer else "",
                        value_text=number,
                        subject=subject,
                    )
                )
        return facts


DOC_TYPE_CODES = {
    "QĐ": "Quyết định",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "KH": "Kế hoạch",
    "TT": "Thông tư",
    "NĐ": "Nghị định",
}
ISSUER_CODES = {
    "TTg": "Thủ tướng Chính phủ",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "UBND": "Ủy ban nhân dân tỉnh",
    "TU": "Tỉnh ủy",
    "CP": "Chính phủ",
}


def _doc_type_of(number: str) -> str:
    """Document type from the code in its number: 781/QĐ-BTTTT → Quyết định."""
    for code, name in DOC_TYPE_CODES.items():
        if re.search(rf"[/-]{code}\b", number):
            return name
    return ""


def _issuer_of(number: str) -> str:
    """Issuer from the code in a document number: 781/QĐ-BTTTT → Bộ Thông tin và Truyền thông."""
    suffix = number.rsplit("-", 1)[-1] if "-" in number.split("/", 1)[-1] else ""
    return ISSUER_CODES.get(suffix, "")


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


def classify_time_frame(text: str) -> tuple[str, int | None, int | None]:
    """Kind of a time frame as written, with start/end years when it names them.

    Kinds: range (2024-2025), year (Năm 2024), quarter (Quý IV/2023), ongoing (Thường xuyên), yearly (Hằng
    năm, Trước ngày 30/6 hằng năm), periodic (Định kỳ 6 tháng), deadline (Trước ngày 31/10/2025),
    after_guidance (Sau khi / Khi có hướng dẫn …), on_request (Khi có yêu cầu), other.
    """
    if not text:
        return "", None, None
    folded = collapse_spaces(fold(text)).strip(" .;,")
    match = re.fullmatch(r"(?:(?:nam|giai doan|tu nam)\s+)?(\d{4})\s*[-–]\s*(?:nam\s+)?(\d{4})", folded)
    if match:
        return "range", int(match.group(1)), int(match.group(2))
    match = re.fullmatch(r"(?:(?:nam|trong nam|den nam)\s+)?(\d{4})", folded)
    if match:
        return "year", int(match.group(1)), int(match.group(1))
    match = re.fullmatch(r"quy\s+[ivx1-4]+\s*(?:/|nam)\s*(\d{4})", folded)
    if match:
        return "quarter", int(match.group(1)), int(match.group(1))
    if folded.startswith("thuong xuyen"):
        return "ongoing", None, None
    if folded.startswith(("sau khi", "khi co huong dan")):
        return "after_guidance", None, None
    if folded.startswith("khi co"):
        return "on_request", None, None
    if folded.startswith("dinh ky"):
        return "periodic", None, None
    if folded.startswith(("hang nam", "hang quy")) or re.search(r"\bhang nam\b", folded):
        return "yearly", None, None
    match = re.fullmatch(r"truoc ngay \d{1,2}\s*/\s*\d{1,2}\s*/\s*(\d{4})", folded)
    if match:
        return "deadline", int(match.group(1)), int(match.group(1))
    return "other", None, None


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
    from assistant.ingest.tables import looks_like_units

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
    from assistant.domain.units import is_unit_name

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


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])|\./\.", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _clauses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r";", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a] in " -–":
            a += 1
        if a < b:
            out.append((a, b))
    return out


def _unit_of_section(block: Block, declared: dict[str, str] | None = None) -> str:
    for title in reversed(block.section_path):
        name = re.sub(r"^\d{1,2}[.,]\s*", "", title)
        units = _units_of_heading(name, declared)
        if units:
            return units[0][0]
    return ""


def _units_of_heading(text: str, declared: dict[str, str] | None = None, plan_text: str = "") -> list[tuple[str, str]]:
    """Units named by a heading under TỔ CHỨC THỰC HIỆN ('Các sở: Tài chính, Kế hoạch và Đầu tư' → two)."""
    from assistant.ingest.tables import proper_case

    text = re.sub(r"^(?:Đề nghị|Đe nghị)\s+", "", text.strip()).rstrip(":")
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)  # "… (SỞ TTTT)": the abbreviation it declares
    text = proper_case(text, plan_text)  # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" as the plan writes it elsewhere
    from assistant.domain.units import UNIT_HEADS

    group = re.match(r"^Các sở:\s*(.+)$", text)
    if group:
        names = [n.strip() for n in group.group(1).split(",") if n.strip()]
        return [(canonical_unit(n if n.startswith("Sở") else f"Sở {n}"), n) for n in names]
    units = split_units(text, declared)
    if not units or not all(
        any(u.original.startswith(h) or u.name.startswith(h) for h in UNIT_HEADS) or fold(u.name).startswith("cac ")
        for u in units
    ):
        return []
    return [(u.name, u.original) for u in units]


def mark_conflicts(facts: list[Fact]) -> None:
    """Give targets that disagree (same plan, indicator, year, unit and qualifier; other value) a shared group."""
    groups: dict[tuple, list[Fact]] = {}
    for fact in facts:
        if fact.kind != "target" or fact.value is None:
            continue
        key = (
            fact.plan_id,
            fact.indicator,
            fact.year,
            fact.unit,
            fact.qualifiers.get("min_revenue_growth_pct"),
        )
        groups.setdefault(key, []).append(fact)
    for key, members in groups.items():
        if len({m.value for m in members}) > 1:
            group_id = f"{key[0]}:{key[1]}:{key[2]}"
            for member in members:
                member.conflict_group = group_id


def indicator_label(code: str) -> str:
    indicator = BY_CODE.get(code)
    return indicator.label_vi if indicator else code


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
