"""Under the chat: 👍 / 👎 on every answer with an optional comment (stored as text, shown escaped), and the
conversation's export as .docx and Markdown with the quoted sources."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.feedback.store import FeedbackRecord, FeedbackStore, FeedbackUnavailable
from assistant.serving.conversation_export import conversation_docx, conversation_markdown
from assistant.serving.routers.feedback import MAX_COMMENT_CHARS
from assistant.serving.tabs.common import download_path, esc
from assistant.serving.tabs.widgets import download_button

log = logging.getLogger(__name__)
NOTHING_RATED = "Hãy bấm 👍 hoặc 👎 dưới một câu trả lời trước khi gửi nhận xét."
NOT_AN_ANSWER = "Tin nhắn này không phải câu trả lời nên không đánh giá được."


def answer_record(answer: Any) -> dict[str, Any]:
    """What the page keeps of an answer for feedback and export (the Answer's fields, as plain data)."""
    data = answer.model_dump()
    keep = ("question", "answer", "status", "language", "province", "route", "route_detail", "citations")
    return {**{k: data.get(k) for k in keep}, "verification": data.get("verification") or {}}


def chat_tools(
    chatbot: gr.Chatbot,
    answers: gr.State,
    history: gr.State,
    settings: Settings,
    folder: Path,
    get_plans: Callable[[], list[Any]],
) -> None:
    """Build the feedback row and the export row under ``chatbot`` (inside the chat column) and wire them.

    ``answers`` holds {chat message index: :func:`answer_record`}; the page's ``respond`` fills it."""
    store = FeedbackStore(settings.feedback_db)
    rated = gr.State({})  # chat message index → feedback id
    last = gr.State(None)  # the message index rated last

    def like(data: gr.LikeData, answers_now: dict, history_now: list, rated_now: dict) -> tuple:
        index = data.index if isinstance(data.index, int) else data.index[0]
        record = (answers_now or {}).get(index)
        if record is None or data.liked not in (True, False):
            if record is None:
                gr.Warning(NOT_AN_ANSWER)
            return gr.update(), rated_now, gr.update()
        rating = "up" if data.liked else "down"
        rated_now = dict(rated_now or {})
        try:
            if index in rated_now:
                store.update(rated_now[index], rating=rating)
            else:
                turns = [t for t in (history_now or []) if isinstance(t, dict)]
                position = [k for k in sorted(answers_now, key=int)].index(index) if index in answers_now else 0
                stored = store.add(
                    FeedbackRecord(
                        rating=rating,
                        question=record.get("question") or "",
                        answer=record.get("answer") or "",
                        status=record.get("status") or "",
                        language=record.get("language") or "",
                        province=record.get("province"),
                        history=turns[: 2 * position],
                        citations=list(record.get("citations") or []),
                        route=record.get("route") or "",
                        route_detail=record.get("route_detail") or "",
                        verification=dict(record.get("verification") or {}),
                        source="page",
                    )
                )
                rated_now[index] = stored.id
        except FeedbackUnavailable as error:
            gr.Warning(str(error))
            return gr.update(), rated_now, gr.update()
        thumb = "👍" if rating == "up" else "👎"
        asked = esc(_short(record.get("question")))
        note = (
            f'<p class="fb-note" role="status">Đã ghi nhận {thumb} cho câu trả lời “{asked}”. '
            "Có thể thêm nhận xét bên dưới.</p>"
        )
        return note, rated_now, index

    def comment(text: str | None, rated_now: dict, index: Any) -> tuple:
        body = (text or "").strip()
        if index is None or index not in (rated_now or {}):
            gr.Warning(NOTHING_RATED)
            return gr.update(), gr.update()
        if not body:
            gr.Warning("Nhận xét đang trống; hãy gõ nội dung rồi gửi lại.")
            return gr.update(), gr.update()
        if len(body) > MAX_COMMENT_CHARS:
            gr.Warning(f"Nhận xét dài {len(body)} ký tự, vượt giới hạn {MAX_COMMENT_CHARS}; hãy rút gọn.")
            return gr.update(), gr.update()
        try:
            store.update(rated_now[index], comment=body)
        except FeedbackUnavailable as error:
            gr.Warning(str(error))
            return gr.update(), gr.update()
        return f'<p class="fb-note" role="status">Đã lưu nhận xét: “{esc(body)}”. Xin cảm ơn.</p>', ""

    def export(answers_now: dict) -> tuple:
        turns = [answers_now[k] for k in sorted(answers_now or {}, key=int)]
        if not turns:
            return gr.update(value=None, interactive=False), gr.update(value=None, interactive=False)
        try:
            plans = get_plans()
        except Exception:
            plans = []
        docx = download_path(folder, "hoi-thoai.docx", conversation_docx(turns, plans))
        md = download_path(folder, "hoi-thoai.md", conversation_markdown(turns, plans))
        return gr.update(value=docx, interactive=True), gr.update(value=md, interactive=True)

    with gr.Row(equal_height=True, elem_id="feedback-row"):
        comment_box = gr.Textbox(
            show_label=False,
            placeholder="Nhận xét về câu trả lời vừa đánh giá (không bắt buộc)…",
            max_lines=3,
            max_length=MAX_COMMENT_CHARS,
            scale=5,
            min_width=0,
            container=False,
            elem_id="feedback-comment",
        )
        send = gr.Button(
            "Gửi nhận xét", size="sm", variant="secondary", scale=0, min_width=120, elem_id="feedback-send"
        )
    note = gr.HTML("", elem_id="feedback-note", padding=False)
    with gr.Row(equal_height=True, elem_id="export-row"):
        docx_button = download_button("Tải hội thoại (.docx)", scale=0, min_width=180, elem_id="export-docx")
        md_button = download_button("Tải hội thoại (.md)", scale=0, min_width=170, elem_id="export-md")
    chatbot.like(like, [answers, history, rated], [note, rated, last], queue=False)
    send.click(comment, [comment_box, rated, last], [note, comment_box], queue=False)
    comment_box.submit(comment, [comment_box, rated, last], [note, comment_box], queue=False)
    answers.change(export, answers, [docx_button, md_button], queue=False, show_progress="hidden")


def _short(text: str | None, limit: int = 80) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
