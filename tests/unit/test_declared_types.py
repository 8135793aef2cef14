"""Case types declared in configuration (SPEC X-1): malformed declarations are refused at
start-up naming file, place and problem; a type that exists only in a test directory is
driven end to end through the services on both databases; online messages (网民留言) ship
as such a type, with their 3-working-day reply limit counted over the National Day holiday.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from govflow import configs
from govflow.app import build_services, load_config
from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, FakeClock, local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.declaration import DeclarationError
from govflow.workflow.declared import Context
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.policy import Settings
from govflow.workflow.registry import load_workflow
from tests.config import calendar as shipped_calendar
from tests.config import load_case, sources, workflow
from tests.principals import acting

CAL = shipped_calendar()
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")

# 双公示 (seed 000): licence and penalty decisions published within 7 working days; a hold
# (暂缓公示) pauses the clock; the office also wants a first look within 24 hours.
PUBLICATION = {
    "name": "licence_publication",
    "label": "行政许可与处罚决定公示",
    "ref_prefix": "双公示",
    "create": "record",
    "initial": "decided",
    "states": {"decided": "已作出决定", "published": "已公示", "withdrawn": "已撤回"},
    "final": ["published", "withdrawn"],
    "actions": {
        "record": {
            "label": "登记决定",
            "roles": ["clerk", "handler"],
            "fields": [
                {"name": "decision_no", "label": "决定书文号", "type": "text", "max_length": 50},
                {"name": "decided_on", "label": "决定日期", "type": "date"},
                {
                    "name": "kind",
                    "label": "类别",
                    "type": "choice",
                    "choices": {"licence": "行政许可", "penalty": "行政处罚"},
                },
                {"name": "pages", "type": "int", "required": False, "min": 1},
            ],
        },
        "hold": {
            "label": "暂缓公示",
            "roles": ["office_head"],
            "fields": [{"name": "reason", "label": "理由", "type": "text"}],
            "transitions": [{"source": "decided", "dest": "="}],
        },
        "resume": {
            "label": "恢复公示",
            "roles": ["office_head"],
            "transitions": [{"source": "decided", "dest": "="}],
        },
        "publish": {
            "label": "公示",
            "roles": ["handler", "office_head"],
            "fields": [
                {"name": "url", "type": "text"},
                {"name": "published_at", "type": "datetime"},
            ],
            "transitions": [{"source": "decided", "dest": "published"}],
        },
        "withdraw": {
            "label": "撤回",
            "roles": ["office_head"],
            "transitions": [{"source": "decided", "dest": "withdrawn"}],
        },
    },
    "deadlines": [
        {
            "key": "publication",
            "label": "公示期限",
            "basis": "working_days",
            "amount": 7,
            "starts_on": "record",
            "met_by": ["publish"],
            "cancelled_by": ["withdraw"],
            "paused_by": ["hold"],
            "resumed_by": ["resume"],
        },
        {
            "key": "first_look",
            "label": "首次查看",
            "basis": "hours",
            "amount": 24,
            "starts_on": "record",
            "met_by": ["hold", "publish"],
            "cancelled_by": ["withdraw"],
        },
    ],
}


def write(directory: Path, raw: Any, name: str = "sample.yaml") -> Path:
    path = directory / name
    text = raw if isinstance(raw, str) else yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, raw: Any) -> str:
    path = write(tmp_path, raw)
    with pytest.raises(DeclarationError) as info:
        load_workflow(path, sources())
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    return message


def changed(**edits: Any) -> dict[str, Any]:
    raw = copy.deepcopy(PUBLICATION)
    raw.update(edits)
    return raw


# -- malformed declarations ---------------------------------------------------------------


def test_the_sample_declaration_loads(tmp_path: Path) -> None:
    wf = load_workflow(write(tmp_path, PUBLICATION), sources())
    assert wf.create == "record" and wf.escalation is None
    assert set(wf.payloads) == set(PUBLICATION["actions"])
    assert [d.key for d in wf.case_type.deadlines] == ["publication", "first_look"]


def test_unknown_state_is_refused(tmp_path: Path) -> None:
    raw = changed()
    raw["actions"]["hold"]["transitions"][0]["source"] = "pending"
    assert "actions.hold.transitions[0]: 未知来源状态 'pending'" in refused(tmp_path, raw)
    assert "initial: 未知状态 'draft'" in refused(tmp_path, changed(initial="draft"))


def test_trigger_to_nowhere_is_refused(tmp_path: Path) -> None:
    raw = changed()
    raw["actions"]["publish"]["transitions"][0]["dest"] = "online"
    assert "actions.publish.transitions[0]: 目标状态 'online' 不存在" in refused(tmp_path, raw)


def test_duplicate_mapping_keys_are_refused_with_their_line(tmp_path: Path) -> None:
    """PyYAML would silently keep the second ``hold``; the declaration is refused instead."""
    text = textwrap.dedent(
        """\
        name: twice
        label: 重复
        initial: a
        states:
          a: 甲
          b: 乙
        actions:
          go: {label: 走, roles: [clerk], transitions: [{source: a, dest: b}]}
          go: {label: 再走, roles: [clerk], transitions: [{source: b, dest: a}]}
        """
    )
    message = refused(tmp_path, text)
    assert "第 9 行: 名称重复 'go'（第 8 行已有同名项）" in message
    dup_state = text.replace("  b: 乙\n", "  b: 乙\n  a: 丙\n")
    assert "名称重复 'a'" in refused(tmp_path, dup_state)


@pytest.mark.parametrize(
    ("edit", "place", "problem"),
    [
        (
            lambda r: r["actions"]["record"]["fields"].append({"name": "kind", "type": "text"}),
            "actions.record.fields[4]",
            "字段名重复 'kind'",
        ),
        (
            lambda r: r["deadlines"].append({**r["deadlines"][0]}),
            "deadlines[2]（publication）",
            "期限 key 重复 'publication'",
        ),
        (
            lambda r: r["states"].update({"archived": "已公示"}),
            "states",
            "状态中文名重复：已公示",
        ),
    ],
)
def test_duplicate_names_are_refused(tmp_path: Path, edit: Any, place: str, problem: str) -> None:
    raw = changed()
    edit(raw)
    assert f": {place}: {problem}" in refused(tmp_path, raw)


def test_a_type_declared_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = Path(workflow("online_message").case_type.source)
    write(tmp_path, shipped.read_text(encoding="utf-8"), "copy.yaml")
    with pytest.raises(DeclarationError, match=r"copy\.yaml: name: 案件类型 'online_message' 已在"):
        load_config({"GOVFLOW_CASE_TYPES_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d.update(basis="calendar_days"),
            "deadlines[0]（publication）: 未知的计算方式 basis 'calendar_days'",
        ),
        (
            lambda d: d.update(starts_on="receive"),
            "deadlines[0]（publication）.starts_on: 未知动作 'receive'",
        ),
        (
            lambda d: d.update(met_by=["publish", "announce"]),
            "deadlines[0]（publication）.met_by: 未知动作 'announce'",
        ),
        (
            lambda d: d.update(cancelled_by="retract"),
            "deadlines[0]（publication）.cancelled_by: 未知动作 'retract'",
        ),
        (lambda d: d.pop("amount"), "须给出 amount（整数）或 amount_setting"),
        (lambda d: d.update(amount=0), "amount 应为正整数，实为 0"),
        (lambda d: d.pop("starts_on"), "缺少 starts_on"),
        (lambda d: d.pop("resumed_by"), "paused_by 与 resumed_by 须同时给出"),
        (lambda d: d.update(basis="hours"), "按小时连续计算的期限不能中止"),
        (lambda d: d.update(due="soon"), "未知的键 due"),
    ],
)
def test_bad_deadlines_are_refused(tmp_path: Path, edit: Any, message: str) -> None:
    raw = changed()
    edit(raw["deadlines"][0])
    assert message in refused(tmp_path, raw)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"name": "size", "type": "float"},
            "未知字段类型 'float'（可用：text / int / date / datetime / choice）",
        ),
        ({"name": "size"}, "未知字段类型 None"),
        ({"name": "kind2", "type": "choice"}, "choice 字段须有 choices"),
        ({"name": "n", "type": "int", "max_length": 3}, "max_length 只适用于 text 字段"),
        ({"name": "n", "type": "text", "maxlen": 3}, "未知的键 maxlen"),
        ({"name": "文号", "type": "text"}, "字段名 '文号' 须为英文标识符"),
    ],
)
def test_bad_fields_are_refused(tmp_path: Path, field: dict[str, Any], message: str) -> None:
    raw = changed()
    raw["actions"]["record"]["fields"].append(field)
    assert f"actions.record.fields[4]: {message}" in refused(tmp_path, raw)


def test_creation_action_must_be_declared_and_have_no_transitions(tmp_path: Path) -> None:
    assert "create: 创建动作 'make' 未在 actions 中声明" in refused(
        tmp_path, changed(create="make")
    )
    raw = changed()
    raw["actions"]["record"]["transitions"] = [{"source": "decided", "dest": "published"}]
    assert "actions.record: 创建动作不应有 transitions" in refused(tmp_path, raw)


def test_unknown_keys_policies_and_modules_are_refused(tmp_path: Path) -> None:
    assert "deadline: 未知的键" in refused(tmp_path, changed(deadline=[]))
    assert "escalation: configs/escalation.yaml 中没有规则 'nowhere'" in refused(
        tmp_path, changed(escalation="nowhere")
    )
    assert "rules: 无法导入模块 'govflow.workflow.nowhere'" in refused(
        tmp_path, changed(rules="govflow.workflow.nowhere")
    )
    # A rules module must define every declared action's input.
    message = refused(tmp_path, changed(rules="govflow.workflow.incident"))
    assert "deadlines: 期限由模块 govflow.workflow.incident 计算" in message
    raw = changed(rules="govflow.workflow.incident")
    del raw["deadlines"]
    for body in raw["actions"].values():
        body.pop("fields", None)
    assert "actions.record: 模块 govflow.workflow.incident 没有该动作的输入定义" in refused(
        tmp_path, raw
    )


def test_amount_setting_unknown_without_a_default_is_refused(tmp_path: Path) -> None:
    raw = changed()
    raw["deadlines"][0] = {**raw["deadlines"][0], "amount_setting": "publication_days"}
    del raw["deadlines"][0]["amount"]
    message = refused(tmp_path, raw)
    assert "case_types.licence_publication.publication_days，也没有 amount" in message


def test_a_broken_declaration_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = changed()
    raw["deadlines"][0]["basis"] = "weeks"
    path = write(tmp_path, raw)
    monkeypatch.setenv("GOVFLOW_CASE_TYPES_DIR", str(tmp_path))
    with pytest.raises(DeclarationError, match=f"^{path}: deadlines"):
        build_services()


# -- a type declared only in a test directory, end to end through the services --------------


@pytest.fixture
def publication(tmp_path: Path, svc: services.Services) -> services.Services:
    """The services of an installation that also declares the publication type."""
    directory = tmp_path / "case_types"
    directory.mkdir()
    write(directory, PUBLICATION, "licence_publication.yaml")
    return replace(svc, config=load_config({"GOVFLOW_CASE_TYPES_DIR": str(directory)}))


def _consistent(svc: services.Services, ref: str) -> None:
    assert services.check_projection(svc, ref) == []
    assert integrity.verify_all(svc, SYSTEM)[1] == []


def test_a_test_declared_type_runs_end_to_end(
    publication: services.Services, clock: FakeClock
) -> None:
    svc, publication_type = publication, "licence_publication"

    def at(when: str) -> None:
        clock.set(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI))

    at("2025-09-26T10:00")  # Friday before National Day
    record = {"decision_no": "示许〔2025〕12号", "decided_on": "2025-09-26", "kind": "licence"}
    for bad, problem in [
        ({**record, "kind": "permit"}, "kind"),
        ({**record, "colour": "red"}, "colour"),
        ({k: v for k, v in record.items() if k != "decision_no"}, "decision_no"),
        ({**record, "pages": "0"}, "pages"),
    ]:
        with pytest.raises(InvalidInput, match=problem):
            services.open_case(
                svc,
                case_type=publication_type,
                agency_code="county",
                principal=acting(svc, "wang.clerk"),
                payload=bad,
            )
    with pytest.raises(ActionNotAllowed, match="公开办负责人无权登记决定"):
        services.open_case(
            svc,
            case_type=publication_type,
            agency_code="county",
            principal=acting(svc, "zhang.head"),
            payload=record,
        )
    ref = services.open_case(
        svc,
        case_type=publication_type,
        agency_code="county",
        principal=acting(svc, "wang.clerk"),
        payload={**record, "pages": "3"},
    )
    assert ref == "示政办双公示〔2025〕0001号"  # the refusals used no number
    _consistent(svc, ref)
    case = load_case(svc, ref)
    assert case.escalation_policy is None and case.facts.values["pages"] == 3
    deadlines = {d.key: d for d in case.deadlines}
    # 09-26 does not count; 09-28 (Sun, make-up) 1, 09-29 2, 09-30 3, 10-01…10-08 holiday,
    # 10-09 4, 10-10 5, 10-11 (Sat, make-up) 6, 10-13 7.
    assert deadlines["publication"].due_date == date(2025, 10, 13)
    assert deadlines["first_look"].due_at == datetime(2025, 9, 27, 10, 0, tzinfo=SHANGHAI)

    at("2025-09-29T09:00")
    with pytest.raises(ActionNotAllowed, match="经办人无权执行“暂缓公示”"):
        services.act(
            svc,
            ref=ref,
            action="hold",
            payload={"reason": "x"},
            principal=acting(svc, "li.handler"),
        )
    services.act(
        svc,
        ref=ref,
        action="hold",
        payload={"reason": "涉及个人信息，需核实"},
        principal=acting(svc, "zhang.head"),
    )
    _consistent(svc, ref)
    case = load_case(svc, ref)
    deadlines = {d.key: d for d in case.deadlines}
    assert deadlines["publication"].status is DeadlineStatus.PAUSED
    assert deadlines["first_look"].status is DeadlineStatus.BREACHED  # looked at after 24 h

    at("2025-10-10T09:00")
    services.act(svc, ref=ref, action="resume", payload={}, principal=acting(svc, "zhang.head"))
    _consistent(svc, ref)
    # Used 09-28 and 09-29 (2); the days after 09-29 up to 10-10 do not count; 5 left:
    # 10-11 (Sat, make-up) 3, 10-13 4, 10-14 5, 10-15 6, 10-16 7.
    assert load_case(svc, ref).deadlines[0].due_date == date(2025, 10, 16)

    at("2025-10-15T16:00")
    services.act(
        svc,
        ref=ref,
        action="publish",
        payload={"url": "https://www.example.gov.cn/sgs/12", "published_at": "2025-10-15T15:30"},
        principal=acting(svc, "li.handler"),
    )
    _consistent(svc, ref)
    case = load_case(svc, ref)
    assert case.state == "published"
    assert case.deadlines[0].status is DeadlineStatus.MET
    assert case.facts.values["published_at"] == "2025-10-15T07:30:00Z"
    assert [e.action for e in case.events] == ["record", "hold", "resume", "publish"]
    listed = services.list_cases(svc, SYSTEM, services.CaseFilter(case_type=publication_type))
    assert listed.cases == ()


# -- online messages (网民留言), the shipped declared type ------------------------------------


def message_case(settings: Settings | None = None, when: str = "2025-09-30T16:00") -> Case:
    case = Case(
        ref="示政办留言〔2025〕0001号", workflow=workflow("online_message"), agency_code="county"
    )
    case.facts = case.workflow.new_facts()
    now = datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
    context = Context(now, local_date(now), "", CAL, settings or Settings())
    payload = {
        "title": "某路段路灯不亮",
        "content": "人民路北段路灯连续一周不亮",
        "contact_name": "张三",
        "channel": "website",
    }
    case.act("register", payload, CLERK, now, CAL, context)
    return case


def test_online_message_reply_limit_is_three_working_days_over_the_holiday() -> None:
    case = message_case()
    (reply,) = case.deadlines
    # Registered Tuesday 09-30: 10-01…10-08 are holidays, 10-09 1, 10-10 2, 10-11 (Sat,
    # make-up working day) 3: due at the end of Saturday 2025-10-11.
    assert (reply.label, reply.amount, reply.due_date) == ("留言答复期限", 3, date(2025, 10, 11))
    assert case.events[0].data["derived"] == {
        "deadlines": {"reply": {"amount": 3, "basis": "working_days", "label": "留言答复期限"}}
    }


def test_a_province_sets_seven_days_and_open_messages_keep_their_limit() -> None:
    seven = Settings(case_types={"online_message": {"reply_days": 7}})
    case = message_case(seven)
    # 10-09 1, 10-10 2, 10-11 3, 10-13 4, 10-14 5, 10-15 6, 10-16 7.
    assert case.deadlines[0].due_date == date(2025, 10, 16)
    # The amount is in the event: a replay (with whatever settings now say) does not move it.
    header = Case(ref=case.ref, workflow=workflow("online_message"), agency_code="county")
    assert Case.replay(header, case.events, CAL).deadlines[0].due_date == date(2025, 10, 16)


def test_online_message_fields_roles_and_reply() -> None:
    case = message_case()
    now = datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)

    def act(action: str, actor: Actor, **payload: Any) -> None:
        context = Context(now, local_date(now), case.state or "", CAL, Settings())
        case.act(action, payload, actor, now, CAL, context)

    with pytest.raises(ActionNotAllowed, match="“答复留言”不能在“已登记”状态下执行"):
        act("reply", HANDLER, reply="已修复")
    with pytest.raises(ActionNotAllowed, match="经办人无权执行“交办”"):
        act("assign", HANDLER, assignee="li.handler")
    with pytest.raises(InvalidInput, match="assignee"):
        act("assign", HEAD)
    act("assign", HEAD, assignee="li.handler")
    assert (case.state, case.assignee) == ("assigned", "li.handler")
    with pytest.raises(InvalidInput, match="reply"):
        act("reply", HANDLER, reply="")
    act("reply", HANDLER, reply="已通知供电所修复")
    assert case.state == "replied" and case.deadlines[0].status is DeadlineStatus.MET
    act("close", HANDLER)
    assert case.state == "closed" and case.deadlines[0].status is DeadlineStatus.MET


def test_closing_an_unanswered_message_cancels_its_limit() -> None:
    case = message_case()
    now = datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    context = Context(now, local_date(now), case.state or "", CAL, Settings())
    case.act("close", {"note": "重复留言"}, HEAD, now, CAL, context)
    (reply,) = case.deadlines
    assert reply.status is DeadlineStatus.CANCELLED
    assert reply.cancelled_reason == "已办结，不再计算"


def test_a_rules_module_named_before_the_govflow_namespace_still_loads_for_one_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rules: workflow.incident`` (the pre-namespace name) is mapped, with a deprecation line."""
    raw = yaml.safe_load(configs.shipped("case_types", "incident.yaml").read_text("utf-8"))
    raw["rules"] = "workflow.incident"
    path = tmp_path / "incident.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    loaded = load_workflow(path, sources())
    assert loaded.case_type.name == "incident"
    assert (
        "'workflow.incident' 已过时，请改为 'govflow.workflow.incident'" in capsys.readouterr().err
    )
