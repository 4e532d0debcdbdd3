"""Helpers on plan text that several extractors share: sentences, clauses, and the units a heading names."""

from __future__ import annotations

import re

from assistant.domain.normalize import fold
from assistant.domain.units import UNIT_HEADS, canonical_unit, split_units
from assistant.ingest.structure import Block
from assistant.ingest.tables import proper_case


def sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])|\./\.", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def clauses(text: str) -> list[tuple[int, int]]:
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


def unit_of_section(block: Block, declared: dict[str, str] | None = None) -> str:
    for title in reversed(block.section_path):
        name = re.sub(r"^\d{1,2}[.,]\s*", "", title)
        units = units_of_heading(name, declared)
        if units:
            return units[0][0]
    return ""


def units_of_heading(text: str, declared: dict[str, str] | None = None, plan_text: str = "") -> list[tuple[str, str]]:
    """Units named by a heading under TỔ CHỨC THỰC HIỆN ('Các sở: Tài chính, Kế hoạch và Đầu tư' → two)."""
    text = re.sub(r"^(?:Đề nghị|Đe nghị)\s+", "", text.strip()).rstrip(":")
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)  # "… (SỞ TTTT)": the abbreviation it declares
    text = proper_case(text, plan_text)  # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" as the plan writes it elsewhere
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
