"""What a form for an action asks: the reading use case behind every generated form.

A screen that lets a person take an action (the web's case page, its registration page)
draws one input per field the action's pydantic model takes — the model the engine
validates with, read through ``workflow.inputs`` — so a form can never ask for less or
other than the engine accepts. Each field carries its Chinese label, whether it is
required, its limits in words, and, where the value is one of a list, the choices with
their Chinese names (the type's coded values: outcomes, channels, kinds of applicant).

Some choices depend on the case a form acts on: a field naming someone to work it
(``CASE_WORKER``) offers the active handlers and heads of the case's own agency (people:
no integration's service account), chosen by the rule the action applies
(``workflow.case_workers``), and a field whose values the type's rules narrow on this case
(``Workflow.choices``: a reply on the spot offers only the outcomes that need no decision)
offers only those. ``case_forms`` fills those in; the
forms of ``action_form`` are the same for every case (and kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from govflow.workflow import case_workers
from govflow.workflow.contract import Workflow
from govflow.workflow.inputs import InputField, type_actions
from govflow.workflow.services.base import Services
from govflow.workflow.services.reading import CaseDetail

LONG_TEXT = 400
"""A text field allowed more characters than this is drawn as a text area."""


@dataclass(frozen=True)
class FormField:
    name: str  # dotted path: ``applicant.name``
    label: str
    type: str  # string | integer | number | boolean | date | date-time | choice | object
    required: bool
    limits: tuple[str, ...]  # zh-CN, shown beside the input
    choices: tuple[tuple[str, str], ...]  # (code, 中文名) when the value is one of a list
    multiline: bool
    max_length: int | None
    depth: int  # 0 for a top-level field, 1 inside a group (``applicant.*``)
    choices_from: str | None = None  # choices that depend on the case (``case_forms``)
    # The action fixes the value (its one choice is its default: a reconsideration's route,
    # 行政复议, the lawsuit's being another action): nothing to ask, so a screen draws no input
    # and the model's default applies.
    fixed: bool = False


@dataclass(frozen=True)
class ActionForm:
    case_type: str
    action: str
    label: str
    fields: tuple[FormField, ...]


def action_form(svc: Services, case_type: str, action: str) -> ActionForm:
    """The form of one action of ``case_type`` (its creation action included)."""
    return _action_form(svc.config.case_types.find(case_type), action)


def case_forms(
    svc: Services, detail: CaseDetail, actions: Iterable[str] | None = None
) -> tuple[ActionForm, ...]:
    """The forms of ``actions`` (default: those the reader may take now,
    ``detail.allowed_actions``) on the case ``detail`` shows, with the choices that depend on
    the case filled in. An action the type does not have is a ``KeyError``."""
    names = [a.name for a in detail.allowed_actions] if actions is None else list(actions)
    narrowed = {a.name: a.choices for a in detail.allowed_actions}
    forms = [
        _narrowed(action_form(svc, detail.header.case_type, name), narrowed.get(name, {}))
        for name in names
    ]
    if not any(f.choices_from == case_workers.PEOPLE for form in forms for f in form.fields):
        return tuple(forms)  # no list of people to read
    people = case_worker_choices(svc, detail.header.agency)
    return tuple(_with_people(form, people) for form in forms)


def case_worker_choices(svc: Services, agency_code: str) -> tuple[tuple[str, str], ...]:
    """Who may be named to work a case of ``agency_code``: (username, "赵六（zhao.handler）"),
    by username; the same rule ``act`` applies to the name sent back."""
    with svc.reading() as uow:
        accounts = uow.identity.accounts([agency_code], include_inactive=False)
    return tuple(
        (a.username, case_workers.choice_label(a.name, a.username))
        for a in accounts
        if case_workers.refusal(a, agency_code) is None
    )


def _narrowed(form: ActionForm, allowed: Mapping[str, tuple[str, ...]]) -> ActionForm:
    """The form with each field ``allowed`` names offering only those of its choices."""
    if not allowed:
        return form
    fields = tuple(
        replace(f, choices=tuple(c for c in f.choices if c[0] in allowed[f.name]))
        if f.name in allowed
        else f
        for f in form.fields
    )
    return replace(form, fields=fields)


def _with_people(form: ActionForm, people: tuple[tuple[str, str], ...]) -> ActionForm:
    fields = tuple(
        replace(f, type="choice", choices=people) if f.choices_from == case_workers.PEOPLE else f
        for f in form.fields
    )
    return replace(form, fields=fields)


@lru_cache(maxsize=512)
def _action_form(workflow: Workflow, action: str) -> ActionForm:
    """Kept per contract and action, as ``type_actions`` is (drawn from the configuration)."""
    case_type = workflow.name
    info = next((a for a in type_actions(workflow).actions if a.name == action), None)
    if info is None:
        raise KeyError(action)  # a screen only asks for actions the catalogue named
    model = workflow.payloads.get(action)
    schema = model.model_json_schema() if model is not None else {}
    values = workflow.labels.values
    fields = tuple(
        _form_field(f, _property(schema, f.name), values.get(f.name, {})) for f in info.fields
    )
    return ActionForm(case_type, action, info.label, fields)


def _form_field(field: InputField, prop: Mapping[str, Any], names: Mapping[str, str]) -> FormField:
    # A one-value Literal is a ``const`` (a reconsideration's route): its one choice, not
    # every value the field's labels name.
    allowed = prop.get("enum") or ([prop["const"]] if "const" in prop else [])
    codes = [str(v) for v in allowed] or list(names)
    choices = tuple((code, names.get(code, code)) for code in codes)
    named = dict(choices)
    limits = tuple(
        f"默认：{named.get(x.removeprefix('默认 '), x.removeprefix('默认 '))}"
        if x.startswith("默认 ")
        else x
        for x in field.limits
        if not x.startswith("可选：")
    )
    max_length = prop.get("maxLength")
    return FormField(
        name=field.name,
        label=field.label,
        type="choice" if choices else field.type,
        required=field.required,
        limits=limits,
        choices=choices,
        multiline=field.type == "string" and (max_length or 0) > LONG_TEXT,
        max_length=max_length if isinstance(max_length, int) else None,
        depth=field.name.count("."),
        choices_from=prop.get(case_workers.CHOICES_FROM),
        fixed="const" in prop and prop.get("default") == prop["const"],
    )


def _property(schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The JSON-schema property at a dotted path, ``$ref`` and optional wrappers followed."""
    defs = schema.get("$defs", {})
    node: Mapping[str, Any] = schema
    for part in path.split("."):
        node = _resolved(node.get("properties", {}).get(part, {}), defs)
    return node


def _resolved(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if len(options) == 1:
            prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **options[0]}
    if "$ref" in prop:
        target = defs[prop["$ref"].rsplit("/", 1)[-1]]
        prop = {**_resolved(target, defs), **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop
