"""The corpus: the manifest of plans, reading plan files safely, and the cleaning pipeline raw → text.

A plan goes through: decode UTF-8 and NFC → OCR repair (only for noisy scans) → layout repair → structure.
The raw text stays as it is; ``Plan.text`` is what gets indexed and quoted, and ``Plan.offsets`` maps
every character of it back to the raw text, so a citation can point at the original file.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

from assistant.artifacts.cache import read_cache, write_cache
from assistant.artifacts.freshness import CORPUS_CODE, code_hash
from assistant.domain.normalize import nfc
from assistant.errors import ManifestError, PlanFileError
from assistant.ingest.layout import repair_layout
from assistant.ingest.metadata import METADATA_FIELDS, TextMetadata, read_metadata
from assistant.ingest.structure import PlanStructure, parse_structure
from assistant.ingest.textmap import OffsetMap, apply_edits

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
CORPUS_CACHE_FILE = "corpus.pickle"


@dataclass(frozen=True)
class PlanMeta:
    """Per-plan metadata from the manifest; empty strings where the plan's text leaves a field blank."""

    id: str
    province: str
    file: str
    source_file: str = ""
    title: str = ""
    plan_number: str = ""
    issue_date: str = ""
    issuing_body: str = ""
    signer: str = ""
    legal_basis: tuple[str, ...] = ()
    ocr: bool | None = None  # None: not said, detected from the text's invalid syllables
    notes: str = ""
    overrides: frozenset[str] = frozenset()  # metadata fields the manifest sets; the others come from the text

    def with_text_metadata(self, found: TextMetadata) -> PlanMeta:
        """This entry with every metadata field the manifest does not set taken from the plan's text."""
        values = {name: getattr(found, name) for name in METADATA_FIELDS if name not in self.overrides}
        return replace(self, **values)


@dataclass
class Plan:
    """A loaded plan: metadata, raw text, cleaned text with its map to the raw text, and its structure."""

    meta: PlanMeta
    raw_text: str
    text: str
    offsets: OffsetMap
    footnotes: list[tuple[int, int]] = field(default_factory=list)
    appendix_start: int | None = None
    ocr_edits: int = 0
    invalid_share_before: float | None = None
    invalid_share_after: float | None = None
    text_metadata: TextMetadata | None = None  # what the text itself says (before manifest overrides)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def province(self) -> str:
        return self.meta.province

    @cached_property
    def structure(self) -> PlanStructure:
        return parse_structure(self.text, self.footnotes, self.appendix_start)

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]


_TEXT_FIELDS = [f.name for f in fields(PlanMeta) if f.type == "str"]  # manifest fields that must be strings


def load_manifest(corpus_dir: Path) -> list[PlanMeta]:
    """The usable ``[[plan]]`` entries of the manifest (see :func:`read_manifest` for the ones left out)."""
    return read_manifest(corpus_dir)[0]


def read_manifest(corpus_dir: Path) -> tuple[list[PlanMeta], dict[str, str]]:
    """The usable ``[[plan]]`` entries, and one sentence for each entry that cannot be used (keyed by its id, or
    by its position when it has none): a bad entry is skipped, the others still load. A missing or unreadable
    manifest is a :class:`ManifestError`."""
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"Không tìm thấy {path}: hãy tạo tệp manifest.toml mô tả các kế hoạch trong {corpus_dir}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"Tệp {path} không đọc được ({error}); hãy sửa cú pháp TOML.") from error
    entries = data.get("plan", [])
    if not isinstance(entries, list):
        raise ManifestError(f"Trong {path}, 'plan' phải là các bảng [[plan]]; hãy sửa cú pháp TOML.")
    plans: list[PlanMeta] = []
    errors: dict[str, str] = {}
    known = set(PlanMeta.__dataclass_fields__) - {"overrides"}
    for position, entry in enumerate(entries, start=1):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else ""
        key = label or f"plan #{position}"
        problem = _entry_problem(entry, {p.id for p in plans})
        if problem:
            errors[key if key not in errors else f"{key} #{position}"] = (
                f"Mục [[plan]] thứ {position} ({label or 'không có id'}) trong {MANIFEST_NAME} {problem}; "
                "mục này bị bỏ qua, hãy sửa manifest."
            )
            continue
        overrides = frozenset(k for k in entry if k in METADATA_FIELDS)  # what a maintainer set by hand
        entry = dict(entry)
        entry["legal_basis"] = tuple(entry.get("legal_basis", []))
        values = {k: v for k, v in entry.items() if k in known}
        values.setdefault("province", "")  # read from the text when the manifest does not say
        plans.append(PlanMeta(**values, overrides=overrides))
    return plans, errors


