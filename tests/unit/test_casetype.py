"""Case-type declarations (SPEC X-1): malformed ones are refused naming the file and the
place; the shipped disclosure declaration builds one ``transitions.Machine`` shared by
every case."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from govflow import configs
from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.casetype import DeclarationError, build_case_type, load_case_type
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.disclosure import rules
from govflow.workflow.disclosure.context import Context
from govflow.workflow.errors import ActionNotAllowed
from govflow.workflow.policy import DisclosurePolicy
from tests.config import calendar as shipped_calendar
from tests.config import workflow

WHERE = "configs/case_types/sample.yaml"
SHIPPED = configs.shipped("case_types", "disclosure_request.yaml")


def is_urgent(facts: Any, payload: Any) -> bool:
    return bool(payload.get("urgent"))


CONDITIONS = {"is_urgent": is_urgent}


def sample() -> dict[str, Any]:
    """A small valid declaration: online messages (网民留言)."""
    return {
        "name": "online_message",
        "label": "网民留言",
        "ref_prefix": "留言",
        "initial": "received",
        "states": {
            "received": "已收到",
            "handling": "办理中",
            "answered": "已答复",
            "closed": "已关闭",
        },
        "final": ["answered", "closed"],
        "open": ["received", "handling"],
        "actions": {
            "accept": {
                "label": "受理",
                "roles": ["clerk", "handler"],
                "transitions": [{"source": "received", "dest": "handling"}],
            },
            "note": {
                "label": "备注",
                "roles": ["handler"],
                "transitions": [{"source": "open", "dest": "="}],
            },
            "answer": {
                "label": "答复",
                "roles": ["handler", "office_head"],
                "transitions": [
                    {"source": "handling", "dest": "closed", "conditions": ["is_urgent"]},
                    {"source": ["handling"], "dest": "answered"},
                ],
            },
        },
    }


def refused(raw: Any) -> str:
    with pytest.raises(DeclarationError) as info:
        build_case_type(raw, WHERE, CONDITIONS)
    message = str(info.value)
    assert message.startswith(f"{WHERE}: ")
    return message


def test_a_valid_declaration_builds() -> None:
    ct = build_case_type(sample(), WHERE, CONDITIONS)
    assert (ct.name, ct.label, ct.ref_prefix, ct.initial) == (
        "online_message",
        "网民留言",
        "留言",
        "received",
    )
    assert ct.final == {"answered", "closed"}
    assert ct.actions["note"].sources == {"received", "handling"}  # `open` expanded
    assert ct.actions["accept"].roles == {Role.CLERK, Role.HANDLER}
    assert ct.next_state("received", "accept", None, {}) == "handling"
    assert ct.next_state("handling", "note", None, {}) == "handling"  # `=` keeps the state
    assert ct.next_state("handling", "answer", None, {"urgent": True}) == "closed"
    assert ct.next_state("handling", "answer", None, {}) == "answered"
    assert [a.name for a in ct.allowed_actions("handling", Role.HANDLER)] == ["note", "answer"]
    # A user holding several roles may do what any of them may (a head who also handles).
    assert ct.allowed_actions("received", Role.SUPERVISOR) == []
    assert {a.name for a in ct.allowed_actions("received", Role.SUPERVISOR, Role.CLERK)} >= {
        "accept"
    }
    with pytest.raises(ActionNotAllowed):
        ct.check("answered", "note", Role.HANDLER)


def test_ref_prefix_defaults_to_the_name() -> None:
    raw = sample()
    del raw["ref_prefix"]
    assert build_case_type(raw, WHERE, CONDITIONS).ref_prefix == "online_message"


def test_no_condition_true_refuses_the_action() -> None:
    raw = sample()
    raw["actions"]["answer"]["transitions"] = [
        {"source": "handling", "dest": "closed", "conditions": ["is_urgent"]}
    ]
    ct = build_case_type(raw, WHERE, CONDITIONS)
    with pytest.raises(ActionNotAllowed, match="条件不满足"):
        ct.next_state("handling", "answer", None, {})


@pytest.mark.parametrize("key", ["name", "label", "initial", "states", "actions"])
def test_missing_key(key: str) -> None:
    raw = sample()
    del raw[key]
    assert f": {key}: 缺少必填项" in refused(raw)


@pytest.mark.parametrize("raw", [None, [], "name: x"])
def test_not_a_mapping(raw: Any) -> None:
    assert "文件: 顶层必须是映射" in refused(raw)


def test_empty_states() -> None:
    raw = sample()
    raw["states"] = {}
    assert "states: 必须是非空映射" in refused(raw)


def test_unknown_initial_state() -> None:
    raw = sample()
    raw["initial"] = "nowhere"
    assert "initial: 未知状态 'nowhere'" in refused(raw)


@pytest.mark.parametrize("key", ["final", "open"])
def test_unknown_final_or_open_state(key: str) -> None:
    raw = sample()
    raw[key] = [*raw[key], "limbo"]
    assert "final/open: 未知状态 'limbo'" in refused(raw)


def test_approval_states_are_declared_open_states() -> None:
    raw = sample()
    assert build_case_type(raw, WHERE, CONDITIONS).approval_states == frozenset()
    raw["approvals"] = ["handling"]
    assert build_case_type(raw, WHERE, CONDITIONS).approval_states == {"handling"}
    raw["approvals"] = ["limbo"]
    assert "approvals: 'limbo' 不是未办结的状态" in refused(raw)
    raw["approvals"] = ["answered"]  # final: nothing waits there
    assert "approvals: 'answered' 不是未办结的状态" in refused(raw)


def test_awaiting_receipt_states_are_declared_open_states() -> None:
    raw = sample()
    assert build_case_type(raw, WHERE, CONDITIONS).receipt_states == frozenset()
    raw["awaiting_receipt"] = ["handling"]
    assert build_case_type(raw, WHERE, CONDITIONS).receipt_states == {"handling"}
    raw["awaiting_receipt"] = ["limbo"]
    assert "awaiting_receipt: 'limbo' 不是未办结的状态" in refused(raw)
    raw["awaiting_receipt"] = ["answered"]
    assert "awaiting_receipt: 'answered' 不是未办结的状态" in refused(raw)


def test_unknown_source_state() -> None:
    raw = sample()
    raw["actions"]["accept"]["transitions"][0]["source"] = "limbo"
    assert "actions.accept.transitions[0]: 未知来源状态 'limbo'" in refused(raw)


def test_transition_to_nowhere() -> None:
    raw = sample()
    raw["actions"]["answer"]["transitions"][1]["dest"] = "nirvana"
    assert "actions.answer.transitions[1]: 目标状态 'nirvana' 不存在" in refused(raw)


def test_transition_without_destination() -> None:
    raw = sample()
    del raw["actions"]["accept"]["transitions"][0]["dest"]
    assert "actions.accept.transitions[0]: 目标状态 None 不存在" in refused(raw)


def test_transition_without_source() -> None:
    raw = sample()
    del raw["actions"]["accept"]["transitions"][0]["source"]
    assert "actions.accept.transitions[0]: 缺少 source" in refused(raw)


def test_unknown_condition() -> None:
    raw = sample()
    raw["actions"]["answer"]["transitions"][0]["conditions"] = ["is_full_moon"]
    assert "actions.answer.transitions[0]: 未知条件 'is_full_moon'" in refused(raw)


def test_unknown_role() -> None:
    raw = sample()
    raw["actions"]["accept"]["roles"] = ["clerk", "mayor"]
    message = refused(raw)
    assert "actions.accept.roles" in message and "mayor" in message


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        "accept",
        {"label": "受理", "roles": ["clerk"]},
        {"label": "受理", "roles": ["clerk"], "transitions": []},
        {"label": "受理", "roles": ["clerk"], "transitions": {"source": "received", "dest": "x"}},
    ],
)
def test_action_without_transitions(body: Any) -> None:
    raw = sample()
    raw["actions"]["accept"] = body
    assert "actions.accept: 需要 label、roles、transitions" in refused(raw)


@pytest.mark.parametrize("transition", ["received -> handling", ["received", "handling"], None])
def test_transition_that_is_not_a_mapping(transition: Any) -> None:
    raw = sample()
    raw["actions"]["accept"]["transitions"] = [transition]
    assert "actions.accept.transitions[0]:" in refused(raw)


def test_actions_that_are_not_a_mapping() -> None:
    raw = sample()
    raw["actions"] = [{"accept": {}}]
    assert "actions:" in refused(raw)


def test_load_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DeclarationError, match=r"broken\.yaml: 无法读取"):
        load_case_type(broken, CONDITIONS)
    with pytest.raises(DeclarationError, match=r"missing\.yaml: 无法读取"):
        load_case_type(tmp_path / "missing.yaml", CONDITIONS)
    raw = sample()
    raw["actions"]["accept"]["transitions"][0]["dest"] = "nowhere"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DeclarationError) as info:
        load_case_type(bad, CONDITIONS)
    assert str(info.value).startswith(f"{bad}: actions.accept.transitions[0]: ")


def test_the_shipped_declaration_loads_and_every_condition_is_known() -> None:
    ct = load_case_type(SHIPPED, rules.conditions())
    shared = workflow("disclosure_request").case_type
    assert ct.states == shared.states and ct.actions == shared.actions
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    used = {
        c
        for body in raw["actions"].values()
        for tr in body.get("transitions", [])  # the creation action has none
        for c in tr.get("conditions", [])
    }
    assert used == set(rules.conditions())


def test_the_shipped_declaration_with_a_condition_missing_is_refused() -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    conditions = dict(rules.conditions())
    del conditions["outcome_not_processed"]
    with pytest.raises(DeclarationError, match="未知条件 'outcome_not_processed'"):
        build_case_type(copy.deepcopy(raw), str(SHIPPED), conditions)


def test_one_machine_per_case_type_shared_by_every_case() -> None:
    assert workflow("disclosure_request") is workflow("disclosure_request")  # built once
    ct = workflow("disclosure_request").case_type
    machine = ct.machine
    calendar = shipped_calendar()
    clerk = Actor("wang.clerk", "王登记", Role.CLERK, "county")
    now = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)
    cases = []
    for i in range(3):
        case = Case(ref=f"T-{i}", workflow=workflow("disclosure_request"), agency_code="county")
        case.facts = case.workflow.new_facts()
        for action, payload in [
            (
                "receive",
                {
                    "applicant": {
                        "kind": "natural_person",
                        "name": "张三",
                        "id_number": "610926199001011234",
                        "phone": "13800000000",
                    },
                    "description": "预算",
                    "channel": "in_person",
                },
            ),
            ("confirm_receipt", {}),
            ("start_review", {}),
        ]:
            context = Context(
                now=now,
                today=local_date(now),
                state=case.state or "",
                calendar=calendar,
                policy=DisclosurePolicy(),
            )
            case.act(action, payload, clerk, now, calendar, context)
        cases.append(case)
    assert all(c.state == "reviewing" for c in cases)
    assert all(c.workflow.case_type.machine is machine for c in cases)
    assert workflow("disclosure_request").case_type.machine is machine
    # Cases are not attached to the machine: nothing accumulates per case.
    assert machine.models == []
    assert not hasattr(cases[0], "trigger") and not hasattr(cases[0], "may_accept")
