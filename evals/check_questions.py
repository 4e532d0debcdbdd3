"""Validate the answer-evaluation question set (evals/questions.jsonl) and report its coverage.

Each line of ``evals/questions.jsonl`` is one question for the answer engine: the question (with an optional
chat ``history`` for follow-ups), the province it is about (``null`` for cross-province or unanswerable
ones), its ``type``, a reference ``answer``, the strings a correct answer must and must not contain, the
expected status (``answered`` or ``not_found``) and the evidence ``sources`` (exact quotes of the cleaned
plan texts).

The script checks, and names the question id in every error:

* JSON shape and field types, unique ids, known types, provinces and plan ids;
* every source quote is an exact substring of the named plan's cleaned text (``Plan.text``, loaded through
  the project's own corpus loader), and belongs to the question's province when it has one;
* consistency: ``not_found`` questions have no must_include and no sources; answered ones have 1-3 sources
  (one per plan, up to 4, for cross-province questions); follow-ups, and only they, carry a history;
* a question about a province names it (loosely is fine: "Huế", "lai chau") in the question or history;
* the reference answer contains every must_include string and none of the must_not_include strings, and
  every must_include string is backed by a source quote, the history or a province name — compared after
  the grader's normalization (unit aliases such as "Sở TTTT", "25 tháng 11" → "25/11", case, diacritics);
* no duplicate or near-duplicate questions, and no question copied from ``evals/retrieval.jsonl``;
* the coverage targets below (per type, per province, without diacritics, English, not_found, follow-ups,
  questions naming no province, the Thái Bình 2030 revenue contradiction).

Run from the repository root::

    .venv/bin/python evals/check_questions.py [path/to/questions.jsonl]

Exit status: 0 when the file is valid and every coverage target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from pathlib import Path

from assistant.config import load_settings
from assistant.domain.normalize import collapse_spaces, fold, nfc, words
from assistant.domain.provinces import ProvinceMatcher
from assistant.domain.units import expand_aliases
from assistant.ingest.corpus import Corpus, load_corpus

log = logging.getLogger("check_questions")

EVALS = Path(__file__).resolve().parent
DEFAULT_PATH = EVALS / "questions.jsonl"
RETRIEVAL_PATH = EVALS / "retrieval.jsonl"

FIELDS = {
    "id": str,
    "question": str,
    "history": list,
    "province": (str, type(None)),
    "type": str,
    "answer": str,
    "must_include": list,
    "must_not_include": list,
    "expect_status": str,
    "sources": list,
}
STATUSES = {"answered", "not_found"}
ROLES = {"user", "assistant"}
ID_RE = re.compile(r"^q\d{3,}$")

# Minimum number of questions of each type.
MIN_PER_TYPE = {
    "target": 40,
    "lead_unit": 20,
    "coordinating_units": 15,
    "deadline": 20,
    "responsibility": 15,
    "funding": 8,
    "metadata": 10,
    "comparison": 15,
    "other": 15,
    "not_found": 15,
    "followup": 12,
}
TYPES = set(MIN_PER_TYPE)
MIN_QUESTIONS = 210
MIN_PER_PROVINCE = 25
MIN_NO_DIACRITICS_SHARE = 0.20
MIN_ENGLISH_SHARE = 0.05
MIN_LOOSE_PROVINCE = 20  # province named without its full diacritic name ("Huế", "lai chau")
MIN_SHORT_FORM = 3  # province named by a short form ("Huế", "TT Huế"), not just its folded name
MIN_NO_PROVINCE = 5  # answered target/comparison questions naming no province, answered from several plans
MIN_CONTRADICTION = 2  # Thái Bình 2030 revenue growth: body 50%, appendix 67%
MAX_SOURCES = 3
MAX_SOURCES_CROSS = 4
MAX_MUST_INCLUDE = 4
MAX_MUST_INCLUDE_CROSS = 6
NEAR_DUPLICATE = 0.85  # Jaccard similarity of the folded word-and-number sets

# Words that mark a question as English (two are needed); unaccented Vietnamese has none of them ("the" is
# left out: it is "thế" typed without diacritics).
ENGLISH_WORDS = set(
    (
        "what which who whom whose when where why how does did is are was will should must of for and "
        "by with its their plan plans target targets province provinces agency agencies deadline share "
        "percentage press revenue task report funded signed number date lead leads"
    ).split()
)
_DATE_RE = re.compile(r"(\d{1,2})\s+tháng\s+(\d{1,2})", re.IGNORECASE)


def norm(text: str) -> str:
    """The grader's comparison form: NFC, "25 tháng 11" → "25/11", unit aliases expanded, folded, spaced."""
    text = _DATE_RE.sub(r"\1/\2", nfc(text))
    text = expand_aliases(text).replace("–", "-").replace("—", "-")
    return collapse_spaces(fold(text))


