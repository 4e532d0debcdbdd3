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

from assistant.cli.views import register as register_views
from assistant.config import load_settings
from assistant.errors import AssistantError
from assistant.facts.kinds import BY_NAME, FACT_KINDS

app = typer.Typer(
    help="Trợ lý hỏi đáp về kế hoạch chuyển đổi số báo chí của các tỉnh (QĐ 348/QĐ-TTg).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
facts_app = typer.Typer(help="Bảng dữ liệu (facts) trích từ các kế hoạch.", no_args_is_help=True)
corpus_app = typer.Typer(help="Các kế hoạch trong kho văn bản.", no_args_is_help=True)
app.add_typer(facts_app, name="facts")
app.add_typer(corpus_app, name="corpus")
register_views(app, facts_app)  # duties, calendar, facts compare, feedback (assistant.cli.views)

console = Console()
err_console = Console(stderr=True)


def _wide_console() -> Console:
    """A console for tables: as wide as the terminal, or 200 columns when output is piped to a file."""
    return Console(width=None if sys.stdout.isatty() else 200)




@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Ghi log chi tiết.")) -> None:
    try:
        settings = load_settings()  # every command reads the settings again; a bad value stops here, once
    except AssistantError as error:
        _fail(error)
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
    from assistant.ingest.corpus import load_corpus

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
            plan.id,
            plan.province,
            str(len(plan.text)),
            str(len(structure.blocks)),
            str(len(structure.tables)),
            str(plan.ocr_edits),
            shares,
        )
    _wide_console().print(table)
    for plan_id, message in corpus.errors.items():
        err_console.print(f"[red]{plan_id}[/]: {message}")


@corpus_app.command("text")
def corpus_text(plan_id: str = typer.Argument(..., help="Mã kế hoạch, ví dụ lai-chau.")) -> None:
    """Print the cleaned text of a plan (what is indexed and quoted).

    Example: assistant corpus text thai-binh
    """
    from assistant.ingest.corpus import load_corpus

    corpus = load_corpus(load_settings().corpus_dir)
    plan = corpus.get(plan_id)
    if plan is None:
        known = ", ".join(p.id for p in corpus.plans)
        _fail(AssistantError(f"Không có kế hoạch '{plan_id}'; các mã hiện có: {known}."))
    sys.stdout.write(plan.text + "\n")


@corpus_app.command("add")
def corpus_add(
    paths: list[Path] = typer.Argument(..., help="Tệp kế hoạch: .txt, .md, .docx, .pdf (cả bản quét), .png, .jpg."),
    province: str | None = typer.Option(None, "--province", "-p", help="Tỉnh, khi văn bản không ghi rõ."),
    plan_id: str | None = typer.Option(None, "--id", help="Mã kế hoạch (mặc định: tên tỉnh không dấu)."),
    ocr: str = typer.Option("auto", "--ocr", help="auto: OCR trang không có lớp chữ; force: OCR mọi trang; off."),
    replace_existing: bool = typer.Option(False, "--replace", help="Thay kế hoạch đã có của cùng tỉnh."),
    as_json: bool = typer.Option(False, "--json", help="In báo cáo nhập dạng JSON."),
) -> None:
    """Add plans (text, Word, PDF, scans): read, check, build facts and index, report; all or nothing.

    Examples: assistant corpus add ke-hoach-bac-giang.pdf
              assistant corpus add scan.pdf --province "Kon Tum" --ocr force --json
    """
    import json

    from assistant.maintain.pipeline import Ingester

    if ocr not in {"auto", "force", "off"}:
        _fail(AssistantError(f"--ocr '{ocr}' không hợp lệ; hãy dùng auto, force hoặc off."))
    try:
        with err_console.status("Đang thêm kế hoạch…") as status:
            reports = Ingester(load_settings(), progress=lambda message: status.update(message)).add(
                paths, province=province, plan_id=plan_id, ocr=ocr, replace_existing=replace_existing
            )
    except AssistantError as error:
        _fail(error)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=1) + "\n")
        return
    for report in reports:
        print_ingest_report(report)


