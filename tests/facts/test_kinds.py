"""The registry of fact kinds is the one list every stage reads."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from assistant.facts.kinds import BY_NAME, FACT_KINDS, KINDS, kind_named, label_of
from assistant.facts.model import Fact
from tests.conftest import REPO

GOLD = REPO / "evals" / "facts_gold"


def test_every_column_of_a_kind_is_a_field_of_a_fact() -> None:
    names = {f.name for f in fields(Fact)}
    for kind in KINDS:
        assert kind.columns and set(kind.columns) <= names, kind.name


def test_names_labels_and_gold_fields_are_unique() -> None:
    for attribute in ("name", "label", "gold_field"):
        values = [getattr(k, attribute) for k in KINDS]
        assert len(values) == len(set(values)), attribute


def test_every_list_of_a_gold_file_is_a_registered_kind() -> None:
    gold_fields = {k.gold_field for k in KINDS}
    files = sorted(Path(GOLD).glob("*.json"))
    assert files
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        lists = {key for key, value in gold.items() if isinstance(value, list) and key != "conflicts"}
        assert lists <= gold_fields, (path.name, lists - gold_fields)


def test_a_label_or_a_name_finds_its_kind() -> None:
    assert kind_named("Nhiệm vụ") is BY_NAME["task"]
    assert kind_named("reporting_deadline") is BY_NAME["reporting_deadline"]
    assert kind_named("Tất cả") is None
    assert label_of("funding") == "Kinh phí" and label_of("unknown") == "unknown"


def test_the_extracted_facts_are_of_registered_kinds(facts: list[Fact]) -> None:
    assert {f.kind for f in facts} == set(FACT_KINDS)
