"""A chat message as HTML: list lines and [n] chips, everything escaped, the badge of the verification, each source
opening to its quote highlighted in its plan's text, the time taken, one Markdown block."""

from __future__ import annotations

from assistant.schema import Answer, Citation, Claim, Verification
from assistant.serving.tabs.answer_html import error_html, pending_html, render_answer, render_answer_text, user_html


def _cited(corpus, words: str = "cơ quan báo chí") -> Citation:
    plan = corpus.plans[0]
    start = plan.text.index(words)
    return Citation(
        n=1,
        plan_id=plan.id,
        province=plan.province,
        section="II. MỤC TIÊU",
        quote=words,
        start=start,
        end=start + len(words),
    )


def test_answer_text_lists_chips_and_escapes() -> None:
    html = render_answer_text("Chỉ tiêu:\n- Năm 2025: 67% [1]\n- <b>Năm 2030</b> [2]")
    assert html.startswith('<p>Chỉ tiêu:</p><ul><li>Năm 2025: 67% <span class="cite-ref">[1]</span></li>')
    assert "&lt;b&gt;Năm 2030&lt;/b&gt;" in html and "<b>" not in html


def test_an_answer_with_its_badge_sources_and_time(corpus) -> None:
    citation = _cited(corpus)
    answer = Answer(
        question="q",
        answer="Đến năm 2025, 67% [1]",
        status="answered",
        language="vi",
        route="facts",
        citations=[citation],
        verification=Verification(
            status="partially_verified", claims=[Claim(text="67%", kind="percent", verified=False)]
        ),
        timings_ms={"total": 31.0},
    )
    html = render_answer(answer, corpus)
    assert "\n" not in html  # one Markdown block
    assert 'class="badge warn"' in html and "Chưa khớp bảng dữ liệu: 67%" in html
    assert f"<mark>{citation.quote}</mark>" in html and 'data-n="1"' in html and citation.province in html
    assert "Trả lời trong 0,03 giây" in html
    source = html[html.index('<div class="src-ctx">') :]
    assert len(source) > len(citation.quote) + 100  # the quote sits inside its context


def test_not_found_user_pending_and_error_messages() -> None:
    answer = Answer(question="q", answer="Không tìm thấy.", status="not_found", language="vi", route="none")
    assert "Không tìm thấy trong các kế hoạch" in render_answer(answer, None)
    assert user_html("<i>a</i>\nb") == '<div class="user-q">&lt;i&gt;a&lt;/i&gt;<br>b</div>'
    assert "lần đầu" in pending_html(True) and "lần đầu" not in pending_html(False)
    assert error_html("Lỗi <x>.") == '<div class="ans"><p class="err">Lỗi &lt;x&gt;.</p></div>'