def print_ingest_report(report) -> None:
    """The ingestion report as tables: metadata, facts per kind, warnings."""
    out = _wide_console()
    out.print(
        f"[bold]Đã thêm {report.plan_id}[/] ({report.province}) từ {report.source} · định dạng {report.format} · "
        f"{report.pages} trang, OCR {len(report.ocr_pages)} trang · {report.seconds:.1f} s"
    )
    meta = Table("trường", "giá trị đọc từ văn bản")
    for name, value in report.metadata.items():
        text = "; ".join(value) if isinstance(value, list) else str(value)
        meta.add_row(name, text or "[dim](để trống)[/]")
    out.print(meta)
    facts = Table(*report.facts.keys(), title="Số dòng dữ liệu theo loại")
    facts.add_row(*(str(v) for v in report.facts.values()))
    out.print(facts)
    if report.invalid_syllables_before is not None:
        out.print(
            f"Âm tiết sai: {100 * report.invalid_syllables_before:.2f}% → "
            f"{100 * (report.invalid_syllables_after or 0):.2f}%"
        )
    details = {
        "chỉ tiêu có mã suy ra": report.derived_indicators,
        "dòng tách ô theo danh mục đơn vị": report.rows_split_by_lexicon,
        "đơn vị chưa có trong bảng tên": report.unknown_units,
        "phần của mẫu không thấy": report.missing_parts,
    }
    for warning in report.warnings:
        out.print(f"[yellow]Cần kiểm tra:[/] {warning}")
    for label, items in details.items():
        if items:
            out.print(f"  {label}: " + "; ".join(items))


@corpus_app.command("remove")
def corpus_remove(plan_id: str = typer.Argument(..., help="Mã kế hoạch cần xóa, ví dụ bac-giang.")) -> None:
    """Remove a plan with its files, facts and passages (all or nothing).

    Example: assistant corpus remove bac-giang
    """
    from assistant.maintain.pipeline import Ingester

    try:
        with err_console.status("Đang xóa kế hoạch…") as status:
            Ingester(load_settings(), progress=lambda message: status.update(message)).remove(plan_id)
    except AssistantError as error:
        _fail(error)
    console.print(f"Đã xóa kế hoạch {plan_id} cùng dữ liệu và chỉ mục của nó.")


@facts_app.command("build")
def facts_build() -> None:
    """Extract the facts of every plan into index/facts.sqlite (atomically).

    Example: assistant facts build
    """
    from assistant.facts.store import build_facts_db
    from assistant.ingest.corpus import load_corpus

    settings = load_settings()
    try:
        with console.status("Đang đọc và làm sạch các kế hoạch…"):
            corpus = load_corpus(settings.corpus_dir)
        report = build_facts_db(
            corpus, settings.facts_db, progress=lambda plan_id: err_console.print(f"  trích dữ liệu: {plan_id}")
        )
    except AssistantError as error:
        _fail(error)
    table = Table("kế hoạch", *FACT_KINDS, "tổng")
    for plan_id, counts in report.counts.items():
        table.add_row(plan_id, *(str(counts.get(k, 0)) for k in FACT_KINDS), str(sum(counts.values())))
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
    province: str | None = typer.Option(None, help='Lọc theo tỉnh, ví dụ "Lai Châu".'),
    kind: str | None = typer.Option(None, help="Lọc theo loại: " + ", ".join(FACT_KINDS) + "."),
) -> None:
    """Write the facts table as CSV or JSON.

    Examples: assistant facts export --format csv > facts.csv
              assistant facts export --format json --kind target --out targets.json
    """
    from assistant.facts.store import FactStore, export_facts

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
    province: str | None = typer.Option(None, help='Lọc theo tỉnh, ví dụ "Lai Châu".'),
    kind: str = typer.Option("target", help=", ".join(FACT_KINDS) + "."),
    year: int | None = typer.Option(None, help="Lọc chỉ tiêu theo năm."),
) -> None:
    """Print facts as a table.

    Example: assistant facts show --province "Lai Châu" --kind task
    """
    from assistant.facts.store import FactStore

    if kind not in BY_NAME:
        _fail(AssistantError(f"Loại '{kind}' không có; hãy chọn một trong: {', '.join(FACT_KINDS)}."))
    try:
        store = FactStore(load_settings().facts_db)
    except AssistantError as error:
        _fail(error)
    facts = store.facts(province=province, kind=kind, year=year)
    columns = BY_NAME[kind].columns
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


