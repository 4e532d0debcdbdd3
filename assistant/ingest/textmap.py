"""Edits on a text and the offset map they leave behind, so a quote in a cleaned text points back to the raw file.

Every cleaning stage (OCR repair, layout repair) describes its work as a list of :class:`Edit` on its input.
:func:`apply_edits` produces the new text and an :class:`OffsetMap` from each character of the new text to
a character of the input; maps of successive stages compose, so a span in the final text can always be
traced to the raw text.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement``; ``reason`` says which rule made the edit."""

    start: int
    end: int
    replacement: str
    reason: str = ""


class OffsetMap:
    """Maps offsets of an output text to offsets of its input text.

    ``positions[i]`` is the input offset where output character ``i`` starts and ``ends[i]`` the input
    offset where it ends (the last character of a replacement ends where the replaced text ends); one
    extra entry in ``positions`` maps the end of the output to the end of the input.
    """

    def __init__(self, positions: array, ends: array) -> None:
        self.positions = positions
        self.ends = ends

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls(array("i", range(length + 1)), array("i", range(1, length + 1)))

    def __len__(self) -> int:
        return len(self.ends)

    def to_input(self, offset: int) -> int:
        """Input offset of output ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.positions) - 1))
        return self.positions[offset]

    def span_to_input(self, start: int, end: int) -> tuple[int, int]:
        """Input span covering output ``[start, end)``."""
        if end <= start or not self.ends:
            point = self.to_input(start)
            return point, point
        return self.to_input(start), self.ends[min(end, len(self.ends)) - 1]

    def then(self, later: OffsetMap) -> OffsetMap:
        """Compose: ``later`` maps a newer text onto this map's output; the result maps it onto our input."""
        positions = array("i", (self.positions[p] for p in later.positions))
        ends = array("i", (self.ends[e - 1] if e > 0 else self.positions[0] for e in later.ends))
        return OffsetMap(positions, ends)


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, OffsetMap]:
    """Apply non-overlapping edits; return the new text and its map back to ``text``.

    Characters of a replacement map to the start of the span they replace (spread over it when the
    lengths allow), so a quote that covers a repaired word maps onto the raw word.
    """
    pieces: list[str] = []
    positions = array("i")
    ends = array("i")
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor:
            raise ValueError(f"overlapping edits at {edit.start}: {edit}")
        pieces.append(text[cursor : edit.start])
        positions.extend(range(cursor, edit.start))
        ends.extend(range(cursor + 1, edit.start + 1))
        pieces.append(edit.replacement)
        size = len(edit.replacement)
        width = edit.end - edit.start
        for i in range(size):
            start = edit.start + (i * width) // size
            positions.append(min(start, max(edit.end - 1, edit.start)))
            ends.append(edit.end if i == size - 1 else max(edit.start + ((i + 1) * width) // size, start + 1))
        cursor = edit.end
    pieces.append(text[cursor:])
    positions.extend(range(cursor, len(text)))
    ends.extend(range(cursor + 1, len(text) + 1))
    positions.append(len(text))
    return "".join(pieces), OffsetMap(positions, ends)


class TextBuilder:
    """Builds a new text from pieces of a source text (in any order) and literal insertions, keeping the map."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._pieces: list[str] = []
        self._positions = array("i")
        self._ends = array("i")

    def copy(self, start: int, end: int) -> None:
        """Append ``source[start:end]``."""
        if end <= start:
            return
        self._pieces.append(self.source[start:end])
        self._positions.extend(range(start, end))
        self._ends.extend(range(start + 1, end + 1))

    def insert(self, text: str, at: int) -> None:
        """Append ``text`` that has no source of its own; it maps to the point ``at`` of the source."""
        for _ in text:
            self._positions.append(at)
            self._ends.append(at)
        self._pieces.append(text)

    def endswith(self, suffix: str) -> bool:
        return bool(self._pieces) and "".join(self._pieces[-3:]).endswith(suffix)

    def build(self) -> tuple[str, OffsetMap]:
        positions = array("i", self._positions)
        positions.append(len(self.source))
        return "".join(self._pieces), OffsetMap(positions, array("i", self._ends))
