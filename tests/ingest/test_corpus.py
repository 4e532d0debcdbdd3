"""Corpus loading: manifest, bad plan files, and a build that never leaves a half-written database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.errors import ManifestError, PlanFileError
from assistant.facts.store import build_facts_db
from assistant.ingest.corpus import PlanCleaner, load_corpus, load_manifest, read_plan_file
from tests.conftest import REPO


def test_metadata_is_read_from_the_text_and_blank_stays_blank(corpus) -> None:
    plans = {p.id: p.meta for p in corpus.plans}
    assert plans["thua-thien-hue"].plan_number == "270/KH-UBND"
    assert plans["thua-thien-hue"].issue_date == "2023-08-01"
    assert plans["thua-thien-hue"].signer == "Nguyễn Thanh Bình, Phó Chủ tịch"
    assert plans["quang-tri"].plan_number == "" and plans["quang-tri"].issue_date == ""
    assert plans["quang-tri"].signer == "Hoàng Nam, Phó Chủ tịch"
    assert plans["thai-binh"].signer == ""  # the scan has no name under the signature
    assert {p.province for p in plans.values()} == {"Quảng Trị", "Thừa Thiên Huế", "Lai Châu", "Thái Bình"}
    assert all(p.title.startswith("Triển khai thực hiện Chiến lược") for p in plans.values())
    assert all(p.issuing_body == f"Ủy ban nhân dân tỉnh {p.province}" for p in plans.values())


def test_manifest_keeps_only_maintainer_overrides() -> None:
    metas = {m.id: m for m in load_manifest(REPO / "corpus")}
    assert metas["thai-binh"].ocr is True
    assert metas["thua-thien-hue"].overrides == frozenset()
    assert metas["lai-chau"].overrides == {"legal_basis"}  # its other bases are in footnote 1


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "rỗng"), (b"\x00\x01binary\x00", "nhị phân"), ("Kế hoạch".encode("utf-16"), "UTF-8")],
)
def test_bad_plan_files_get_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(PlanFileError, match=message) as error:
        read_plan_file(path)
    assert "bad.txt" in str(error.value)


def _corpus_with_extra(tmp_path: Path, name: str, content: bytes) -> Path:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus_dir)
    (corpus_dir / f"{name}.txt").write_bytes(content)
    with open(corpus_dir / "manifest.toml", "a", encoding="utf-8") as manifest:
        manifest.write(f'\n[[plan]]\nid = "{name}"\nprovince = "Tỉnh Thử"\nfile = "{name}.txt"\n')
    return corpus_dir


def test_a_plan_without_the_template_fails_alone(tmp_path: Path) -> None:
    corpus_dir = _corpus_with_extra(tmp_path, "not-a-plan", "Biên bản họp.\n\nNội dung khác.\n".encode())
    corpus = load_corpus(corpus_dir)
    assert "not-a-plan" in corpus.errors
    assert "not-a-plan.txt" in corpus.errors["not-a-plan"] and "targets" in corpus.errors["not-a-plan"]
    assert len(corpus.plans) == 4


BAD_ENTRIES = """
[[plan]]
id = "no-file"
province = "Tỉnh Thử"

[[plan]]
id = "outside"
province = "Tỉnh Thử"
file = "../../etc/passwd"

[[plan]]
id = "wrong-type"
province = "Tỉnh Thử"
file = "x.txt"
ocr = "yes"

[[plan]]
id = "lai-chau"
province = "Lai Châu"
file = "quang-tri.txt"
"""


def test_bad_manifest_entries_are_skipped_alone(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus_dir)
    with open(corpus_dir / "manifest.toml", "a", encoding="utf-8") as manifest:
        manifest.write(BAD_ENTRIES)
    corpus = load_corpus(corpus_dir)
    assert [p.id for p in corpus.plans] == [m.id for m in load_manifest(REPO / "corpus")]  # the four still load
    assert "thiếu file" in corpus.errors["no-file"]
    assert "ngoài thư mục" in corpus.errors["outside"]
    assert "sai kiểu (ocr)" in corpus.errors["wrong-type"]
    duplicate = next(message for key, message in corpus.errors.items() if key.startswith("lai-chau"))
    assert "trùng mã 'lai-chau'" in duplicate
    assert next(p for p in corpus.plans if p.id == "lai-chau").meta.file == "lai-chau.txt"  # the first one stays
    assert all(message.endswith("hãy sửa manifest.") for message in corpus.errors.values())


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest.toml"):
        load_manifest(tmp_path)


def test_build_is_atomic(tmp_path: Path, corpus, monkeypatch) -> None:
    target = tmp_path / "facts.sqlite"
    build_facts_db(corpus, target)
    before = target.read_bytes()

    def explode(*_args, **_kwargs):
        raise RuntimeError("crash mid-build")

    monkeypatch.setattr("assistant.facts.store._row", explode)
    with pytest.raises(RuntimeError):
        build_facts_db(corpus, target)
    assert target.read_bytes() == before
    assert list(tmp_path.glob(".facts-*")) == []
    rows = sqlite3.connect(target).execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    assert rows > 100


def test_cleaned_corpus_is_cached_until_a_plan_changes(tmp_path: Path, corpus, monkeypatch) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus_dir)
    cache_dir = tmp_path / "index"
    first = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert (cache_dir / "corpus.pickle").is_file()
    assert [p.text for p in first.plans] == [p.text for p in corpus.plans]

    cleaned: list[str] = []
    original = PlanCleaner.clean

    def counting(self, meta, raw):
        cleaned.append(meta.id)
        return original(self, meta, raw)

    monkeypatch.setattr(PlanCleaner, "clean", counting)
    again = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert cleaned == []  # served from the cache
    assert [p.text for p in again.plans] == [p.text for p in corpus.plans]
    assert [len(p.structure.blocks) for p in again.plans] == [len(p.structure.blocks) for p in corpus.plans]

    plan_file = corpus_dir / load_manifest(corpus_dir)[0].file
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "\nMột dòng mới.\n", encoding="utf-8")
    changed = load_corpus(corpus_dir, cache_dir=cache_dir)
    assert cleaned  # the change was seen and the plans were cleaned again
    assert "Một dòng mới." in changed.plans[0].text

    (cache_dir / "corpus.pickle").write_bytes(b"not a pickle")
    assert len(load_corpus(corpus_dir, cache_dir=cache_dir).plans) == len(corpus.plans)
