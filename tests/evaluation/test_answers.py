"""Answer grading: gold quotes are found in the cleaned text whether copied from it or from the raw plan file."""

from __future__ import annotations

from assistant.evaluation.answers import EvalQuestion, _gold_spans


def _question(doc: str, quote: str) -> EvalQuestion:
    return EvalQuestion(
        id="t", question="?", type="target", expect_status="answered", sources=[{"doc": doc, "quote": quote}]
    )


def test_gold_quote_from_the_cleaned_text(corpus) -> None:
    plan = corpus.get("lai-chau")
    quote = plan.text[plan.text.index("67% cơ quan báo chí") :][:60]
    spans = _gold_spans(_question("lai-chau", quote), corpus)
    assert spans and all(plan.text[s:e] == quote for _, s, e in spans)


def test_gold_quote_copied_from_the_raw_file_maps_into_the_cleaned_text(corpus) -> None:
    plan = corpus.get("thai-binh")  # the OCR plan: the raw quote keeps its OCR errors and line breaks
    start = plan.raw_text.index("\n", plan.raw_text.index("MỤC TIÊU")) + 1
    quote = plan.raw_text[start : start + 120]
    assert quote not in plan.text
    spans = _gold_spans(_question("thai-binh", quote), corpus)
    assert spans
    _, s, e = spans[0]
    raw_start, raw_end = plan.offsets.span_to_input(s, e)
    assert raw_start <= start + 5 and raw_end >= start + 100


def test_missing_quote_gives_no_span(corpus) -> None:
    assert _gold_spans(_question("lai-chau", "không có câu này trong kế hoạch"), corpus) == []
