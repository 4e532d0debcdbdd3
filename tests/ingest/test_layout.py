"""Layout repair: reflow of PDF lines, page numbers, repeated headers, footnotes, offsets back to the raw text."""

from __future__ import annotations

from assistant.ingest.layout import repair_layout

PDF_LIKE = (
    " KẾ HOẠCH \n\nThực hiện Quyết định số 781/QĐ-\n\nBTTTT ngày 08/5/2023 của Bộ \n\n"
    "Thông tin và Truyền thông. \n\nI. MỤC TIÊU \n\n1. Mục tiêu đến năm 2025 \n\n"
    "- 75% cơ quan báo chí đưa nội dung lên \n\ncác nền tảng số. \n\n"
    "- Bám sát chỉ đạo của Tỉnh ủy1, đảm bảo \n\n"
    "                                        \n\n"
    "1 Quyết định số 348/QĐ-TTg ngày 06/4/2023 \n\nđịnh hướng đến năm 2030 \n"
    " các mục tiêu đề ra. \n\nII. TỔ CHỨC THỰC HIỆN \n\n1. Sở Thông tin và Truyền thông \n\nChủ trì.\n\n"
    " PHỤ LỤC \n\nTT Nội dung Chủ trì Phối hợp \n\nThời gian \n\n1 Phát triển \n\nSở TTTT \n\n\n\n"
    "7 \n\nTT Nội dung Chủ trì Phối hợp \n\nThời gian \n\n2 Ứng dụng \n\nSở TTTT \n"
)


def test_reflows_paragraphs_and_joins_broken_numbers() -> None:
    result = repair_layout(PDF_LIKE)
    lines = result.text.split("\n")
    assert "Thực hiện Quyết định số 781/QĐ-BTTTT ngày 08/5/2023 của Bộ Thông tin và Truyền thông." in lines
    assert "- 75% cơ quan báo chí đưa nội dung lên các nền tảng số." in lines
    assert "1. Mục tiêu đến năm 2025" in lines


def test_footnote_leaves_the_paragraph_whole() -> None:
    result = repair_layout(PDF_LIKE)
    assert "- Bám sát chỉ đạo của Tỉnh ủy1, đảm bảo các mục tiêu đề ra." in result.text.split("\n")
    assert len(result.footnotes) == 1
    start, end = result.footnotes[0]
    assert result.text[start:end].startswith("1 Quyết định số 348/QĐ-TTg")


def test_drops_page_numbers_and_repeated_table_headers() -> None:
    result = repair_layout(PDF_LIKE)
    appendix = result.text[result.appendix_start :].split("\n")
    assert appendix.count("TT Nội dung Chủ trì Phối hợp") == 1
    assert "7" not in appendix
    assert "2 Ứng dụng" in appendix


def test_every_character_maps_back_to_the_raw_text() -> None:
    result = repair_layout(PDF_LIKE)
    text = result.text
    for word in ("781/QĐ-BTTTT", "Truyền thông.", "Phát triển", "Ứng dụng"):
        start = text.index(word)
        raw_start, raw_end = result.offsets.span_to_input(start, start + len(word))
        raw = PDF_LIKE[raw_start:raw_end]
        assert raw.replace("\n", "").replace(" ", "") == word.replace(" ", "")


def test_clean_plans_keep_every_word(corpus) -> None:
    for plan in corpus.plans:
        if plan.meta.ocr:
            continue
        raw_words = [w for w in plan.raw_text.split() if w.strip("#*")]
        assert len(plan.text.split()) >= len(raw_words) - 40, plan.id
