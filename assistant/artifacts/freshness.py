"""Where built data came from: hashes of the plan texts and of the code that turns them into facts or passages.

The facts table and the retrieval index each record, when built, the SHA-256 of every plan's cleaned text and of
the source code that produced them (the modules the builder imports, transitively, read from this package).
At load, :func:`stale_reasons` compares what was recorded with the corpus and the code now: any difference is
a reason, naming the plan when one plan is concerned, and the part is rebuilt before it is served.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the corpus cache hashes its own code with this module: no import back at run time
    from assistant.ingest.corpus import Corpus

PACKAGE = "assistant"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
CORPUS_CODE = ("assistant.ingest.corpus",)  # reading and cleaning the plans (OCR repair, layout, structure)
FACTS_CODE = ("assistant.facts.store",)  # extraction: cleaning, structure, facts, the table's schema
INDEX_CODE = ("assistant.search.index", "assistant.search.chunking")  # passages, BM25 tokens, the index layout


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_hashes(corpus: Corpus) -> dict[str, str]:
    """SHA-256 of each plan's cleaned text (what facts and passages are drawn from), by plan id."""
    return {plan.id: text_hash(plan.text) for plan in corpus.plans}


def _source(module: str) -> Path | None:
    """The file of one of the package's modules (``a.b`` → ``a/b.py`` or ``a/b/__init__.py``), None if none."""
    base = PACKAGE_DIR.joinpath(*module.split(".")[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _statements(nodes: list[ast.AST]) -> Iterator[ast.AST]:
    """Every statement of ``nodes`` and of the blocks inside them (functions, classes, branches, handlers): where
    an import can be, without visiting the expressions, which hold none and are most of a tree."""
    for node in nodes:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _statements(getattr(node, block, None) or [])


@cache
def _imports(module: str) -> frozenset[str]:
    """The package's modules that ``module`` imports anywhere in its source (functions included); each module is
    read once per process (the facts table, the index and the corpus cache share most of their code)."""
    path = _source(module)
    if path is None:
        return frozenset()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return frozenset()
    found: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(PACKAGE + "."):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)  # a submodule, if one
            elif node.module == PACKAGE:
                found.update(f"{PACKAGE}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(PACKAGE + "."))
    return frozenset(name for name in found if _source(name) is not None)


def code_modules(roots: tuple[str, ...]) -> list[str]:
    """``roots`` and every package module they import, transitively, sorted."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(_imports(module) - seen)
    return sorted(seen)


@lru_cache(maxsize=8)
def code_hash(roots: tuple[str, ...]) -> str:
    """SHA-256 over the source of :func:`code_modules` (names and bytes), stable for unchanged code."""
    digest = hashlib.sha256()
    for module in code_modules(roots):
        digest.update(module.encode() + b"\x00")
        digest.update(_source(module).read_bytes())  # type: ignore[union-attr]  # listed only when found
    return digest.hexdigest()


def stale_reasons(
    recorded_plans: dict[str, str], recorded_code: str, corpus: Corpus, roots: tuple[str, ...]
) -> list[str]:
    """Why data built from ``recorded_plans`` (id → text hash) and ``recorded_code`` no longer fits the corpus and
    the code now; one reason per plan that changed, appeared or went, and one for changed code. Empty: fresh."""
    reasons = []
    if recorded_code != code_hash(roots):
        reasons.append("it was built by other code (the extraction modules changed)")
    current = plan_hashes(corpus)
    for plan_id, digest in current.items():
        if plan_id not in recorded_plans:
            reasons.append(f"plan {plan_id} is new")
        elif recorded_plans[plan_id] != digest:
            reasons.append(f"plan {plan_id} changed (text {recorded_plans[plan_id][:12]} → {digest[:12]})")
    reasons += [f"plan {plan_id} is no longer in the corpus" for plan_id in recorded_plans if plan_id not in current]
    return reasons
