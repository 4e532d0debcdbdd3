"""Legal basis: the decisions, resolutions, directives and plans a plan cites with their number and date."""

from __future__ import annotations

import re

from assistant.domain.normalize import collapse_spaces
from assistant.domain.units import canonical_unit
from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.model import Fact

LEGAL_RE = re.compile(
    r"(?:(Quyết định|Nghị quyết|Chỉ thị|Kế hoạch|Thông tư|Nghị định|Luật)\s+(?:số\s+)?|\b[Ss]ố\s+)"
    r"(\d+[\w.-]*/(?:\d{4}/)?[\wĐđ]+(?:-[\wĐđ]+)*)\s+ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})"
    r"(?:\s+của\s+([^,;.]*?)(?=\s+(?:về|phê duyệt|ban hành|triển khai|Phê duyệt)\b|[,;.]|$))?"
)


class LegalBasisExtractor(Extractor):
    """Each document cited in the body or a footnote, once (the first citation of its number)."""

    kind = "legal_basis"

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        facts: list[Fact] = []
        seen: set[str] = set()
        for block in ctx.plan.structure.blocks:
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
                    ctx.fact(
                        self.kind,
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
