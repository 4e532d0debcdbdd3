"""Plan metadata read from the plan's own text: province, title, number, date, issuing body, signer, legal basis.

Where the template puts them: the header ("ỦY BAN NHÂN DÂN TỈNH …", "Số: 270/KH-UBND", "…, ngày 01 tháng 8
năm 2023"), the title under "KẾ HOẠCH", the preamble ("Thực hiện/Căn cứ Quyết định số …"), the signature block
("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" and the name), and the appendix line "(Kèm theo Kế hoạch
số …/KH-UBND ngày …)". A field the text leaves blank ("Số:      /KH-UBND", "ngày    tháng   năm 2023") stays
blank and is listed in ``blank``; it is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.provinces import PROVINCES

NUMBER_RE = re.compile(r"\b[Ss]ố\s*:?\s*(\d+[\w.]*/(?:\d{4}/)?[A-ZĐa-zđ]+(?:-[A-ZĐa-zđ0-9]+)*)")
BLANK_NUMBER_RE = re.compile(r"\b[Ss]ố\s*:?\s*/\s*[A-ZĐ]+-")
DATE_WORDS_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
DATE_SLASH_RE = re.compile(r"ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", re.IGNORECASE)
ATTACHED_RE = re.compile(r"kèm theo kế hoạch", re.IGNORECASE)
SIGNER_TITLES = (("pho chu tich", "Phó Chủ tịch"), ("chu tich", "Chủ tịch"))
_NAME_WORD_RE = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+$")
_PREAMBLE_STARTS = ("thuc hien", "can cu", "trien khai", "de trien khai", "nham")
_LEGAL_RE = re.compile(
    r"(?:(Quyết định|Nghị quyết|Chỉ thị|Kế hoạch|Thông tư|Nghị định|Luật)\s+(?:số\s+)?|\b[Ss]ố\s+)"
    r"(\d+[\w.-]*/(?:\d{4}/)?[\wĐđ]+(?:-[\wĐđ]+)*)\s+ngày\s+(\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|[\d/]+)"
    r"(?:\s+của\s+([^,;.]*?)(?=\s+(?:về|phê duyệt|ban hành|triển khai|Phê duyệt)\b|[,;.]|$))?"
)
_DOC_CODES = {"QĐ": "Quyết định", "NQ": "Nghị quyết", "CT": "Chỉ thị", "KH": "Kế hoạch", "TT": "Thông tư"}
METADATA_FIELDS = ("province", "title", "plan_number", "issue_date", "issuing_body", "signer", "legal_basis")


@dataclass
class TextMetadata:
    """What the text says; ``blank`` names fields the text leaves blank or does not have."""

    province: str = ""
    title: str = ""
    plan_number: str = ""
    issue_date: str = ""
    issuing_body: str = ""
    signer: str = ""  # "Name, Title" as in the manifest
    signer_name: str = ""
    signer_title: str = ""
    legal_basis: tuple[str, ...] = ()
    blank: list[str] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n")]


def find_province(text: str) -> str:
    """The province of a plan: "trên địa bàn tỉnh X", the header "ỦY BAN NHÂN DÂN TỈNH X", else the first named."""
    folded = fold(text[:6000])
    by_length = sorted(PROVINCES, key=len, reverse=True)
    for pattern in (r"tren dia ban (?:tinh|thanh pho) ", r"uy ban nhan dan (?:tinh|thanh pho) ", r"\btinh "):
        best: tuple[int, str] | None = None
        for province in by_length:
            match = re.search(pattern + re.escape(fold(province)) + r"\b", folded)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), province)
        if best:
            return best[1]
    return ""


def _iso(day: str, month: str, year: str) -> str:
    d, m, y = int(day), int(month), int(year)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return ""
    return f"{y:04d}-{m:02d}-{d:02d}"


def _header_lines(lines: list[str]) -> list[str]:
    """Lines before the title's "KẾ HOẠCH" (the header), or the first 12 lines."""
    for i, line in enumerate(lines[:40]):
        if fold(line).strip(" *#").startswith(("ke hoach", "ké hoach")) and line.upper() == line:
            return lines[:i]
    return lines[:12]


def _title(lines: list[str]) -> str:
    start = next(
        (
            i
            for i, line in enumerate(lines[:40])
            if fold(line).strip(" *#") in {"ke hoach", "ké hoach"}
            or (line.isupper() and fold(line).startswith("ke hoach"))
        ),
        None,
    )
    if start is None:
        return ""
    parts: list[str] = []
    for line in lines[start + 1 : start + 8]:
        folded = fold(line).strip(" *#")
        if not line:
            if parts and parts[-1].endswith((".", ":")):
                break
            continue
        if _is_preamble(line, folded, first=not parts) or re.match(r"^[IVX]{1,4}\.\s", line) or line.startswith("-"):
            break
        parts.append(line.strip(" *#"))
    return collapse_spaces(" ".join(parts)).strip(" .;:-–")


def _is_preamble(line: str, folded: str, first: bool) -> bool:
    """The sentence after the title that cites the plan's bases ("Căn cứ …", "Thực hiện Quyết định số …")."""
    if folded.startswith(("can cu ", "xet de nghi", "theo de nghi")):
        return True
    if re.search(r"\bsố\s+\d+", line[:120]) or re.search(r"\d+/[A-ZĐ]", line[:120]):
        return True
    return not first and folded.startswith(_PREAMBLE_STARTS)


