"""What the tabs share: escaping, a cited source as an expandable quote, download files, dates, the view tabs' CSS,
and :class:`TabLoad` (what a tab fills once the engine is loaded)."""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain.normalize import fold
from assistant.views.sources import Source

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)

ALL_PROVINCES = "Tất cả các tỉnh"
ALL_UNITS = "Tất cả các đơn vị"
LOAD_ERROR = "Chưa tải được dữ liệu; hãy thử lại sau giây lát."
CSS = """
.view-note { font-size: 0.95rem; margin: 2px 0 8px; }
.view-empty { padding: 12px 14px; border: 1px dashed var(--border-color-primary); border-radius: 10px;
  color: var(--body-text-color-subdued); }
table.view { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
table.view th, table.view td { border: 1px solid var(--border-color-primary); padding: 6px 8px; vertical-align: top;
  text-align: left; }
table.view th { background: var(--background-fill-secondary); font-weight: 600; }
table.view td.when { white-space: nowrap; }
table.view td.conflict { background: color-mix(in srgb, #f59e0b 18%, transparent); font-weight: 600; }
.view-wrap { overflow-x: auto; max-width: 100%; }
table.duty-table { table-layout: fixed; }
table.duty-table th:nth-child(1) { width: 14%; } table.duty-table th:nth-child(2) { width: 44%; }
table.duty-table th:nth-child(3) { width: 14%; } table.duty-table th:nth-child(4) { width: 16%; }
table.duty-table th:nth-child(5) { width: 12%; }
table.matrix-table th.ind { min-width: 220px; }
.view-group { font-size: 0.8rem; color: var(--body-text-color-subdued); }
details.vsrc { margin: 2px 0; }
details.vsrc > summary { cursor: pointer; color: var(--ui-accent, #1d4ed8); font-size: 0.85rem; }
details.vsrc blockquote { margin: 4px 0 6px; padding: 6px 10px; border-left: 3px solid var(--ui-accent, #1d4ed8);
  background: var(--background-fill-secondary); font-size: 0.88rem; white-space: pre-wrap; }
.view-h { font-weight: 700; margin: 14px 0 6px; font-size: 1.02rem; }
.fb-note { font-size: 0.9rem; margin: 0; }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def source_html(n: int, source: Source | None) -> str:
    """The [n] of a line, opening to its quote and where it is."""
    if source is None:
        return ""
    return (
        f'<details class="vsrc"><summary>[{n}] {esc(source.province)}</summary>'
        f"<div>{esc(source.label())}</div><blockquote>{esc(source.quote)}</blockquote></details>"
    )


def empty_html(message: str) -> str:
    return f'<div class="view-empty" role="status">{esc(message)}</div>'


def download_path(folder: Path, name: str, body: str | bytes) -> str:
    """Write a download into its own folder under ``folder`` (sessions never share a file); returns its path."""
    target = folder / uuid.uuid4().hex[:12]
    target.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9.]+", "-", fold(name)).strip("-") or "tai-ve"
    path = target / safe
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8-sig" if safe.endswith(".csv") else "utf-8")
    return str(path)


def chosen(value: str | None, everything: str) -> str | None:
    """A dropdown's value, None for its "all" choice."""
    return value if value and value != everything else None


def vn_date(iso: str) -> str:
    """An ISO date ``YYYY-MM-DD`` written ``DD/MM/YYYY``; anything else as it is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return f"{match[3]}/{match[2]}/{match[1]}" if match else (iso or "")


@dataclass
class TabLoad:
    """What a tab fills when the page opens, once the engine is loaded: ``fill(engine)`` gives one update per
    output, in order; ``then`` (function, inputs, outputs) runs after that."""

    outputs: list[Any]
    fill: Callable[[AnswerEngine], tuple[Any, ...]]
    then: tuple[Callable[..., Any], list[Any], list[Any]] | None = None
