"""Fill in the character offsets of the retrieval eval's answer quotes and report the set's coverage.

Reads ``evals/retrieval.jsonl`` (one question a line), loads the cleaned plan texts through the project's
own loader, and for every answer sets ``start``/``end`` to where its ``quote`` occurs in that plan's
``Plan.text`` — the first occurrence, or, when one question lists the same quote of the same plan more
than once, the first, second, … occurrence in turn. A quote that is not an exact substring, or that is
short and occurs more than once, is an error naming the question id; nothing is rewritten then.

Run from the repository root::

    .venv/bin/python evals/make_retrieval_spans.py [path/to/retrieval.jsonl] [--check]

``--check`` validates and reports without rewriting the file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from assistant.config import load_settings
from assistant.domain.normalize import fold
from assistant.ingest.corpus import Corpus, load_corpus

log = logging.getLogger("make_retrieval_spans")

DEFAULT_PATH = Path(__file__).resolve().parent / "retrieval.jsonl"
FIELDS = ("id", "question", "province", "lang", "diacritics", "answers")
LANGS = {"vi", "en"}
# A quote shorter than this that occurs more than once in its plan is ambiguous.
MIN_UNAMBIGUOUS = 40

# Coverage the set is meant to have.
MIN_QUESTIONS = 90
MIN_PER_PROVINCE = 18
MIN_NO_DIACRITICS_SHARE = 0.20
MIN_OCR_PLAN = 12
MIN_ENGLISH = 5
MIN_NO_PROVINCE = 5


def occurrences(text: str, quote: str) -> list[int]:
    """Every start index of ``quote`` in ``text``, overlapping ones included."""
    found, index = [], text.find(quote)
    while index != -1:
        found.append(index)
        index = text.find(quote, index + 1)
    return found


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def check_record(record: dict, corpus: Corpus, provinces: set[str]) -> list[str]:
    """Errors in one question's fields (offsets aside); each names the question id."""
    qid = record.get("id", "?")
    errors = [f"{qid}: missing field '{name}'" for name in FIELDS if name not in record]
    if errors:
        return errors
    if not str(record["question"]).strip():
        errors.append(f"{qid}: empty question")
    if record["lang"] not in LANGS:
        errors.append(f"{qid}: lang must be one of {sorted(LANGS)}, not {record['lang']!r}")
    if record["province"] is not None and record["province"] not in provinces:
        errors.append(f"{qid}: unknown province {record['province']!r} (manifest has {sorted(provinces)})")
    if not isinstance(record["diacritics"], bool):
        errors.append(f"{qid}: diacritics must be true or false")
    elif record["diacritics"] != has_diacritics(record["question"]):
        errors.append(f"{qid}: diacritics is {record['diacritics']} but the question text says otherwise")
    if not record["answers"]:
        errors.append(f"{qid}: no answers")
    for answer in record["answers"]:
        plan = corpus.get(answer.get("plan_id", ""))
        if plan is None:
            errors.append(f"{qid}: unknown plan_id {answer.get('plan_id')!r}")
        elif record["province"] is not None and plan.province != record["province"]:
            errors.append(f"{qid}: answer in {plan.id} but the question is about {record['province']}")
        if not answer.get("quote"):
            errors.append(f"{qid}: empty quote")
    return errors


def resolve_spans(record: dict, corpus: Corpus) -> list[str]:
    """Set ``start``/``end`` of each answer of ``record``; the errors, each naming the question id."""
    qid = record["id"]
    errors: list[str] = []
    seen: Counter[tuple[str, str]] = Counter()
    for answer in record["answers"]:
        plan_id, quote = answer["plan_id"], answer["quote"]
        found = occurrences(corpus.get(plan_id).text, quote)
        nth = seen[(plan_id, quote)]
        seen[(plan_id, quote)] += 1
        if not found:
            errors.append(f"{qid}: quote is not an exact substring of {plan_id}: {quote[:60]!r}")
            continue
        if len(found) > 1 and len(quote) < MIN_UNAMBIGUOUS and nth == 0:
            errors.append(f"{qid}: short quote occurs {len(found)} times in {plan_id}; lengthen it: {quote!r}")
            continue
        if len(found) > 1 and nth == 0:
            log.warning("%s: quote occurs %d times in %s; using the first: %r", qid, len(found), plan_id, quote[:60])
        if nth >= len(found):
            errors.append(f"{qid}: quote listed {nth + 1} times but occurs {len(found)} times in {plan_id}")
            continue
        answer["start"] = found[nth]
        answer["end"] = found[nth] + len(quote)
    return errors


