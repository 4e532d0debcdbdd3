"""Answer evaluation: grades the engine (and a naive RAG baseline) on ``evals/questions.jsonl``.

A question counts as correct when: every ``must_include`` is in the answer (after folding, date and unit-alias
normalization), no ``must_not_include`` is, the status is the expected one, for answered questions a citation
overlaps a gold source quote, every citation quote is an exact substring of its plan, and no claim marked
verified is unsupported (re-checked here against the cited quotes and the facts used).
Outputs ``report.json``, ``report.md`` and ``accuracy_by_type.svg``.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.domain.normalize import collapse_spaces, fold
from assistant.ingest.corpus import Corpus
from assistant.schema import Answer, Citation
from assistant.verification.gate import normalize_for_matching


def normalize(text: str) -> str:
    """Folded, unit aliases expanded, dates as d/m[/yyyy]: the same normalization the verification gate uses."""
    return normalize_for_matching(text)


@dataclass
class EvalQuestion:
    id: str
    question: str
    type: str
    expect_status: str
    history: list[dict] = field(default_factory=list)
    province: str | None = None
    answer: str = ""
    must_include: list[str] = field(default_factory=list)
    must_not_include: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)


@dataclass
class Grade:
    id: str
    type: str
    province: str | None
    correct: bool
    checks: dict[str, bool]
    status: str
    latency_ms: float
    verified_claims: int = 0
    supported_verified_claims: int = 0
    answer: str = ""
    verification: str = ""  # the answer's verification status

    @property
    def wrong_but_verified(self) -> bool:
        """The worst failure: graded wrong, yet told as an answer with the "verified" badge."""
        return not self.correct and self.status == "answered" and self.verification == "verified"


def load_questions(path: Path) -> list[EvalQuestion]:
    items = []
    known = set(EvalQuestion.__dataclass_fields__)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            items.append(EvalQuestion(**{k: v for k, v in data.items() if k in known}))
    return items


def _contains(answer: str, needle: str) -> bool:
    month = re.fullmatch(r"thang (\d{1,2})", normalize(needle))
    if month and re.search(rf"\b\d{{1,2}}/{int(month.group(1))}\b", answer):  # "tháng 11" is said by "01/11"
        return True
    needle = normalize(needle)
    if re.fullmatch(r"[\d.,/%]+", needle):
        return re.search(rf"(?<![\d.,]){re.escape(needle)}(?![\d])", answer) is not None
    return needle in answer


def _gold_spans(question: EvalQuestion, corpus: Corpus) -> list[tuple[str, int, int]]:
    """Spans of ``Plan.text`` holding each gold quote (every place it occurs). A quote may be copied from the
    cleaned text or verbatim from the plan file (line breaks, spacing and OCR errors of the raw text included)."""
    spans = []
    for source in question.sources:
        plan = corpus.get(source.get("doc", ""))
        quote = source.get("quote", "")
        if plan is None or not quote.strip():
            continue
        found = _find_loosely(plan.text, quote)
        if not found:
            found = [span for raw in _find_loosely(plan.raw_text, quote) if (span := _clean_span(plan, *raw))]
        spans += [(plan.id, start, end) for start, end in found]
    return spans


def _find_loosely(text: str, quote: str) -> list[tuple[int, int]]:
    """Every ``[start, end)`` of ``quote`` in ``text``, any run of whitespace matching any other."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    return [(match.start(), match.end()) for match in re.finditer(pattern, text)]


def _clean_span(plan, raw_start: int, raw_end: int) -> tuple[int, int] | None:
    """The span of ``plan.text`` whose characters come from ``plan.raw_text[raw_start:raw_end]``."""
    inside = [i for i, position in enumerate(plan.offsets.positions[:-1]) if raw_start <= position < raw_end]
    return (inside[0], inside[-1] + 1) if inside else None


def grade(question: EvalQuestion, answer: Answer, corpus: Corpus, latency_ms: float) -> Grade:
    text = normalize(answer.answer)
    checks = {
        "must_include": all(_contains(text, item) for item in question.must_include),
        "must_not_include": not any(_contains(text, item) for item in question.must_not_include),
        "status": answer.status == question.expect_status,
        "quotes_exact": all(_quote_is_exact(c, corpus) for c in answer.citations),
    }
    if question.expect_status == "answered" and question.sources:
        gold = _gold_spans(question, corpus)
        checks["citation_hit"] = any(
            c.plan_id == plan_id and c.start < end and start < c.end
            for c in answer.citations
            for plan_id, start, end in gold
        )
    verified = [c for c in answer.verification.claims if c.verified]
    supported = [c for c in verified if _claim_supported(c.text, answer)]
    checks["no_unsupported_verified"] = len(supported) == len(verified)
    return Grade(
        id=question.id,
        type=question.type,
        province=question.province,
        correct=all(checks.values()),
        checks=checks,
        status=answer.status,
        latency_ms=latency_ms,
        verified_claims=len(verified),
        supported_verified_claims=len(supported),
        answer=answer.answer,
        verification=answer.verification.status,
    )


