"""``govflow workflow actions`` and ``docs/actions.md`` (issue 10): every action of every type
with its Chinese name, roles, states and input fields, read from the declarations and the
input models the engine validates with — so the document is regenerated, never edited."""

from __future__ import annotations

from pathlib import Path

from govflow.app import load_config
from govflow.presentation.actions import actions_markdown
from govflow.workflow import services

ROOT = Path(__file__).resolve().parents[2]


def test_docs_actions_md_is_up_to_date() -> None:
    expected = actions_markdown(services.actions(load_config({})))
    shipped = (ROOT / "docs" / "actions.md").read_text(encoding="utf-8")
    assert shipped == expected, (
        "docs/actions.md 已过期：请运行 govflow workflow actions --format md > docs/actions.md"
    )


def test_every_declared_action_is_listed_with_what_the_engine_accepts() -> None:
    config = load_config({})
    for types in services.actions(config):
        workflow = config.case_types.find(types.name)
        assert types.actions[0].name == workflow.case_type.create
        assert {a.name for a in types.actions} == set(workflow.case_type.actions), types.name
        for action in types.actions:
            model = workflow.payloads.get(action.name)
            top = {f.name for f in action.fields if "." not in f.name}
            assert top == set(model.model_fields if model else ()), (types.name, action.name)
            assert all(f.label for f in action.fields)


def test_limits_are_those_of_the_models() -> None:
    (disclosure,) = services.actions(load_config({}), "disclosure_request")
    by_name = {a.name: a for a in disclosure.actions}
    fee = {f.name: f for f in by_name["send_fee_notice"].fields}
    assert fee["amount"].label == "信息处理费（元）" and not fee["amount"].required
    assert "不小于 1" in fee["amount"].limits  # a notice of 0 yuan is refused
    assert fee["basis"].limits == ("可选：per_request（按件计收）、per_volume（按量计收）",)
    assert fee["notice_received_on"].required is False  # today unless given
    assert by_name["send_fee_notice"].role_labels == ("公开办负责人",)
    assert by_name["send_fee_notice"].sources == ("handling",)
    assert by_name["send_fee_notice"].dests == ("awaiting_fee",)
    reply = {f.name: f for f in by_name["draft_reply"].fields}
    assert "disclosed（" in reply["outcome"].limits[-1]  # the outcomes the rules accept
    receive = {f.name: f for f in by_name["receive"].fields}
    assert receive["applicant.name"].limits == ("最多 200 字",)
    assert receive["description"].required and "最多 4000 字" in receive["description"].limits


def test_every_free_text_field_states_its_limit() -> None:
    """Issue 10: a length limit on each text field, in the action's schema (a pattern or a
    closed list bounds it as well)."""
    unbounded = [
        (t.name, a.name, f.name)
        for t in services.actions(load_config({}))
        for a in t.actions
        for f in a.fields
        if f.type == "string"
        and not any(limit.startswith(("最多", "格式", "可选")) for limit in f.limits)
    ]
    assert unbounded == []
