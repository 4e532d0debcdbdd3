"""Answer composition: turns an understood question into a cited answer, from the facts table or from passages.

Routes, in order:
- greeting, or a province outside the corpus → a short "not found" that says what the corpus covers;
- an agency the plans never give anything to do → "not found", naming the agencies that do have duties;
- facts route: targets, tasks (lead, coordinating units, time frame), reporting deadlines, responsibilities,
  funding, plan metadata and cross-province comparisons come from the facts table; each statement cites the
  fact's own span. No province named where it matters → one compact line per province. A plan that
  contradicts itself → both values, both citations, and a warning. A count or a sum the targets (shares) cannot
  give → "not found" with the related targets;
- outline: the plan's own headings (groups of tasks and solutions, the items of a named section, the parts of
  the plan, purpose and requirements), each quoted;
- documents: where each plan mentions a document number from the question ("which plans cite 951/QĐ-BTTTT");
- passage route: anything else is answered with the sentences of the best retrieved passages that match the
  question, each cited;
- not found: when neither route has relevant evidence, the answer says so, names the provinces covered and
  the closest facts, and never borrows another province's numbers.

Input: :class:`~assistant.understanding.Understanding`; output: :class:`Draft` (text with [n] markers,
citations, facts used, status, route). Templates are Vietnamese, or English for English questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.corpus import Corpus
from assistant.facts import Fact
from assistant.glossary import expansions
from assistant.normalize import collapse_spaces, fold
from assistant.retrieval import HybridRetriever, SearchResult
from assistant.schema import Citation
from assistant.understanding import Understanding, indicator_label
from assistant.units import KNOWN_UNITS, canonical_unit, expand_aliases

TASK_MATCH_F1 = 0.35
TASK_MATCH_MIN_F1 = 0.2  # a long task row that covers most of the question still matches …
TASK_MATCH_COVERAGE = 0.7  # … when it holds this share of the question's words
DUTY_MATCH_F1 = 0.3
GENERIC_DUTY_WORDS = frozenset(
    "co quan bao chi don vi lien quan ai nao viec chiu trach nhiem".split()
)  # how well a question's words must match a task's content to pick that task
TASK_CUE_WORDS = frozenset(
    "chu tri phoi hop thoi gian thuc hien nhiem vu don vi nao lam han khi ket qua san pham phu trach gian "
    "lead coordinating task deadline who when".split()
)
DOCUMENT_NUMBER_RE = re.compile(r"\b\d+[\w.-]*/(?:\d{4}/)?[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*")
RESPONSIBILITY_CUE = re.compile(
    r"trach nhiem|co nhiem vu|nhiem vu (?:gi|cua)|giao nhiem vu|lam gi|phai lam|duoc giao|giao .*viec|vai tro|responsib"
    r"|duties|role"
)
COVERAGE_STOP_WORDS = frozenset(
    "nhiem vu muc tieu chi tieu ke hoach gi nao bao nhieu duoc giao lam phai viec nhung chuyen doi so bao chi".split()
)
UNKNOWN_WORDS_MAX = 0.2  # above this share of never-seen words the passage route declines …
UNKNOWN_WORDS_MAX_RELEVANT = 0.35  # … unless retrieval is nearly sure (relevance ≥ 0.9): paraphrases use new words
RELEVANT = 0.9
WHOLE_PASSAGE_KINDS = {"appendix_row", "appendix", "signature", "recipients"}  # quoted whole, not by sentence
PASSAGE_RELEVANCE = 0.45  # below this the passage route does not answer
SENTENCE_MIN_OVERLAP = 0.34  # share of the question's content words a selected sentence must contain
STOP_WORDS = frozenset(
    """
    a about ai an and are bao by cac cho co cua de den do does duoc for gi hay hoac hoach how
    in is ke khong la mot nao nay nhieu nhu nhung noi o of plan province ra sao say says tai
    the thi tinh to trong tu va ve voi what when which who
    """.split()
)


@dataclass
class Draft:
    text: str
    status: str  # answered | not_found
    route: str  # facts | passages | none
    citations: list[Citation] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    province: str | None = None


class Citations:
    """Numbers citations in order of first use; the same span cited twice keeps one number."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.items: list[Citation] = []

    def cite(self, plan_id: str, start: int, end: int, section: str) -> str:
        for item in self.items:
            if item.plan_id == plan_id and item.start == start and item.end == end:
                return f"[{item.n}]"
        plan = self.corpus.get(plan_id)
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n,
                plan_id=plan_id,
                province=plan.province,
                section=section or "Mở đầu",
                quote=plan.text[start:end],
                start=start,
                end=end,
            )
        )
        return f"[{n}]"

    def fact(self, fact: Fact) -> str:
        return self.cite(fact.plan_id, fact.start, fact.end, fact.section)