def _quote_is_exact(citation: Citation, corpus: Corpus) -> bool:
    plan = corpus.get(citation.plan_id)
    return plan is not None and plan.text[citation.start : citation.end] == citation.quote


def _claim_supported(claim: str, answer: Answer) -> bool:
    needle = normalize(claim)
    haystacks = [normalize(c.quote) for c in answer.citations]
    haystacks += [normalize(json.dumps(f, ensure_ascii=False)) for f in answer.facts]
    return any(_contains(h, needle) for h in haystacks)


@dataclass
class Report:
    system: str
    n: int
    accuracy: float
    by_type: dict[str, dict[str, float]]
    by_province: dict[str, dict[str, float]]
    citation_hit_rate: float
    verification_precision: float
    refusal_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    total_seconds: float
    wrong_but_verified: list[str] = field(default_factory=list)  # ids graded wrong but answered as verified
    failures: list[dict] = field(default_factory=list)


def summarize(system: str, grades: list[Grade], total_seconds: float) -> Report:
    def bucket(key) -> dict[str, dict[str, float]]:
        groups: dict[str, list[Grade]] = defaultdict(list)
        for g in grades:
            groups[key(g)].append(g)
        return {k: {"n": len(v), "accuracy": sum(g.correct for g in v) / len(v)} for k, v in sorted(groups.items())}

    with_citation = [g for g in grades if "citation_hit" in g.checks]
    refusals = [g for g in grades if g.type == "not_found"]
    verified = sum(g.verified_claims for g in grades)
    supported = sum(g.supported_verified_claims for g in grades)
    latencies = [g.latency_ms for g in grades] or [0.0]
    return Report(
        system=system,
        n=len(grades),
        accuracy=sum(g.correct for g in grades) / max(len(grades), 1),
        by_type=bucket(lambda g: g.type),
        by_province=bucket(lambda g: g.province or "(không nêu tỉnh)"),
        citation_hit_rate=sum(g.checks["citation_hit"] for g in with_citation) / max(len(with_citation), 1),
        verification_precision=supported / verified if verified else 1.0,
        refusal_rate=sum(g.status == "not_found" for g in refusals) / max(len(refusals), 1),
        latency_p50_ms=float(np.percentile(latencies, 50)),
        latency_p95_ms=float(np.percentile(latencies, 95)),
        total_seconds=total_seconds,
        wrong_but_verified=[g.id for g in grades if g.wrong_but_verified],
        failures=[
            {
                "id": g.id,
                "type": g.type,
                "failed": [k for k, ok in g.checks.items() if not ok],
                "verification": g.verification,
                "answer": g.answer[:300],
            }
            for g in grades
            if not g.correct
        ],
    )


def run_engine(engine, questions: list[EvalQuestion], progress=None) -> list[Grade]:
    grades = []
    for n, question in enumerate(questions, start=1):
        started = time.perf_counter()
        # the province is the filter the user chose in the chat page (None: no filter)
        answer = engine.answer(question.question, history=question.history or None, province=question.province)
        grades.append(grade(question, answer, engine.corpus, (time.perf_counter() - started) * 1000))
        if progress and n % 25 == 0:
            progress(f"{n}/{len(questions)}")
    return grades


class NaiveRag:
    """Baseline: plain llama-index RAG with the same embeddings — dense top-k, best sentence, no facts table."""

    def __init__(self, engine, top_k: int = 3) -> None:
        self.engine = engine
        self.retriever = engine.retriever.index.vector_index.as_retriever(similarity_top_k=top_k)
        self.corpus = engine.corpus

    def answer(self, question: str, history=None) -> Answer:
        from assistant.answer.words import content_words, overlap, sentence_spans

        nodes = self.retriever.retrieve(question)
        words = content_words(fold(question))
        best = None
        for node in nodes:
            meta = node.node.metadata
            plan = self.corpus.get(meta["plan_id"])
            start0, end0 = int(meta["start"]), int(meta["end"])
            for start, end in sentence_spans(plan.text[start0:end0]) or [(0, end0 - start0)]:
                score = overlap(words, content_words(fold(plan.text[start0 + start : start0 + end])))
                if best is None or score > best[0]:
                    best = (score, plan, start0 + start, start0 + end, meta)
        if best is None:
            return Answer(question=question, answer="", status="not_found", language="vi", route="none")
        _, plan, start, end, meta = best
        citation = Citation(
            n=1,
            plan_id=plan.id,
            province=plan.province,
            section=meta["section"],
            quote=plan.text[start:end],
            start=start,
            end=end,
        )
        return Answer(
            question=question,
            answer=f"{collapse_spaces(citation.quote)} [1]",
            status="answered",
            language="vi",
            province=plan.province,
            route="passages",
            citations=[citation],
        )


