"""`corpus add` and `corpus remove`: read the files, check them, stage the new corpus, build, report, commit.

Every file is read and checked before anything changes (its format, the template's parts, the province and
whether the corpus already has it); then the change is staged and the facts table and the retrieval index are
built incrementally from the staged corpus (:mod:`assistant.maintain.transaction`), and committed at once. A
failure at any step leaves corpus, manifest, facts and index as they were.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.config import Settings
from assistant.domain.normalize import fold
from assistant.errors import PlanFileError
from assistant.ingest import Extracted, IngestError, OcrMode, ReadOptions, read_document
from assistant.ingest.corpus import MANIFEST_NAME, PlanCleaner, PlanMeta, load_corpus, load_manifest
from assistant.ingest.metadata import find_province
from assistant.maintain.report import IngestReport, build_report
from assistant.maintain.transaction import Change, Paths, change

log = logging.getLogger(__name__)

SOURCES_DIR = "sources"


@dataclass
class Prepared:
    """A file read and checked, ready to be written into the staged corpus."""

    path: Path
    meta: PlanMeta
    extracted: Extracted
    replaces: str | None  # id of the plan it replaces


def slug(province: str) -> str:
    """ASCII id of a province: "Bà Rịa - Vũng Tàu" → "ba-ria-vung-tau"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(province)).strip("-")


def read_options(settings: Settings, ocr: OcrMode, progress: Callable[[str], None] | None) -> ReadOptions:
    return ReadOptions(
        ocr=ocr,
        ocr_lang=settings.ocr_lang,
        ocr_dpi=settings.ocr_dpi,
        max_pages=settings.ingest_max_pages,
        tesseract=settings.tesseract,
        ocr_workers=settings.ocr_workers,
        progress=progress,
    )


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def manifest_entry(meta: PlanMeta) -> str:
    """The [[plan]] table of an added plan: what the text cannot say, and the maintainer's overrides."""
    lines = ["[[plan]]", f"id = {_toml_string(meta.id)}", f"file = {_toml_string(meta.file)}"]
    lines.append(f"source_file = {_toml_string(meta.source_file)}")
    for name in sorted(meta.overrides):
        value = getattr(meta, name)
        if isinstance(value, tuple):
            lines.append(f"{name} = [" + ", ".join(_toml_string(v) for v in value) + "]")
        else:
            lines.append(f"{name} = {_toml_string(value)}")
    lines.append(f"ocr = {'true' if meta.ocr else 'false'}")
    if meta.notes:
        lines.append(f"notes = {_toml_string(meta.notes)}")
    return "\n".join(lines) + "\n"


def _remove_entry(manifest: str, plan_id: str) -> str:
    """The manifest text without the [[plan]] table of ``plan_id`` (comments of other entries kept)."""
    parts = re.split(r"(?m)^(?=\[\[plan\]\])", manifest)
    kept = [p for p in parts if not re.search(rf'(?m)^id\s*=\s*"{re.escape(plan_id)}"\s*$', p)]
    return "".join(kept).rstrip("\n") + "\n"


