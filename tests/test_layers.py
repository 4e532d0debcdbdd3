"""The packages show the flow: no module imports a stage that comes after its own."""

from __future__ import annotations

import ast

from tests.conftest import REPO

PACKAGE = REPO / "assistant"
# Lower layers first; a module may import its own layer and the layers below it, never one above.
LAYERS: list[set[str]] = [
    {"errors", "config", "schema", "domain"},
    {"artifacts"},
    {"ingest"},
    {"facts"},
    {"search"},
    {"understanding"},
    {"answer"},
    {"verification"},
    {"healing", "admission", "engine"},
    {"views", "feedback", "evaluation", "maintain"},
    {"serving", "cli"},
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}


def _stage(module: str) -> str:
    """The stage of a dotted module name: its first part under ``assistant``."""
    return module.split(".")[1]


def _imports(tree: ast.Module) -> list[str]:
    """The package's modules imported at run time (``if TYPE_CHECKING:`` blocks left out)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("assistant."):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("assistant.")]
    return found


def test_every_stage_has_a_layer() -> None:
    stages = {p.stem for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p / "__init__.py").is_file())}
    assert stages - {"__init__"} <= set(LEVEL), stages - set(LEVEL)


def test_no_import_runs_back_up_the_flow() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts == ("__init__",):
            continue
        own = parts[0]
        for module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if LEVEL[_stage(module)] > LEVEL[own]:
                upward.append(f"{path.relative_to(REPO)} imports {module}")
    assert not upward, "\n".join(upward)
