"""Edits and offset maps: a span in a cleaned text maps back onto the raw text, through several stages."""

from __future__ import annotations

from assistant.ingest.textmap import Edit, TextBuilder, apply_edits


def test_replacement_maps_to_the_replaced_span() -> None:
    raw = "triển khai ứiực hiện"
    text, offsets = apply_edits(raw, [Edit(11, 15, "thực")])
    assert text == "triển khai thực hiện"
    assert raw[slice(*offsets.span_to_input(11, 15))] == "ứiực"


def test_maps_compose_across_stages() -> None:
    raw = "a ừong b"
    first, first_map = apply_edits(raw, [Edit(2, 3, "tr")])
    builder = TextBuilder(first)
    builder.copy(2, 7)
    second, second_map = builder.build()
    assert second == "trong"
    composed = first_map.then(second_map)
    assert raw[slice(*composed.span_to_input(0, len(second)))] == "ừong"


def test_overlapping_edits_are_rejected() -> None:
    try:
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    except ValueError:
        return
    raise AssertionError("overlapping edits accepted")
