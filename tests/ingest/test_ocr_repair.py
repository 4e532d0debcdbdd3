"""Tests for the OCR repair: clean plans untouched, the OCR plan repaired, generic behaviour on new text."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from assistant.domain.normalize import nfc
from assistant.domain.syllable_stats import SyllableStats
from assistant.ingest.ocr_repair import OcrRepairer, weighted_distance
from assistant.ingest.textmap import Edit, apply_edits

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CLEAN = ("quang-tri", "thua-thien-hue", "lai-chau")


def _read(name: str) -> str:
    return nfc((CORPUS / f"{name}.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clean_texts() -> dict[str, str]:
    return {name: _read(name) for name in CLEAN}


@pytest.fixture(scope="module")
def repairer(clean_texts: dict[str, str]) -> OcrRepairer:
    return OcrRepairer.from_clean_texts(list(clean_texts.values()))


@pytest.fixture(scope="module")
def thai_binh(repairer: OcrRepairer) -> tuple[str, str, list[Edit]]:
    raw = _read("thai-binh")
    report = repairer.run(raw)
    repaired, _ = apply_edits(raw, report.edits)
    return raw, repaired, report.edits


def _check_edits(text: str, edits: list[Edit]) -> None:
    cursor = 0
    for edit in sorted(edits, key=lambda e: e.start):
        assert edit.start >= cursor, f"overlap at {edit}"
        assert edit.reason
        assert "\n" not in text[edit.start : edit.end] and "\n" not in edit.replacement
        cursor = edit.end


# -- statistics and distance ------------------------------------------------------------------------


def test_stats_counts_and_smoothing() -> None:
    stats = SyllableStats.from_texts(["Kế hoạch số 12, kế hoạch năm 2023.", "Kế hoạch chuyển đổi số"])
    assert stats.count("kế") == 3 and stats.count("hoạch") == 3 and stats.count("<num>") == 2
    assert stats.bigram("kế", "hoạch") == 3 and stats.bigram("năm", "<num>") == 1
    assert stats.bigram("12", "kế") == 0  # the comma cuts the run
    assert stats.logp("hoạch", "kế") > stats.logp("đổi", "kế") > -30
    assert stats.same_skeleton("ke") == ["kế"]


def test_weighted_distance_prefers_ocr_lookalikes() -> None:
    assert weighted_distance("tmờng", "trường") == pytest.approx(0.5)  # rn/rư read as m
    assert weighted_distance("hiệii", "hiện") == pytest.approx(0.5)  # n read as ii
    assert weighted_distance("phat", "phát") == pytest.approx(0.15)  # a tone mark only
    assert weighted_distance("truyền", "trayền") == pytest.approx(1.0)
    assert weighted_distance("abc", "xyz", limit=1.0) == float("inf")


# -- the noise gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLEAN)
def test_clean_plans_get_zero_edits(repairer: OcrRepairer, clean_texts: dict[str, str], name: str) -> None:
    text = clean_texts[name]
    assert not repairer.is_noisy(text)
    report = repairer.run(text)
    assert report.edits == []
    assert report.before == report.after
    assert report.before.share < 0.01


@pytest.mark.parametrize("name", CLEAN)
def test_candidate_machinery_on_clean_plans_with_gate_off(
    repairer: OcrRepairer, clean_texts: dict[str, str], name: str
) -> None:
    report = repairer.run(clean_texts[name], force=True)
    assert report.edits == []


def test_gate_off_leave_one_out_makes_few_changes(clean_texts: dict[str, str]) -> None:
    # Statistics from the two other plans only: the only changes allowed are the plans' own typos
    # ("chuyên đổi số", "đên năm") and the spelling variant "hàng năm" → "hằng năm".
    allowed = {("chuyên", "chuyển"), ("đên", "đến"), ("hàng", "hằng")}
    for name in CLEAN:
        others = [t for n, t in clean_texts.items() if n != name]
        text = clean_texts[name]
        report = OcrRepairer.from_clean_texts(others).run(text, force=True)
        changes = {(text[e.start : e.end], e.replacement) for e in report.edits}
        assert changes <= allowed, (name, changes)


# -- the OCR plan -----------------------------------------------------------------------------------


def test_thai_binh_is_noisy_and_repaired(repairer: OcrRepairer, thai_binh: tuple[str, str, list[Edit]]) -> None:
    raw, repaired, edits = thai_binh
    assert repairer.is_noisy(raw)
    report = repairer.run(raw)
    assert report.before.share > 0.02
    assert report.after.share < 0.005
    _check_edits(raw, edits)
    assert repaired.count("\n") == raw.count("\n")


def test_thai_binh_is_fast(clean_texts: dict[str, str]) -> None:
    raw = _read("thai-binh")
    start = time.perf_counter()
    report = OcrRepairer(SyllableStats.from_texts(clean_texts.values())).run(raw)
    assert time.perf_counter() - start < 2.0
    assert report.edits


@pytest.mark.parametrize(
    "phrase",
    [
        "KẾ HOẠCH\nTriển khai thực hiện Chiến lược",
        "trên địa bàn tỉnh Thái Bình",
        "Thủ tướng Chính phủ",
        "Bộ Thông tin và Truyền\nthông ban hành Kế hoạch hành động triển khai Chiến lược",
        "ban hành Kế hoạch thực\nhiện Chiến lược chuyển đổi số và phát triển báo chí",
        "vai trò dẫn dắt",
        "tạo nguồn thu mới; thúc đẩy phát triển ngành công",
        "Tỉnh ủy",
        "tình hình thực tế của địa phương nhằm phát triển",
        "II. MỤC TIÊU",
        "(ưu tiên các nền tảng số trong nước)",
        "trí tuệ nhân tạo để tối ưu hóa",
        "tòa soạn hội tụ",
        "phát triển của khoa học, công nghệ tiên tiến trên thế\ngiới",
        "tối ưu hóa nguồn thu, trong đó 50% cơ quan",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "quản lý thông tin, truyền thông",
        "vai trò quan trọng",
        "tôn vinh",
        "120/KH-UBND ngày 25/11/2019",
        "xây dựng các gói sản phẩm",
        "thành tựu khoa học công nghệ trong việc tự động hóa",
        "khuyến khích",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
        "1. Đề nghị cơ quan chủ quản",
        "2. Sở Thông tin và Truyền thông",
        "Chủ trì tổ chức kiểm tra, giám sát và đánh giá, tổng hợp hằng năm",
        "bố trí\nkinh phí",
        "khả năng ngân sách",
        "triển khai thực hiện;",
        "(trước ngày 10 tháng 12 hằng năm)",
        "Nơi nhận:",
        "Hội Văn học - Nghệ thuật Thái Bình",
        "Các cơ quan báo chí của tỉnh;",
        "của Ủy ban nhân dân tỉnh)",
        "tăng trưởng chỉ tiêu",
        "ứng dụng trí tuệ\nnhân tạo để tối ưu hóa hoạt",
        "vận hành mô hình tòa soạn hội\ntụ",
        "phát triển của khoa học, công\nnghệ",
        "doanh thu năm 2022",
        "xử lý dữ liệu tổng",
        "điện tử\n",
        "doanh thu\n20%",
    ],
)
def test_thai_binh_key_phrases(thai_binh: tuple[str, str, list[Edit]], phrase: str) -> None:
    assert phrase in thai_binh[1]


def test_thai_binh_no_ocr_debris_left(thai_binh: tuple[str, str, list[Edit]]) -> None:
    repaired = thai_binh[1]
    for debris in ("Ke hoạch", "Iđi", "Ich", "u-u", "THựC", "ƯBND", "^", "■", "®", "Cfpt", "ềĩ", "hỂỄN"):
        assert debris not in repaired, debris
    assert not re.search(r"(?<![^\W\d_])([ừữ]|ứi)[^\W\d_]", repaired)  # tr/th read as ừ, ữ, ứi
    assert not re.search(r"(?m)^11\. MỤC TIÊU|^m\. NHIỆM VỤ", repaired)


def test_numbers_are_never_changed(thai_binh: tuple[str, str, list[Edit]]) -> None:
    raw, repaired, edits = thai_binh
    for edit in edits:
        span = raw[edit.start : edit.end]
        if any(c.isdigit() for c in span):
            # only a Roman heading marker (11. → II.) or a stamp chunk such as ^5® may hold digits
            assert edit.reason == "Roman numeral heading" or edit.reason.startswith(("stamp", "garbage")), edit
            assert edit.reason == "Roman numeral heading" or re.search(r"[\^®■]", span), edit
    number_re = r"\d+(?:[./]\d+)*%?"
    kept = re.findall(number_re, raw.replace("11. MỤC TIÊU", "").replace("^5®", ""))
    assert re.findall(number_re, repaired) == kept
    assert repaired.count("10 tháng 12") == raw.count("10 tháng 12") == 2
    assert repaired.count("20%") == raw.count("20%")


def test_thai_binh_case_patterns_kept(thai_binh: tuple[str, str, list[Edit]]) -> None:
    raw, _, edits = thai_binh
    by_original = {raw[e.start : e.end]: e.replacement for e in edits}
    assert by_original["Ke"] == "Kế"  # Title stays Title
    assert by_original["KÉ"] == "KẾ"  # UPPER stays UPPER
    assert by_original["ChÍỊih"] == "Chính"  # mixed case resolved to Title
    assert by_original["THựC"] == "THỰC"
    assert by_original["Tỏ"] == "TỔ"  # a Title word in an ALL-CAPS heading
    assert by_original["Iđioa"] == "khoa"  # the capital I is a misread k, not a capital


# -- generality: text the statistics have not seen ---------------------------------------------------


def test_synthetic_noisy_sentence(clean_texts: dict[str, str]) -> None:
    # Statistics from two plans only; the sentences are not in them (nor in the OCR plan).
    repairer = OcrRepairer.from_clean_texts([clean_texts["quang-tri"], clean_texts["thua-thien-hue"]])
    noisy = nfc(
        "Các cơ quan báo chí cần xác đinh rõ lộ ừình và đẩy nlianh tiến ữình chuyen đổi số, nâng cao chất "
        "lu-ợng ứiông tin báo chí; tháo gỡ Iđió khăn, vướng măc trong quá trinh triển khai.\n"
        "Sở Tài chính chủ ừì, phối họp với Sở Khoa học và Công nghệ tham mưu bố ừí kinh phí cho các cơ "
        "quan báo chí xây dimg nền tảng số dùng chung."
    )
    expected = (
        "Các cơ quan báo chí cần xác định rõ lộ trình và đẩy nhanh tiến trình chuyển đổi số, nâng cao chất "
        "lượng thông tin báo chí; tháo gỡ khó khăn, vướng mắc trong quá trình triển khai.\n"
        "Sở Tài chính chủ trì, phối hợp với Sở Khoa học và Công nghệ tham mưu bố trí kinh phí cho các cơ "
        "quan báo chí xây dựng nền tảng số dùng chung."
    )
    report = repairer.run(noisy)
    repaired, _ = apply_edits(noisy, report.edits)
    assert repaired == expected
    assert report.after.invalid_count == 0 < report.before.invalid_count


def test_headings_and_stamp_garbage(repairer: OcrRepairer) -> None:
    noisy = nfc(
        "I. MỤC ĐÍCH\n"
        "Phát huy vai ừò giám sát của ngưòi đứng đầu cơ quan báo chí ^®\n"
        "11. TỔ CHỨC THựC HIỆN\n"
        "Sở Tài chính bố ừí kinh phí ngày 25 tháng 11 năm 2023, tăng 20%■\n"
        "■' ^\n"
        "m. KINH PHÍ"
    )
    report = repairer.run(noisy)
    _check_edits(noisy, report.edits)
    repaired, _ = apply_edits(noisy, report.edits)
    assert repaired == (
        "I. MỤC ĐÍCH\n"
        "Phát huy vai trò giám sát của người đứng đầu cơ quan báo chí\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "Sở Tài chính bố trí kinh phí ngày 25 tháng 11 năm 2023, tăng 20%\n"
        "\n"
        "III. KINH PHÍ"
    )


def test_roman_repair_needs_the_sequence(repairer: OcrRepairer) -> None:
    # "11." after "I." is II, but a lone "11." with no genuine Roman heading before it is left alone.
    noisy = nfc("11. MỤC TIÊU CHUNG\nphat triển ừên địa bàn tình, Iđioa học công nghệ\n")
    repaired, _ = apply_edits(noisy, repairer.run(noisy).edits)
    assert repaired.startswith("11. MỤC TIÊU CHUNG\nphát triển trên địa bàn tỉnh, khoa học công nghệ")


def test_short_clean_text_is_left_alone(repairer: OcrRepairer) -> None:
    text = "Hue-S là nền tảng số của tỉnh; Ke hoạch số 12."
    assert not repairer.is_noisy(text)
    assert repairer.run(text).edits == []