T = {
    "vi": {
        "greeting": "Xin chào! Tôi trả lời câu hỏi về kế hoạch chuyển đổi số báo chí của các tỉnh {provinces}: "
        "chỉ tiêu theo năm, đơn vị chủ trì và phối hợp, thời hạn, trách nhiệm, kinh phí. "
        "Ví dụ: “Mục tiêu của {example} về tòa soạn hội tụ là bao nhiêu?”",
        "unknown_province": "Kho văn bản chưa có kế hoạch chuyển đổi số báo chí của {unknown}, nên tôi không thể trả "
        "lời. Hiện có kế hoạch của: {provinces}.",
        "not_found": "Các kế hoạch trong kho ({provinces}) không nêu thông tin này.",
        "covers": " Tôi có thể trả lời về chỉ tiêu theo năm, nhiệm vụ và đơn vị chủ trì, phối hợp, thời hạn báo cáo, "
        "trách nhiệm của các cơ quan và nguồn kinh phí.",
        "targets_of": "Chỉ tiêu của {province}",
        "year": "năm {year}",
        "appendix": "phụ lục, năm {year}",
        "conflict": "Lưu ý: kế hoạch của {province} ghi hai giá trị khác nhau cho {label} năm {year}: {values}. "
        "Hãy đối chiếu với văn bản gốc.",
        "no_target_year": "Kế hoạch của {province} không đặt chỉ tiêu {label} cho năm {years}; kế hoạch chỉ nêu:",
        "no_target": "Kế hoạch của {province} không có chỉ tiêu về {label}.",
        "no_money": "Kế hoạch của {province} không nêu số tiền cho việc này; các chỉ tiêu liên quan:",
        "no_count": "Kế hoạch của {province} không nêu con số cụ thể đó; các chỉ tiêu liên quan (theo tỷ lệ):",
        "no_targets_year": "Kế hoạch của {province} không đặt chỉ tiêu nào cho năm {years}; các năm có chỉ tiêu: "
        "{available}.",
        "task": "Nhiệm vụ {number} ({content}) của {province}",
        "lead": "đơn vị chủ trì: {units}",
        "coordinating": "đơn vị phối hợp: {units}",
        "time": "thời gian thực hiện: {time}",
        "deliverable": "kết quả, sản phẩm: {deliverable}",
        "no_task_number": "Phụ lục của {province} không có nhiệm vụ số {number}; các nhiệm vụ có số: {numbers}.",
        "no_task_table": "Kế hoạch của {province} không có bảng phân công nhiệm vụ nêu đơn vị chủ trì, phối hợp.",
        "no_time": "Phụ lục không ghi thời gian thực hiện cho nhiệm vụ {number}.",
        "duty_of": "Theo kế hoạch của {province}, {unit} thực hiện: {duty}",
        "forward": ", để tổng hợp, báo cáo {forward}",
        "which_task": "Câu hỏi chưa rõ nhiệm vụ nào. Các nhiệm vụ trong phụ lục của {province}:",
        "report": "{province}: {reporter} báo cáo kết quả về {recipient}{via} trước ngày {date}{recurrence}",
        "via": " (qua {via})",
        "yearly": " hằng năm",
        "duties": "Theo kế hoạch của {province}, {unit} có nhiệm vụ:",
        "funding": "Nguồn kinh phí theo kế hoạch của {province}:",
        "no_amount": "Kế hoạch của {province} không nêu số tiền cụ thể cho việc thực hiện.",
        "no_funding": "Kế hoạch của {province} không có phần kinh phí riêng.",
        "funding_duties": "Về kinh phí, kế hoạch giao:",
        "not_cited": "Kế hoạch của {provinces} không nhắc đến {numbers}.",
        "plan_number": "Kế hoạch của {province} là Kế hoạch số {number}",
        "issued": ", ban hành ngày {date}",
        "number_blank": "Văn bản kế hoạch của {province} để trống số và ngày ban hành",
        "signer": "Kế hoạch của {province} do {signer} ký",
        "no_signer": "Văn bản kế hoạch của {province} trong kho không có tên người ký.",
        "basis": "Kế hoạch của {province} căn cứ:",
        "comparison": "So sánh chỉ tiêu “{label}”{year}:",
        "all_equal": "Các tỉnh trên đều đặt cùng mức {value}.",
        "highest": "Cao nhất: {provinces} ({value}).",
        "lowest": "Thấp nhất: {provinces} ({value}).",
        "missing_in": "{province}: không có chỉ tiêu này",
        "passages": "Theo kế hoạch của {province}:",
        "passages_many": "Theo các kế hoạch:",
        "outline": "Theo kế hoạch của {province}, phần “{section}” {marker} gồm các mục:",
        "outline_parts": "Kế hoạch của {province} gồm các phần:",
        "unassigned": "Kế hoạch của {province} không giao nhiệm vụ cho {unit}",
        "recipient_only": " ({unit} chỉ có tên trong phần Nơi nhận)",
        "assigned_units": ". Các đơn vị được giao nhiệm vụ trong phần tổ chức thực hiện: {units}.",
    },
    "en": {
        "greeting": "Hello! I answer questions about the press digital-transformation plans of {provinces}: yearly "
        "targets, lead and coordinating units, deadlines, responsibilities and funding. For example: "
        "“What is {example}'s target for converged newsrooms?”",
        "unknown_province": "The corpus has no press digital-transformation plan for {unknown}, so I cannot answer. "
        "Plans available: {provinces}.",
        "not_found": "The plans in the corpus ({provinces}) do not state this.",
        "covers": " I can answer about yearly targets, tasks with their lead and coordinating units, reporting "
        "deadlines, responsibilities and funding sources.",
        "targets_of": "Targets of {province}",
        "year": "{year}",
        "appendix": "appendix, {year}",
        "conflict": "Note: the {province} plan gives two different values for {label} in {year}: {values}. "
        "Please check the original.",
        "no_target_year": "The {province} plan sets no {label} target for {years}; it only states:",
        "no_target": "The {province} plan has no target on {label}.",
        "no_money": "The {province} plan states no sum of money for this; related targets:",
        "no_count": "The {province} plan does not give that number; related targets (as shares):",
        "no_targets_year": "The {province} plan sets no targets for {years}; years with targets: {available}.",
        "task": "Task {number} ({content}) of {province}",
        "lead": "lead unit: {units}",
        "coordinating": "coordinating units: {units}",
        "time": "time frame: {time}",
        "deliverable": "deliverable: {deliverable}",
        "no_task_number": "The {province} appendix has no task {number}; its tasks are numbered {numbers}.",
        "no_task_table": "The {province} plan has no task-assignment table naming lead and coordinating units.",
        "no_time": "The appendix gives no time frame for task {number}.",
        "duty_of": "Under the {province} plan, {unit} is in charge of: “{duty}”",
        "forward": ", which consolidates them for {forward}",
        "which_task": "Which task do you mean? The tasks in the {province} appendix:",
        "report": "{province}: {reporter} report to {recipient}{via} before {date}{recurrence}",
        "via": " (through {via})",
        "yearly": " every year",
        "duties": "Under the {province} plan, {unit} is responsible for:",
        "funding": "Funding sources in the {province} plan:",
        "no_amount": "The {province} plan does not state a sum of money.",
        "no_funding": "The {province} plan has no separate funding section.",
        "funding_duties": "On funding, it assigns:",
        "not_cited": "The plans of {provinces} do not mention {numbers}.",
        "plan_number": "The {province} plan is Plan No. {number}",
        "issued": ", issued on {date}",
        "number_blank": "The {province} plan leaves its number and issue date blank",
        "signer": "The {province} plan is signed by {signer}",
        "no_signer": "The {province} plan in the corpus carries no signer's name.",
        "basis": "The {province} plan is based on:",
        "comparison": "Comparison of “{label}”{year}:",
        "all_equal": "All of these provinces set the same level, {value}.",
        "highest": "Highest: {provinces} ({value}).",
        "lowest": "Lowest: {provinces} ({value}).",
        "missing_in": "{province}: no such target",
        "passages": "According to the {province} plan:",
        "passages_many": "According to the plans:",
        "outline": "In the {province} plan, the part “{section}” {marker} covers:",
        "outline_parts": "The {province} plan has these parts:",
        "unassigned": "The {province} plan assigns no duties to {unit}",
        "recipient_only": " ({unit} appears only in the list of recipients)",
        "assigned_units": ". Units with duties under its implementation part: {units}.",
    },
}