def folded_words(text: str) -> set[str]:
    return {fold(w) for w in words(text)}


def tokens(text: str) -> set[str]:
    """Folded words and numbers: the near-duplicate comparison tells "nhiệm vụ 4" from "nhiệm vụ 9"."""
    return set(re.findall(r"\w+", fold(text)))


def is_english(text: str) -> bool:
    return fold(text) == text.lower() and len(folded_words(text) & ENGLISH_WORDS) >= 2


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def has_letters(text: str) -> bool:
    return bool(words(text))


def check_shape(record: dict) -> list[str]:
    qid = record.get("id", "?")
    errors = []
    for name, kind in FIELDS.items():
        if name not in record:
            errors.append(f"{qid}: missing field '{name}'")
        elif not isinstance(record[name], kind):
            errors.append(f"{qid}: field '{name}' has type {type(record[name]).__name__}")
    extra = set(record) - set(FIELDS)
    if extra:
        errors.append(f"{qid}: unknown field(s) {sorted(extra)}")
    if errors:
        return errors
    if not ID_RE.match(record["id"]):
        errors.append(f"{qid}: id should look like q001")
    if not record["question"].strip():
        errors.append(f"{qid}: empty question")
    if not record["answer"].strip():
        errors.append(f"{qid}: empty reference answer")
    if record["type"] not in TYPES:
        errors.append(f"{qid}: unknown type {record['type']!r}")
    if record["expect_status"] not in STATUSES:
        errors.append(f"{qid}: expect_status must be one of {sorted(STATUSES)}")
    for turn in record["history"]:
        if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
            errors.append(f"{qid}: history turns must be {{role, content}}")
        elif turn["role"] not in ROLES or not isinstance(turn["content"], str) or not turn["content"].strip():
            errors.append(f"{qid}: bad history turn {turn!r}")
    for name in ("must_include", "must_not_include"):
        items = record[name]
        if not all(isinstance(item, str) and item.strip() for item in items):
            errors.append(f"{qid}: {name} must hold non-empty strings")
        elif len(set(items)) != len(items):
            errors.append(f"{qid}: {name} repeats an item")
    for source in record["sources"]:
        if not isinstance(source, dict) or set(source) != {"doc", "quote"}:
            errors.append(f"{qid}: sources must be {{doc, quote}} objects")
        elif not isinstance(source["quote"], str) or not source["quote"].strip():
            errors.append(f"{qid}: empty source quote")
    return errors