@facts_app.command("score")
def facts_score(
    paths: list[Path] = typer.Argument(..., help="Tệp kế hoạch (mọi định dạng `corpus add` đọc được)."),
    gold: Path = typer.Option(..., "--gold", help="gold.json viết tay của kế hoạch (định dạng tests/data/plans)."),
    ocr: str = typer.Option("auto", "--ocr", help="auto, force hoặc off."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON (cả các mục thiếu, thừa)."),
) -> None:
    """Extract a plan file (without adding it) and compare its facts and metadata with a hand-written gold.

    Example: assistant facts score tests/data/plans/kon-tum/plan.txt --gold tests/data/plans/kon-tum/gold.json
    """
    import json

    from assistant.facts.extract import FactExtractor, PlanText
    from assistant.facts.plan_gold import load_plan_gold, plan_metadata, score_plan, summary_table
    from assistant.ingest import read_document
    from assistant.ingest.corpus import PlanCleaner, PlanMeta, load_corpus
    from assistant.maintain.pipeline import read_options

    settings = load_settings()
    try:
        expected = load_plan_gold(gold)
        seed = load_corpus(settings.corpus_dir, cache_dir=settings.index_dir, keep=False)
        cleaner = PlanCleaner([p.raw_text for p in seed.plans if not p.meta.ocr])
        results = {}
        for path in paths:
            extracted = read_document(path, read_options(settings, ocr, None))
            plan = cleaner.clean(PlanMeta(id="plan", province="", file=path.name, ocr=extracted.ocr), extracted.text)
            facts = FactExtractor().run(PlanText(plan.id, plan.province, plan.text, plan.structure))
            results[path.name] = score_plan(expected, facts, plan_metadata(plan.meta), plan.text)
    except (AssistantError, OSError, ValueError) as error:
        _fail(error if isinstance(error, AssistantError) else AssistantError(f"Không đọc được tệp ({error})."))
    if as_json:
        payload = {name: {kind: s.as_dict() for kind, s in scores.items()} for name, scores in results.items()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    console.print(summary_table(results), highlight=False)


# -- retrieval index -----------------------------------------------------------------------------------
index_app = typer.Typer(help="Chỉ mục tìm kiếm (Chroma + BM25) trên các đoạn văn của kế hoạch.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _build_everything(force: bool = False):
    """Build the facts table and the retrieval index (only what changed); returns the index build report."""
    from assistant.facts.store import build_facts_db
    from assistant.ingest.corpus import load_corpus
    from assistant.search.index import IndexBuilder

    settings = load_settings()
    with err_console.status("Đang đọc và làm sạch các kế hoạch…"):
        corpus = load_corpus(settings.corpus_dir, cache_dir=settings.index_dir)
    for plan_id, message in corpus.errors.items():
        err_console.print(f"[red]Bỏ qua {plan_id}[/]: {message}")
    facts = build_facts_db(corpus, settings.facts_db)
    rows = sum(sum(c.values()) for c in facts.counts.values())
    err_console.print(f"Bảng dữ liệu: {rows} dòng ({facts.seconds:.2f} s).")
    report = IndexBuilder(settings, progress=lambda message: err_console.print(f"  {message}")).build(
        corpus, force=force
    )
    if report.up_to_date:
        err_console.print(f"Chỉ mục tìm kiếm đã cập nhật ({report.passages} đoạn văn), không cần dựng lại.")
    else:
        err_console.print(
            f"Đã dựng chỉ mục: {report.passages} đoạn văn, nhúng mới {report.embedded}, "
            f"kế hoạch thay đổi: {', '.join(report.rebuilt_plans) or 'không'} ({report.seconds:.1f} s)."
        )
    return report


@index_app.command("build")
def index_build(force: bool = typer.Option(False, "--force", help="Dựng lại toàn bộ dù không có thay đổi.")) -> None:
    """Build the facts table and the retrieval index; only plans whose text changed are re-embedded.

    Examples: assistant index build
              assistant index build --force
    """
    try:
        _build_everything(force)
    except AssistantError as error:
        _fail(error)


@index_app.command("status")
def index_status() -> None:
    """Say what is indexed, with which model, and when.

    Example: assistant index status
    """
    from assistant.search.index import IndexManifest

    settings = load_settings()
    try:
        manifest = IndexManifest.read(settings.index_dir / "retrieval")
    except (OSError, ValueError, TypeError):
        _fail(AssistantError("Chưa có chỉ mục tìm kiếm; hãy chạy 'assistant index build'."))
    console.print(f"Mô hình nhúng: {manifest.model_name} ({manifest.dimension} chiều)")
    console.print(f"Kho vector: Chroma {manifest.chroma}, bộ sưu tập {manifest.collection}")
    console.print(f"Dựng lúc: {manifest.built_at} trong {manifest.build_seconds} s; {manifest.passages} đoạn văn")
    table = Table("kế hoạch", "tỉnh", "đoạn văn", "sha256")
    for plan_id, entry in manifest.plans.items():
        table.add_row(plan_id, entry["province"], str(entry.get("passages", "")), entry["sha256"][:12])
    _wide_console().print(table)
    from assistant.artifacts.freshness import INDEX_CODE, stale_reasons
    from assistant.ingest.corpus import load_corpus

    try:
        corpus = load_corpus(settings.corpus_dir, cache_dir=settings.index_dir)
    except AssistantError as error:
        _fail(error)
    recorded = {plan_id: entry.get("sha256", "") for plan_id, entry in manifest.plans.items()}
    reasons = stale_reasons(recorded, manifest.code_sha256, corpus, INDEX_CODE)
    if reasons:
        console.print("[yellow]Cần dựng lại[/] ('assistant index build'): " + "; ".join(reasons))
    else:
        console.print("Chỉ mục khớp với kho văn bản và mã nguồn hiện tại.")


def _load_retriever(mode: str = "hybrid"):
    """Load the retriever; a missing or damaged index is rebuilt once, with a clear message."""
    from assistant.search.index import IndexUnavailable
    from assistant.search.retrieval import HybridRetriever

    settings = load_settings()
    try:
        return HybridRetriever.load(settings, mode=mode)
    except IndexUnavailable as error:
        err_console.print(f"[yellow]{error}[/] Đang dựng lại chỉ mục…")
        _build_everything(force=True)
        return HybridRetriever.load(settings, mode=mode)


@app.command("search")
def search(
    query: str | None = typer.Argument(None, help="Câu hỏi hoặc từ khóa, có hoặc không dấu."),
    province: str | None = typer.Option(None, "--province", "-p", help="Chỉ tìm trong kế hoạch của tỉnh này."),
    k: int = typer.Option(5, "-k", help="Số đoạn văn trả về."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
    mode: str = typer.Option("hybrid", help="hybrid, dense hoặc bm25."),
    batch: Path | None = typer.Option(None, "--batch", help="Tệp JSONL, mỗi dòng {id, question}."),
    out: Path | None = typer.Option(None, "--out", help="Tệp JSONL kết quả cho --batch."),
) -> None:
    """Print the top passages for a question, with scores (for maintainers).

    Examples: assistant search "muc tieu 2025 cua quang tri"
              assistant search "Ai chủ trì nhiệm vụ 5.1?" --province "Lai Châu" -k 3 --json
              assistant search --batch questions.jsonl --out results.jsonl
    """
    import json

    if mode not in {"hybrid", "dense", "bm25"}:
        _fail(AssistantError(f"Chế độ '{mode}' không có; hãy dùng hybrid, dense hoặc bm25."))
    if batch is None and not (query or "").strip():
        _fail(AssistantError('Hãy nhập câu hỏi, ví dụ: assistant search "mục tiêu 2025 của Quảng Trị".'))
    if batch is not None and out is None:
        _fail(AssistantError("Dùng --batch cần kèm --out để ghi kết quả, ví dụ --out results.jsonl."))
    try:
        retriever = _load_retriever(mode)
    except AssistantError as error:
        _fail(error)
    if batch is not None:
        try:
            lines = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError) as error:
            _fail(AssistantError(f"Không đọc được {batch} ({error}); mỗi dòng phải là JSON {{id, question}}."))
        with out.open("w", encoding="utf-8") as handle:
            for n, item in enumerate(lines, start=1):
                result = retriever.search(str(item.get("question", "")), province=item.get("province"), k=k)
                row = {"id": item.get("id"), "results": [h.to_dict() for h in result.hits]}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                if n % 20 == 0:
                    err_console.print(f"  {n}/{len(lines)}")
        err_console.print(f"Đã ghi {len(lines)} dòng vào {out}.")
        return
    result = retriever.search(query, province=province, k=k)
    if as_json:
        sys.stdout.write(json.dumps([h.to_dict() for h in result.hits], ensure_ascii=False, indent=1) + "\n")
        return
    if result.unknown_provinces and not result.hits:
        console.print(f"Kho văn bản không có kế hoạch của {', '.join(result.unknown_provinces)}.")
        return
    console.print(
        f"Lọc tỉnh: {', '.join(result.provinces) or 'tất cả'} · độ liên quan {result.relevance:.2f} · "
        f"{result.timings_ms.get('total', 0):.0f} ms"
    )
    for rank, hit in enumerate(result.hits, start=1):
        p = hit.passage
        console.print(f"[bold]{rank}. {p.province}[/] · {p.section} · [{p.start}:{p.end}] · điểm {hit.score:.4f}")
        console.print("   " + " ".join(p.text.split())[:400])


@index_app.command("eval")
def index_eval(
    questions: Path = typer.Option(Path("evals/retrieval.jsonl"), help="Tệp câu hỏi có đoạn trả lời chuẩn."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
) -> None:
    """Report hit@1, hit@5 and MRR for dense, BM25 and hybrid retrieval side by side.

    Example: assistant index eval --questions evals/retrieval.jsonl
    """
    import json
    from dataclasses import asdict

    from assistant.evaluation.retrieval import evaluate, load_questions

    try:
        retriever = _load_retriever()
        items = load_questions(questions)
    except (AssistantError, OSError, ValueError) as error:
        _fail(error if isinstance(error, AssistantError) else AssistantError(f"Không đọc được {questions}: {error}"))
    ocr_plans = {p.plan_id for p in retriever.index.passages if p.plan_id in _ocr_plan_ids()}
    scores = evaluate(retriever, items, ocr_plans)
    if as_json:
        sys.stdout.write(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table("chế độ", "n", "hit@1", "hit@5", "MRR", "không dấu hit@5", "OCR hit@5", "tiếng Anh hit@5")
    for s in scores:
        table.add_row(
            s.mode,
            str(s.n),
            f"{s.hit1:.3f}",
            f"{s.hit5:.3f}",
            f"{s.mrr:.3f}",
            f"{s.subsets['no_diacritics']['hit@5']:.3f} (n={s.subsets['no_diacritics']['n']})",
            f"{s.subsets['ocr_plan']['hit@5']:.3f} (n={s.subsets['ocr_plan']['n']})",
            f"{s.subsets['english']['hit@5']:.3f} (n={s.subsets['english']['n']})",
        )
    _wide_console().print(table)
    hybrid = next(s for s in scores if s.mode == "hybrid")
    if hybrid.misses:
        console.print("Câu hybrid trượt top 5: " + ", ".join(hybrid.misses))


def _ocr_plan_ids() -> set[str]:
    from assistant.ingest.corpus import load_manifest

    return {m.id for m in load_manifest(load_settings().corpus_dir) if m.ocr}


# -- server --------------------------------------------------------------------------------------------
@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe."),
    port: int = typer.Option(7860, help="Cổng."),
) -> None:
    """Start the answer API (/v1, docs at /docs) and the chat page (/) on one server.

    Examples: assistant serve
              assistant serve --host 0.0.0.0 --port 8080
    """
    from assistant.serving.server import serve as run_server

    try:
        run_server(host=host, port=port)
    except AssistantError as error:
        _fail(error)


# -- answers -------------------------------------------------------------------------------------------
def _load_engine():
    from assistant.engine import AnswerEngine

    with err_console.status("Đang nạp dữ liệu và mô hình…"):
        return AnswerEngine.load()


def _print_answer(answer) -> None:
    badge = {
        "verified": "[green]Đã đối chiếu bảng dữ liệu[/]",
        "partially_verified": "[yellow]Đối chiếu được một phần[/]",
        "not_verified": "[red]Chưa đối chiếu được[/]",
        "no_claims": "[dim]Không có số liệu cần đối chiếu[/]",
        "not_addressed": "[dim]Các kế hoạch không nêu điều được hỏi[/]",
        "unconfirmed": "[cyan]Trích nguyên văn, chưa đối chiếu bảng dữ liệu[/]",
    }[answer.verification.status]
    console.print(answer.answer, highlight=False)
    console.print(f"\n{badge} · {answer.status} · {answer.route} · {answer.timings_ms.get('total', 0):.0f} ms")
    if answer.citations:
        console.print("\n[bold]Nguồn[/]")
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            console.print(
                f"[{c.n}] {c.province} · {c.section} · [{c.start}:{c.end}]\n    “{quote[:300]}”", highlight=False
            )


@app.command("ask")
def ask(
    question: str | None = typer.Argument(None, help="Câu hỏi, có hoặc không dấu, tiếng Việt hoặc tiếng Anh."),
    province: str | None = typer.Option(None, "--province", "-p", help="Chỉ hỏi về kế hoạch của tỉnh này."),
    as_json: bool = typer.Option(False, "--json", help="In câu trả lời dạng JSON (trường của Answer)."),
    batch: Path | None = typer.Option(None, "--batch", help="Tệp JSONL, mỗi dòng {id, question, history?}."),
    out: Path | None = typer.Option(None, "--out", help="Tệp JSONL kết quả cho --batch."),
) -> None:
    """Answer a question with cited, verified sources.

    Examples: assistant ask "Mục tiêu năm 2025 của Lai Châu về AI là bao nhiêu?"
              assistant ask "ai chu tri nhiem vu 5.1" --province "Lai Châu" --json
              assistant ask --batch questions.jsonl --out answers.jsonl
    """
    import json

    if batch is None and not (question or "").strip():
        _fail(AssistantError('Hãy nhập câu hỏi, ví dụ: assistant ask "Mục tiêu 2025 của Quảng Trị?".'))
    if batch is not None and out is None:
        _fail(AssistantError("Dùng --batch cần kèm --out để ghi kết quả, ví dụ --out answers.jsonl."))
    try:
        engine = _load_engine()
        if batch is None:
            answer = engine.answer(question, province=province)
            if as_json:
                sys.stdout.write(answer.model_dump_json(indent=1) + "\n")
            else:
                _print_answer(answer)
            return
        try:
            items = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError) as error:
            raise AssistantError(
                f"Không đọc được {batch} ({error}); mỗi dòng phải là JSON {{id, question}}."
            ) from error
        with out.open("w", encoding="utf-8") as handle:
            for n, item in enumerate(items, start=1):
                try:
                    answer = engine.answer(
                        str(item.get("question", "")), history=item.get("history"), province=item.get("province")
                    )
                    row = {"id": item.get("id"), **answer.model_dump()}
                except AssistantError as error:
                    row = {"id": item.get("id"), "error": {"code": "bad_question", "message": str(error)}}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                if n % 25 == 0:
                    err_console.print(f"  {n}/{len(items)}")
        err_console.print(f"Đã ghi {len(items)} câu trả lời vào {out}.")
    except AssistantError as error:
        _fail(error)


@app.command("eval")
def evaluate_answers(
    questions: Path = typer.Option(Path("evals/questions.jsonl"), help="Bộ câu hỏi đánh giá (JSONL)."),
    out_dir: Path = typer.Option(Path("evals/results"), "--out-dir", help="Nơi ghi report.md, report.json, biểu đồ."),
    baseline: bool = typer.Option(False, "--baseline", help="Chạy thêm RAG llama-index đơn giản để so sánh."),
    min_accuracy: float = typer.Option(0.95, help="Ngưỡng độ chính xác tổng; thấp hơn thì thoát mã 1."),
    min_citation_hit: float = typer.Option(0.95, help="Ngưỡng tỷ lệ trích dẫn trúng."),
    min_refusal: float = typer.Option(1.0, help="Ngưỡng tỷ lệ từ chối đúng cho câu not_found."),
    max_wrong_verified: int = typer.Option(
        0, help="Số câu sai nhưng gắn nhãn “đã xác minh” tối đa được phép (mặc định 0)."
    ),
    strict_types: str = typer.Option(
        "target,lead_unit,coordinating_units,deadline", help="Các loại phải đạt 100% (phân cách bằng dấu phẩy)."
    ),
) -> None:
    """Grade the assistant on an eval set; write reports; exit non-zero under the thresholds.

    Examples: assistant eval
              assistant eval --questions evals/questions.jsonl --baseline
    """
    import time

    from assistant.evaluation.answers import NaiveRag, load_questions, run_engine, summarize, write_reports

    try:
        items = load_questions(questions)
    except (OSError, ValueError, TypeError) as error:
        _fail(AssistantError(f"Không đọc được {questions} ({error})."))
    try:
        engine = _load_engine()
    except AssistantError as error:
        _fail(error)
    started = time.perf_counter()
    reports = [
        summarize(
            "assistant", run_engine(engine, items, lambda m: err_console.print(f"  {m}")), time.perf_counter() - started
        )
    ]
    if baseline:
        started = time.perf_counter()
        reports.append(
            summarize(
                "naive-rag",
                run_engine(_BaselineAdapter(NaiveRag(engine), engine), items),
                time.perf_counter() - started,
            )
        )
    write_reports(reports, out_dir)
    main_report = reports[0]
    table = Table("chỉ số", *(r.system for r in reports))
    table.add_row("độ chính xác", *(f"{r.accuracy:.1%}" for r in reports))
    table.add_row("trích dẫn trúng", *(f"{r.citation_hit_rate:.1%}" for r in reports))
    table.add_row("xác minh đúng", *(f"{r.verification_precision:.1%}" for r in reports))
    table.add_row("từ chối đúng", *(f"{r.refusal_rate:.1%}" for r in reports))
    table.add_row("sai nhưng đã xác minh", *(str(len(r.wrong_but_verified)) for r in reports))
    table.add_row("p50 / p95 ms", *(f"{r.latency_p50_ms:.0f} / {r.latency_p95_ms:.0f}" for r in reports))
    for kind, row in main_report.by_type.items():
        table.add_row(
            f"  {kind} (n={row['n']})", *(f"{r.by_type.get(kind, {}).get('accuracy', 0):.1%}" for r in reports)
        )
    _wide_console().print(table)
    console.print(f"Báo cáo: {out_dir / 'report.md'}")
    problems = []
    if main_report.accuracy < min_accuracy:
        problems.append(f"độ chính xác {main_report.accuracy:.1%} < {min_accuracy:.0%}")
    if main_report.citation_hit_rate < min_citation_hit:
        problems.append(f"trích dẫn trúng {main_report.citation_hit_rate:.1%} < {min_citation_hit:.0%}")
    if main_report.refusal_rate < min_refusal:
        problems.append(f"từ chối đúng {main_report.refusal_rate:.1%} < {min_refusal:.0%}")
    if len(main_report.wrong_but_verified) > max_wrong_verified:
        problems.append(
            f"{len(main_report.wrong_but_verified)} câu sai nhưng gắn nhãn đã xác minh "
            f"({', '.join(main_report.wrong_but_verified[:10])})"
        )
    if main_report.verification_precision < 1.0:
        problems.append("có khẳng định không có căn cứ bị đánh dấu đã xác minh")
    for kind in [k.strip() for k in strict_types.split(",") if k.strip()]:
        accuracy = main_report.by_type.get(kind, {}).get("accuracy")
        if accuracy is not None and accuracy < 1.0:
            problems.append(f"loại {kind} đạt {accuracy:.1%} < 100%")
    if problems:
        err_console.print("[red]Không đạt ngưỡng:[/] " + "; ".join(problems))
        raise typer.Exit(code=1)


class _BaselineAdapter:
    """Gives the baseline the engine's interface for :func:`run_engine`."""

    def __init__(self, baseline, engine) -> None:
        self.baseline = baseline
        self.corpus = engine.corpus

    def answer(self, question, history=None):
        return self.baseline.answer(question, history)