class Composer:
    """Composes drafts; see the module docstring."""

    def __init__(self, corpus: Corpus, facts: list[Fact], retriever: HybridRetriever) -> None:
        self.corpus = corpus
        self.facts = facts
        self.retriever = retriever
        self.provinces = [p.province for p in corpus.plans]
        self.plan_of = {p.province: p for p in corpus.plans}
        # Words the plans use, as written (with marks) and folded: a question whose key words never occur in any
        # plan is not answered from loosely matching passages.
        self.vocabulary = {w for p in corpus.plans for w in re.findall(r"\w+", p.text.lower())}
        self.vocabulary |= {fold(w) for w in self.vocabulary}
        # Each plan's text folded with unit aliases expanded: the body, and the list of recipients ("Nơi nhận").
        self._body_text = {p.id: _folded_blocks(p, recipients=False) for p in corpus.plans}
        self._recipients_text = {p.id: _folded_blocks(p, recipients=True) for p in corpus.plans}

    # -- entry -----------------------------------------------------------------------------------------
    def compose(self, u: Understanding, search: SearchResult | None) -> Draft:
        t = T[u.language]
        if u.kind == "greeting":
            text = t["greeting"].format(provinces=", ".join(self.provinces), example=self.provinces[0])
            return Draft(text, "not_found", "none")
        if u.unknown_provinces and not u.provinces:
            text = t["unknown_province"].format(
                unknown=", ".join(u.unknown_provinces), provinces=", ".join(self.provinces)
            )
            return Draft(text, "not_found", "none")
        if not u.provinces and not u.unknown_provinces:
            u.provinces = self._provinces_by_plan_number(u.question)
        if u.kind in {"funding", "comparison", "target", "other", "lead_unit"} and self._names_unit_with_duty(u):
            u.kind = "responsibility"
        if u.kind in {"responsibility", "coordinating_units", "lead_unit", "task"}:
            refusal = self._unassigned_unit(u)  # an agency the plans never give anything to do
            if refusal is not None:
                refusal.province = u.provinces[0] if len(u.provinces) == 1 else None
                return refusal
        handler = {
            "target": self._targets,
            "comparison": self._comparison,
            "lead_unit": self._task,
            "coordinating_units": self._task,
            "task": self._task,
            "deadline": self._deadline,
            "responsibility": self._responsibility,
            "funding": self._funding,
            "metadata": self._metadata,
            "outline": self._outline,
        }.get(u.kind)
        if u.kind == "metadata" and search is not None and self._asks_about_a_passage(u):
            # "Về quy hoạch báo chí, Thái Bình tiếp tục hoàn thành kế hoạch số mấy?": a document named in a passage
            draft = self._passages(u, search, Citations(self.corpus), require=DOCUMENT_NUMBER_RE)
            if draft is not None:
                return draft
        documents = self._other_documents(u.question) if u.kind in {"comparison", "other"} else []
        if documents:  # "which plans cite Decision 951/QĐ-BTTTT?"
            handler = lambda u, cite: self._cited_documents(u, documents, cite)  # noqa: E731
        draft = handler(u, Citations(self.corpus)) if handler else None
        if draft is None:
            draft = self._passages(u, search, Citations(self.corpus))
            if draft is None and u.kind == "other" and u.indicators:  # "Lai Châu cam kết gì về vùng sâu, vùng xa?"
                draft = self._targets(replace(u, kind="target"), Citations(self.corpus))
        elif draft.status == "answered" and u.kind in {"funding", "responsibility", "target", "task"}:
            self._supplement(draft, u, search)
        if draft is None:
            text = t["not_found"].format(provinces=", ".join(u.provinces or self.provinces)) + t["covers"]
            draft = Draft(text, "not_found", "none")
        if draft.province is None and len(u.provinces) == 1:
            draft.province = u.provinces[0]
        return draft

    # -- helpers ---------------------------------------------------------------------------------------
    def _unknown_share(self, u: Understanding) -> float:
        """Share of the question's content words (as typed, with marks) that no plan ever uses."""
        if u.language != "vi":
            return 0.0
        typed = {w for w in re.findall(r"\w+", u.question.lower()) if not w.isdigit() and len(w) > 1}
        typed = {w for w in typed if fold(w) not in STOP_WORDS and fold(w) not in {fold(p) for p in u.provinces}}
        province_words = {t for p in self.provinces for t in fold(p).split()}
        typed = {w for w in typed if fold(w) not in province_words}
        if not typed:
            return 0.0
        return sum(1 for w in typed if w not in self.vocabulary) / len(typed)

    def _provinces_by_plan_number(self, question: str) -> list[str]:
        """A plan named by its number ("kế hoạch 270/KH-UBND") stands for its province."""
        return [p.province for p in self.corpus.plans if p.meta.plan_number and p.meta.plan_number in question]

    def _names_unit_with_duty(self, u: Understanding) -> bool:
        """The question names a unit that has duties in the plans and asks what it must do."""
        if not RESPONSIBILITY_CUE.search(u.folded):
            return False
        return bool(self._named_units(u))

    def _named_units(self, u: Understanding) -> list[str]:
        """Specific units (not groups like "các cơ quan báo chí") named in the question that have duties."""
        question = fold(expand_aliases(u.question))
        names = {f.responsible_unit for f in self._select("responsibility", self._scope(u))}
        return [n for n in names if not fold(n).startswith(("cac ", "co quan")) and _mentions_unit(question, n)]

    def _supplement(self, draft: Draft, u: Understanding, search: SearchResult | None) -> None:
        """Add the best matching plan sentence when the facts answer leaves much of the question uncovered."""
        words = _content_words(u.folded, *u.provinces) - COVERAGE_STOP_WORDS
        if not words or search is None or search.relevance < PASSAGE_RELEVANCE:
            return
        covered = _overlap(words, _content_words(fold(draft.text)))
        if covered >= 0.7:
            return
        best = None
        for hit in search.hits[:5]:
            p = hit.passage
            if draft.province and p.province != draft.province or p.kind in WHOLE_PASSAGE_KINDS:
                continue
            for start, end in _sentence_spans(p.text):
                sentence = p.text[start:end]
                if collapse_spaces(fold(sentence))[:60] in collapse_spaces(fold(draft.text)):
                    continue
                gain = _overlap(words, _content_words(fold(sentence)) | _content_words(fold(draft.text))) - covered
                if gain > 0.15 and (best is None or gain > best[0]):
                    best = (gain, p, start, end)
        if best is None:
            return
        _, p, start, end = best
        cite = Citations(self.corpus)
        cite.items = draft.citations
        marker = cite.cite(p.plan_id, p.start + start, p.start + end, p.section)
        label = "Xem thêm" if u.language == "vi" else "See also"
        draft.text += f"\n{label}: {collapse_spaces(p.text[start:end]).lstrip('-– ')} {marker}"
        draft.citations = cite.items

    def _select(self, kind: str, provinces: list[str] | None = None, **equal) -> list[Fact]:
        rows = [f for f in self.facts if f.kind == kind and (not provinces or f.province in provinces)]
        for name, value in equal.items():
            rows = [f for f in rows if getattr(f, name) == value]
        return rows

    def _scope(self, u: Understanding) -> list[str]:
        return u.provinces or self.provinces

    @staticmethod
    def _lines(header: str, lines: list[str]) -> str:
        if len(lines) == 1 and not header:
            return lines[0]
        return "\n".join([header, *[f"- {line}" for line in lines]]) if header else "\n".join(f"- {x}" for x in lines)

    # -- targets ---------------------------------------------------------------------------------------
    def _target_phrase(self, fact: Fact, u: Understanding, cite: Citations, with_year: bool = True) -> str:
        marker = cite.fact(fact)
        if fact.origin == "appendix":
            label = indicator_label(fact.indicator, u.language)
            growth = fact.qualifiers.get("min_revenue_growth_pct")
            extra = ""
            if growth is not None:
                extra = f" (tăng doanh thu tối thiểu {growth}%)"
                if u.language == "en":
                    extra = f" (revenue +{growth}% or more)"
            where = T[u.language]["appendix"].format(year=fact.year)
            return f"{fact.value_text}{extra} — {label} ({where}) {marker}"
        wording = collapse_spaces(fact.wording)
        if u.language == "en":
            head = f"{fact.year}: " if with_year else ""
            return f"{head}{indicator_label(fact.indicator, 'en')} — “{wording}” {marker}"
        head = f"{T['vi']['year'].format(year=fact.year).capitalize()}: " if with_year else ""
        return f"{head}{wording} {marker}"

    def _targets(self, u: Understanding, cite: Citations) -> Draft | None:
        t = T[u.language]
        blocks: list[str] = []
        used: list[Fact] = []
        found_any = False
        for province in self._scope(u):
            rows = self._select("target", [province])
            if not rows:
                continue
            chosen = [f for f in rows if not u.indicators or f.indicator in u.indicators]
            if not u.indicators:
                chosen = _narrow_by_wording(chosen, u, province)
            with_year = [f for f in chosen if not u.years or f.year in u.years]
            if not u.years and not u.indicators:
                with_year = chosen
            if not with_year:
                if not u.provinces:
                    continue
                blocks.append(self._missing_target(u, province, rows, chosen, cite, used))
                continue
            lines = [self._target_phrase(f, u, cite) for f in sorted(with_year, key=_target_order)]
            used.extend(with_year)
            lines += self._conflict_notes(with_year, u)
            unmet = _unmet_measure(u, with_year)
            if unmet:  # asked for money or a count the plan does not give: say so, show what it does set
                header = t["no_money" if unmet == "money" else "no_count"].format(province=province)
            else:
                found_any = True
                header = t["targets_of"].format(province=province) + ":"
            blocks.append(self._lines(header, lines))
        if not blocks:
            return None
        text = "\n\n".join(blocks)
        return Draft(text, "answered" if found_any else "not_found", "facts", cite.items, used)

    def _missing_target(self, u, province, rows, chosen, cite, used) -> str:
        t = T[u.language]
        label = ", ".join(indicator_label(c, u.language) for c in u.indicators) or (
            "này" if u.language == "vi" else "this"
        )
        years = ", ".join(str(y) for y in u.years)
        if chosen and u.indicators:  # the indicator exists, not for that year
            head = t["no_target_year"].format(province=province, label=label, years=years)
            lines = [self._target_phrase(f, u, cite) for f in sorted(chosen, key=_target_order)[:4]]
            used.extend(sorted(chosen, key=_target_order)[:4])
            return self._lines(head, lines)
        if u.indicators:
            return t["no_target"].format(province=province, label=label)
        available = ", ".join(str(y) for y in sorted({f.year for f in rows}))
        return t["no_targets_year"].format(province=province, years=years, available=available)

    def _conflict_notes(self, rows: list[Fact], u: Understanding) -> list[str]:
        notes = []
        seen = set()
        for fact in rows:
            if fact.conflict_group and fact.conflict_group not in seen:
                seen.add(fact.conflict_group)
                group = [f for f in self.facts if f.conflict_group == fact.conflict_group]
                values = " / ".join(
                    f"{f.value_text} ({'phụ lục' if f.origin == 'appendix' else 'phần mục tiêu'})" for f in group
                )
                notes.append(
                    T[u.language]["conflict"].format(
                        province=fact.province,
                        label=indicator_label(fact.indicator, u.language),
                        year=fact.year,
                        values=values,
                    )
                )
        return notes

    # -- comparison ------------------------------------------------------------------------------------
    def _comparison(self, u: Understanding, cite: Citations) -> Draft | None:
        if u.reporting or (not u.indicators and re.search(r"bao cao|report", u.folded)):
            return self._reporting(u, cite)
        if not u.indicators:
            topic = _secondary_kind(u.folded)
            handler = {
                "funding": self._funding,
                "responsibility": self._responsibility,
                "lead_unit": self._task,
                "coordinating_units": self._task,
                "deadline": self._deadline,
                "metadata": self._metadata,
            }.get(topic)
            if handler is None:
                return None
            return handler(replace(u, kind=topic), cite)
        t = T[u.language]
        blocks: list[str] = []
        used: list[Fact] = []
        for code in u.indicators[:2]:
            rows = [f for f in self._select("target", self._scope(u)) if f.indicator == code]
            years = u.years or sorted({f.year for f in rows if f.year in (2025, 2030)} or {f.year for f in rows})
            for year in years:
                per_year = [f for f in rows if f.year == year]
                if not per_year:
                    continue
                label = indicator_label(code, u.language)
                header = t["comparison"].format(label=label, year=f" ({year})")
                lines = []
                percents: list[tuple[float, str]] = []
                for province in self._scope(u):
                    facts = sorted([f for f in per_year if f.province == province], key=_target_order)
                    if not facts:
                        if any(f.province == province for f in self.facts):
                            lines.append(t["missing_in"].format(province=province))
                        continue
                    used.extend(facts)
                    parts = [self._target_phrase(f, u, cite, with_year=False) for f in facts]
                    lines.append(f"{province}: " + "; ".join(parts))
                    for f in facts:
                        if f.unit == "%" and f.value is not None:
                            percents.append((f.value, province))
                lines += self._conflict_notes(per_year, u)
                if len({p for _, p in percents}) > 1 and len({v for v, _ in percents}) == 1:
                    lines.append(t["all_equal"].format(value=f"{percents[0][0]:g}%"))
                elif len({p for _, p in percents}) > 1:
                    top = max(v for v, _ in percents)
                    low = min(v for v, _ in percents)
                    tops = sorted({p for v, p in percents if v == top})
                    lows = sorted({p for v, p in percents if v == low})
                    lines.append(t["highest"].format(provinces=", ".join(tops), value=f"{top:g}%"))
                    if low != top:
                        lines.append(t["lowest"].format(provinces=", ".join(lows), value=f"{low:g}%"))
                blocks.append(self._lines(header, lines))
        if not used:
            return None
        return Draft("\n\n".join(blocks), "answered", "facts", cite.items, used)

    # -- tasks -----------------------------------------------------------------------------------------
    def _find_tasks(self, u: Understanding, province: str) -> tuple[list[Fact], str | None]:
        """The task(s) a question refers to in one province, or an explanation of why there is none."""
        tasks = self._select("task", [province])
        t = T[u.language]
        if not tasks:
            return [], t["no_task_table"].format(province=province)
        if u.task_number:
            exact = [f for f in tasks if f.number == u.task_number]
            if exact and not exact[0].lead_units:  # a group row (5) stands for its sub-tasks (5.1, 5.2)
                exact += [f for f in tasks if f.parent == u.task_number]
            if exact:
                return exact, None
            numbers = ", ".join(f.number for f in tasks)
            return [], t["no_task_number"].format(province=province, number=u.task_number, numbers=numbers)
        if u.years and re.search(r"nhiem vu nao|nhung nhiem vu|which task", u.folded):
            by_years = [f for f in tasks if f.start_year and all(f.start_year <= y <= f.end_year for y in u.years)]
            if by_years:
                return by_years, None
        led = self._tasks_of_named_unit(u, tasks)
        if led is not None:
            return led, None
        # Words no plan uses (English, typos) cannot match a task and would only dilute the score.
        words = {w for w in _content_words(u.topic or u.folded, province) - TASK_CUE_WORDS if w in self.vocabulary}
        scored = []
        for fact in tasks:
            said = _content_words(fold(f"{fact.content} {fact.deliverable}"), province) - TASK_CUE_WORDS
            f1 = _f1(words, said)
            if f1 >= TASK_MATCH_F1 or (f1 >= TASK_MATCH_MIN_F1 and _overlap(words, said) >= TASK_MATCH_COVERAGE):
                # how much of the question the task covers first (long task rows are not penalized), then F1
                scored.append(((round(_overlap(words, said), 2), f1), fact))
        if scored:
            scored.sort(key=lambda item: item[0], reverse=True)
            best = scored[0][0]
            return [f for score, f in scored if score == best][:2], None
        return [], None

    def _tasks_of_named_unit(self, u: Understanding, tasks: list[Fact]) -> list[Fact] | None:
        """ "Sở TTTT chủ trì những nhiệm vụ nào?": every task the named unit leads (or coordinates, when asked)."""
        if not re.search(r"nhiem vu nao|nhung nhiem vu|cac nhiem vu|liet ke|which tasks|what tasks", u.folded):
            return None
        unit = _named_known_unit(u.question)
        if unit is None:
            return None
        coordinating = u.kind == "coordinating_units" or ("phoi hop" in u.folded and "chu tri" not in u.folded)
        return [
            f
            for f in tasks
            if any(
                _mentions_unit(fold(unit), x) or fold(x) == fold(unit)
                for x in (f.coordinating_units if coordinating else f.lead_units)
            )
        ]

    def _task_line(self, fact: Fact, u: Understanding, cite: Citations) -> str:
        t = T[u.language]
        marker = cite.fact(fact)
        content = collapse_spaces(fact.content)
        if len(content) > 140:
            content = content[:137].rsplit(" ", 1)[0] + "…"
        parts = []
        if fact.lead_units:
            parts.append(t["lead"].format(units=", ".join(fact.lead_units)))
        if fact.coordinating_units:
            units = ", ".join(fact.coordinating_units)
            original = collapse_spaces(fact.coordinating_units_original)
            if _has_role_note(original, fact.coordinating_units):
                units += f" (“{original}”)"
            parts.append(t["coordinating"].format(units=units))
        if fact.time_frame:
            parts.append(t["time"].format(time=fact.time_frame))
        if fact.deliverable and (u.kind != "lead_unit" or re.search(r"ket qua|san pham|dau ra|deliverable", u.folded)):
            parts.append(t["deliverable"].format(deliverable=fact.deliverable))
        if u.kind == "coordinating_units" and fact.coordinating_units:
            parts.insert(0, parts.pop(1 if fact.lead_units else 0))
        if u.kind == "deadline" and fact.time_frame:
            parts.insert(0, parts.pop(parts.index(t["time"].format(time=fact.time_frame))))
        head = t["task"].format(number=fact.number, content=content, province=fact.province)
        return f"{head}: {'; '.join(parts)} {marker}" if parts else f"{head} {marker}"

    def _task(self, u: Understanding, cite: Citations) -> Draft | None:
        lines: list[str] = []
        used: list[Fact] = []
        problems: list[str] = []
        blank_time = False
        for province in self._scope(u):
            tasks, problem = self._find_tasks(u, province)
            if tasks:
                used.extend(tasks)
                lines.extend(self._task_line(f, u, cite) for f in tasks)
                if u.kind == "deadline" and all(not f.time_frame for f in tasks if f.lead_units):
                    blank_time = True
                    lines.append(T[u.language]["no_time"].format(number=", ".join(f.number for f in tasks)))
            elif problem and u.provinces:
                problems.append(problem)
        if not used:
            if problems and (u.task_number or re.search(r"phu luc|bang phan cong|appendix", u.folded)):
                listed = [f for p in u.provinces for f in self._select("task", [p])]
                return Draft("\n".join(problems), "not_found", "facts", cite.items, listed)
            return self._duties_matching(u, cite)  # plans without a task table state who does what in prose
        return Draft("\n".join(lines + problems), "not_found" if blank_time else "answered", "facts", cite.items, used)

    def _duties_matching(self, u: Understanding, cite: Citations) -> Draft | None:
        """Who does something, from the duties under "Tổ chức thực hiện" (best matching duty line)."""
        words = _content_words(u.topic or u.folded, *u.provinces) - GENERIC_DUTY_WORDS
        if not words or not u.provinces:
            return None
        best = None
        named = set(self._named_units(u))
        candidates = [
            f for f in self._select("responsibility", u.provinces) if not named or f.responsible_unit in named
        ]
        for fact in candidates:
            for line in fact.duties.split("\n"):
                for sentence in re.split(r"(?<=[.;])\s+", line):
                    score = _f1(words, _content_words(fold(sentence)) - GENERIC_DUTY_WORDS)
                    if best is None or score > best[0]:
                        best = (score, fact, sentence)
        if best is None or best[0] < DUTY_MATCH_F1:
            return None
        _, fact, sentence = best
        duty = collapse_spaces(sentence).lstrip("-– ")
        marker = self._cite_duty(fact, duty, cite)
        text = T[u.language]["duty_of"].format(province=fact.province, unit=fact.responsible_unit, duty=duty)
        return Draft(f"{text} {marker}", "answered", "facts", cite.items, [fact])

    # -- deadlines -------------------------------------------------------------------------------------
    def _deadline(self, u: Understanding, cite: Citations) -> Draft | None:
        """A task's time frame when the question names a task; the reporting deadline when it asks about reports."""
        if u.task_number or not u.reporting:
            draft = self._task(u, cite)
            if draft is not None and (draft.facts and draft.facts[0].kind == "task"):
                return draft
        about_the_plan = re.search(r"(?:ket qua|tinh hinh) (?:thuc hien |trien khai )?(?:ke hoach|kh)\b", u.folded)
        if u.reporting and not about_the_plan:  # a task whose deliverable is a report, else the plan's reporting
            for province in self._scope(u):
                tasks, _ = self._find_tasks(u, province)
                if tasks and any(re.search(r"bao cao", fold(f.deliverable)) for f in tasks):
                    return Draft(
                        "\n".join(self._task_line(f, u, cite) for f in tasks), "answered", "facts", cite.items, tasks
                    )
            return self._reporting(u, cite)
        if re.search(r"bao cao|danh gia dinh ky|tong hop|\bnop\b|report|submit", u.folded):
            return self._reporting(u, cite)
        if u.indicators:
            return self._targets(u, cite)
        return None

    def _reporting(self, u: Understanding, cite: Citations) -> Draft | None:
        t = T[u.language]
        rows = self._select("reporting_deadline", self._scope(u))
        if not rows:
            return None
        lines = []
        for fact in rows:
            via = t["via"].format(via=fact.via) if fact.via else ""
            recurrence = t["yearly"] if fact.recurrence else ""
            date = f"{fact.day:02d}/{fact.month}"
            lines.append(
                t["report"].format(
                    province=fact.province,
                    reporter=fact.reporter,
                    recipient=fact.recipient,
                    via=via,
                    date=date,
                    recurrence=recurrence,
                )
                + (t["forward"].format(forward=fact.forward_to) if fact.forward_to else "")
                + f" {cite.fact(fact)}"
            )
        return Draft(
            "\n".join(lines) if len(lines) == 1 else self._lines("", lines), "answered", "facts", cite.items, rows
        )

    # -- responsibilities ------------------------------------------------------------------------------
    def _responsibility(self, u: Understanding, cite: Citations) -> Draft | None:
        if re.search(r"nhiem vu (?!gi|cua)|trong viec", u.folded):  # "làm gì trong nhiệm vụ rà soát giấy phép"
            draft = self._task(replace(u, kind="coordinating_units", topic=_without_units(u.folded)), cite)
            if draft is not None and draft.facts and draft.facts[0].kind == "task":
                return draft
            cite.items.clear()
        return self._unit_duties(u, cite)

    def _unit_duties(self, u: Understanding, cite: Citations) -> Draft | None:
        question = fold(expand_aliases(u.question))
        blocks, used = [], []
        for province in self._scope(u):
            rows = self._select("responsibility", [province])
            matched = [f for f in rows if _mentions_unit(question, f.responsible_unit)]
            if not matched:
                continue
            longest = max(len(fold(f.responsible_unit)) for f in matched)
            for fact in [f for f in matched if len(fold(f.responsible_unit)) == longest][:1]:
                used.append(fact)
                duties = [collapse_spaces(d).lstrip("-– ") for d in fact.duties.split("\n") if d.strip()]
                lines = [f"{d} {self._cite_duty(fact, d, cite)}" for d in duties[:5]]
                header = T[u.language]["duties"].format(province=province, unit=fact.responsible_unit)
                blocks.append(self._lines(header, lines))
        if not used:
            return self._duties_matching(u, cite)
        return Draft("\n\n".join(blocks), "answered", "facts", cite.items, used)

    def _unassigned_unit(self, u: Understanding) -> Draft | None:
        """The question asks what a named agency must do, and no plan in scope mentions that agency outside its
        list of recipients: say so (and who does have duties) instead of quoting other agencies' duties."""
        unit = _named_known_unit(u.question)
        if unit is None:
            return None
        # The name without its head word ("Các sở: Tài chính, Kế hoạch và Đầu tư" names the department too):
        # any mention in the body means the plan may give it something to do, and the refusal is not made.
        core = re.sub(r"^(?:so|ban|bo|cuc|dai|uy ban) |\s(?:tinh|tinh uy)$", "", fold(unit))
        pattern = re.compile(r"\b" + r"\W+".join(core.split()) + r"\b")
        scope = self._scope(u)
        if any(pattern.search(self._body_text[self.plan_of[p].id]) for p in scope):
            return None
        t = T[u.language]
        lines = []
        for province in scope:
            line = t["unassigned"].format(province=province, unit=unit)
            if pattern.search(self._recipients_text[self.plan_of[province].id]):
                line += t["recipient_only"].format(unit=unit)
            assigned = [f.responsible_unit for f in self._select("responsibility", [province])]
            line += t["assigned_units"].format(units=", ".join(assigned)) if assigned else "."
            lines.append(line)
        return Draft("\n".join(lines), "not_found", "none")

    def _cite_duty(self, fact: Fact, duty: str, cite: Citations) -> str:
        """Cite the duty's own line when it can be found in the plan text, else the whole responsibility."""
        plan = self.corpus.get(fact.plan_id)
        head = duty[:60]
        position = plan.text.find(head, fact.start, fact.end + 1)
        if position < 0:
            return cite.fact(fact)
        line_end = plan.text.find("\n", position)
        line_end = fact.end if line_end < 0 or line_end > fact.end else line_end
        return cite.cite(fact.plan_id, position, line_end, fact.section)

    # -- funding ---------------------------------------------------------------------------------------
    def _funding(self, u: Understanding, cite: Citations) -> Draft | None:
        t = T[u.language]
        blocks, used = [], []
        for province in self._scope(u):
            rows = self._select("funding", [province])
            if not rows:
                block = self._funding_duties(u, province, cite, used)
                if block:
                    blocks.append(block)
                continue
            used.extend(rows)
            lines, seen = [], set()
            for fact in rows:
                if (fact.start, fact.end) in seen:
                    continue
                seen.add((fact.start, fact.end))
                lines.append(f"{collapse_spaces(fact.value_text)} {cite.fact(fact)}")
            header = t["funding"].format(province=province)
            if u.asks_amount:
                header = t["no_amount"].format(province=province) + " " + header
            blocks.append(self._lines(header, lines))
        if not used:
            return None
        status = "not_found" if u.asks_amount else "answered"
        return Draft("\n\n".join(blocks), status, "facts", cite.items, used)

    def _funding_duties(self, u: Understanding, province: str, cite: Citations, used: list[Fact]) -> str:
        """A plan without a funding part says who arranges the money in its agencies' duties: quote those."""
        lines = []
        for fact in self._select("responsibility", [province]):
            for duty in fact.duties.split("\n"):
                if re.search(r"kinh phi|ngan sach|nguon von", fold(duty)):
                    duty = collapse_spaces(duty).lstrip("-– ")
                    lines.append(f"{fact.responsible_unit}: {duty} {self._cite_duty(fact, duty, cite)}")
                    if fact not in used:
                        used.append(fact)
        if not lines:
            return ""
        t = T[u.language]
        header = t["no_funding"].format(province=province) + " " + t["funding_duties"]
        if u.asks_amount:
            header = t["no_amount"].format(province=province) + " " + header
        return self._lines(header, lines)

    # -- metadata --------------------------------------------------------------------------------------
    def _metadata(self, u: Understanding, cite: Citations) -> Draft | None:
        """Plan number and date, signer, and the documents a plan cites (from the manifest and legal-basis facts)."""
        t = T[u.language]
        other_documents = self._other_documents(u.question)
        if other_documents:
            return self._cited_documents(u, other_documents, cite)
        intent = u.topic or u.folded  # a follow-up ("còn Huế?") asks what the previous question asked
        wants_signer = bool(
            re.search(r"ai ky|nguoi ky|\bky\b(?! (?:ngay|khi nao|luc nao))|signed by|who signed|signer", intent)
        )
        wants_basis = bool(
            re.search(
                r"can cu|legal basis|based on|dua tren|(?:quyet dinh|nghi quyet|chi thi|van ban) (?:nao|so)|"
                r"national decision|which decision|implement",
                intent,
            )
        )
        provinces = u.provinces or (self.provinces if wants_basis else [])
        if not provinces:
            return None
        lines, used, answered = [], [], False
        for province in provinces:
            plan = self.plan_of[province]
            if wants_basis:
                rows = self._select("legal_basis", [province])
                if not u.provinces:  # all plans: the decisions every plan cites first
                    rows = rows[:1]
                used.extend(rows)
                lines.append(self._lines(t["basis"].format(province=province), [self._document(f, cite) for f in rows]))
                answered = answered or bool(rows)
            elif wants_signer:
                name = plan.meta.signer.split(",")[0].strip()
                position = plan.text.find(name) if name else -1
                if position >= 0:
                    block_start = max(plan.text.rfind("TM.", 0, position), 0)
                    marker = cite.cite(plan.id, block_start, position + len(name), "Người ký")
                    lines.append(t["signer"].format(province=province, signer=plan.meta.signer) + f" {marker}")
                    answered = True
                else:
                    lines.append(t["no_signer"].format(province=province))
            else:
                number = plan.meta.plan_number
                position = plan.text.find(number) if number else -1
                if position >= 0:
                    line_end = plan.text.find("\n", position)
                    marker = cite.cite(plan.id, plan.text.rfind("\n", 0, position) + 1, line_end, "Mở đầu")
                    issued = t["issued"].format(date=_vi_date(plan.meta.issue_date)) if plan.meta.issue_date else ""
                    lines.append(t["plan_number"].format(province=province, number=number) + issued + f" {marker}")
                    answered = True
                else:
                    blank = re.search(r"Kế hoạch số\s+/[^\n]*", plan.text)
                    marker = f" {cite.cite(plan.id, blank.start(), blank.end(), 'PHỤ LỤC')}" if blank else ""
                    lines.append(t["number_blank"].format(province=province) + marker + ".")
        return Draft("\n".join(lines), "answered" if answered else "not_found", "facts", cite.items, used)

    def _document(self, fact: Fact, cite: Citations) -> str:
        year, month, day = fact.doc_date.split("-")
        about = f", {fact.subject}" if fact.subject else ""
        return (
            f"{fact.doc_type} số {fact.doc_number} ngày {int(day):02d}/{int(month)}/{year} của {fact.issuer}"
            f"{about} {cite.fact(fact)}"
        )

    def _cited_documents(self, u: Understanding, numbers: list[str], cite: Citations) -> Draft | None:
        """Where each plan in scope mentions the documents ``numbers`` (the sentence is quoted), and which do not."""
        t = T[u.language]
        patterns = [_document_pattern(number) for number in numbers]
        lines, missing = [], []
        for province in self._scope(u):
            plan = self.plan_of[province]
            match = next((m for pattern in patterns if (m := pattern.search(plan.text))), None)
            if match is None:
                missing.append(province)
                continue
            start, end = _sentence_around(plan.text, match.start(), match.end())
            section = next((b.section for b in plan.structure.blocks if b.start <= start < b.end), "")
            quote = collapse_spaces(plan.text[start:end]).lstrip("-–+• ")
            lines.append(f"{province}: {quote} {cite.cite(plan.id, start, end, section)}")
        if not lines:
            return None
        if missing and len(self._scope(u)) > 1:
            lines.append(t["not_cited"].format(provinces=", ".join(missing), numbers=", ".join(numbers)))
        return Draft(self._lines("", lines) if len(lines) > 1 else lines[0], "answered", "passages", cite.items, [])

    def _other_documents(self, question: str) -> list[str]:
        """Document numbers in the question other than the plans' own numbers."""
        own = {p.meta.plan_number for p in self.corpus.plans if p.meta.plan_number}
        return [n for n in DOCUMENT_NUMBER_RE.findall(question) if n not in own]

    # -- passages --------------------------------------------------------------------------------------
    # -- outline ---------------------------------------------------------------------------------------
    def _outline(self, u: Understanding, cite: Citations) -> Draft | None:
        """The plan's own headings: the groups of tasks and solutions, the items of a named sub-section, or the
        parts of the plan; each heading is quoted and cited."""
        t = T[u.language]
        blocks = []
        for province in self._scope(u):
            plan = self.plan_of[province]
            parent, children = _outline_of(plan.structure.blocks, u.folded, province)
            if not children:
                continue
            if parent is None:
                header = t["outline_parts"].format(province=province)
            else:
                section = collapse_spaces(parent.text).rstrip(":")
                marker = cite.cite(plan.id, parent.start, parent.end, parent.section)
                header = t["outline"].format(province=province, section=section, marker=marker)
            lines = [
                f"{collapse_spaces(b.text).lstrip('-–+• ')} {cite.cite(plan.id, b.start, b.end, b.section)}"
                for b in children
            ]
            blocks.append(self._lines(header, lines))
        if not blocks:
            return None
        return Draft("\n\n".join(blocks), "answered", "passages", cite.items, [])

    def _asks_about_a_passage(self, u: Understanding) -> bool:
        """A metadata question ("số mấy", "chỉ thị nào") that is about something the plan says, not the plan itself."""
        if re.search(r"ai ky|nguoi ky|\bky\b|sign", u.folded):
            return False
        return len(_content_words(u.folded, *u.provinces) - METADATA_WORDS) >= 2

    def _passages(
        self, u: Understanding, search: SearchResult | None, cite: Citations, require: re.Pattern | None = None
    ) -> Draft | None:
        """The best sentences of the retrieved passages (with ``require``: only sentences that match it)."""
        if search is None or not search.hits or search.relevance < PASSAGE_RELEVANCE:
            return None
        words = _content_words(u.folded, *u.provinces)
        limit = UNKNOWN_WORDS_MAX_RELEVANT if search.relevance >= RELEVANT else UNKNOWN_WORDS_MAX
        if not words or self._unknown_share(u) > limit:
            return None
        # the plans' own wording for everyday or English words ("nước ngoài" → "hợp tác quốc tế") also counts
        glossed = words | _content_words(fold(" ".join(expansions(u.question))), *u.provinces)
        candidates: list[tuple[float, int, object, int, int]] = []
        top_score = search.hits[0].score or 1.0
        for hit in search.hits[:5]:
            p = hit.passage
            spans = [(0, len(p.text))] if p.kind in WHOLE_PASSAGE_KINDS else _sentence_spans(p.text)
            for start, end in spans:
                sentence = p.text[start:end]
                if require is not None and not require.search(sentence):
                    continue
                said = _content_words(fold(sentence)) | _content_words(fold(p.section))
                overlap = max(_overlap(words, said), _overlap(glossed, said))
                # Half what the sentence says, half how well its passage was retrieved.
                score = 0.5 * overlap + 0.5 * (hit.score / top_score)
                candidates.append((score, overlap, p, p.start + start, p.start + end))
        candidates.sort(key=lambda c: -c[0])
        chosen, seen = [], set()
        for candidate in candidates:
            key = collapse_spaces(
                fold(candidate[2].text[candidate[3] - candidate[2].start : candidate[4] - candidate[2].start])
            )
            if candidate[1] < SENTENCE_MIN_OVERLAP or key in seen:
                continue
            seen.add(key)
            chosen.append(candidate)
            if len(chosen) == 3 or (chosen and candidate[0] < chosen[0][0] * 0.6):
                break
        if not chosen:
            return None
        provinces = sorted({c[2].province for c in chosen})
        t = T[u.language]
        header = t["passages"].format(province=provinces[0]) if len(provinces) == 1 else t["passages_many"]
        lines = []
        for _, _, passage, start, end in sorted(chosen, key=lambda c: (c[2].plan_id, c[3])):
            plan = self.corpus.get(passage.plan_id)
            quote = collapse_spaces(plan.text[start:end]).lstrip("-– ")
            prefix = f"{passage.province}: " if len(provinces) > 1 else ""
            lines.append(f"{prefix}{quote} {cite.cite(passage.plan_id, start, end, passage.section)}")
        draft = Draft(self._lines(header, lines), "answered", "passages", cite.items, [])
        draft.province = provinces[0] if len(provinces) == 1 else None
        return draft


