"""The chat page's look: the Gradio theme (system fonts, a blue accent) and the stylesheet of every part of the page.

The view tabs add their own rules (:data:`assistant.serving.tabs.common.CSS`).
"""

from __future__ import annotations

import gradio as gr

CSS = """
:root, .dark {
  --ui-accent: #1d4ed8;
  --ui-accent-soft: color-mix(in srgb, #1d4ed8 10%, transparent);
  --ui-ok: #15803d;
  --ui-warn: #b45309;
  --ui-font: "Inter", "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  --button-primary-background-fill: #1d4ed8;
  --button-primary-background-fill-hover: #1e40af;
  --button-primary-border-color: #1d4ed8;
  --button-primary-text-color: #ffffff;
  --color-accent: #1d4ed8;
  --color-accent-soft: color-mix(in srgb, #1d4ed8 12%, transparent);
  --loader-color: #1d4ed8;
}
.dark { --ui-ok: #4ade80; --ui-warn: #fbbf24; --ui-accent: #93c5fd; }
.gradio-container { width: 100% !important; max-width: 1200px !important; margin: 0 auto !important; }
.gradio-container, .gradio-container * { font-family: var(--ui-font) !important; }
.gradio-container .prose, .gradio-container .prose p { font-size: 16px; line-height: 1.55; }
footer { display: none !important; }
#app-header { padding: 16px 22px; border-radius: 14px; align-items: center; gap: 10px 20px;
  background: linear-gradient(120deg, #1e3a8a 0%, #1d4ed8 55%, #0e7490 100%); border: none; }
#app-header .block, #app-header .html-container, #app-header .prose { background: transparent !important;
  border: none !important; box-shadow: none !important; padding: 0 !important; }
#app-header h1 { margin: 0; font-size: 1.55rem; line-height: 1.25; font-weight: 700; color: #fff; }
#app-header p { margin: 4px 0 0; font-size: 0.98rem; opacity: 0.92; color: #fff; max-width: 760px; }
#app-status { display: flex; justify-content: flex-end; }
.status-pill { display: inline-flex; align-items: center; gap: 8px; padding: 6px 12px; border-radius: 999px;
  font-size: 0.86rem; font-weight: 600; white-space: nowrap; background: rgba(255, 255, 255, 0.16); color: #fff; }
.status-pill .dot { width: 9px; height: 9px; border-radius: 50%; background: #fbbf24; flex: none; }
.status-pill.ready .dot { background: #4ade80; }
.status-pill.error { white-space: normal; }
.status-pill.error .dot { background: #f87171; }
.status-pill.loading .dot { animation: ui-pulse 1.1s ease-in-out infinite; }
@keyframes ui-pulse { 0%, 100% { opacity: 1; } 50% { opacity: 0.25; } }
#app-tabs button[role="tab"] { font-size: 1rem; font-weight: 600; }
.chat-empty { text-align: center; max-width: 460px; margin: auto; line-height: 1.55; opacity: 0.85; }
.side-title { font-weight: 700; font-size: 0.95rem; margin: 2px 0 0; }
.examples { gap: 6px !important; }
button.chip { justify-content: flex-start !important; text-align: left !important; white-space: normal !important;
  font-weight: 500 !important; line-height: 1.35 !important; padding: 7px 11px !important; box-shadow: none !important;
  background: var(--background-fill-primary) !important; border: 1px solid var(--border-color-primary) !important;
  color: var(--body-text-color) !important; border-radius: 10px !important; }
button.chip:hover { border-color: var(--ui-accent) !important; background: var(--ui-accent-soft) !important; }
#composer { align-items: stretch; gap: 8px; flex-wrap: nowrap !important; }
#composer > * { min-width: 0 !important; }
#composer textarea { font-size: 16px !important; }
#send-btn { flex: 0 0 auto !important; min-width: 72px !important; }
.ans p { margin: 0 0 6px; }
.ans ul { margin: 2px 0 8px 1.1em; padding: 0; list-style: disc; }
.ans li { margin: 3px 0; }
.cite-ref { display: inline-block; font-size: 0.78em; font-weight: 700; color: var(--ui-accent);
  background: var(--ui-accent-soft); border-radius: 6px; padding: 0 5px; margin-left: 2px; vertical-align: 1px; }
.badge { display: inline-block; margin: 8px 0 2px; padding: 3px 10px; border-radius: 999px; font-size: 0.82rem;
  font-weight: 600; border: 1px solid transparent; }
.badge.ok { color: var(--ui-ok); background: color-mix(in srgb, #16a34a 12%, transparent);
  border-color: color-mix(in srgb, #16a34a 35%, transparent); }
.badge.warn { color: var(--ui-warn); background: color-mix(in srgb, #f59e0b 14%, transparent);
  border-color: color-mix(in srgb, #f59e0b 40%, transparent); }
.badge.neutral { color: var(--body-text-color-subdued); background: color-mix(in srgb, #64748b 12%, transparent);
  border-color: color-mix(in srgb, #64748b 30%, transparent); }
.unverified { font-size: 0.85rem; color: var(--ui-warn); margin: 4px 0 0; }
.sources { margin-top: 10px; border-top: 1px solid var(--border-color-primary); padding-top: 8px; }
.sources-title { font-size: 0.78rem; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase;
  color: var(--body-text-color-subdued); margin-bottom: 4px; }
details.src { border: 1px solid var(--border-color-primary); border-radius: 10px; margin: 6px 0;
  background: var(--background-fill-primary); overflow: hidden; }
details.src > summary { cursor: pointer; padding: 8px 10px 8px 26px; font-size: 0.9rem; line-height: 1.4;
  list-style: none; position: relative; }
details.src > summary::-webkit-details-marker { display: none; }
details.src > summary::before { content: "▸"; position: absolute; left: 10px; top: 8px; color: var(--ui-accent); }
details.src[open] > summary::before { content: "▾"; }
details.src > summary:hover { background: var(--ui-accent-soft); }
.src-n { font-weight: 700; color: var(--ui-accent); margin-right: 4px; }
.src-where, .src-preview, .src-plan { color: color-mix(in srgb, var(--body-text-color) 62%, transparent); }
.src-preview { display: block; font-size: 0.85rem; margin-top: 2px; }
details.src[open] .src-preview { display: none; }
.src-body { padding: 2px 12px 10px; font-size: 0.9rem; }
.src-plan { font-size: 0.8rem; margin: 0 0 6px; line-height: 1.4; }
.src-ctx { margin: 0; padding: 8px 10px; border-left: 3px solid var(--ui-accent); border-radius: 0 8px 8px 0;
  background: var(--background-fill-secondary); line-height: 1.55; font-style: normal; }
.src-ctx mark, .plan-text mark { background: #fde68a; color: #1f2937; padding: 1px 2px; border-radius: 3px; }
.timing { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 6px; }
.err { color: #b91c1c; font-weight: 500; margin: 0; }
.dark .err { color: #fca5a5; }
.pending { color: var(--body-text-color-subdued); font-style: italic; margin: 0; }
.pending::after { content: " …"; animation: ui-pulse 1.1s ease-in-out infinite; }
.user-q { white-space: pre-wrap; }
.hint { font-size: 0.92rem; color: color-mix(in srgb, var(--body-text-color) 70%, transparent); margin: 0; }
#facts-bar { align-items: center; }
#facts-bar > .block { min-width: 0 !important; }
.facts-count { font-size: 0.95rem; }
#csv-btn { flex: 0 0 auto !important; }
#app-tabs, #app-tabs .tabitem, #facts-table, #facts-table .table-wrap { min-width: 0 !important; max-width: 100%; }
.gradio-container, .gradio-container .main, .gradio-container .main > .wrap, .gradio-container main.contain {
  min-width: 0 !important; }
#facts-table table { font-size: 0.9rem; }
.meta-card { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 14px 16px;
  background: var(--background-fill-secondary); }
.meta-card h3 { margin: 0 0 8px; font-size: 1.08rem; line-height: 1.4; }
.meta-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 0.93rem; }
.meta-card dt { color: color-mix(in srgb, var(--body-text-color) 62%, transparent); }
.meta-card dd { margin: 0; }
.meta-card .blank { color: var(--body-text-color-subdued); font-style: italic; }
.meta-card ul { margin: 0; padding-left: 1.1em; }
.plan-text { white-space: pre-wrap; font-size: 0.95rem; line-height: 1.6; max-height: 70vh; overflow-y: auto;
  padding: 14px 16px; border: 1px solid var(--border-color-primary); border-radius: 12px; margin-top: 10px;
  background: var(--background-fill-primary); overflow-wrap: anywhere; }
@media (max-width: 720px) {
  .gradio-container .main { padding-left: 10px !important; padding-right: 10px !important; }
  #app-header { padding: 14px 14px; border-radius: 12px; }
  #app-header h1 { font-size: 1.22rem; }
  #app-header p { font-size: 0.9rem; }
  #app-header { flex-direction: column; align-items: stretch; gap: 10px; }
  #app-header > .block { width: 100% !important; min-width: 0 !important; }
  #app-status { justify-content: flex-start; }
  .status-pill { white-space: normal; }
  #app-tabs button[role="tab"] { padding-left: 8px !important; padding-right: 8px !important; font-size: 0.93rem; }
  #chat-window { height: 64vh !important; max-height: 64vh !important; }
  .meta-card dl { gap: 4px 10px; font-size: 0.9rem; }
  .plan-text { max-height: none; font-size: 0.93rem; padding: 10px 12px; }
  .src-body { padding: 2px 8px 8px; }
}
"""


def theme() -> gr.themes.Base:
    """The page theme: the default Gradio theme with system fonts (no web font downloads) and a blue accent."""
    return gr.themes.Default(
        primary_hue="blue",
        font=["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Noto Sans", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )
