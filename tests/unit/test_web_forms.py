"""The workbench's generated forms and badges, without a database or a browser: every
action's form asks exactly what its model takes, a submitted form becomes the nested input
the engine validates, a refusal names each field, and the queue's badges fall in the
right band."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from govflow.presentation.urgency import hour_urgency, hours_minutes, urgency
from govflow.web.pages.forms import FormState, payload_of
from govflow.web.pages.render import ENV
from govflow.workflow import case_workers
from govflow.workflow.actors import AccountKind, AccountStatus, Actor, Role
from govflow.workflow.clock import FakeClock
from govflow.workflow.errors import InvalidInput
from govflow.workflow.services import Services, action_form, registration_form
from govflow.workflow.views import DeadlineView
from tests import config as test_config


def _no_database() -> None:
    raise AssertionError("a form needs no database")


@pytest.fixture(scope="module")
def svc() -> Services:
    from datetime import datetime

    from govflow.workflow.clock import SHANGHAI

    clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    return Services(_no_database, clock, test_config.calendar(), test_config.config())  # type: ignore[arg-type]


def _every_action() -> list[tuple[str, str]]:
    out = []
    for wf in test_config.config().case_types.values():
        out += [(wf.name, name) for name in wf.payloads]
    return out


@pytest.mark.parametrize(("case_type", "action"), _every_action())
def test_each_form_asks_what_the_actions_model_takes(
    svc: Services, case_type: str, action: str
) -> None:
    model = test_config.workflow(case_type).payloads[action]
    form = action_form(svc, case_type, action)
    top = {f.name for f in form.fields if f.depth == 0}
    assert top == set(model.model_fields)
    defaulted = test_config.workflow(case_type).date_defaults.get(action)
    for name, info in model.model_fields.items():
        shown = next(f for f in form.fields if f.name == name)
        assert shown.required == (info.is_required() and name != defaulted), name
    for f in form.fields:
        assert f.type != "choice" or f.choices, f"{action}.{f.name}: a choice without options"


def test_a_choice_offers_only_what_its_action_accepts_and_patterns_read_in_words(
    svc: Services,
) -> None:
    """A reconsideration's route is 行政复议 alone, a lawsuit's one of the other two; a
    pattern is described in Chinese, never shown as a regular expression."""
    routes = {
        action: next(f for f in action_form(svc, "disclosure_request", action).fields
                     if f.name == "route").choices
        for action in ("record_reconsideration", "record_litigation")
    }  # fmt: skip
    assert routes["record_reconsideration"] == (("reconsideration", "行政复议"),)
    assert [code for code, _ in routes["record_litigation"]] == ["direct", "after_reconsideration"]
    limits = [x for f in registration_form(svc).fields for x in f.limits]
    assert "格式：6–30 位数字、字母或连字符" in limits
    assert not [x for x in limits if x.startswith("格式 ") or "^" in x]


def test_a_value_the_action_fixes_is_not_a_one_choice_list(svc: Services) -> None:
    """登记行政复议 offered a 复议或诉讼 list with 行政复议 alone: the route is the action's
    (a lawsuit is 登记行政诉讼, its own action, and table 四 counts both), so the form asks
    nothing for it and the model's default records it; the lawsuit still chooses between
    未经复议直接起诉 and 复议后起诉."""

    def drawn(action: str) -> str:
        form = action_form(svc, "disclosure_request", action)
        macro = ENV.from_string('{% from "_fields.html" import inputs %}{{ inputs(state, "a") }}')
        return macro.render(state=FormState(form))

    reconsideration = action_form(svc, "disclosure_request", "record_reconsideration")
    route = next(f for f in reconsideration.fields if f.name == "route")
    assert route.fixed
    assert 'name="route"' not in drawn("record_reconsideration")
    assert 'name="number"' in drawn("record_reconsideration")
    assert '<select id="a-route" name="route"' in drawn("record_litigation")
    typed = {"number": "示复〔2025〕1号", "result": "pending", "filed_on": "2025-11-03"}
    payload = payload_of(reconsideration, {**typed, "route": "direct"})  # a forged field
    assert "route" not in payload
    model = test_config.workflow("disclosure_request").payloads["record_reconsideration"]
    assert model.model_validate(payload).route == "reconsideration"


def test_a_submitted_registration_becomes_the_nested_input(svc: Services) -> None:
    form = registration_form(svc)
    submitted = {
        "applicant.kind": "natural_person",
        "applicant.name": "张三",
        "applicant.phone": "  ",  # blank: left out, the model's default applies
        "description": "预算",
        "channel": "in_person",
        "not.a.field": "ignored",
    }
    assert payload_of(form, submitted) == {
        "applicant": {"kind": "natural_person", "name": "张三"},
        "description": "预算",
        "channel": "in_person",
    }


def test_a_refused_input_names_each_field(svc: Services) -> None:
    form = registration_form(svc)
    case = test_config.new_case("示政办依申〔2025〕0001号", form.case_type)
    with pytest.raises(InvalidInput) as refused:
        case.parse(form.action, payload_of(form, {"description": "预算"}), "2025-09-22")
    fields = refused.value.fields
    assert fields["applicant.name"] == "必填"
    assert fields["channel"] == "必填"
    state = FormState(form, {"description": "预算"}, errors=fields)
    assert state.error_for("applicant.name") == "必填"
    assert state.unplaced == []
    assert state.headline == "输入有误，请按各字段旁的提示更正（本次未保存）"
    group = FormState(form, {}, errors={"applicant": "须至少提供一种联系方式"}, message="m")
    assert group.error_for("applicant") == "须至少提供一种联系方式"  # shown on the group
    elsewhere = FormState(form, {}, errors={"输入": "应为键值映射"}, message="m")
    assert elsewhere.unplaced == ["输入：应为键值映射"]
    assert elsewhere.headline == "m"  # a message no input carries: the engine's whole line


def test_a_refusal_on_a_form_names_fields_by_their_labels(svc: Services) -> None:
    """The engine writes ``label name`` for the command line's ``--set name=``; the page's
    input is the field, so its name goes (or, standing for the field, becomes its label)."""
    form = action_form(svc, "disclosure_request", "end_consultation")
    labels = {f.name: f.label for f in form.fields}
    state = FormState(
        form, {}, message="有多项征求意见在进行中（[1, 2]），请用 consultation 指明哪一项"
    )
    assert (
        state.headline
        == f"有多项征求意见在进行中（[1, 2]），请用“{labels['consultation']}”指明哪一项"
    )
    dated = FormState(form, {}, errors={"answered_on": "回复日 answered_on 2025-09-30 晚于今天"})
    assert dated.error_for("answered_on") == "回复日 2025-09-30 晚于今天"
    # A value or a word that is no input of this form is left as it is.
    kept = "答复类型 withheld.third_party 须经审批；格式 YYYY-MM-DD；UTF-8 文本"
    assert FormState(form, {}, message=kept).headline == kept


def _deadline(**changes: object) -> DeadlineView:
    base: dict[str, object] = {
        "key": "reply",
        "kind": "reply",
        "label": "答复期限",
        "basis": "working_days",
        "amount": 20,
        "extension_days": 0,
        "start_date": date(2025, 9, 22),
        "start_at": None,
        "due_date": date(2025, 10, 24),
        "due_at": None,
        "due": "2025-10-24 24:00",
        "status": "running",
        "status_label": "计时中",
        "overdue": False,
        "time_left": "",
        "working_days_left": 20,
        "hours_left": None,
        "paused": False,
        "provisional": False,
        "pause_reason": None,
        "cancelled_reason": None,
    }
    return DeadlineView(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"overdue": True, "working_days_left": -1}, "已逾期"),
        ({"working_days_left": 0}, "今日到期"),
        ({"working_days_left": 1}, "≤2个工作日"),
        ({"working_days_left": 2}, "≤2个工作日"),
        ({"working_days_left": 3}, "≤5个工作日"),
        ({"working_days_left": 5}, "≤5个工作日"),
        ({"working_days_left": 6}, None),
        ({"paused": True, "working_days_left": None, "status": "paused"}, "暂停计时"),
        ({"paused": True, "overdue": True}, "暂停计时"),  # a paused clock is not running late
        ({"basis": "hours", "working_days_left": None, "hours_left": 3.0}, None),
    ],
)
def test_the_queue_badges(changes: dict[str, object], label: str | None) -> None:
    found = urgency(_deadline(**changes))
    assert (found.label if found else None) == label


@pytest.mark.parametrize(
    ("minutes", "label", "left"),
    [
        (-61, "已超时", "已超时 1 小时 01 分"),
        (-1, "已超时", "已超时 0 小时 01 分"),
        (0, "<1小时", "还剩 0 小时 00 分"),
        (59, "<1小时", "还剩 0 小时 59 分"),
        (60, "<6小时", "还剩 1 小时 00 分"),
        (359, "<6小时", "还剩 5 小时 59 分"),
        (360, None, "还剩 6 小时 00 分"),
        (2870, None, "还剩 47 小时 50 分"),
    ],
)
def test_the_incident_list_bands_and_hours_minutes(
    minutes: int, label: str | None, left: str
) -> None:
    deadline = _deadline(
        basis="hours", working_days_left=None, minutes_left=minutes, overdue=minutes < 0
    )
    found = hour_urgency(deadline)
    assert (found.label if found else None) == label
    assert hours_minutes(deadline) == left


def test_a_working_day_limit_keeps_its_own_words_in_the_incident_list() -> None:
    deadline = _deadline(time_left="还剩 20 个工作日")
    assert hour_urgency(deadline) is None
    assert hours_minutes(deadline) == "还剩 20 个工作日"


def test_a_field_naming_who_works_the_case_is_marked_and_offered_per_case(
    svc: Services,
) -> None:
    """Every action whose input names someone to work the case (指定经办人, 交办 …) marks the
    field, whatever its type: the case's forms (``case_forms``) offer people there, and the
    form that knows no case keeps a text input without a list of usernames in words."""
    marked = {
        (case_type, action): [f.name for f in action_form(svc, case_type, action).fields
                              if f.choices_from == case_workers.PEOPLE]
        for case_type, action in _every_action()
    }  # fmt: skip
    named = {key: fields for key, fields in marked.items() if fields}
    assert named == {
        (case_type, "assign"): ["assignee"]
        for case_type in ("county_mailbox", "disclosure_request", "dual_publicity", "incident",
                          "normative_document", "online_message", "policy_interpretation")
    }  # fmt: skip
    field = action_form(svc, "disclosure_request", "assign").fields[0]
    assert (field.type, field.choices, field.limits) == ("string", (), ("最多 200 字",))


def test_who_may_work_a_case_is_one_rule() -> None:
    def person(roles: tuple[Role, ...], agency: str = "county", status=AccountStatus.ACTIVE):  # type: ignore[no-untyped-def]
        return Actor("x", "某某", roles[0], agency, roles=roles, status=status)

    assert case_workers.refusal(person((Role.HANDLER,)), "county") is None
    assert case_workers.refusal(person((Role.CLERK, Role.OFFICE_HEAD)), "county") is None
    for refused in (
        person((Role.CLERK,)),
        person((Role.SUPERVISOR,)),
        person((Role.HANDLER,), agency="edu"),
    ):
        assert case_workers.refusal(refused, "county") == "某某 不是本机关的经办人或负责人"
    locked = person((Role.HANDLER,), status=AccountStatus.LOCKED)
    assert case_workers.refusal(locked, "county") == "某某 的账户已锁定，不能指定"
    # An integration's account acts through API tokens, but is nobody to work a case.
    service = replace(person((Role.HANDLER,)), kind=AccountKind.SERVICE)
    assert (
        case_workers.refusal(service, "county")
        == "某某 是服务账户（供接口集成使用），不能指定为经办人"
    )