# -- small helpers ---------------------------------------------------------------------------------------
METADATA_WORDS = frozenset(
    "ke hoach so may hieu ky ngay thang nam ban hanh nguoi van ban quyet dinh nghi quyet chi thi thong tu can cu "
    "nao gi theo cua ubnd uy ban nhan dan tinh thu tuong chinh phu chuyen doi bao chi trien khai thuc hien "
    "plan number date issued decision document based".split()
)
OUTLINE_GENERIC_WORDS = frozenset(
    "nhiem vu giai phap ke hoach gom bao nhung nhom trong tam chinh chu yeu cac phan noi dung muc "
    "chuyen doi so chi co quan tinh liet ke ten giup minh cho toi em hoi "
    "main key tasks task solutions groups group plan parts sections outline".split()
)
OUTLINE_PARTS_RE = re.compile(r"\bphan\b|bo cuc|cau truc|parts|sections|outline")
OUTLINE_MATCH = 0.5  # share of the question's topic words a sub-section title must contain to be listed


def _outline_of(blocks: list, folded_question: str, province: str) -> tuple[object | None, list]:
    """The heading to outline and its children. A sub-section whose title the question names lists its own
    items; "phần nào / bố cục" lists the plan's parts; otherwise the part of tasks and solutions is listed."""
    headings = [b for b in blocks if b.kind == "heading" and b.section_kind != "recipients"]
    words = _content_words(folded_question, province) - OUTLINE_GENERIC_WORDS
    if words:
        scored = [(_overlap(words, _content_words(fold(h.text)) - OUTLINE_GENERIC_WORDS), h) for h in headings]
        best = max((score for score, _ in scored), default=0.0)
        named = [h for score, h in scored if score >= OUTLINE_MATCH and score == best and h.level >= 2]
        if named:
            return named[0], _children(blocks, named[0])
    if OUTLINE_PARTS_RE.search(folded_question) and not re.search(r"nhiem vu|giai phap|task|solution", folded_question):
        return None, [h for h in headings if h.level == 1]
    part = next((h for h in headings if h.level == 1 and h.section_kind == "tasks"), None)
    return (part, _children(blocks, part)) if part else (None, [])


