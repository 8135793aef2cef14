"""A case type's state machine, read from its declaration in ``configs/case_types/``.

One ``transitions.Machine`` is built per case type and shared by every case: events
are fired on each loaded case (a Machine per case costs ~0.7 ms and ~57 KiB). The
declaration gives states, actions, the roles allowed to fire each action, and the
source and destination states; named conditions choose between destinations and
are Python functions supplied by the case type's module (``conditions``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transitions import EventData, Machine

from govflow.workflow.actors import ROLE_LABELS, Role
from govflow.workflow.declaration import (
    DeadlineSpec,
    DeclarationError,
    FieldSpec,
    ReportSpec,
    parse_deadlines,
    parse_fields,
    parse_reports,
    read_declaration,
)
from govflow.workflow.errors import ActionNotAllowed, NotFound, NotPermitted

Condition = Callable[[Any, Any], bool]
"""A named condition: (facts, payload) -> bool."""


TOP_LEVEL_KEYS = {
    "name",
    "label",
    "description",
    "ref_prefix",
    "rules",
    "create",
    "escalation",
    "initial",
    "states",
    "final",
    "open",
    "approvals",
    "awaiting_receipt",
    "actions",
    "deadlines",
    "reports",
}
ACTION_KEYS = {"label", "roles", "transitions", "fields"}
DEFAULT_CREATE = "receive"
CREATOR_ROLES = frozenset({Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD})


@dataclass(frozen=True)
class Edge:
    """One declared transition, kept for diagrams: ``dest`` is resolved (``=`` → source)."""

    source: str
    dest: str
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str
    roles: frozenset[Role]
    sources: frozenset[str]
    fields: tuple[FieldSpec, ...] = ()
    edges: tuple[Edge, ...] = ()


@dataclass
class CaseType:
    name: str
    label: str
    ref_prefix: str
    initial: str
    states: dict[str, str]
    final: frozenset[str]
    open_states: frozenset[str]
    actions: dict[str, ActionSpec]
    machine: Machine = field(repr=False)
    create: str = DEFAULT_CREATE
    deadlines: tuple[DeadlineSpec, ...] = ()
    escalation: str | None = None
    rules: str | None = None
    source: str = ""
    reports: tuple[ReportSpec, ...] = ()
    # States in which a case waits for an approver's decision (the office head's inbox).
    approval_states: frozenset[str] = frozenset()
    # States in which a case has arrived but its receipt date is not yet confirmed, so its
    # clock has not started (the clerks' "awaiting receipt confirmation" list).
    receipt_states: frozenset[str] = frozenset()

    def report(self, name: str) -> ReportSpec:
        for spec in self.reports:
            if spec.name == name:
                return spec
        known = "、".join(f"{r.name}（{r.label}）" for r in self.reports) or "无"
        raise NotFound(f"{self.label}没有报表 {name!r}（现有：{known}）")

    @property
    def create_action(self) -> ActionSpec:
        return self.actions[self.create]

    @property
    def field_labels(self) -> dict[str, str]:
        """The Chinese label of each declared field, for messages that name a field."""
        return {f.name: f.label for spec in self.actions.values() for f in spec.fields}

    def state_label(self, state: str | None) -> str:
        return self.states.get(state or "", state or "—")

    def allowed_actions(self, state: str, *roles: Role) -> list[ActionSpec]:
        """What any of ``roles`` (a user may hold several) may do in ``state``."""
        return [a for a in self.actions.values() if state in a.sources and a.roles & set(roles)]

    def check(self, state: str, action: str, role: Role) -> ActionSpec:
        """Refuse, with what is allowed instead, an action unknown, out of state, or not for the role."""
        spec = self.actions.get(action)
        allowed = "、".join(f"{a.name}（{a.label}）" for a in self.allowed_actions(state, role))
        allowed = allowed or "无"
        if spec is None:
            raise ActionNotAllowed(f"未知动作 {action!r}。当前可执行的动作：{allowed}")
        if state not in spec.sources:
            raise ActionNotAllowed(
                f"“{spec.label}”不能在“{self.state_label(state)}”状态下执行。"
                f"当前可执行的动作：{allowed}"
            )
        if role not in spec.roles:
            roles = "、".join(ROLE_LABELS[r] for r in sorted(spec.roles, key=lambda r: r.value))
            raise NotPermitted(
                f"{ROLE_LABELS[role]}无权执行“{spec.label}”（可执行的角色：{roles}）。"
                f"您当前可执行的动作：{allowed}"
            )
        return spec

    def next_state(self, state: str, action: str, facts: Any, payload: Any) -> str:
        """Fire ``action`` on a throwaway subject and return where the machine leads."""
        subject = _Subject(state)
        if not self.machine.events[action].trigger(subject, facts=facts, payload=payload):
            raise ActionNotAllowed(f"“{self.actions[action].label}”的条件不满足。")
        return subject.state


class _Subject:
    """The model the shared machine moves: only a state attribute."""

    def __init__(self, state: str) -> None:
        self.state = state


def load_case_type(path: Path, conditions: Mapping[str, Condition]) -> CaseType:
    return build_case_type(read_declaration(path), str(path), conditions)


def build_case_type(raw: Any, where: str, conditions: Mapping[str, Condition]) -> CaseType:
    def fail(place: str, what: str) -> DeclarationError:
        return DeclarationError(f"{where}: {place}: {what}")

    if not isinstance(raw, dict):
        raise fail("文件", "顶层必须是映射")
    for key in ("name", "label", "initial", "states", "actions"):
        if key not in raw:
            raise fail(key, "缺少必填项")
    unknown = sorted(set(raw) - TOP_LEVEL_KEYS)
    if unknown:
        raise fail(", ".join(unknown), f"未知的键（可用：{', '.join(sorted(TOP_LEVEL_KEYS))}）")
    states = raw["states"]
    if not isinstance(states, dict) or not states:
        raise fail("states", "必须是非空映射（状态名: 中文名）")
    labels = [str(v) for v in states.values()]
    twice = sorted({v for v in labels if labels.count(v) > 1})
    if twice:
        raise fail("states", f"状态中文名重复：{', '.join(twice)}")
    if raw["initial"] not in states:
        raise fail("initial", f"未知状态 {raw['initial']!r}")
    final = frozenset(raw.get("final", []))
    open_states = list(raw.get("open", []))
    for name in [*final, *open_states]:
        if name not in states:
            raise fail("final/open", f"未知状态 {name!r}")
    approvals = frozenset(raw.get("approvals", []))
    for name in approvals:
        if name not in states or name in final:
            raise fail("approvals", f"{name!r} 不是未办结的状态")
    receipt = frozenset(raw.get("awaiting_receipt", []))
    for name in receipt:
        if name not in states or name in final:
            raise fail("awaiting_receipt", f"{name!r} 不是未办结的状态")

    machine = Machine(
        model=None,
        states=list(states),
        initial=raw["initial"],
        auto_transitions=False,
        send_event=True,
    )
    if not isinstance(raw["actions"] or {}, dict):
        raise fail("actions", "必须是映射（动作名: 定义）")
    create = raw.get("create", DEFAULT_CREATE)
    if not isinstance(create, str):
        raise fail("create", "应为创建案件的动作名")
    if "create" in raw and create not in (raw["actions"] or {}):
        raise fail("create", f"创建动作 {create!r} 未在 actions 中声明")
    actions: dict[str, ActionSpec] = {}
    for action, body in (raw["actions"] or {}).items():
        place = f"actions.{action}"
        if action == create:
            actions[action] = _create_spec(action, body, place, fail)
            continue
        transitions = body.get("transitions") if isinstance(body, dict) else None
        if not transitions or not isinstance(transitions, list):
            raise fail(place, "需要 label、roles、transitions（列表）")
        _known_keys(body, place, fail)
        roles = _roles(body, place, fail)
        sources: set[str] = set()
        edges: list[Edge] = []
        for i, tr in enumerate(body["transitions"]):
            tplace = f"{place}.transitions[{i}]"
            if not isinstance(tr, dict):
                raise fail(tplace, "必须是映射（source、dest、conditions）")
            srcs = tr.get("source")
            srcs = [srcs] if isinstance(srcs, str) else list(srcs or [])
            srcs = [s for src in srcs for s in (open_states if src == "open" else [src])]
            dest = tr.get("dest")
            for s in srcs:
                if s not in states:
                    raise fail(tplace, f"未知来源状态 {s!r}")
            if not srcs:
                raise fail(tplace, "缺少 source")
            if dest != "=" and dest not in states:
                raise fail(tplace, f"目标状态 {dest!r} 不存在")
            conds = []
            for cname in tr.get("conditions", []):
                if cname not in conditions:
                    raise fail(tplace, f"未知条件 {cname!r}")
                conds.append(_condition(conditions[cname]))
            machine.add_transition(action, srcs, dest, conditions=conds)
            sources.update(srcs)
            names = tuple(tr.get("conditions", []))
            edges += [Edge(s, s if dest == "=" else dest, names) for s in srcs]
        actions[action] = ActionSpec(
            action,
            str(body.get("label", action)),
            roles,
            frozenset(sources),
            parse_fields(body.get("fields"), f"{place}.fields", fail),
            tuple(edges),
        )
    if create not in actions:  # a declaration without `create:` is created by `receive`
        actions[create] = ActionSpec(create, "登记", CREATOR_ROLES, frozenset())
    escalation = raw.get("escalation")
    if escalation is not None and not isinstance(escalation, str):
        raise fail("escalation", "应为 configs/escalation.yaml 中的规则名")
    rules = raw.get("rules")
    if rules is not None and not isinstance(rules, str):
        raise fail("rules", "应为 Python 模块名（如 govflow.workflow.incident）")
    deadline_specs = parse_deadlines(raw.get("deadlines"), actions, fail)
    return CaseType(
        name=raw["name"],
        label=raw["label"],
        ref_prefix=raw.get("ref_prefix", raw["name"]),
        initial=raw["initial"],
        states=dict(states),
        final=final,
        open_states=frozenset(open_states or set(states) - final),
        approval_states=approvals,
        receipt_states=receipt,
        actions=actions,
        machine=machine,
        create=create,
        deadlines=deadline_specs,
        escalation=escalation,
        rules=rules,
        source=where,
        reports=parse_reports(raw.get("reports"), actions[create].fields, deadline_specs, fail),
    )


def _known_keys(body: dict[str, Any], place: str, fail: Any) -> None:
    unknown = sorted(set(body) - ACTION_KEYS)
    if unknown:
        raise fail(
            place, f"未知的键 {', '.join(unknown)}（可用：{', '.join(sorted(ACTION_KEYS))}）"
        )


def _roles(body: dict[str, Any], place: str, fail: Any) -> frozenset[Role]:
    try:
        return frozenset(Role(r) for r in body.get("roles", []))
    except (ValueError, TypeError) as exc:
        raise fail(f"{place}.roles", str(exc)) from exc


def _create_spec(action: str, body: Any, place: str, fail: Any) -> ActionSpec:
    """The creation action: label, roles and fields, but no transitions (it starts in initial)."""
    if not isinstance(body, dict):
        raise fail(place, "创建动作须为映射（label、roles、fields）")
    _known_keys(body, place, fail)
    if "transitions" in body:
        raise fail(place, "创建动作不应有 transitions：案件创建后处于 initial 状态")
    roles = _roles(body, place, fail) if "roles" in body else CREATOR_ROLES
    return ActionSpec(
        action,
        str(body.get("label", action)),
        roles,
        frozenset(),
        parse_fields(body.get("fields"), f"{place}.fields", fail),
    )


def _condition(fn: Condition) -> Callable[[EventData], bool]:
    return lambda event: fn(event.kwargs["facts"], event.kwargs["payload"])