def write_reports(reports: list[Report], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(
        json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    lines = ["# Đánh giá câu trả lời", ""]
    lines.append("| chỉ số | " + " | ".join(r.system for r in reports) + " |")
    lines.append("|---|" + "---|" * len(reports))
    for label, key, fmt in [
        ("số câu", "n", "{:d}"),
        ("độ chính xác", "accuracy", "{:.1%}"),
        ("trích dẫn trúng", "citation_hit_rate", "{:.1%}"),
        ("độ chính xác xác minh", "verification_precision", "{:.1%}"),
        ("từ chối đúng (not_found)", "refusal_rate", "{:.1%}"),
        ("sai nhưng gắn nhãn đã xác minh", "wrong_but_verified", "{}"),
        ("độ trễ p50 (ms)", "latency_p50_ms", "{:.0f}"),
        ("độ trễ p95 (ms)", "latency_p95_ms", "{:.0f}"),
        ("tổng thời gian (s)", "total_seconds", "{:.1f}"),
    ]:
        values = [getattr(r, key) for r in reports]
        values = [len(v) if isinstance(v, list) else v for v in values]
        lines.append(f"| {label} | " + " | ".join(fmt.format(v) for v in values) + " |")
    lines += _breakdown("Theo loại câu hỏi", "loại", "by_type", reports)
    lines += _breakdown("Theo tỉnh", "tỉnh", "by_province", reports)
    if reports[0].failures:
        lines += ["", f"## Câu sai ({reports[0].system})", ""]
        lines += [
            f"- {f['id']} ({f['type']}): {', '.join(f['failed'])}"
            + (" — **sai nhưng đã xác minh**" if f["id"] in reports[0].wrong_but_verified else "")
            for f in reports[0].failures
        ]
    (out_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out_dir / "accuracy_by_type.svg").write_text(bar_chart(reports), encoding="utf-8")


def _breakdown(title: str, label: str, field_name: str, reports: list[Report]) -> list[str]:
    """A Markdown table of accuracy per group (type or province), one column per system."""
    lines = [
        "",
        f"## {title}",
        "",
        f"| {label} | n | " + " | ".join(r.system for r in reports) + " |",
        "|---|---|" + "---|" * len(reports),
    ]
    for group, row in getattr(reports[0], field_name).items():
        cells = " | ".join(f"{getattr(r, field_name).get(group, {}).get('accuracy', 0):.1%}" for r in reports)
        lines.append(f"| {group} | {row['n']} | {cells} |")
    return lines


def bar_chart(reports: list[Report]) -> str:
    """A dependency-free SVG bar chart of accuracy by question type, one bar per system."""
    kinds = list(reports[0].by_type)
    colors = ["#1f6feb", "#d29922", "#8250df"]
    width, row, left = 640, 28, 170
    height = 40 + row * len(kinds)
    bar = (row - 8) / len(reports)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="12"><text x="10" y="18" font-weight="bold">Độ chính xác theo loại câu hỏi</text>'
    ]
    for i, kind in enumerate(kinds):
        y = 30 + i * row
        parts.append(f'<text x="10" y="{y + row / 2 + 4}">{kind}</text>')
        for j, report in enumerate(reports):
            value = report.by_type.get(kind, {}).get("accuracy", 0.0)
            w = (width - left - 60) * value
            parts.append(
                f'<rect x="{left}" y="{y + j * bar}" width="{w:.1f}" height="{bar - 1:.1f}" '
                f'fill="{colors[j % len(colors)]}"/>'
            )
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + j * bar + bar - 3:.1f}">{value:.0%}</text>')
    for j, report in enumerate(reports):
        parts.append(
            f'<rect x="{width - 150}" y="{6 + j * 14}" width="10" height="10" fill="{colors[j % 3]}"/>'
            f'<text x="{width - 135}" y="{15 + j * 14}">{report.system}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