def _children(blocks: list, heading) -> list:
    """Sub-headings one level below ``heading``; without them, its bullets (or its paragraphs)."""
    start = blocks.index(heading)
    inside = []
    for block in blocks[start + 1 :]:
        if block.kind == "heading" and block.level <= heading.level:
            break
        inside.append(block)
    below = [b for b in inside if b.kind == "heading" and b.level == heading.level + 1]
    if below:
        return below
    bullets = [b for b in inside if b.kind == "bullet"]
    return bullets or [b for b in inside if b.kind == "paragraph"][:8]


def _document_pattern(number: str) -> re.Pattern:
    """A document number as plans write it, spaces or a line break allowed around "/" and "-"."""
    parts = re.split(r"\s*([/-])\s*", number.strip())
    return re.compile(
        r"(?<![\w/])" + "".join(r"\s*" + re.escape(x) + r"\s*" if x in "/-" else re.escape(x) for x in parts)
    )


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (within its line) that holds ``text[start:end]``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    for s_start, s_end in _sentence_spans(text[line_start:line_end]):
        if line_start + s_start <= start < line_start + s_end:
            return line_start + s_start, max(line_start + s_end, end)
    return line_start, line_end


def _folded_blocks(plan, recipients: bool) -> str:
    chosen = [b.text for b in plan.structure.blocks if (b.section_kind == "recipients") == recipients]
    return fold(expand_aliases(" ".join(chosen)))