def check_record(record: dict, corpus: Corpus, matcher: ProvinceMatcher) -> list[str]:
    """Errors in the content of one well-shaped question; each names the question id."""
    qid = record["id"]
    errors: list[str] = []
    province, qtype, status = record["province"], record["type"], record["expect_status"]
    plans_by_province = {p.province: p for p in corpus.plans}
    cross = province is None

    if province is not None and province not in plans_by_province:
        errors.append(f"{qid}: unknown province {province!r} (manifest has {sorted(plans_by_province)})")
        return errors
    if qtype == "not_found" and status != "not_found":
        errors.append(f"{qid}: type not_found needs expect_status not_found")
    if (qtype == "followup") != bool(record["history"]):
        errors.append(f"{qid}: follow-ups, and only they, have a history")
    if record["history"] and record["history"][-1]["role"] != "assistant":
        errors.append(f"{qid}: history should end with an assistant turn")

    # Sources.
    sources = record["sources"]
    if status == "not_found":
        if sources:
            errors.append(f"{qid}: not_found questions have no sources")
        if record["must_include"]:
            errors.append(f"{qid}: not_found questions have an empty must_include")
    else:
        limit = MAX_SOURCES_CROSS if cross else MAX_SOURCES
        if not 1 <= len(sources) <= limit:
            errors.append(f"{qid}: answered questions need 1-{limit} sources, not {len(sources)}")
        limit = MAX_MUST_INCLUDE_CROSS if cross else MAX_MUST_INCLUDE
        if not 1 <= len(record["must_include"]) <= limit:
            errors.append(f"{qid}: answered questions need 1-{limit} must_include items")
    for source in sources:
        plan = corpus.get(source["doc"])
        if plan is None:
            errors.append(f"{qid}: unknown plan id {source['doc']!r}")
            continue
        if source["quote"] not in plan.text:
            errors.append(f"{qid}: quote is not an exact substring of {plan.id}: {source['quote'][:70]!r}")
        if province is not None and plan.province != province:
            errors.append(f"{qid}: source in {plan.id} but the question is about {province}")

    # The province must be recognisable from the question (or the conversation for follow-ups).
    if province is not None:
        asked = " ".join([t["content"] for t in record["history"]] + [record["question"]])
        number = plans_by_province[province].meta.plan_number
        if province not in matcher.find(asked) and not (number and number.split("/")[0] in asked):
            errors.append(f"{qid}: the question is about {province} but does not name it")

    # The reference answer against the must / must-not lists, under the grader's normalization.
    answer = norm(record["answer"])
    for item in record["must_include"]:
        if norm(item) not in answer:
            errors.append(f"{qid}: reference answer lacks must_include item {item!r}")
    for item in record["must_not_include"]:
        if norm(item) in answer:
            errors.append(f"{qid}: reference answer contains must_not_include item {item!r}")
    overlap = {norm(i) for i in record["must_include"]} & {norm(i) for i in record["must_not_include"]}
    if overlap:
        errors.append(f"{qid}: items both required and forbidden: {sorted(overlap)}")
    evidence = norm(
        " | ".join(
            [s["quote"] for s in sources]
            + [t["content"] for t in record["history"]]
            + [p.province for p in corpus.plans]
        )
    )
    for item in record["must_include"]:
        if norm(item) not in evidence:
            errors.append(f"{qid}: must_include item {item!r} is not backed by a source quote")

    # Language: an English question gets an English reference answer.
    if is_english(record["question"]) and len(folded_words(record["answer"]) & ENGLISH_WORDS) < 3:
        errors.append(f"{qid}: English question but the reference answer does not look English")
    return errors


def duplicate_errors(records: list[dict]) -> list[str]:
    """Exact and near duplicates inside the set, and questions copied from the retrieval set."""
    errors: list[str] = []
    keys: dict[str, str] = {}
    for record in records:
        key = norm(" | ".join([t["content"] for t in record["history"]] + [record["question"]]))
        if key in keys:
            errors.append(f"{record['id']}: same question as {keys[key]}")
        keys.setdefault(key, record["id"])
    if RETRIEVAL_PATH.exists():
        retrieval = {}
        for line in RETRIEVAL_PATH.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                retrieval[norm(item["question"])] = item["id"]
        for record in records:
            if norm(record["question"]) in retrieval:
                errors.append(f"{record['id']}: copied from retrieval question {retrieval[norm(record['question'])]}")
    standalone = [(r["id"], tokens(r["question"])) for r in records if not r["history"]]
    for i, (qid_a, words_a) in enumerate(standalone):
        for qid_b, words_b in standalone[i + 1 :]:
            union = words_a | words_b
            if len(union) >= 4 and len(words_a & words_b) / len(union) >= NEAR_DUPLICATE:
                errors.append(f"{qid_b}: near-duplicate of {qid_a}")
    return errors


def loose_mention(record: dict, matcher: ProvinceMatcher) -> tuple[bool, bool]:
    """(named without its full diacritic name, named by a short form such as "Huế" or "TT Huế")."""
    province, question = record["province"], record["question"]
    if province is None or record["history"]:
        return False, False
    mentions = [m for m in matcher.mentions(question) if m.province == province]
    if not mentions:
        return False, False
    loose = province.lower() not in question.lower()
    folded = fold(question).replace("-", " ")
    short = any(folded[m.start : m.end] != fold(province).replace("-", " ") for m in mentions)
    return loose, short


