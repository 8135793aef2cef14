"""The case types this installation knows, built once at start-up (SPEC X-1).

Each declaration file (``configs/case_types/*.yaml``, and those of the directories the
composition root adds) declares one case type. A type whose declaration names a Python
module (``rules: govflow.workflow.incident``) gets its contract from that module, where the
law needs code; any other is run by the generic engine (``workflow.declared``). The
composition root (``govflow.app``) finds the files and hands them here with the
configuration a type may use (``Sources``); nothing here looks for files or reads the
environment. A malformed declaration, or a fold table that does not match it, stops
start-up with the file, the place and the problem.

A rules module provides ``conditions()`` (the named conditions its transitions may use)
and ``workflow(case_type, sources)`` (its ``Workflow``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govflow.workflow import declared
from govflow.workflow.casetype import CaseType, build_case_type
from govflow.workflow.contract import Workflow
from govflow.workflow.declaration import DeclarationError, read_declaration
from govflow.workflow.errors import NotFound
from govflow.workflow.escalation import Policy
from govflow.workflow.outcomes import Outcome
from govflow.workflow.policy import Settings


@dataclass(frozen=True)
class Sources:
    """What a case type may use while it is built: the settings, the outcome list, the
    escalation ladders, and ``data(name)``, a data file shipped with govflow (``where``, the
    parsed YAML) for a type's own tables (the incident grades)."""

    settings: Settings
    outcomes: Mapping[str, Outcome]
    policies: Mapping[str, Policy]
    data: Callable[[str], tuple[str, Any]]


class Catalogue(Mapping[str, Workflow]):
    """The installation's case types by name, in the order they were declared."""

    def __init__(self, workflows: Mapping[str, Workflow]) -> None:
        self._workflows = dict(workflows)

    def __getitem__(self, name: str) -> Workflow:
        return self._workflows[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._workflows)

    def __len__(self) -> int:
        return len(self._workflows)

    def find(self, name: str) -> Workflow:
        """The type by name; an unknown one is a "not found" naming those that exist."""
        found = self._workflows.get(name)
        if found is None:
            known = "、".join(self._workflows)
            raise NotFound(f"未知案件类型 {name!r}（现有：{known}）")
        return found


def build_catalogue(paths: Iterable[Path], sources: Sources) -> Catalogue:
    """Every declaration, in the order given; a type declared twice stops start-up."""
    found: dict[str, Workflow] = {}
    for path in paths:
        wf = load_workflow(path, sources)
        name = wf.name
        if name in found:
            raise DeclarationError(
                f"{path}: name: 案件类型 {name!r} 已在 {found[name].case_type.source} 中声明"
            )
        found[name] = wf
    return Catalogue(found)


def load_workflow(path: Path, sources: Sources) -> Workflow:
    """One declaration file, with its rules module or the generic engine."""
    raw = read_declaration(path)
    module_name = raw.get("rules") if isinstance(raw, dict) else None
    if module_name is None:
        case_type = build_case_type(raw, str(path), {})
        _check_amounts(case_type, sources.settings)
        wf: Workflow = declared.DeclaredWorkflow(
            case_type, _escalation(case_type, sources), sources.settings
        )
        wf.fold.check(case_type)
        return wf
    module_name = _current_module_name(str(module_name), path)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DeclarationError(f"{path}: rules: 无法导入模块 {module_name!r}：{exc}") from None
    case_type = build_case_type(raw, str(path), module.conditions())
    if case_type.deadlines:
        raise DeclarationError(f"{path}: deadlines: 期限由模块 {module_name} 计算，不应在此声明")
    for name, spec in case_type.actions.items():
        if spec.fields:
            raise DeclarationError(
                f"{path}: actions.{name}.fields: 输入由模块 {module_name} 定义，不应在此声明"
            )
    wf = module.workflow(case_type, sources, _escalation(case_type, sources))
    for name in case_type.actions:
        if name not in wf.payloads:
            raise DeclarationError(
                f"{path}: actions.{name}: 模块 {module_name} 没有该动作的输入定义（PAYLOADS）"
            )
    wf.fold.check(case_type)  # a declared action without a handler, or a handler for none
    return wf


# Before everything was installed under ``govflow``, declarations named their rules module
# at the top level (``rules: workflow.incident``). Those names keep working for one release.
_OLD_TOP_LEVEL = ("workflow.", "models.", "workers.")


def _current_module_name(name: str, path: Path) -> str:
    if name.startswith(_OLD_TOP_LEVEL):
        new = f"govflow.{name}"
        print(
            f"注意：{path}: rules: 模块名 {name!r} 已过时，请改为 {new!r}（下一版本起不再支持）",
            file=sys.stderr,
        )
        return new
    return name


def _check_amounts(case_type: CaseType, settings: Settings) -> None:
    for i, d in enumerate(case_type.deadlines):
        if (
            d.amount is None
            and settings.case_type_amount(case_type.name, d.amount_setting or "") is None
        ):
            raise DeclarationError(
                f"{case_type.source}: deadlines[{i}]（{d.key}）: settings.yaml 中没有 "
                f"case_types.{case_type.name}.{d.amount_setting}，也没有 amount"
            )


def _escalation(case_type: CaseType, sources: Sources) -> str | None:
    """The named policy must exist; an unnamed one defaults to the type's name, if present."""
    policies = sources.policies
    if case_type.escalation is None:
        return case_type.name if case_type.name in policies else None
    if case_type.escalation not in policies:
        raise DeclarationError(
            f"{case_type.source}: escalation: configs/escalation.yaml 中没有规则 "
            f"{case_type.escalation!r}（现有：{', '.join(policies)}）"
        )
    return case_type.escalation
