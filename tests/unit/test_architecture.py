"""The shape of the code, checked: who may import whom, no import cycles, and shared code
that names no case type and no action (docs/architecture.md draws the same picture).

The imports are read from the sources with ``ast`` — function-level imports included,
those under ``if TYPE_CHECKING:`` left out (they never run) — so a rule cannot be dodged
by importing late.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.config import config

ROOT = Path(__file__).resolve().parents[2]

# Layers, lowest first. A module may import its own layer and the layers below it, never
# one above; the exceptions are named with their reason.
DOMAIN = "govflow.workflow"
PERSISTENCE = "govflow.models"
WORKERS = "govflow.workers"
CONFIGS = "govflow.configs"
ROOT_OF_COMPOSITION = "govflow.app"
PRESENTATION = "govflow.presentation"
FRONT_ENDS = ("govflow.cli", "govflow.demo", "govflow.web")
DRIVERS = ("govflow.synth",)

FORBIDDEN: dict[str, tuple[str, ...]] = {
    DOMAIN: (
        PERSISTENCE, WORKERS, CONFIGS, ROOT_OF_COMPOSITION, PRESENTATION, *FRONT_ENDS,
        *DRIVERS, "govflow.logs", "sqlalchemy", "alembic", "dramatiq", "typer", "openpyxl",
    ),
    PERSISTENCE: (
        WORKERS, CONFIGS, ROOT_OF_COMPOSITION, PRESENTATION, *FRONT_ENDS, *DRIVERS, "typer",
    ),
    WORKERS: (ROOT_OF_COMPOSITION, PRESENTATION, *FRONT_ENDS, *DRIVERS, "typer"),
    CONFIGS: ("govflow.",),
    PRESENTATION: (
        PERSISTENCE, WORKERS, CONFIGS, ROOT_OF_COMPOSITION, *FRONT_ENDS, *DRIVERS,
        "sqlalchemy", "typer",
    ),
    ROOT_OF_COMPOSITION: (WORKERS, PRESENTATION, *FRONT_ENDS, *DRIVERS, "typer"),
    "govflow.synth": (PRESENTATION, *FRONT_ENDS),
    "govflow.demo": ("govflow.cli", PERSISTENCE, "sqlalchemy"),
    # The front ends parse and render: no SQL, no ORM row, no persistence.
    "govflow.cli": (PERSISTENCE, "sqlalchemy", "alembic", "govflow.web"),
    "govflow.web": (PERSISTENCE, "sqlalchemy", "alembic", "govflow.cli", "typer"),
}  # fmt: skip

ALLOWED: dict[tuple[str, str], str] = {
    # ``dramatiq govflow.workers.actors`` is a process of its own: its entry point builds
    # the worker's services at the composition root.
    ("govflow.workers.actors", ROOT_OF_COMPOSITION): "the dramatiq worker's entry point",
    # The readiness probe asks the engine it is handed for ``SELECT 1``: no rows, no model.
    ("govflow.web.health", "sqlalchemy"): "the database readiness probe",
}

# Modules that belong to one case type (or to reports the law defines on named types):
# they may name their types and actions. Everything else is shared code.
TYPE_SPECIFIC = (
    "govflow.workflow.disclosure",
    "govflow.workflow.incident",
    "govflow.workflow.imports",
    "govflow.workflow.reports",
    "govflow.workflow.services.reports",
    "govflow.workflow.services.requests",
    "govflow.workflow.services.incidents",
    "govflow.workflow.services.imports",
    "govflow.models.disclosure_register",
    "govflow.cli.imports",
    "govflow.cli.incident",
    "govflow.cli.request",
    "govflow.demo",
    "govflow.synth",
)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module


def _modules() -> dict[str, Module]:
    """Every module installed under ``govflow``, by name (the package-dir mapping)."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    found: dict[str, Module] = {}
    for package, folder in setup["package-dir"].items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base)
            if any(part in (".venv", "__pycache__", "build") for part in rel.parts):
                continue
            parts = [package, *rel.with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            if name in found and found[name].path != path:
                continue  # ``govflow`` maps to govflow/: the other folders are mapped apart
            found[name] = Module(name, path, ast.parse(path.read_text("utf-8"), str(path)))
    return found


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs, at any depth; not those only a type checker sees."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            yield from (n for child in node.orelse for n in _import_nodes(child))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def imports(module: Module) -> set[str]:
    """The modules ``module`` imports (``from a import b`` is ``a.b`` when that is a module)."""
    found: set[str] = set()
    for node in _import_nodes(module.tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
            continue
        base = node.module or ""
        if node.level:  # relative: from the module's package
            package = module.name.split(".")
            if not module.path.name == "__init__.py":
                package.pop()
            base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.add(full if full in MODULES else base)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix if prefix.endswith(".") else prefix + ".")


def layer_violations() -> list[str]:
    found = []
    for module in MODULES.values():
        rules = [rule for layer, rule in FORBIDDEN.items() if _within(module.name, layer)]
        for target in sorted(imports(module)):
            for forbidden in (f for rule in rules for f in rule):
                allowed = any(
                    module.name == source and _within(target, prefix) for source, prefix in ALLOWED
                )
                if _within(target, forbidden) and not allowed:
                    found.append(f"{module.path.relative_to(ROOT)}: imports {target}")
    return found


def _runs_first(module: str, target: str) -> set[str]:
    """What importing ``target`` from ``module`` runs: ``target`` and, from outside a package,
    that package's ``__init__`` first (Python imports the parents of a module before it).
    A package that imports a module which imports back into the package from outside is a
    cycle whenever that module is imported first."""
    parts = target.split(".")
    parents = {".".join(parts[:i]) for i in range(1, len(parts))}
    return {target} | {p for p in parents if p in MODULES and not _within(module, p)}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    graph = {
        name: sorted({t for i in imports(m) for t in _runs_first(name, i)} & MODULES.keys())
        for name, m in MODULES.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return components


def test_no_layer_imports_one_above_it() -> None:
    assert layer_violations() == []


def test_there_are_no_import_cycles() -> None:
    assert cycles() == []


def test_bench_calls_services_never_the_command_line() -> None:
    offenders = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        module = Module(path.stem, path, ast.parse(path.read_text("utf-8")))
        offenders += [f"{path.name}: {t}" for t in imports(module) if _within(t, "govflow.cli")]
    assert offenders == []


def test_the_domain_reads_no_configuration_and_no_environment() -> None:
    """Configuration is read once at the edge (govflow.app) and injected."""
    offenders = []
    for module in MODULES.values():
        if not _within(module.name, DOMAIN):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                offenders.append(f"{module.path.relative_to(ROOT)}: os.{node.attr}")
            if isinstance(node, ast.Name) and node.id == "cache":
                offenders.append(f"{module.path.relative_to(ROOT)}: @cache")
    assert offenders == []


def _names_of_types_and_actions() -> set[str]:
    catalogue = config().case_types
    names = set(catalogue)
    for wf in catalogue.values():
        names |= set(wf.case_type.actions)
    return names


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose may mention anything)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


NOT_A_TYPES_ACTION: dict[tuple[str, str], str] = {
    ("govflow.workflow.casetype", "receive"): (
        "the declaration language's default creation action, for a declaration without `create:`"
    ),
}


def shared_code_naming_types_or_actions() -> list[str]:
    names = _names_of_types_and_actions()
    found = []
    for module in MODULES.values():
        if any(_within(module.name, prefix) for prefix in TYPE_SPECIFIC):
            continue
        if "migrations" in module.name.split("."):
            continue  # a migration is history: it describes the tables of its day
        docstrings = _docstrings(module.tree)
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in names
                and id(node) not in docstrings
                and (module.name, node.value) not in NOT_A_TYPES_ACTION
            ):
                found.append(f"{module.path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    return found


def test_shared_code_names_no_case_type_and_no_action() -> None:
    assert shared_code_naming_types_or_actions() == []


@pytest.mark.parametrize(
    "folder",
    ["workflow", "workflow/services", "models", "workers", "configs", "govflow", "govflow/cli",
     "govflow/presentation", "govflow/demo", "govflow/synth", "govflow/web"],
)  # fmt: skip
def test_each_folder_says_what_lives_there_and_what_it_may_import(folder: str) -> None:
    init = ROOT / folder / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
    assert len(doc) > 80, f"{init}: a module docstring saying what lives there"
    assert "May import" in doc or "may import" in doc, f"{init}: what it may import"


# -- the checks can fail ---------------------------------------------------------------------


def test_the_checks_see_what_they_are_meant_to_see() -> None:
    """A forbidden import, cycles (the plain one and the one through a package's ``__init__``)
    and a type name, planted in memory, are each reported."""
    planted = {
        "govflow.workflow.planted": "def f():\n    from govflow.models.db import make_engine\n",
        "govflow.workflow.cycle_a": "import govflow.workflow.cycle_b\n",
        "govflow.workflow.cycle_b": "from govflow.workflow import cycle_a\n",
        "govflow.workflow.names": "KIND = 'incident'\nACTION = 'approve_reply'\n",
        "govflow.workflow.typed": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from govflow.cli import app\n"
        ),
        # A package whose __init__ imports a module that imports back into the package
        # from outside it: broken whenever that module is imported first.
        "govflow.workflow.pkg": "from govflow.workflow.outside import thing\n",
        "govflow.workflow.pkg.inner": "thing = 1\n",
        "govflow.workflow.outside": "from govflow.workflow.pkg.inner import thing\n",
    }
    saved = dict(MODULES)
    try:
        for name, source in planted.items():
            MODULES[name] = Module(name, ROOT / "workflow" / f"{name}.py", ast.parse(source))
        violations = layer_violations()
        assert any("planted.py: imports govflow.models.db" in v for v in violations)
        assert not any("typed.py" in v for v in violations)  # type-only imports never run
        found = cycles()
        assert ["govflow.workflow.cycle_a", "govflow.workflow.cycle_b"] in found
        assert ["govflow.workflow.outside", "govflow.workflow.pkg"] in found
        named = shared_code_naming_types_or_actions()
        assert any("'incident'" in n for n in named) and any("'approve_reply'" in n for n in named)
    finally:
        MODULES.clear()
        MODULES.update(saved)
