"""What each action of a case type takes, read from the very models the engine validates with.

``govflow workflow actions TYPE`` and the generated ``docs/actions.md`` show this: an
action's Chinese name, the roles that may take it, the states it leaves and reaches, and
each input field with its type, whether it is required and its limits. Nothing here is
written by hand per type: the states and roles come from the declaration, the fields from
the action's pydantic model (its JSON schema), their Chinese names from the type's labels,
so the documentation cannot drift from what the engine accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govflow.workflow.actors import ROLE_LABELS
from govflow.workflow.case_workers import CHOICES_FROM, PEOPLE, WORKER_ROLES
from govflow.workflow.contract import COMMON_FIELD_LABELS, Workflow

TYPE_LABELS = {
    "string": "文本",
    "integer": "整数",
    "number": "数",
    "boolean": "是/否",
    "date": "日期",
    "date-time": "日期时间",
    "choice": "选项",
    "object": "一组字段",
    "array": "列表",
}


@dataclass(frozen=True)
class InputField:
    """One input field of an action (``applicant.name`` for a nested one)."""

    name: str
    label: str
    type: str  # a key of TYPE_LABELS
    required: bool
    limits: tuple[str, ...]  # in zh-CN: length, range, choices, pattern, default

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)


@dataclass(frozen=True)
class ActionInfo:
    name: str
    label: str
    roles: tuple[str, ...]  # role codes; ROLE_LABELS names them
    role_labels: tuple[str, ...]
    sources: tuple[str, ...]  # the states it may be taken in (state codes, declared order)
    source_labels: tuple[str, ...]
    dests: tuple[str, ...]  # the states it may lead to
    dest_labels: tuple[str, ...]
    creates: bool  # the action that opens a case of the type
    fields: tuple[InputField, ...]


@dataclass(frozen=True)
class TypeActions:
    name: str
    label: str
    source: str  # the declaration file
    actions: tuple[ActionInfo, ...]


@lru_cache(maxsize=64)
def type_actions(workflow: Workflow) -> TypeActions:
    """Every action of the type, in declared order, the creating one first. Kept per
    contract (a process builds one per type from its configuration, which never changes
    after): drawing every action's input schema costs milliseconds, and every form of
    every case page asks."""
    case_type = workflow.case_type
    order = list(case_type.states)
    labels = {**COMMON_FIELD_LABELS, **workflow.labels.fields}
    values = workflow.labels.values
    infos = []
    names = [case_type.create, *(n for n in case_type.actions if n != case_type.create)]
    for name in names:
        spec = case_type.actions.get(name)
        creating = name == case_type.create
        model = workflow.payloads.get(name)
        defaulted = {workflow.date_defaults[name]} if name in workflow.date_defaults else set()
        fields = _fields(model.model_json_schema(), labels, values, defaulted) if model else ()
        sources = sorted({e.source for e in spec.edges}, key=order.index) if spec else []
        dests = sorted({e.dest for e in spec.edges}, key=order.index) if spec else []
        if creating and not dests:
            dests = [case_type.initial]
        roles = sorted(spec.roles, key=lambda r: r.value) if spec else []
        infos.append(
            ActionInfo(
                name=name,
                label=spec.label if spec else case_type.create_action.label,
                roles=tuple(r.value for r in roles),
                role_labels=tuple(ROLE_LABELS[r] for r in roles),
                sources=tuple(sources),
                source_labels=tuple(case_type.state_label(s) for s in sources),
                dests=tuple(dests),
                dest_labels=tuple(case_type.state_label(s) for s in dests),
                creates=creating,
                fields=fields,
            )
        )
    return TypeActions(case_type.name, case_type.label, case_type.source, tuple(infos))


def _fields(
    schema: Mapping[str, Any],
    labels: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
    defaulted: set[str],
    prefix: str = "",
    defs: Mapping[str, Any] | None = None,
) -> tuple[InputField, ...]:
    defs = defs if defs is not None else schema.get("$defs", {})
    required = set(schema.get("required", ()))
    out: list[InputField] = []
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        prop = _resolve(prop, defs)
        kind = _kind(prop)
        limits = list(_limits(prop, values.get(path, {})))
        needed = key in required
        if path in defaulted:
            needed = False
            limits.append("不填为今天")
        out.append(InputField(path, labels.get(path, key), kind, needed, tuple(limits)))
        if kind == "object":
            out += _fields(prop, labels, values, defaulted, f"{path}.", defs)
    return tuple(out)


def _resolve(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """The property with ``$ref`` followed and an optional (``anyOf`` with null) unwrapped."""
    prop = dict(prop)
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if len(options) == 1:
            rest = {k: v for k, v in prop.items() if k != "anyOf"}
            prop = {**rest, **_resolve(options[0], defs)}
    if "$ref" in prop:
        target = defs[prop["$ref"].rsplit("/", 1)[-1]]
        rest = {k: v for k, v in prop.items() if k != "$ref"}
        prop = {**_resolve(target, defs), **rest}
    return prop


def _choices(prop: Mapping[str, Any]) -> list[Any] | None:
    """A field's allowed values: its ``enum``, or its one ``const`` (a one-value Literal)."""
    if "enum" in prop:
        return list(prop["enum"])
    return [prop["const"]] if "const" in prop else None


def _kind(prop: Mapping[str, Any]) -> str:
    if _choices(prop) is not None:
        return "choice"
    if prop.get("format") in ("date", "date-time"):
        return str(prop["format"])
    return str(prop.get("type", "string"))


def _limits(prop: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    limits = []
    if "minLength" in prop and prop["minLength"] > 1:
        limits.append(f"至少 {prop['minLength']} 字")
    if "maxLength" in prop:
        limits.append(f"最多 {prop['maxLength']} 字")
    if "maxItems" in prop:
        limits.append(f"最多 {prop['maxItems']} 项")
    if "minimum" in prop:
        limits.append(f"不小于 {prop['minimum']}")
    if "maximum" in prop:
        limits.append(f"不大于 {prop['maximum']}")
    if "pattern" in prop:  # people read the model's own words for it, when it gives them
        limits.append(f"格式：{prop['hint']}" if "hint" in prop else f"格式 {prop['pattern']}")
    choices = _choices(prop)
    if prop.get(CHOICES_FROM) == PEOPLE:  # the case's own agency's, when it is acted on
        roles = "、".join(ROLE_LABELS[r] for r in WORKER_ROLES)
        limits.append(f"可选：本案所属机关在职的{roles}（用户名）")
    elif choices is not None:
        shown = [f"{v}（{names[str(v)]}）" if str(v) in names else str(v) for v in choices]
        limits.append("可选：" + "、".join(shown))
    elif names:  # checked by the type's rules against its list (the reply outcomes)
        limits.append("可选：" + "、".join(f"{v}（{label}）" for v, label in names.items()))
    if prop.get("default") is not None:
        limits.append(f"默认 {prop['default']}")
    return limits
