"""Reading the installation itself: the case types it knows and their state diagrams (X-1)."""

from __future__ import annotations

from dataclasses import dataclass

from govflow.workflow.config import Config
from govflow.workflow.diagram import render
from govflow.workflow.identity.principal import Principal
from govflow.workflow.inputs import TypeActions, type_actions
from govflow.workflow.services.base import Services


@dataclass(frozen=True)
class CaseTypeInfo:
    name: str
    label: str
    source: str  # the declaration file
    engine: str  # the module that runs it


def case_types(svc: Services) -> list[CaseTypeInfo]:
    """Every declared case type, in the order declared."""
    return [
        CaseTypeInfo(wf.name, wf.case_type.label, wf.case_type.source, wf.engine)
        for wf in svc.config.case_types.values()
    ]


@dataclass(frozen=True)
class OpenableType:
    name: str
    label: str  # the type's Chinese name
    action: str  # its creation action
    action_label: str  # and that action's Chinese name: 登记舆情事件


def openable_case_types(svc: Services, principal: Principal) -> list[OpenableType]:
    """The case types this person may open, in the order declared: those whose creation
    action one of their roles may take, for their own agency (a case belongs to one). A
    screen offering "open a case" lists these, so it names no type itself; ``open_case``
    checks the same again when the case is opened."""
    if principal.agency_code is None:
        return []
    held = set(principal.roles)
    found = []
    for wf in svc.config.case_types.values():
        # the declaration itself, not ``type_actions``: building every action's input
        # schema on each page's navigation cost more than the rest of the page
        create = wf.case_type.create
        spec = wf.case_type.actions.get(create)
        if spec is None or not held & spec.roles:
            continue
        scope = principal.scope  # an API token: only the actions it was issued for
        if scope is not None and not scope.allows(create, principal.agency_code):
            continue
        found.append(OpenableType(wf.name, wf.case_type.label, create, spec.label))
    return found


def diagram(svc: Services, case_type: str, fmt: str = "mermaid") -> str:
    """The type's state diagram (Mermaid or Graphviz dot), drawn from its declaration."""
    return render(svc.config.case_types.find(case_type).case_type, fmt)


def actions(config: Config, case_type: str | None = None) -> list[TypeActions]:
    """What each action of a type (of every type, without one) takes: Chinese name, roles,
    states, input fields with type, requirement and limits — from the declarations and the
    models the engine runs (``workflow.inputs``). Needs the configuration only, no database:
    ``docs/actions.md`` is generated from it."""
    if case_type is not None:
        return [type_actions(config.case_types.find(case_type))]
    return [type_actions(wf) for wf in config.case_types.values()]