def coverage(records: list[dict], corpus: Corpus) -> list[tuple[str, str, bool | None]]:
    """(label, value, requirement met — None when there is no requirement) lines of the summary."""
    total = len(records)
    by_province = Counter(r["province"] for r in records)
    by_plan = Counter(plan_id for r in records for plan_id in {a["plan_id"] for a in r["answers"]})
    ocr_ids = {p.id for p in corpus.plans if p.meta.ocr}
    ocr_count = sum(1 for r in records if any(a["plan_id"] in ocr_ids for a in r["answers"]))
    plain = sum(1 for r in records if not r["diacritics"])
    vi = [r for r in records if r["lang"] == "vi"]
    plain_vi = sum(1 for r in vi if not r["diacritics"])
    english = sum(1 for r in records if r["lang"] == "en")
    multi = sum(1 for r in records if len({a["plan_id"] for a in r["answers"]}) > 1)
    lines: list[tuple[str, str, bool | None]] = [("questions", str(total), total >= MIN_QUESTIONS)]
    for plan in corpus.plans:
        n = by_province[plan.province]
        lines.append((f"province = {plan.province}", str(n), n >= MIN_PER_PROVINCE))
    lines.append(("province = null", str(by_province[None]), by_province[None] >= MIN_NO_PROVINCE))
    for plan in corpus.plans:
        lines.append((f"questions answered in {plan.id}", str(by_plan[plan.id]), None))
    share = plain / total if total else 0.0
    lines.append(("without diacritics", f"{plain} ({share:.0%})", share >= MIN_NO_DIACRITICS_SHARE))
    share_vi = plain_vi / len(vi) if vi else 0.0
    lines.append(
        ("  of the Vietnamese ones", f"{plain_vi}/{len(vi)} ({share_vi:.0%})", share_vi >= MIN_NO_DIACRITICS_SHARE)
    )
    lines.append((f"on an OCR plan ({', '.join(sorted(ocr_ids))})", str(ocr_count), ocr_count >= MIN_OCR_PLAN))
    lines.append(("in English", str(english), english >= MIN_ENGLISH))
    lines.append(("answered in several plans", str(multi), None))
    lines.append(("answer passages", str(sum(len(r["answers"]) for r in records)), None))
    return lines


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="validate and report, do not rewrite the file")
    args = parser.parse_args(argv)

    corpus = load_corpus(load_settings().corpus_dir)
    for plan_id, message in corpus.errors.items():
        log.error("plan %s did not load: %s", plan_id, message)
    provinces = {p.province for p in corpus.plans}

    records, errors = [], []
    for number, line in enumerate(args.path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            errors.append(f"line {number}: not JSON ({error})")
    ids = Counter(r.get("id") for r in records)
    errors += [f"{qid}: id used {n} times" for qid, n in ids.items() if n > 1]
    for record in records:
        record_errors = check_record(record, corpus, provinces)
        errors += record_errors or resolve_spans(record, corpus)

    if errors:
        for message in errors:
            log.error("%s", message)
        log.error("%d error(s); %s not rewritten", len(errors), args.path)
        return 1
    if not args.check:
        args.path.write_text(
            "".join(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n" for r in records),
            encoding="utf-8",
        )
        log.info("all %d questions resolve; wrote %s", len(records), args.path)
    else:
        log.info("all %d questions resolve (--check: file left as is)", len(records))

    log.info("coverage:")
    met = True
    for label, value, ok in coverage(records, corpus):
        mark = "" if ok is None else ("  ok" if ok else "  BELOW TARGET")
        met = met and ok is not False
        log.info("  %-45s %s%s", label, value, mark)
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