def coverage(records: list[dict], corpus: Corpus, matcher: ProvinceMatcher) -> list[tuple[str, str, bool | None]]:
    """(label, value, requirement met — None when there is no requirement) lines of the summary."""
    total = len(records)
    lines: list[tuple[str, str, bool | None]] = [("questions", str(total), total >= MIN_QUESTIONS)]
    by_type = Counter(r["type"] for r in records)
    for qtype, minimum in MIN_PER_TYPE.items():
        lines.append((f"type = {qtype}", str(by_type[qtype]), by_type[qtype] >= minimum))
    by_province = Counter(r["province"] for r in records)
    for plan in corpus.plans:
        n = by_province[plan.province]
        lines.append((f"province = {plan.province}", str(n), n >= MIN_PER_PROVINCE))
    lines.append(("province = null", str(by_province[None]), None))
    by_plan = Counter(doc for r in records for doc in {s["doc"] for s in r["sources"]})
    for plan in corpus.plans:
        lines.append((f"quoting {plan.id}", str(by_plan[plan.id]), by_plan[plan.id] > 0))

    english = [r for r in records if is_english(r["question"])]
    plain = [
        r for r in records if r not in english and has_letters(r["question"]) and not has_diacritics(r["question"])
    ]
    share = len(plain) / total if total else 0.0
    lines.append(("Vietnamese without diacritics", f"{len(plain)} ({share:.0%})", share >= MIN_NO_DIACRITICS_SHARE))
    share = len(english) / total if total else 0.0
    lines.append(("in English", f"{len(english)} ({share:.0%})", share >= MIN_ENGLISH_SHARE))
    flags = [loose_mention(r, matcher) for r in records]
    loose, short = sum(f[0] for f in flags), sum(f[1] for f in flags)
    lines.append(("province named loosely", str(loose), loose >= MIN_LOOSE_PROVINCE))
    lines.append(("  of which by a short form (Huế, TT Huế)", str(short), short >= MIN_SHORT_FORM))

    not_found = sum(1 for r in records if r["type"] == "not_found" and r["expect_status"] == "not_found")
    lines.append(("not_found type expecting not_found", str(not_found), not_found >= MIN_PER_TYPE["not_found"]))
    expected_none = sum(r["expect_status"] == "not_found" for r in records)
    lines.append(("expect_status = not_found (all types)", str(expected_none), None))
    followups = sum(1 for r in records if r["type"] == "followup" and r["history"])
    lines.append(("follow-ups with history", str(followups), followups >= MIN_PER_TYPE["followup"]))
    no_province = sum(
        1
        for r in records
        if r["province"] is None
        and r["type"] in {"target", "comparison"}
        and r["expect_status"] == "answered"
        and not matcher.find(r["question"])
        and len({s["doc"] for s in r["sources"]}) >= 2
    )
    lines.append(("no province named, answered from several plans", str(no_province), no_province >= MIN_NO_PROVINCE))
    contradiction = sum(
        1
        for r in records
        if {"50%", "67%"} <= set(r["must_include"]) and any(s["doc"] == "thai-binh" for s in r["sources"])
    )
    lines.append(("Thái Bình 2030 revenue contradiction", str(contradiction), contradiction >= MIN_CONTRADICTION))
    return lines


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)

    corpus = load_corpus(load_settings().corpus_dir)
    for plan_id, message in corpus.errors.items():
        log.error("plan %s did not load: %s", plan_id, message)
    matcher = ProvinceMatcher()

    records, errors = [], []
    for number, line in enumerate(args.path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(f"line {number}: not JSON ({error})")
            continue
        if not isinstance(record, dict):
            errors.append(f"line {number}: not a JSON object")
            continue
        shape = check_shape(record)
        errors += shape
        if not shape:
            records.append(record)
    ids = Counter(r["id"] for r in records)
    errors += [f"{qid}: id used {n} times" for qid, n in ids.items() if n > 1]
    for record in records:
        errors += check_record(record, corpus, matcher)
    errors += duplicate_errors(records)

    for message in errors:
        log.error("%s", message)
    log.info("%d question(s) read from %s; %d error(s)", len(records), args.path, len(errors))
    log.info("coverage:")
    met = True
    for label, value, ok in coverage(records, corpus, matcher):
        mark = "" if ok is None else ("  ok" if ok else "  BELOW TARGET")
        met = met and ok is not False
        log.info("  %-50s %s%s", label, value, mark)
    return 0 if met and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
