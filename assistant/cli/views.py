"""Command line of the views officials act on: duty sheets, the deadline calendar, the target comparison, feedback.

Examples:
    assistant duties "Sở TTTT" --province "Lai Châu" --format docx --out nhiem-vu.docx
    assistant calendar --province "Quảng Trị" --out lich-han.ics
    assistant facts compare --indicator converged_newsroom
    assistant feedback export --format jsonl --rating down --out regressions.jsonl
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from assistant.config import load_settings
from assistant.errors import AssistantError

console = Console()
err_console = Console(stderr=True)
feedback_app = typer.Typer(help="Góp ý 👍/👎 của người dùng về câu trả lời.", no_args_is_help=True)


def _wide() -> Console:
    return Console(width=None if sys.stdout.isatty() else 200)


def _fail(message: str) -> None:
    err_console.print(f"[bold red]Lỗi:[/] {message}")
    raise typer.Exit(code=1)


def _province(value: str | None) -> str | None:
    from assistant.domain.provinces import exact_province

    if not value or not value.strip():
        return None
    name = exact_province(value.strip())
    if name is None:
        _fail(f"Không có tỉnh, thành phố nào tên '{value}'; hãy viết tên một tỉnh, ví dụ 'Quảng Trị'.")
    return name


def _views():
    """The views over the built facts table (no model, no index needed)."""
    from assistant.facts.store import FactStore
    from assistant.views.registry import views_for

    try:
        store = FactStore(load_settings().facts_db)
    except AssistantError as error:
        _fail(str(error))
    return views_for(store.facts(), store.plans())


def _write(out: Path | None, body: str | bytes) -> None:
    if out is None:
        sys.stdout.write(body if isinstance(body, str) else body.decode("utf-8"))
        return
    try:
        if isinstance(body, bytes):
            out.write_bytes(body)
        else:
            out.write_text(body, encoding="utf-8")
    except OSError as error:
        _fail(f"Không ghi được {out} ({error.strerror or error}); hãy chọn nơi ghi khác.")
    err_console.print(f"Đã ghi {out}.")


def duties(
    unit: str = typer.Argument(..., help="Tên hoặc tên viết tắt của đơn vị, ví dụ 'Sở TTTT', 'Đài PT-TH tỉnh'."),
    province: str | None = typer.Option(None, "--province", "-p", help="Chỉ kế hoạch của tỉnh này."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, md, csv hoặc docx."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Tệp ghi ra (bắt buộc với docx)."),
) -> None:
    """A unit's duty sheet: tasks it leads and coordinates, its duties, the reports it owes and receives.

    Examples: assistant duties "Sở TTTT"
              assistant duties "Báo Lai Châu" --format docx --out bao-lai-chau.docx
    """
    from assistant.views.duty_formats import sheet_csv, sheet_docx, sheet_markdown, sheet_rows
    from assistant.views.duty_sheet import UnknownUnit

    if fmt not in {"table", "md", "csv", "docx"}:
        _fail(f"Định dạng '{fmt}' không hỗ trợ; hãy dùng table, md, csv hoặc docx.")
    if fmt == "docx" and out is None:
        _fail("Định dạng docx cần --out, ví dụ --out nhiem-vu.docx.")
    views = _views()
    try:
        sheet = views.sheet(unit, _province(province))
    except UnknownUnit as error:
        _fail(str(error))
    if fmt == "md":
        return _write(out, sheet_markdown(sheet))
    if fmt == "csv":
        return _write(out, sheet_csv(sheet))
    if fmt == "docx":
        return _write(out, sheet_docx(sheet))
    console.print(f"[bold]Nhiệm vụ của {sheet.unit}[/]" + (f" · {sheet.province}" if sheet.province else ""))
    if not sheet.items:
        console.print(sheet.message)
        return
    table = Table("#", "tỉnh", "loại", "nội dung", "thời hạn", "đơn vị được giao", show_lines=True)
    for n, (item, row) in enumerate(zip(sheet.items, sheet_rows(sheet, limit=300), strict=True), start=1):
        table.add_row(str(n), item.province, row[0], row[1], row[2], row[3])
    _wide().print(table)
    counts = ", ".join(f"{k}: {v}" for k, v in sheet.counts().items() if v)
    console.print(f"{len(sheet.items)} mục ({counts}). Nguồn của từng mục: --format md hoặc csv.")


def calendar(
    province: str | None = typer.Option(None, "--province", "-p", help="Chỉ kế hoạch của tỉnh này."),
    unit: str | None = typer.Option(None, "--unit", "-u", help="Chỉ các mục trong bảng nhiệm vụ của đơn vị này."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Tệp .ics ghi ra; không có thì in các hạn sắp tới."),
) -> None:
    """The deadline calendar: an .ics file, or what falls due next from today.

    Examples: assistant calendar --out lich-han.ics
              assistant calendar --province "Thái Bình" --unit "Sở TTTT"
    """
    from assistant.views.duty_sheet import UnknownUnit
    from assistant.views.ics import to_ics

    views = _views()
    try:
        cal = views.calendar(_province(province), unit)
    except UnknownUnit as error:
        _fail(str(error))
    if out is not None:
        _write(out, to_ics(cal))
        err_console.print(f"{len(cal.dated)} mục có ngày, {len(cal.undated)} mục không có ngày.")
        return
    if cal.message:
        console.print(cal.message)
        return
    today = date.today()
    table = Table("hạn tới", "tỉnh", "việc", "thời gian (theo kế hoạch)")
    for day, item in cal.upcoming(today):
        table.add_row(day.strftime("%d/%m/%Y"), item.province, item.title, item.when)
    _wide().print(table)
    if cal.undated:
        rest = Table("tỉnh", "việc không có ngày", "thời gian (theo kế hoạch)", title="Không có ngày")
        for item in cal.undated:
            rest.add_row(item.province, item.title, item.when)
        _wide().print(rest)


def compare(
    indicator: str | None = typer.Option(None, "--indicator", "-i", help="Mã chỉ tiêu, ví dụ converged_newsroom."),
    province: str | None = typer.Option(None, "--province", "-p", help="Chỉ tỉnh này."),
    year: int | None = typer.Option(None, "--year", "-y", help="Chỉ năm này."),
    fmt: str = typer.Option("table", "--format", "-f", help="table hoặc csv."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Tệp ghi ra."),
) -> None:
    """Compare targets: indicator × province × year, conflicts marked ⚠.

    Examples: assistant facts compare
              assistant facts compare --indicator revenue_growth --format csv --out doanh-thu.csv
    """
    from assistant.domain.indicators import BY_CODE
    from assistant.views.target_matrix import matrix_csv, pivot_rows

    if indicator and indicator not in BY_CODE:
        _fail(f"Không có chỉ tiêu mã '{indicator}'; hãy dùng một trong: {', '.join(BY_CODE)}.")
    if fmt not in {"table", "csv"}:
        _fail(f"Định dạng '{fmt}' không hỗ trợ; hãy dùng table hoặc csv.")
    matrix = _views().matrix(indicator, _province(province), year)
    if fmt == "csv":
        return _write(out, matrix_csv(matrix))
    if not matrix.cells:
        console.print(matrix.message)
        return
    header, rows = pivot_rows(matrix)
    table = Table(*header, show_lines=True)
    for row in rows:
        table.add_row(*row)
    _wide().print(table)
    for cell in matrix.conflicts:
        console.print(f"[yellow]⚠ {cell.indicator_label} · {cell.province} · {cell.year}[/]")
        for value in cell.values:
            console.print(f"   {value.label}: “{' '.join(value.source.quote.split())}” ({value.source.label()})")


def _store():
    from assistant.feedback.store import FeedbackStore

    return FeedbackStore(load_settings().feedback_db)


@feedback_app.command("list")
def feedback_list(
    rating: str | None = typer.Option(None, "--rating", "-r", help="up hoặc down."),
    limit: int = typer.Option(50, "--limit", "-n", help="Số góp ý mới nhất."),
) -> None:
    """List the newest feedback.

    Example: assistant feedback list --rating down
    """
    from assistant.feedback.store import FeedbackUnavailable

    if rating not in (None, "up", "down"):
        _fail(f"Đánh giá '{rating}' không có; hãy dùng up hoặc down.")
    try:
        records = _store().records(rating, limit)
    except FeedbackUnavailable as error:
        _fail(str(error))
    if not records:
        console.print("Chưa có góp ý nào" + (" khớp bộ lọc." if rating else "."))
        return
    table = Table("id", "lúc", "đánh giá", "câu hỏi", "nhận xét", "tuyến", show_lines=True)
    for r in records:
        table.add_row(
            str(r.id), r.created_at, "👍" if r.rating == "up" else "👎", r.question, r.comment, r.route_detail
        )
    _wide().print(table)


@feedback_app.command("export")
def feedback_export(
    fmt: str = typer.Option("jsonl", "--format", "-f", help="csv hoặc jsonl (dạng bộ câu hỏi đánh giá)."),
    rating: str | None = typer.Option(None, "--rating", "-r", help="up hoặc down (mặc định: tất cả)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Tệp ghi ra; mặc định in ra màn hình."),
) -> None:
    """Export feedback: CSV of every field, or JSONL in the eval-set format (a 👎 becomes a question to complete).

    Examples: assistant feedback export --format csv --out gop-y.csv
              assistant feedback export --format jsonl --rating down --out evals/from_feedback.jsonl
    """
    from assistant.feedback.export import export_feedback
    from assistant.feedback.store import FeedbackUnavailable

    if fmt not in {"csv", "jsonl"}:
        _fail(f"Định dạng '{fmt}' không hỗ trợ; hãy dùng csv hoặc jsonl.")
    if rating not in (None, "up", "down"):
        _fail(f"Đánh giá '{rating}' không có; hãy dùng up hoặc down.")
    try:
        records = list(reversed(_store().records(rating)))
    except FeedbackUnavailable as error:
        _fail(str(error))
    _write(out, export_feedback(records, fmt))  # type: ignore[arg-type]


def register(app: typer.Typer, facts_app: typer.Typer) -> None:
    """Add these commands to the main CLI."""
    app.command("duties")(duties)
    app.command("calendar")(calendar)
    facts_app.command("compare")(compare)
    app.add_typer(feedback_app, name="feedback")
