"""The quantity a question asks for: a sum of money, or a count of something ("bao nhiêu người", "how many
journalists"); an answer must give that measure, not a share of something else."""

from __future__ import annotations

import re

MONEY_RE = re.compile(
    r"bao nhieu (?:tien|ty|trieu|dong)|ty dong|trieu dong|\bvnd\b"
    r"|how much(?! (?:more|higher|lower|less|greater|bigger))"
)
# "bao nhiêu lượt truy cập", "mấy người": a count, unless it counts shares or time ("bao nhiêu phần trăm", "mấy năm")
COUNT_VI_RE = re.compile(
    r"(?:bao nhieu|\bmay) (?!phan tram|ty le|%|diem|cho\b|cua\b|la\b|o\b|trong\b|thi\b|vao\b|den\b|voi\b|de\b"
    r"|duoc\b|khong\b|tu\b)([a-z]+(?: [a-z]+)?)"
)
COUNT_EN_RE = re.compile(r"how many ([a-z]+(?: [a-z]+)?)")
TIME_WORDS = frozenset("nam thang ngay lan giai doan quy tuan years months days times year".split())


def asked_quantity(folded: str, english: bool) -> tuple[str, str] | None:
    """("money", words) or ("count", the counted words), or None when the question asks for neither."""
    if m := MONEY_RE.search(folded):
        return "money", m.group(0)
    match = (COUNT_EN_RE if english else COUNT_VI_RE).search(folded)
    if match is None or match.group(1).split()[0] in TIME_WORDS:
        return None
    return "count", match.group(1)