TARGET_GENERIC_WORDS = frozenset(
    "muc tieu chi tieu nam dat ra gi nhung bao nhieu phan tram den target targets goal goals co quan bao chi".split()
)


COUNT_RE = re.compile(r"(?:bao nhieu|\bmay) (?!phan tram|ty le|%)([a-z]+(?: [a-z]+)?)")
TIME_WORDS = frozenset("nam thang ngay lan giai doan".split())


def _unmet_measure(u: Understanding, facts: list[Fact]) -> str | None:
    """``"money"`` when the question asks for a sum the targets (shares) cannot give; ``"count"`` when it asks how
    many of something the targets' wording never counts ("bao nhiêu lượt truy cập"); None when they answer it."""
    if u.asks_amount:
        return "money"
    match = COUNT_RE.search(u.folded) if u.language == "vi" else None
    if match is None or match.group(1).split()[0] in TIME_WORDS:
        return None
    wording = set(re.findall(r"[a-z]+", " ".join(fold(f"{f.wording} {f.quote}") for f in facts)))
    return None if all(word in wording for word in match.group(1).split()) else "count"


def _narrow_by_wording(facts: list[Fact], u: Understanding, province: str) -> list[Fact]:
    """Without an indicator, keep the targets whose wording names what the question names (if any does)."""
    words = _content_words(u.folded, province) - TARGET_GENERIC_WORDS - {str(y) for y in u.years}
    if not words:
        return facts
    scored = [(_overlap(words, _content_words(fold(f.wording))), f) for f in facts]
    best = max((s for s, _ in scored), default=0.0)
    if best < 0.5:
        return facts
    return [f for s, f in scored if s >= best - 1e-9]


