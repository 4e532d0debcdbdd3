"""The "Hỏi đáp" tab: the conversation (each answer with its badge and numbered sources), the question box, the
province filter, example questions, a new conversation, and under the chat 👍 / 👎 and the export
(:mod:`assistant.serving.tabs.chat_tools`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.serving.tabs.answer_html import (
    error_html,
    one_line,
    pending_html,
    render_answer,
    render_answer_text,
    user_html,
)
from assistant.serving.tabs.chat_tools import answer_record, chat_tools
from assistant.serving.tabs.common import ALL_PROVINCES, TabLoad

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)

EXAMPLES = [
    "Mục tiêu năm 2025 của Lai Châu về ứng dụng AI là bao nhiêu?",
    "Ai chủ trì nhiệm vụ 5.1 của Lai Châu?",
    "Hạn báo cáo hằng năm của Thừa Thiên Huế là ngày nào?",
    "So sánh chỉ tiêu đào tạo của các tỉnh",
    "muc tieu 2030 cua thai binh ve doanh thu",
]
GENERIC_ERROR = "Xin lỗi, đã có lỗi khi xử lý câu hỏi. Hãy thử lại sau giây lát hoặc đặt câu hỏi theo cách khác."
EMPTY_QUESTION = "Hãy nhập một câu hỏi về kế hoạch chuyển đổi số báo chí của các tỉnh."
WELCOME = (
    "<div class='chat-empty'><b>Xin chào!</b><br>Hãy hỏi về chỉ tiêu, nhiệm vụ, đơn vị chủ trì, thời hạn báo cáo "
    "hay kinh phí trong kế hoạch của các tỉnh. Mỗi câu trả lời kèm nguồn trích dẫn và được đối chiếu với bảng dữ "
    "liệu.</div>"
)
# One answer at a time across the tab's triggers (the engine is shared; the API serializes too).
ANSWERING = {"show_progress": "hidden", "concurrency_id": "answer", "concurrency_limit": 1}


def chat_tab(
    get_engine: Callable[[], AnswerEngine],
    loaded_before: Callable[[], bool],
    provinces: list[str],
    settings: Settings,
    folder: Path,
) -> TabLoad:
    """Build the tab (inside ``gr.Tabs``); ``loaded_before()`` tells whether the engine has answered the page yet
    (the first answer may wait for it to load). The page fills the province choices when it opens."""

    def respond(message: str, chat: list, history: list, province: str, answers: dict) -> Iterator[tuple]:
        question = (message or "").strip()
        chat = list(chat or [])
        history = list(history or [])
        answers = dict(answers or {})
        if not question:
            gr.Warning(EMPTY_QUESTION)
            yield gr.update(), chat, history, answers
            return
        first_load = not loaded_before()
        chat += [{"role": "user", "content": user_html(question)}, {"role": "assistant", "content": ""}]
        chat[-1]["content"] = pending_html(first_load)
        yield "", chat, history, answers
        chosen = province if province and province != ALL_PROVINCES else None
        try:
            loaded = get_engine()
            answer = loaded.answer(question, history=history or None, province=chosen)
        except AssistantError as error:  # QuestionError and load errors carry one Vietnamese sentence
            log.info("Question refused: %s", error)
            chat[-1]["content"] = error_html(str(error))
            yield gr.update(), chat, history, answers
            return
        except Exception:
            log.exception("Answering failed for %r", question)
            chat[-1]["content"] = error_html(GENERIC_ERROR)
            yield gr.update(), chat, history, answers
            return
        try:
            chat[-1]["content"] = render_answer(answer, loaded.corpus)
        except Exception:
            log.exception("Rendering the answer failed")
            chat[-1]["content"] = one_line(f'<div class="ans">{render_answer_text(answer.answer)}</div>')
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        answers[len(chat) - 1] = answer_record(answer)  # for 👍/👎 and the conversation export
        yield gr.update(), chat, history, answers

    def fill(loaded: AnswerEngine) -> tuple:
        return (gr.update(choices=[ALL_PROVINCES, *[p.province for p in loaded.corpus.plans]]),)

    with gr.Tab("Hỏi đáp", id="chat"):
        history = gr.State([])
        answers = gr.State({})  # chat message index → the answer shown there (assistant.serving.tabs.chat_tools)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                chatbot = gr.Chatbot(
                    elem_id="chat-window",
                    show_label=False,
                    height="max(440px, calc(100vh - 300px))",
                    layout="bubble",
                    buttons=[],
                    feedback_options=("Like", "Dislike"),
                    latex_delimiters=[],
                    group_consecutive_messages=False,
                    placeholder=WELCOME,
                )
                with gr.Row(elem_id="composer", equal_height=True):
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Nhập câu hỏi về kế hoạch của các tỉnh…",
                        lines=1,
                        max_lines=5,
                        scale=6,
                        min_width=0,
                        container=False,
                        autofocus=True,
                        elem_id="question-box",
                    )
                    send = gr.Button("Gửi", variant="primary", scale=0, min_width=72, elem_id="send-btn")
                chat_tools(chatbot, answers, history, settings, folder, lambda: get_engine().corpus.plans)
            with gr.Column(scale=1, min_width=260, elem_id="chat-side"):
                province = gr.Dropdown(
                    choices=[ALL_PROVINCES, *provinces],
                    value=ALL_PROVINCES,
                    label="Phạm vi tỉnh",
                    info="Chỉ tìm trong kế hoạch của tỉnh đã chọn.",
                    interactive=True,
                    elem_id="province-filter",
                )
                with gr.Column(elem_classes="examples"):
                    gr.HTML('<div class="side-title">Câu hỏi mẫu</div>', padding=False)
                    examples = [
                        gr.Button(text, size="sm", variant="secondary", elem_classes="chip") for text in EXAMPLES
                    ]
                clear = gr.Button("Bắt đầu hội thoại mới", size="sm", variant="secondary", elem_id="clear-btn")

    inputs = [question, chatbot, history, province, answers]
    outputs = [question, chatbot, history, answers]
    send.click(respond, inputs, outputs, **ANSWERING)
    question.submit(respond, inputs, outputs, **ANSWERING)
    for button, text in zip(examples, EXAMPLES, strict=True):
        button.click(lambda t=text: t, outputs=question, queue=False, show_progress="hidden").then(
            respond, inputs, outputs, **ANSWERING
        )
    clear.click(lambda: ([], [], "", {}), outputs=[chatbot, history, question, answers], queue=False)
    chatbot.clear(lambda: ([], {}), outputs=[history, answers], queue=False)
    return TabLoad(outputs=[province], fill=fill)
