"""A plan as a document: its number and issue date, and who signed it (read from the plan's metadata and cited
at the "Số:" line or the signature block); a number or a signer the text leaves blank is said so."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import vi_date
from assistant.understanding import cues as C

# "Số:      /KH-UBND", "Kế hoạch số /KH-UBND ngày /11/2023" (an OCR'd "lạch so" too): a number left blank
BLANK_NUMBER_RE = re.compile(r"(?:Kế hoạch\s+)?[Ss][ốo]\s*:?\s*/\s*KH-[^\n]*")
# "ngày /11/2023", "ngày … tháng 11 năm 2023": a date whose day is left blank
PARTIAL_DATE_RE = re.compile(
    r"ngày\s*[./…]*\s*/\s*(\d{1,2})\s*/\s*(20\d\d)|ngày\s*[./…]*\s*tháng\s+(\d{1,2})\s+năm\s+(20\d\d)"
)
NUMBER_WORDS_RE = re.compile(r"so may|so hieu|\bso ky hieu|ke hoach so|ban hanh|ngay nao|plan number|issued|\bdated?\b")
DATE_WORDS_RE = re.compile(r"\bthang\b|\bnam\b|\bngay\b|khi nao|bao gio|\bwhen\b|\bmonth\b|\byear\b|\bdate\b")


class PlanMetadata(Route):
    name = "plan_metadata"
    templates = {
        "vi": {
            "plan_number": "Kế hoạch của {province} là Kế hoạch số {number}",
            "issued": ", ban hành ngày {date}",
            "number_blank": "Văn bản kế hoạch của {province} để trống số và ngày ban hành",
            "partial_date": "; văn bản ghi tháng {month} năm {year}",
            "signer": "Kế hoạch của {province} do {signer} ký",
            "no_signer": "Văn bản kế hoạch của {province} trong kho không có tên người ký.",
        },
        "en": {
            "plan_number": "The {province} plan is Plan No. {number}",
            "issued": ", issued on {date}",
            "number_blank": "The {province} plan leaves its number and issue date blank",
            "partial_date": "; it is dated {month}/{year}",
            "signer": "The {province} plan is signed by {signer}",
            "no_signer": "The {province} plan in the corpus carries no signer's name.",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked in {"plan_number", "signer"} else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        items, answered = [], False
        # "số mấy, ngày nào và ai ký?": every part the question asks, the number first
        wants_signer = frame.asked == "signer" or bool(C.SIGNER_RE.search(frame.folded))
        wants_number = frame.asked == "plan_number" or bool(NUMBER_WORDS_RE.search(frame.folded))
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            if wants_number:
                answered |= self._number(frame, plan, province, cite, items)
            if wants_signer:
                answered |= self._signer(frame, plan, province, cite, items)
        return Draft(
            "\n".join(items), "answered" if answered else "not_found", "facts", cite.items, [], states=frame.asked
        )

    def _signer(self, frame, plan, province, cite, items) -> bool:
        name = plan.meta.signer.split(",")[0].strip()
        position = plan.text.find(name) if name else -1
        if position < 0:
            items.append(self.t(frame, "no_signer", province=province))
            return False
        block_start = max(plan.text.rfind("TM.", 0, position), 0)
        marker = cite.cite(plan.id, block_start, position + len(name), "Người ký")
        items.append(self.t(frame, "signer", province=province, signer=plan.meta.signer) + f" {marker}")
        return True

    def _number(self, frame, plan, province, cite, items) -> bool:
        answered = False
        number = plan.meta.plan_number
        position = plan.text.find(number) if number else -1
        if position >= 0:
            line_end = plan.text.find("\n", position)
            marker = cite.cite(plan.id, plan.text.rfind("\n", 0, position) + 1, line_end, "Mở đầu")
            date = plan.meta.issue_date
            issued = self.t(frame, "issued", date=vi_date(date)) if date else ""
            items.append(self.t(frame, "plan_number", province=province, number=number) + issued + f" {marker}")
            answered = True
        else:
            blank = BLANK_NUMBER_RE.search(plan.text)
            marker = f" {cite.cite(plan.id, blank.start(), blank.end(), 'PHỤ LỤC')}" if blank else ""
            line = self.t(frame, "number_blank", province=province)
            month = PARTIAL_DATE_RE.search(blank.group(0)) if blank else None
            if month:  # "ngày /11/2023": the day is left blank, the month and year are written
                number, year = (month.group(1), month.group(2)) if month.group(1) else (month.group(3), month.group(4))
                line += self.t(frame, "partial_date", month=int(number), year=year)
                answered = answered or bool(DATE_WORDS_RE.search(frame.folded))
            items.append(line + marker + ".")
        return answered


ROUTE = PlanMetadata()