def _without_units(folded: str) -> str:
    """The question without the unit names in it (so they don't count as what a task is about)."""
    from assistant.units import KNOWN_UNITS, expand_aliases

    text = fold(expand_aliases(folded))
    for name in KNOWN_UNITS:
        text = text.replace(fold(name), " ")
    return text


def _has_role_note(original: str, units: list[str]) -> bool:
    """Whether the cell says more than the unit names ("Sở TTTT đôn đốc, theo dõi")."""
    from assistant.units import split_units

    return any(u.note for u in split_units(original))


def _secondary_kind(folded: str) -> str | None:
    """The kind a comparison is about when it names no indicator ("so sánh nguồn kinh phí …" → funding)."""
    from assistant.understanding import _KIND_RES

    for kind, pattern in _KIND_RES:
        if kind not in {"comparison", "other", "target"} and pattern.search(folded):
            return kind
    return None


def _target_order(fact: Fact) -> tuple:
    return (fact.year or 0, fact.origin != "body", fact.indicator)


def _content_words(folded: str, *provinces: str) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", folded)) - STOP_WORDS
    for province in provinces:
        words -= set(fold(province).split())
    return {w for w in words if len(w) > 1 or w.isdigit()}


def _f1(question: set[str], text: set[str]) -> float:
    common = len(question & text)
    if not common:
        return 0.0
    precision, recall = common / len(text), common / len(question)
    return 2 * precision * recall / (precision + recall)