def _entry_problem(entry: object, ids: set[str]) -> str:
    """What makes one manifest entry unusable ("" when it is usable), as the end of a Vietnamese sentence."""
    if not isinstance(entry, dict):
        return "không phải một bảng"
    missing = [key for key in ("id", "file") if not entry.get(key)]
    if missing:
        return f"thiếu {', '.join(missing)}"
    wrong = [key for key in _TEXT_FIELDS if key in entry and not isinstance(entry[key], str)]
    if "ocr" in entry and not isinstance(entry["ocr"], bool):
        wrong.append("ocr")
    basis = entry.get("legal_basis", [])
    if not isinstance(basis, list) or not all(isinstance(item, str) for item in basis):
        wrong.append("legal_basis")
    if wrong:
        return f"có trường sai kiểu ({', '.join(wrong)})"
    file = Path(entry["file"])
    if file.is_absolute() or ".." in file.parts:
        return "có trường 'file' trỏ ra ngoài thư mục kho văn bản"
    if entry["id"] in ids:
        return f"trùng mã '{entry['id']}' với một mục trước"
    return ""


def read_plan_file(path: Path) -> str:
    """The plan's text, NFC; a clear :class:`PlanFileError` when the file is missing, empty, binary or not UTF-8."""
    if not path.is_file():
        raise PlanFileError(f"{path.name}: không tìm thấy tệp; hãy kiểm tra trường 'file' trong manifest.")
    data = path.read_bytes()
    if not data.strip():
        raise PlanFileError(f"{path.name}: tệp rỗng; hãy chép nội dung kế hoạch vào tệp.")
    if b"\x00" in data[:4096]:
        raise PlanFileError(f"{path.name}: tệp nhị phân, không phải văn bản; hãy chuyển sang văn bản UTF-8.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanFileError(
            f"{path.name}: không phải mã hóa UTF-8 (byte lỗi ở vị trí {error.start}); hãy lưu lại dưới dạng UTF-8."
        ) from error
    return nfc(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))


class PlanCleaner:
    """Turns raw plan text into clean text: OCR repair when the text is a noisy scan, then layout repair."""

    def __init__(self, clean_texts: list[str]) -> None:
        self._clean_texts = clean_texts
        self._repairer = None

    @property
    def repairer(self):
        if self._repairer is None:
            from assistant.ingest.ocr_repair import OcrRepairer

            self._repairer = OcrRepairer.from_clean_texts(self._clean_texts)
        return self._repairer

    def clean(self, meta: PlanMeta, raw: str) -> Plan:
        text, offsets = raw, OffsetMap.identity(len(raw))
        edits = 0
        if meta.ocr or (meta.ocr is None and self.repairer.is_noisy(raw)):
            from assistant.domain.syllables import invalid_share

            report = self.repairer.run(raw)
            kept = kept_edits(raw, report.edits)
            text, offsets = apply_edits(raw, kept)
            edits = len(kept)
            before = report.before.share
            after = report.after.share if len(kept) == len(report.edits) else invalid_share(text).share
            log.info(
                "%s: OCR repair made %d edits (invalid syllables %.2f%% → %.2f%%)",
                meta.id,
                edits,
                100 * before,
                100 * after,
            )
        else:
            from assistant.domain.syllables import invalid_share

            before = after = invalid_share(raw).share
        layout = repair_layout(text)
        found = read_metadata(layout.text)
        meta = replace(meta.with_text_metadata(found), ocr=bool(meta.ocr or edits))
        plan = Plan(
            meta=meta,
            raw_text=raw,
            text=layout.text,
            offsets=offsets.then(layout.offsets),
            footnotes=layout.footnotes,
            appendix_start=layout.appendix_start,
            ocr_edits=edits,
            invalid_share_before=before,
            invalid_share_after=after,
            text_metadata=found,
        )
        missing = plan.structure.missing_sections()
        if missing:
            raise PlanFileError(
                f"{meta.file}: không thấy các phần của mẫu kế hoạch ({', '.join(missing)}); "
                "hãy kiểm tra đây có phải kế hoạch chuyển đổi số báo chí không."
            )
        if not meta.province:
            raise PlanFileError(
                f'{meta.file}: không thấy tên tỉnh trong văn bản ("trên địa bàn tỉnh …"); '
                "hãy ghi province trong manifest hoặc dùng --province."
            )
        return plan


