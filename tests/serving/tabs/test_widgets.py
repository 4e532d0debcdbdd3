"""The controls the view tabs share: the province filter and a download button without a file."""

from __future__ import annotations

import gradio as gr

from assistant.serving.tabs.common import ALL_PROVINCES
from assistant.serving.tabs.widgets import download_button, province_filter


def test_province_filter_offers_every_province_first_then_each_plan() -> None:
    with gr.Blocks():
        wide = province_filter(["Quảng Trị", "Lai Châu"], elem_id="x-province", scale=1)
        narrow = province_filter([], min_width=120)
    assert [value for _, value in wide.choices] == [ALL_PROVINCES, "Quảng Trị", "Lai Châu"]
    assert wide.value == ALL_PROVINCES and wide.label == "Tỉnh"
    assert (wide.elem_id, wide.scale, wide.min_width) == ("x-province", 1, 160)
    assert [value for _, value in narrow.choices] == [ALL_PROVINCES] and narrow.min_width == 120


def test_download_button_waits_for_its_file_unless_told_otherwise() -> None:
    with gr.Blocks():
        waiting = download_button("Tải CSV", elem_id="x-csv")
        ready = download_button("Tải lịch .ics", variant="primary", interactive=True)
    assert waiting.value is None and waiting.interactive is False and waiting.variant == "secondary"
    assert waiting.size == "sm" and waiting.elem_id == "x-csv" and waiting.label == "Tải CSV"
    assert ready.interactive is True and ready.variant == "primary"
