"""The case types this installation knows, read once at start-up (SPEC X-1).

Every YAML file in ``configs/case_types/`` (and in the directories named by
``GOVFLOW_CASE_TYPES_DIR``, ``os.pathsep``-separated) declares one case type. A type
whose declaration names a Python module (``rules: govflow.workflow.incident``) takes its
payloads, fold, guards and derivations from that module, where the law needs code;
any other type is run by the generic engine (``workflow.declared``). A malformed
declaration stops start-up with its file, place and problem.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from govflow import configs
from govflow.workflow import declared
from govflow.workflow.casetype import CaseType, build_case_type
from govflow.workflow.declaration import DeclarationError, read_declaration
from govflow.workflow.errors import NotFound
from govflow.workflow.escalation import current_policies
from govflow.workflow.policy import load_settings


@dataclass(frozen=True)
class Workflow:
    case_type: CaseType
    payloads: dict[str, type[BaseModel]]
    date_defaults: dict[str, str]
    new_facts: Callable[[], Any]
    restore: Callable[..., Any]  # (state, calendar) -> facts: what ``facts.to_state()`` wrote
    check: Callable[..., None]
    derive: Callable[..., dict[str, Any]]
    escalation: str | None = None  # the policy's name in configs/escalation.yaml, if any

    @property
    def create(self) -> str:
        return self.case_type.create


def shipped_dir() -> Path:
    return configs.shipped("case_types")


def declaration_dirs() -> list[Path]:
    extra = os.environ.get("GOVFLOW_CASE_TYPES_DIR", "")
    return [shipped_dir(), *(Path(p) for p in extra.split(os.pathsep) if p)]


def load_workflow(path: Path) -> Workflow:
    """One declaration file, with its rules module or the generic engine."""
    raw = read_declaration(path)
    module_name = raw.get("rules") if isinstance(raw, dict) else None
    if module_name is None:
        case_type = build_case_type(raw, str(path), {})
        _check_amounts(case_type)
        facts = partial(declared.DeclaredFacts, case_type)
        return Workflow(
            case_type,
            dict(declared.payload_models(case_type)),
            {},
            facts,
            partial(declared.DeclaredFacts.from_state, case_type),
            declared.check,
            declared.derive,
            _escalation(case_type),
        )
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
        if name not in module.PAYLOADS:
            raise DeclarationError(
                f"{path}: actions.{name}: 模块 {module_name} 没有该动作的输入定义（PAYLOADS）"
            )
    validate = getattr(module, "validate", None)
    if validate is not None:
        validate()  # the module's own configuration (e.g. the incident grade table)
    return Workflow(
        case_type,
        dict(module.PAYLOADS),
        dict(getattr(module, "DATE_DEFAULTS", {})),
        module.Facts,
        module.Facts.from_state,
        module.check,
        module.derive,
        _escalation(case_type),
    )


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


def _check_amounts(case_type: CaseType) -> None:
    settings = load_settings()
    for i, d in enumerate(case_type.deadlines):
        if (
            d.amount is None
            and settings.case_type_amount(case_type.name, d.amount_setting or "") is None
        ):
            raise DeclarationError(
                f"{case_type.source}: deadlines[{i}]（{d.key}）: settings.yaml 中没有 "
                f"case_types.{case_type.name}.{d.amount_setting}，也没有 amount"
            )


def _escalation(case_type: CaseType) -> str | None:
    """The named policy must exist; an unnamed one defaults to the type's name, if present."""
    policies = current_policies()
    if case_type.escalation is None:
        return case_type.name if case_type.name in policies else None
    if case_type.escalation not in policies:
        raise DeclarationError(
            f"{case_type.source}: escalation: configs/escalation.yaml 中没有规则 "
            f"{case_type.escalation!r}（现有：{', '.join(policies)}）"
        )
    return case_type.escalation


@cache
def workflows() -> dict[str, Workflow]:
    found: dict[str, Workflow] = {}
    sources: dict[str, str] = {}
    for directory in declaration_dirs():
        for path in sorted(directory.glob("*.yaml")):
            wf = load_workflow(path)
            name = wf.case_type.name
            if name in found:
                raise DeclarationError(
                    f"{path}: name: 案件类型 {name!r} 已在 {sources[name]} 中声明"
                )
            found[name], sources[name] = wf, str(path)
    return found


def workflow(case_type: str) -> Workflow:
    try:
        return workflows()[case_type]
    except KeyError:
        known = "、".join(workflows())
        raise NotFound(f"未知案件类型 {case_type!r}（现有：{known}）") from None
