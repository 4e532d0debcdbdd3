"""Word-level helpers shared by the answer routes: content words, overlap scores, sentence spans, dates."""

from __future__ import annotations

import re

STOP_WORDS = frozenset(
    """
    a about ai an and are bao by cac cho co cua de den do does duoc for gi hay hoac hoach how
    in is ke khong la mot nao nay nhieu nhu nhung noi o of plan province ra sao say says tai
    the thi tinh to trong tu va ve voi what when which who
    """.split()
)
DOCUMENT_NUMBER_RE = re.compile(r"\b\d+[\w.-]*/(?:\d{4}/)?[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*")


def content_words(folded: str, *provinces: str) -> set[str]:
    from assistant.domain.normalize import fold

    words = set(re.findall(r"[a-z0-9]+", folded)) - STOP_WORDS
    for province in provinces:
        words -= set(fold(province).split())
    return {w for w in words if len(w) > 1 or w.isdigit()}


def f1(question: set[str], text: set[str]) -> float:
    common = len(question & text)
    if not common:
        return 0.0
    precision, recall = common / len(text), common / len(question)
    return 2 * precision * recall / (precision + recall)


def overlap(question: set[str], text: set[str]) -> float:
    return len(question & text) / len(question) if question else 0.0


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences, bullets and lines of a passage, as spans (the pieces an answer may quote)."""
    spans = []
    for match in re.finditer(r"(?:[^\n.]|\.(?=\d|\w))+(?:\.(?!\d)|$)", text, flags=re.MULTILINE):
        start, end = match.start(), match.end()
        while start < end and text[start] in " -–\n":
            start += 1
        while end > start and text[end - 1] in " \n":
            end -= 1
        if end - start > 15:
            spans.append((start, end))
    return spans


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (within its line) that holds ``text[start:end]``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    for s_start, s_end in sentence_spans(text[line_start:line_end]):
        if line_start + s_start <= start < line_start + s_end:
            return line_start + s_start, max(line_start + s_end, end)
    return line_start, line_end


def document_pattern(number: str) -> re.Pattern:
    """A document number as plans write it, spaces or a line break allowed around "/" and "-"."""
    parts = re.split(r"\s*([/-])\s*", number.strip())
    return re.compile(
        r"(?<![\w/])" + "".join(r"\s*" + re.escape(x) + r"\s*" if x in "/-" else re.escape(x) for x in parts)
    )


def vi_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day):02d}/{int(month):02d}/{year}"


def lines(header: str, items: list[str]) -> str:
    """A header and a bulleted list (one item without a header is written alone)."""
    if len(items) == 1 and not header:
        return items[0]
    return "\n".join([header, *[f"- {x}" for x in items]]) if header else "\n".join(f"- {x}" for x in items)