def kept_edits(raw: str, edits: list) -> list:
    """The repairs to apply: none that crosses a table cell boundary (a tab), and none that rewrites a
    capitalized word the text uses at least three times as it is (a name such as "Kon Tum", not noise)."""
    import re
    from collections import Counter

    counts = Counter(re.findall(r"\w+", raw))
    kept = []
    for edit in edits:
        original = raw[edit.start : edit.end]
        if "\t" in original or "\t" in edit.replacement:
            continue
        if any(w[:1].isupper() and counts[w] >= 3 for w in re.findall(r"\w+", original)):
            continue
        kept.append(edit)
    return kept


@dataclass
class Corpus:
    """The plans that loaded, and one error sentence for each plan that did not."""

    plans: list[Plan]
    errors: dict[str, str]

    def get(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)


def load_corpus(corpus_dir: Path, cache_dir: Path | None = None, keep: bool = True) -> Corpus:
    """Load every plan of the manifest; a bad plan is reported in ``errors`` and the others still load.

    With ``cache_dir``, the cleaned corpus is kept there (``corpus.pickle``) and reused while the manifest, the
    plan files and this package's code are unchanged: cleaning (OCR repair above all) takes a second or more
    that a server start should not spend again. ``keep=False`` only reads the cache.
    """
    if cache_dir is None:
        return _clean_corpus(corpus_dir)
    cache = cache_dir / CORPUS_CACHE_FILE
    key = _corpus_key(corpus_dir)
    corpus = read_cache(cache, key)
    if isinstance(corpus, Corpus):
        return corpus
    corpus = _clean_corpus(corpus_dir)  # missing, stale or damaged: clean again
    if not keep:  # read the cache, never write it (a corpus change must not touch the live index folder)
        return corpus
    for plan in corpus.plans:
        _ = plan.structure  # computed once, kept in the cache
    try:
        write_cache(cache, key, corpus)
    except OSError as error:
        log.warning("Could not keep the cleaned corpus in %s (%s); it will be cleaned again next time", cache, error)
    return corpus


def _corpus_key(corpus_dir: Path) -> str:
    """Hash of what the cleaned corpus depends on: the manifest, the plan files and the cleaning code."""
    digest = hashlib.sha256()
    plan_files = [corpus_dir / meta.file for meta in load_manifest(corpus_dir)]
    digest.update(code_hash(CORPUS_CODE).encode())  # cleaning's code: this module and all it imports
    for path in [corpus_dir / MANIFEST_NAME, *plan_files]:
        digest.update(path.name.encode())  # names, not paths: a staged corpus keeps its cache when moved in
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def _clean_corpus(corpus_dir: Path) -> Corpus:
    metas, errors = read_manifest(corpus_dir)
    raws: dict[str, str] = {}
    for meta in metas:
        try:
            raws[meta.id] = read_plan_file(corpus_dir / meta.file)
        except PlanFileError as error:
            errors[meta.id] = str(error)
    cleaner = PlanCleaner([raws[m.id] for m in metas if m.id in raws and not m.ocr])
    plans: list[Plan] = []
    for meta in metas:
        if meta.id not in raws:
            continue
        try:
            plans.append(cleaner.clean(meta, raws[meta.id]))
        except PlanFileError as error:
            errors[meta.id] = str(error)
    return Corpus(plans, errors)