def _overlap(question: set[str], text: set[str]) -> float:
    return len(question & text) / len(question) if question else 0.0


def _named_known_unit(question: str) -> str | None:
    """The longest of the known agency names (:data:`KNOWN_UNITS`) the question names ("Sở TTTT" counts), if any."""
    folded = fold(expand_aliases(question))
    named = [name for name in KNOWN_UNITS if _mentions_unit(folded, name)]
    return max(named, key=len) if named else None


def _mentions_unit(folded_question: str, unit: str) -> bool:
    """Whether the question names the unit: every word of its name (but "và", "của", "tỉnh", "các") is there."""
    name = fold(canonical_unit(unit))
    name = re.sub(r"^(de nghi) ", "", name)
    tokens = [t for t in re.findall(r"[a-z]+", name) if t not in {"va", "cua", "tinh", "cac"}]
    if len(tokens) < 2:
        return False
    question_tokens = re.findall(r"[a-z]+", folded_question)
    # the words must appear close together, in order
    for start in range(len(question_tokens)):
        window = question_tokens[start : start + len(tokens) + 3]
        position = 0
        for word in window:
            if position < len(tokens) and word == tokens[position]:
                position += 1
        if position == len(tokens) and question_tokens[start] == tokens[0]:
            return True
    return False


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences, bullets and lines of a passage, as spans (the pieces an answer may quote)."""
    spans = []
    for match in re.finditer(r"(?:[^\n.]|\.(?=\d|\w))+(?:\.(?!\d)|$)", text, flags=re.MULTILINE):
        start, end = match.start(), match.end()
        while start < end and text[start] in " -–\n":
            start += 1
        while end > start and text[end - 1] in " \n":
            end -= 1
        if end - start > 15:
            spans.append((start, end))
    return spans


def _vi_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day):02d}/{int(month):02d}/{year}"
