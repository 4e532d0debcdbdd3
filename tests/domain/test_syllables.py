"""Tests for Vietnamese syllable structure, token validity and the invalid-token share."""

from __future__ import annotations

import pytest

from assistant.domain.syllables import (
    compose,
    diacritic_variants,
    invalid_share,
    is_acronym,
    is_valid_syllable,
    is_valid_token,
    parse_syllable,
    skeleton,
    tokens,
)

VALID = [
    "nghiêng", "quyết", "giữa", "khuya", "hóa", "hoá", "TỈNH", "Ủy", "Uỷ", "gì", "gìn", "giếng", "người",
    "khuỷu", "ngoài", "mía", "của", "thuở", "thuế", "uống", "ương", "ưu", "yên", "yêu", "kỹ", "kĩ", "lý",
    "quốc", "quá", "quý", "thủy", "thuỷ", "khỏe", "khoẻ", "xoong", "phát", "hoạch", "dắt", "Quyết", "Chính",
    "ke", "Kế", "oanh", "góa", "chuyển", "trưởng", "Đảng", "ĐỔI", "nghĩa", "kìa", "ỉa", "uyên", "hiểu", "rượu",
]  # fmt: skip
INVALID = [
    "phat", "hoach", "Quyểt", "ChÍỊih", "ừên", "ngi", "dăt", "Yẽu", "vỊ", "THựC", "qúa", "iên", "chuyen",
    "uyen", "ưụ", "ơng", "ce", "ge", "ghu", "ka", "cy", "Trayền", "hiệii", "tu-ớng", "u-u", "côn^_", "hỂỄN",
    "Iđioa", "fax", "nghe1", "tiếnǵ",
]  # fmt: skip


@pytest.mark.parametrize("word", VALID)
def test_valid_syllables(word: str) -> None:
    assert is_valid_syllable(word), word


@pytest.mark.parametrize("word", INVALID)
def test_invalid_syllables(word: str) -> None:
    assert not is_valid_syllable(word), word


def test_parse_parts() -> None:
    s = parse_syllable("nghiêng")
    assert s is not None and (s.onset, s.medial, s.nucleus, s.coda, s.tone) == ("ngh", "", "iê", "ng", "ngang")
    s = parse_syllable("Quyết")
    assert s is not None and (s.onset, s.medial, s.nucleus, s.coda, s.tone, s.case) == (
        "q", "u", "yê", "t", "sac", "title",
    )  # fmt: skip
    s = parse_syllable("giữa")
    assert s is not None and (s.onset, s.nucleus, s.tone) == ("gi", "ưa", "nga")
    s = parse_syllable("khuya")
    assert s is not None and (s.onset, s.medial, s.nucleus) == ("kh", "u", "ya")
    s = parse_syllable("TỈNH")
    assert s is not None and s.case == "upper" and s.tone == "hoi" and s.toneless == "tinh"


def test_ke_is_valid_by_the_spelling_rules() -> None:
    # k is the right spelling before e, so "ke" is a well-formed syllable (kẻ, kế): "Ke hoạch" for
    # "Kế hoạch" is a real-word error that only context can fix.
    assert is_valid_syllable("ke") and is_valid_syllable("Ke")
    assert not is_valid_syllable("ce") and not is_valid_syllable("ki\u0301ng")


def test_spelling_rules_for_c_k_q_g() -> None:
    assert is_valid_syllable("kiên") and not is_valid_syllable("ciên")
    assert is_valid_syllable("cá") and not is_valid_syllable("ká")
    assert is_valid_syllable("ghế") and not is_valid_syllable("gế")
    assert is_valid_syllable("nghe") and not is_valid_syllable("nge")
    assert is_valid_syllable("ngay") and not is_valid_syllable("nghay")
    assert not is_valid_syllable("qa") and not is_valid_syllable("cuê")


def test_stop_codas_take_only_sac_or_nang() -> None:
    for word in ("hát", "hạt", "bếp", "bệnh", "sách", "sạch"):
        assert is_valid_syllable(word), word
    for word in ("hat", "hàt", "hảt", "hãt", "sach", "sàch"):
        assert not is_valid_syllable(word), word


def test_tone_placement() -> None:
    assert is_valid_syllable("hoàn") and not is_valid_syllable("hòan")  # with a coda: new style only
    assert is_valid_syllable("múa") and not is_valid_syllable("muá")
    assert is_valid_syllable("quá") and not is_valid_syllable("qúa")
    assert is_valid_syllable("người") and not is_valid_syllable("ngừơi")
    assert compose("hoa", "sac") == "hoá"
    assert compose("tinh", "hoi", "title") == "Tỉnh"
    assert compose("phat", "ngang") is None


def test_diacritic_variants_share_the_skeleton() -> None:
    variants = diacritic_variants("dăt")
    assert "dắt" in variants and "đặt" in variants and "dăt" not in variants
    assert all(skeleton(v) == "dat" for v in variants)


def test_acronyms_and_tokens() -> None:
    assert is_acronym("UBND") and is_acronym("QĐ") and is_acronym("TTg") and not is_acronym("ƯBND")
    assert is_valid_token("UBND") and is_valid_token("V1") and is_valid_token("ủy1") and is_valid_token("b")
    assert not is_valid_token("ƯBND") and not is_valid_token("Cfpt^")
    texts = [t.text for t in tokens("Quyết định 348/QĐ-TTg (u-u tiên) Thủ tu-ớng, côn^_ nghệ 20%")]
    assert texts == ["Quyết", "định", "348", "QĐ", "TTg", "u-u", "tiên", "Thủ", "tu-ớng", "côn^_", "nghệ", "20%"]


def test_invalid_share_counts_words_not_numbers() -> None:
    share = invalid_share("Kế hoạch số 120/KH-UBND ngày 25/11/2019: phat triển u-u tiên 20% côn^_")
    # tokens with letters: Kế hoạch số KH UBND ngày phat triển u-u tiên côn^_ (numbers skipped)
    assert share.tokens == 11
    assert share.invalid == ("phat", "u-u", "côn^_")
    assert share.share == pytest.approx(3 / 11)
    assert invalid_share("").share == 0.0