class Ingester:
    """Adds and removes plans (see the module docstring)."""

    def __init__(self, settings: Settings, progress: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda message: log.info("%s", message))
        self.paths = Paths(settings.corpus_dir, settings.index_dir)

    # -- add -----------------------------------------------------------------------------------------
    def add(
        self,
        files: list[Path],
        province: str | None = None,
        plan_id: str | None = None,
        ocr: OcrMode = "auto",
        replace_existing: bool = False,
    ) -> list[IngestReport]:
        if not files:
            raise IngestError("Hãy chỉ ra ít nhất một tệp kế hoạch để thêm.")
        if (province or plan_id) and len(files) > 1:
            raise IngestError("--province và --id chỉ dùng khi thêm một tệp; hãy thêm từng tệp một.")
        started = time.perf_counter()
        corpus = load_corpus(self.settings.corpus_dir, cache_dir=self.settings.index_dir, keep=False)
        cleaner = PlanCleaner([p.raw_text for p in corpus.plans if not p.meta.ocr])
        options = read_options(self.settings, ocr, self.progress)
        prepared: list[Prepared] = []
        for path in files:
            self.progress(f"Đọc {path.name}…")
            item = self._prepare(path, options, cleaner, corpus, province, plan_id, replace_existing)
            for other in prepared:
                if other.meta.id == item.meta.id:
                    raise IngestError(
                        f"{path.name}: cùng tỉnh với {other.path.name} ({item.meta.province}); "
                        "hãy thêm một tệp mỗi tỉnh."
                    )
            prepared.append(item)
        with change(self.paths) as staged:
            self._stage(staged, prepared)
            reports = self._build(staged, prepared)
            staged.commit()
        seconds = time.perf_counter() - started
        for report in reports:
            report.seconds = round(seconds, 2)
        return reports

    def _prepare(self, path, options, cleaner, corpus, province, plan_id, replace_existing) -> Prepared:
        extracted = read_document(path, options)
        text_province = find_province(extracted.text)
        chosen = province or text_province  # without one, cleaning says what is missing (template first)
        new_id = plan_id or slug(chosen) or "ke-hoach"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", new_id):
            raise IngestError(f"{path.name}: mã '{new_id}' không hợp lệ; hãy dùng chữ thường không dấu, số và '-'.")
        overrides = {"province": province} if province and province != text_province else {}
        meta = PlanMeta(
            id=new_id,
            province=chosen,
            file=f"{new_id}.txt",
            source_file=f"{SOURCES_DIR}/{new_id}{path.suffix.lower()}",
            ocr=extracted.ocr,
            overrides=frozenset(overrides),
        )
        try:
            plan = cleaner.clean(meta, extracted.text)
        except PlanFileError as error:
            message = str(error).split(": ", 1)[-1]
            raise IngestError(f"{path.name}: {message}") from error
        existing = next((p for p in corpus.plans if p.id == new_id or fold(p.province) == fold(plan.province)), None)
        if existing is None:
            existing_id = next((m.id for m in load_manifest(self.settings.corpus_dir) if m.id == new_id), None)
        else:
            existing_id = existing.id
        if existing_id and not replace_existing:
            raise IngestError(
                f"{path.name}: kho đã có kế hoạch của tỉnh {plan.province} (mã {existing_id}); "
                "hãy dùng --replace để thay bằng tệp này."
            )
        return Prepared(path, replace(meta, province=plan.province), extracted, existing_id)

    def _stage(self, staged: Change, prepared: list[Prepared]) -> None:
        manifest_path = staged.corpus / MANIFEST_NAME
        manifest = manifest_path.read_text(encoding="utf-8")
        for item in prepared:
            if item.replaces:
                manifest = _remove_entry(manifest, item.replaces)
                self._remove_files(staged.corpus, item.replaces)
            (staged.corpus / SOURCES_DIR).mkdir(exist_ok=True)
            source, text_file = staged.corpus / item.meta.source_file, staged.corpus / item.meta.file
            for target in (source, text_file):
                target.unlink(missing_ok=True)  # never write through a hard link into the live corpus
            shutil.copyfile(item.path, source)
            text_file.write_text(item.extracted.text + "\n", encoding="utf-8")
            manifest = manifest.rstrip("\n") + "\n\n" + manifest_entry(item.meta)
        partial = manifest_path.with_name(".manifest.tmp")
        partial.write_text(manifest, encoding="utf-8")
        partial.replace(manifest_path)  # a new file: the live manifest (hard-linked) is never written

    @staticmethod
    def _remove_files(corpus_dir: Path, plan_id: str) -> None:
        for meta in load_manifest(corpus_dir):
            if meta.id == plan_id:
                (corpus_dir / meta.file).unlink(missing_ok=True)
                if meta.source_file.startswith(f"{SOURCES_DIR}/"):
                    (corpus_dir / meta.source_file).unlink(missing_ok=True)

    def _build(self, staged: Change, prepared: list[Prepared]) -> list[IngestReport]:
        from assistant.facts.store import build_facts_db, extract_all
        from assistant.search.index import IndexBuilder

        self.progress("Làm sạch và trích dữ liệu…")
        corpus = load_corpus(staged.corpus, cache_dir=staged.index)
        for item in prepared:
            if item.meta.id in corpus.errors:
                raise IngestError(f"{item.path.name}: {corpus.errors[item.meta.id]}")
        build_facts_db(corpus, staged.index / "facts.sqlite")
        facts = extract_all(corpus)
        self.progress("Cập nhật chỉ mục tìm kiếm…")
        settings = replace(self.settings, corpus_dir=staged.corpus, index_dir=staged.index)
        IndexBuilder(settings, progress=self.progress).build(corpus)
        reports = []
        for item in prepared:
            plan = corpus.get(item.meta.id)
            assert plan is not None
            reports.append(
                build_report(
                    plan, facts, item.path.name, item.extracted.format, item.extracted.pages, item.extracted.ocr_pages
                )
            )
            reports[-1].warnings[:0] = item.extracted.warnings
        return reports

    # -- remove --------------------------------------------------------------------------------------
    def remove(self, plan_id: str) -> None:
        from assistant.facts.store import build_facts_db
        from assistant.search.index import IndexBuilder

        ids = [m.id for m in load_manifest(self.settings.corpus_dir)]
        if plan_id not in ids:
            raise IngestError(f"Không có kế hoạch '{plan_id}' trong kho; các mã hiện có: {', '.join(ids)}.")
        with change(self.paths) as staged:
            manifest_path = staged.corpus / MANIFEST_NAME
            self._remove_files(staged.corpus, plan_id)
            manifest = _remove_entry(manifest_path.read_text(encoding="utf-8"), plan_id)
            partial = manifest_path.with_name(".manifest.tmp")
            partial.write_text(manifest, encoding="utf-8")
            partial.replace(manifest_path)
            corpus = load_corpus(staged.corpus, cache_dir=staged.index)
            build_facts_db(corpus, staged.index / "facts.sqlite")
            settings = replace(self.settings, corpus_dir=staged.corpus, index_dir=staged.index)
            IndexBuilder(settings, progress=self.progress).build(corpus)
            staged.commit()
