"""The controls the tabs repeat: the province filter and a download button that waits for its file."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.serving.tabs.common import ALL_PROVINCES


def province_filter(provinces: list[str], **layout: Any) -> gr.Dropdown:
    """A "Tỉnh" dropdown: every province first (the default), then each plan's province.

    ``layout`` passes Gradio's layout and id arguments (``elem_id``, ``scale``, ``min_width`` …)."""
    return gr.Dropdown(
        choices=[ALL_PROVINCES, *provinces], value=ALL_PROVINCES, label="Tỉnh", **{"min_width": 160, **layout}
    )


def download_button(label: str, variant: str = "secondary", interactive: bool = False, **layout: Any):
    """A small download button with no file yet (greyed until a tab's update gives it one)."""
    return gr.DownloadButton(label, value=None, size="sm", variant=variant, interactive=interactive, **layout)
