"""End-to-end: the real server in a subprocess, the chat page driven by Playwright in Chromium, with screenshots."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "Mục tiêu năm 2025 của Lai Châu về nền tảng phân tích dữ liệu, AI là bao nhiêu phần trăm?"
READY_TIMEOUT_S = 120
ANSWER_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed; the end-to-end UI test drives Debian's Chromium"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str, key: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def _wait_ready(base: str, process: subprocess.Popen, log_path: Path, key: str | None = None) -> None:
    """Poll /readyz, then the page (503 while it is built), until both are 200, the process dies, or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
        if _status(base + "/readyz") == 200 and _status(base + "/", key) == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"server not ready after {READY_TIMEOUT_S} s:\n{log_path.read_text(errors='replace')[-4000:]}")


def _screenshot(page: Page, name: str) -> None:
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    except Exception as error:  # screenshots are a by-product; never fail the test on them
        log.warning("Screenshot %s not written: %s", name, error)


@contextmanager
def _serve(built_settings, tmp_path_factory: pytest.TempPathFactory, **extra_env: str) -> Iterator[str]:
    """The real server (assistant.serving.server.serve) on a free loopback port, stopped in a finally block."""
    port = _free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(built_settings.index_dir),
        "ASSISTANT_CHROMA_HOST": "",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    serve = f"from assistant.serving.server import serve; serve(host='127.0.0.1', port={port})"
    command = [sys.executable, "-c", serve]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, process, log_path, extra_env.get("ASSISTANT_API_KEYS"))
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture(scope="module")
def server_url(built_settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(built_settings, tmp_path_factory) as base:
        yield base


SCROLL_TO_ANSWER = """() => {
    const wrap = document.querySelector('#chat-window .bubble-wrap');
    const answers = document.querySelectorAll('#chat-window .ans');
    if (!wrap || !answers.length) return;
    const answer = answers[answers.length - 1];
    wrap.scrollTop += answer.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 12;
}"""


def _show_answer(page: Page) -> None:
    """Scroll the chat (it autoscrolls to the bottom) so the screenshot starts at the answer's first line."""
    page.wait_for_timeout(400)
    page.evaluate(SCROLL_TO_ANSWER)
    page.wait_for_timeout(300)


def _ask(page: Page, question: str) -> None:
    box = page.locator("#question-box textarea")
    box.fill(question)
    page.locator("#send-btn").click()


def test_chat_answer_with_sources(server_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            page.goto(server_url + "/", wait_until="domcontentloaded")
            expect(page.get_by_text("Trợ lý kế hoạch chuyển đổi số báo chí").first).to_be_visible(timeout=60_000)
            expect(page.locator("#app-status .status-pill.ready")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

            _ask(page, QUESTION)
            answer = page.locator("#chat-window .ans").filter(has=page.locator(".sources")).last
            expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            expect(answer).to_contain_text("67%")
            expect(answer).to_contain_text("Đã đối chiếu bảng dữ liệu")
            first_source = answer.locator("details.src").first
            expect(first_source).to_contain_text("[1]")
            expect(first_source).to_contain_text("Lai Châu")

            first_source.locator("summary").click()
            expect(first_source).to_have_attribute("open", "")
            highlighted = first_source.locator(".src-ctx mark")
            expect(highlighted).to_be_visible()
            expect(highlighted).to_contain_text("67%")
            context = first_source.locator(".src-ctx").inner_text()
            assert len(context) > len(highlighted.inner_text()) + 50, "the quote should sit inside its context"
            _show_answer(page)
            _screenshot(page, "ui-desktop-1280x900.png")

            phone = browser.new_page(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
            )
            phone.goto(server_url + "/", wait_until="domcontentloaded")
            expect(phone.locator("#app-status .status-pill.ready")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            _ask(phone, QUESTION)
            phone_answer = phone.locator("#chat-window .ans").filter(has=phone.locator(".sources")).last
            expect(phone_answer).to_contain_text("67%", timeout=ANSWER_TIMEOUT_MS)
            phone_answer.locator("details.src summary").first.click()
            expect(phone_answer.locator("details.src .src-ctx mark").first).to_be_visible()
            _show_answer(phone)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px wide)"
            _screenshot(phone, "ui-phone-390x844.png")
        finally:
            browser.close()


PAGE_KEY = "khoa-trang-e2e"


def test_with_keys_the_page_opens_after_login(built_settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """With API keys set, the chat page sends a browser to the login form; the key opens it and it answers."""
    from playwright.sync_api import expect, sync_playwright

    with _serve(built_settings, tmp_path_factory, ASSISTANT_API_KEYS=PAGE_KEY) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            page.goto(base + "/", wait_until="domcontentloaded")
            assert "/login" in page.url
            page.locator("#key").fill("khoa-sai")
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.get_by_role("alert")).to_contain_text("Khóa API không hợp lệ")
            page.locator("#key").fill(PAGE_KEY)
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.locator("#app-status .status-pill.ready")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            _ask(page, QUESTION)
            answer = page.locator("#chat-window .ans").filter(has=page.locator(".sources")).last
            expect(answer).to_contain_text("67%", timeout=ANSWER_TIMEOUT_MS)
            _screenshot(page, "ui-after-login-1280x900.png")
        finally:
            browser.close()


def _choose(page: Page, dropdown: str, option: str) -> None:
    """Pick ``option`` in the Gradio dropdown with elem_id ``dropdown``."""
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def _download(page: Page, button: str, folder: Path) -> Path:
    with page.expect_download(timeout=30_000) as info:
        page.locator(f"#{button}").click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_feedback_comment_and_conversation_export(server_url: str, built_settings, tmp_path: Path) -> None:
    """👎 under an answer, a comment with HTML shown as text and stored as typed, the conversation downloaded."""
    import io

    from docx import Document
    from playwright.sync_api import expect, sync_playwright

    from assistant.feedback.store import FeedbackStore

    comment = "<script>alert('x')</script> thiếu nguồn"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(server_url + "/", wait_until="domcontentloaded")
            expect(page.locator("#app-status .status-pill.ready")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            _ask(page, QUESTION)
            answer = page.locator("#chat-window .ans").filter(has=page.locator(".sources")).last
            expect(answer).to_contain_text("67%", timeout=ANSWER_TIMEOUT_MS)
            page.locator("#chat-window button[aria-label='Dislike']").last.click()
            expect(page.locator("#feedback-note")).to_contain_text("Đã ghi nhận 👎", timeout=30_000)
            page.locator("#feedback-comment textarea").fill(comment)
            page.locator("#feedback-send").click()
            expect(page.locator("#feedback-note")).to_contain_text(comment, timeout=30_000)  # shown as text
            assert dialogs == [], "a comment's script ran in the page"
            (record,) = FeedbackStore(built_settings.feedback_db).records()
            assert record.rating == "down" and record.comment == comment and record.source == "page"
            assert record.question == QUESTION and record.citations and record.verification["status"] == "verified"

            docx = _download(page, "export-docx", tmp_path)
            texts = [p.text for p in Document(io.BytesIO(docx.read_bytes())).paragraphs]
            assert f"Câu hỏi 1: {QUESTION}" in texts and "Nguồn trích dẫn" in texts
            markdown = _download(page, "export-md", tmp_path).read_text(encoding="utf-8")
            assert "## Câu hỏi 1" in markdown and "67%" in markdown and "> " in markdown
            _show_answer(page)
            _screenshot(page, "ui-feedback-export-1280x900.png")
        finally:
            browser.close()


def test_view_tabs_open_filter_and_download(server_url: str, tmp_path: Path) -> None:
    """Each new tab: open it, filter, download, screenshot."""
    import csv
    import io

    from docx import Document
    from icalendar import Calendar
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
            page.goto(server_url + "/", wait_until="domcontentloaded")
            expect(page.locator("#app-status .status-pill.ready")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

            page.get_by_role("tab", name="Nhiệm vụ theo đơn vị").click()
            sheet = page.locator("#duty-sheet")
            expect(sheet.locator("table.duty-table").first).to_be_visible(timeout=60_000)
            expect(sheet).to_contain_text("Sở Thông tin và Truyền thông")
            _choose(page, "duty-province", "Lai Châu")
            expect(sheet).to_contain_text("Nhiệm vụ 5.1", timeout=30_000)
            expect(sheet).not_to_contain_text("Quảng Trị")
            unit = page.locator("#duty-unit input")
            unit.fill("Đài PT-TH tỉnh")
            unit.press("Enter")
            expect(sheet).to_contain_text("Đài Phát thanh và Truyền hình tỉnh", timeout=30_000)
            expect(sheet).to_contain_text("qua nhóm")
            document = Document(io.BytesIO(_download(page, "duty-docx", tmp_path).read_bytes()))
            assert document.paragraphs[0].text == "NHIỆM VỤ CỦA ĐÀI PHÁT THANH VÀ TRUYỀN HÌNH TỈNH"
            assert document.tables and "Lai Châu" in " ".join(p.text for p in document.paragraphs)
            rows = list(csv.DictReader(io.StringIO(_download(page, "duty-csv", tmp_path).read_text("utf-8-sig"))))
            assert rows and {r["province"] for r in rows} == {"Lai Châu"} and all(r["quote"] for r in rows)
            _screenshot(page, "ui-tab-duties-1280x900.png")

            page.get_by_role("tab", name="Lịch hạn").click()
            view = page.locator("#cal-view")
            expect(view).to_contain_text("Sắp đến hạn", timeout=60_000)
            expect(view).to_contain_text("Không có ngày cụ thể")
            _choose(page, "cal-province", "Quảng Trị")
            day = page.locator("#cal-day textarea, #cal-day input").first
            day.fill("01/01/2024")
            day.press("Enter")
            expect(view).to_contain_text("Sắp đến hạn, tính từ 01/01/2024", timeout=30_000)
            expect(view.locator("table.due-table tr").nth(1)).to_contain_text("25/11/2024")
            expect(view).not_to_contain_text("Lai Châu")
            day.fill("31/02/2024")
            day.press("Enter")
            expect(view).to_contain_text("không hợp lệ", timeout=30_000)
            day.fill("01/01/2024")
            day.press("Enter")
            expect(view).to_contain_text("tính từ 01/01/2024", timeout=30_000)
            parsed = Calendar.from_ical(_download(page, "cal-ics", tmp_path).read_bytes())
            events = list(parsed.walk("VEVENT"))
            assert events and all("Quảng Trị" in str(e["SUMMARY"]) for e in events)
            assert any("RRULE" in e for e in events) and list(parsed.walk("VTODO"))
            _screenshot(page, "ui-tab-calendar-1280x900.png")

            page.get_by_role("tab", name="So sánh chỉ tiêu").click()
            matrix = page.locator("#tgt-matrix")
            expect(matrix.locator("table.matrix-table")).to_be_visible(timeout=60_000)
            expect(matrix.locator("td.conflict").first).to_contain_text("⚠")
            _choose(page, "tgt-indicator", "Cơ quan báo chí tăng doanh thu")
            expect(page.locator("#tgt-chart-title")).to_contain_text("Cơ quan báo chí tăng doanh thu", timeout=30_000)
            expect(matrix).to_contain_text("50% (tăng doanh thu tối thiểu 20%)")
            expect(page.locator("#tgt-chart svg .mark-line path").first).to_be_attached(timeout=30_000)
            text = _download(page, "tgt-csv", tmp_path).read_text("utf-8-sig")
            table = list(csv.DictReader(io.StringIO(text)))
            assert table and {r["indicator"] for r in table} == {"revenue_growth"}
            assert any(r["conflict"] == "xung đột" for r in table)
            _screenshot(page, "ui-tab-targets-1280x900.png")
        finally:
            browser.close()