def _number_and_date(lines: list[str]) -> tuple[str, str, bool, bool]:
    """Plan number and ISO date from the header, else from the appendix's "Kèm theo Kế hoạch số …" line.

    Returns (number, date, number_blank, date_blank): blank means the text has the field with no value.
    """
    number = date = ""
    number_blank = date_blank = False
    header = _header_lines(lines)
    for line in header:
        match = NUMBER_RE.search(line)
        if match and not number:
            number = match.group(1)
        elif BLANK_NUMBER_RE.search(line) or re.match(r"^[Ss]ố\s*:\s*$", line):
            number_blank = True
        date = date or next((_iso(*m.groups()) for m in [DATE_WORDS_RE.search(line)] if m), "")
        if re.search(r"ngày\s+tháng\s+năm", line, re.IGNORECASE):
            date_blank = True
    for line in lines:
        if not ATTACHED_RE.search(line):
            continue
        if not number:
            match = NUMBER_RE.search(line)
            if match:
                number = match.group(1)
            elif re.search(r"số\s*/", line, re.IGNORECASE):
                number_blank = True
        if not date:
            match = DATE_WORDS_RE.search(line) or DATE_SLASH_RE.search(line)
            if match:
                date = _iso(*match.groups())
            elif "ngày" in line:
                date_blank = True
    return number, date, number_blank and not number, date_blank and not date


_SIGN_HEAD_RE = re.compile(r"(?:^|\s)TM\.\s*(?:ỦY BAN|UỶ BAN|UBND)", re.IGNORECASE)
_SIGN_TITLE_RE = re.compile(r"(?<!KT\. )(?<!KT\.)\b(PHÓ CHỦ TỊCH|CHỦ TỊCH)\s*$")
_NAME_TAIL_RE = re.compile(r"(?:^|[;:]\s*|\s{2,}|\*\*)([^\s;:*]+(?:\s[^\s;:*]+){1,4})\s*\**$")


def _person_name(text: str) -> str:
    """A person's name (2 to 5 capitalized words) at the end of a line, else ""."""
    match = _NAME_TAIL_RE.search(text.strip())
    if not match:
        return ""
    candidate = match.group(1).strip()
    words = candidate.split()
    if 2 <= len(words) <= 5 and all(_NAME_WORD_RE.match(w) for w in words):
        return candidate
    return ""


def _signature(lines: list[str]) -> tuple[str, str]:
    """(name, title) from the signature block "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / name".

    The block may share its lines with the list of recipients printed beside it ("- Sở …; KT. CHỦ TỊCH").
    """
    for i in range(len(lines) - 1, -1, -1):
        if not _SIGN_HEAD_RE.search(lines[i].replace("*", "")):
            continue
        title = ""
        k = i
        for j in range(i, min(len(lines), i + 6)):
            match = _SIGN_TITLE_RE.search(lines[j].replace("*", "").rstrip())
            if match:
                title = SIGNER_TITLES[0][1] if match.group(1).startswith("PHÓ") else SIGNER_TITLES[1][1]
                k = j
        name = ""
        for line in lines[k + 1 : k + 40]:
            if fold(line).startswith("phu luc"):
                break
            line = re.sub(r"\s+\d{1,3}$", "", line.replace("*", " ").rstrip())  # a page number joined to the name
            name = _person_name(line)
            if name:
                break
        return name, title
    return "", ""


def _legal_basis(text: str) -> tuple[str, ...]:
    """Documents the preamble (and its footnotes) cites as the plan's basis, as written."""
    lines = _lines(text)
    out: list[str] = []
    preamble: list[str] = []
    for line in lines:
        if re.match(r"^[IVX]{1,4}\.\s", line):
            break
        preamble.append(line)
    joined = collapse_spaces(" ".join(preamble))
    numbers: set[str] = set()
    for match in _LEGAL_RE.finditer(joined):
        doc_type, number, date, issuer = match.groups()
        doc_type = doc_type or next((name for code, name in _DOC_CODES.items() if f"/{code}" in number), "Văn bản")
        if number in numbers:
            continue
        numbers.add(number)
        cited = f"{doc_type} số {number} ngày {date}"
        if issuer:
            cited += f" của {collapse_spaces(issuer)}"
        out.append(cited)
    return tuple(out)


def read_metadata(text: str) -> TextMetadata:
    """Metadata of a plan from its layout-repaired text (see the module docstring)."""
    lines = _lines(text)
    meta = TextMetadata()
    meta.province = find_province(text)
    meta.title = _title(lines)
    meta.plan_number, meta.issue_date, number_blank, date_blank = _number_and_date(lines)
    header = " ".join(_header_lines(lines))
    folded_header = fold(header)
    issued_by_committee = (
        "uy ban nhan dan" in folded_header
        or "ubnd" in folded_header
        or re.search(r"(?:uy ban nhan dan|ubnd) t\w+ (?:\w+ )?ban hanh", fold(text[:5000]))
        or re.search(r"^tm\. (uy ban nhan dan|ubnd)", fold(text), re.MULTILINE)
    )
    if meta.province and issued_by_committee:
        meta.issuing_body = f"Ủy ban nhân dân tỉnh {meta.province}"
    meta.signer_name, meta.signer_title = _signature(lines)
    if meta.signer_name:
        meta.signer = f"{meta.signer_name}, {meta.signer_title}" if meta.signer_title else meta.signer_name
    meta.legal_basis = _legal_basis(text)
    for name in METADATA_FIELDS:
        if not getattr(meta, name):
            meta.blank.append(name)
    _ = number_blank, date_blank
    return meta
