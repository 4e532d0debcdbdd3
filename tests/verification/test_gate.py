"""The verification gate on its own: claims are verified only by a used fact or a cited quote."""

from __future__ import annotations

from assistant.facts.model import Fact
from assistant.schema import Citation
from assistant.verification.gate import AnswerVerifier

QUOTE = (
    "- 67% cơ quan báo chí tỉnh sử dụng nền tảng phân tích, xử lý dữ liệu; báo cáo kết quả về Sở TTTT "
    "trước ngày 25 tháng 11 hàng năm theo Quyết định số 348/QĐ-TTg"
)
CITATION = Citation(n=1, plan_id="lai-chau", province="Lai Châu", section="II", quote=QUOTE, start=0, end=len(QUOTE))


def _claims(text: str, facts=(), question: str = ""):
    result = AnswerVerifier().run(text, [CITATION], list(facts), question)
    return result, {c.text: c for c in result.claims}


def test_quoted_values_are_verified_with_their_citation() -> None:
    result, claims = _claims("Lai Châu: 67% cơ quan báo chí [1], hạn báo cáo 25/11 cho Sở Thông tin và Truyền thông.")
    assert claims["67%"].verified and claims["67%"].citation == 1
    assert claims["25/11"].verified  # "25 tháng 11" in the quote
    assert claims["Sở Thông tin và Truyền thông"].verified  # "Sở TTTT" in the quote, through the alias table
    assert result.status == "verified"


def test_an_unsupported_number_is_never_verified() -> None:
    result, claims = _claims("Lai Châu đặt chỉ tiêu 76% [1] theo Quyết định 349/QĐ-TTg, hạn 26/11.")
    assert not claims["76%"].verified
    assert not claims["349/QĐ-TTg"].verified
    assert not claims["26/11"].verified
    assert result.status == "not_verified"


def test_numbers_are_not_matched_inside_other_numbers() -> None:
    _, claims = _claims("Chỉ tiêu 7% [1].")
    assert not claims["7%"].verified  # "67%" in the quote does not back "7%"


def test_a_fact_used_backs_its_values() -> None:
    fact = Fact(
        id="x:target:1",
        plan_id="x",
        province="X",
        kind="target",
        section="",
        origin="body",
        start=0,
        end=0,
        quote="",
        indicator="staff_training",
        year=2030,
        value=100.0,
        unit="%",
        value_text="100%",
    )
    result = AnswerVerifier().run("Năm 2030: 100%.", [], [fact])
    assert result.status == "verified"
    assert {c.fact_id for c in result.claims} == {"x:target:1"}


def test_a_phrasing_step_cannot_add_claims() -> None:
    """What an optional LLM phraser might add (a rounder number, a year) stays unverified."""
    _, claims = _claims("Khoảng 70% cơ quan báo chí sẽ dùng AI vào năm 2026 [1].")
    assert not claims["70%"].verified and not claims["2026"].verified


def test_words_of_the_question_are_not_claims_of_the_answer() -> None:
    result, claims = _claims("Kế hoạch không đặt chỉ tiêu cho năm 2027.", question="Mục tiêu năm 2027?")
    assert "2027" not in claims and result.status == "no_claims"
