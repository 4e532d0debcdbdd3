"""`assistant corpus add` on bad input: one sentence naming the file, exit code 1, nothing changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from tests.conftest import REPO


def _state(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("ke-hoach.pdf", "KẾ HOẠCH (văn bản, không phải PDF)".encode(), ["ke-hoach.pdf", "không phải tệp PDF"]),
        ("bien-ban.txt", "Biên bản cuộc họp.\n\nKhông có mục tiêu.\n".encode(), ["bien-ban.txt", "mẫu kế hoạch"]),
        ("ke-hoach.odt", b"PK\x03\x04", ["ke-hoach.odt", "không hỗ trợ"]),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(tmp_path: Path, monkeypatch, name: str, content: bytes, words) -> None:
    corpus_dir, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(REPO / "corpus", corpus_dir)
    index_dir.mkdir()
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
    path = tmp_path / name
    path.write_bytes(content)
    before = _state(corpus_dir, index_dir)
    result = CliRunner().invoke(app, ["corpus", "add", str(path)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert message.startswith("Lỗi:") and all(w in message for w in words), message
    assert _state(corpus_dir, index_dir) == before
