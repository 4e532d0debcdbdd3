"""Command line: build and inspect the corpus and the facts table.

Examples:
    assistant corpus status
    assistant facts build
    assistant facts show --province "Lai Châu" --kind task
    assistant facts export --format csv --out facts.csv
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from assistant.config import load_settings
from assistant.errors import AssistantError

app = typer.Typer(
    help="Trợ lý hỏi đáp về kế hoạch chuyển đổi số báo chí của các tỉnh (QĐ 348/QĐ-TTg).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
facts_app = typer.Typer(help="Bảng dữ liệu (facts) trích từ các kế hoạch.", no_args_is_help=True)
corpus_app = typer.Typer(help="Các kế hoạch trong kho văn bản.", no_args_is_help=True)
app.add_typer(facts_app, name="facts")
app.add_typer(corpus_app, name="corpus")

console = Console()
err_console = Console(stderr=True)


def _wide_console() -> Console:
    """A console for tables: as wide as the terminal, or 200 columns when output is piped to a file."""
    return Console(width=None if sys.stdout.isatty() else 200)

SHOW_COLUMNS = {
    "target": ["indicator", "year", "value_text", "qualifiers", "origin", "conflict_group"],
    "task": ["number", "content", "lead_units", "coordinating_units", "deliverable", "time_frame"],
    "reporting_deadline": ["reporter", "recipient", "via", "day", "month", "recurrence"],
    "responsibility": ["responsible_unit", "duties"],
    "funding": ["source", "value_text"],
    "legal_basis": ["doc_type", "doc_number", "doc_date", "issuer", "origin"],
}


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Ghi log chi tiết.")) -> None:
    settings = load_settings()
    logging.basicConfig(
        level=logging.DEBUG if verbose else getattr(logging, settings.log_level, logging.INFO),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _fail(error: AssistantError) -> None:
    err_console.print(f"[bold red]Lỗi:[/] {error}")
    raise typer.Exit(code=1)


@corpus_app.command("status")
def corpus_status() -> None:
    """List the plans, their size, and OCR repair figures.

    Example: assistant corpus status
    """
    from assistant.corpus import load_corpus

    settings = load_settings()
    try:
        corpus = load_corpus(settings.corpus_dir)
    except AssistantError as error:
        _fail(error)
    table = Table("id", "tỉnh", "ký tự", "khối", "bảng", "sửa OCR", "âm tiết sai (trước → sau)")
    for plan in corpus.plans:
        structure = plan.structure
        shares = f"{100 * (plan.invalid_share_before or 0):.2f}% → {100 * (plan.invalid_share_after or 0):.2f}%"
        table.add_row(
            plan.id, plan.province, str(len(plan.text)), str(len(structure.blocks)), str(len(structure.tables)),
            str(plan.ocr_edits), shares,
        )
    _wide_console().print(table)
    for plan_id, message in corpus.errors.items():
        err_console.print(f"[red]{plan_id}[/]: {message}")


@corpus_app.command("text")
def corpus_text(plan_id: str = typer.Argument(..., help="Mã kế hoạch, ví dụ lai-chau.")) -> None:
    """Print the cleaned text of a plan (what is indexed and quoted).

    Example: assistant corpus text thai-binh
    """
    from assistant.corpus import load_corpus

    corpus = load_corpus(load_settings().corpus_dir)
    plan = corpus.get(plan_id)
    if plan is None:
        known = ", ".join(p.id for p in corpus.plans)
        _fail(AssistantError(f"Không có kế hoạch '{plan_id}'; các mã hiện có: {known}."))
    sys.stdout.write(plan.text + "\n")


@facts_app.command("build")
def facts_build() -> None:
    """Extract the facts of every plan into index/facts.sqlite (atomically).

    Example: assistant facts build
    """
    from assistant.corpus import load_corpus
    from assistant.factstore import build_facts_db

    settings = load_settings()
    try:
        with console.status("Đang đọc và làm sạch các kế hoạch…"):
            corpus = load_corpus(settings.corpus_dir)
        report = build_facts_db(
            corpus, settings.facts_db, progress=lambda plan_id: err_console.print(f"  trích dữ liệu: {plan_id}")
        )
    except AssistantError as error:
        _fail(error)
    table = Table("kế hoạch", *SHOW_COLUMNS.keys(), "tổng")
    for plan_id, counts in report.counts.items():
        table.add_row(plan_id, *(str(counts.get(k, 0)) for k in SHOW_COLUMNS), str(sum(counts.values())))
    console.print(table)
    for plan_id, message in report.errors.items():
        err_console.print(f"[red]Bỏ qua {plan_id}[/]: {message}")
    console.print(f"Đã ghi {report.path} trong {report.seconds:.2f} s.")
    if report.errors and not report.counts:
        raise typer.Exit(code=1)


@facts_app.command("export")
def facts_export(
    fmt: str = typer.Option("csv", "--format", "-f", help="csv hoặc json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Tệp ghi ra; mặc định in ra màn hình."),
    province: str | None = typer.Option(None, help="Lọc theo tỉnh, ví dụ \"Lai Châu\"."),
    kind: str | None = typer.Option(None, help="Lọc theo loại: target, task, reporting_deadline, …"),
) -> None:
    """Write the facts table as CSV or JSON.

    Examples: assistant facts export --format csv > facts.csv
              assistant facts export --format json --kind target --out targets.json
    """
    from assistant.factstore import FactStore, export_facts

    if fmt not in {"csv", "json"}:
        _fail(AssistantError(f"Định dạng '{fmt}' không hỗ trợ; hãy dùng --format csv hoặc --format json."))
    try:
        store = FactStore(load_settings().facts_db)
    except AssistantError as error:
        _fail(error)
    text = export_facts(store.facts(province=province, kind=kind), fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"Đã ghi {out}.")
    else:
        sys.stdout.write(text)


@facts_app.command("show")
def facts_show(
    province: str | None = typer.Option(None, help="Lọc theo tỉnh, ví dụ \"Lai Châu\"."),
    kind: str = typer.Option("target", help="target, task, reporting_deadline, responsibility, funding, legal_basis."),
    year: int | None = typer.Option(None, help="Lọc chỉ tiêu theo năm."),
) -> None:
    """Print facts as a table.

    Example: assistant facts show --province "Lai Châu" --kind task
    """
    from assistant.factstore import FactStore

    if kind not in SHOW_COLUMNS:
        _fail(AssistantError(f"Loại '{kind}' không có; hãy chọn một trong: {', '.join(SHOW_COLUMNS)}."))
    try:
        store = FactStore(load_settings().facts_db)
    except AssistantError as error:
        _fail(error)
    facts = store.facts(province=province, kind=kind, year=year)
    columns = SHOW_COLUMNS[kind]
    table = Table("tỉnh", *columns, show_lines=kind in {"task", "responsibility"})
    for fact in facts:
        cells = []
        for column in columns:
            value = getattr(fact, column)
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            cells.append("" if value is None else str(value))
        table.add_row(fact.province, *cells)
    _wide_console().print(table)
    if not facts:
        err_console.print("Không có dòng nào khớp bộ lọc.")
