"""The case page's action forms offer choices the service layer draws, and only the actions
the reader may take now (TestClient, both databases; issue 12's exploratory pass):

* 指定经办人 offers the active handlers and heads of the case's own agency by name (the
  rule ``act`` applies), and a refused name brings the form back with what was chosen and
  the message beside the field, never a bare message in its place;
* an incident's 定级 is a list of the grades by their Chinese names, and 定级 is no longer
  offered once the incident is graded;
* 当场答复 is offered on the day of receipt only; nothing is offered to a reader from
  another agency;
* a reply's 答复类型 offers only what ``act`` accepts on the case: on the spot, the outcomes
  that need no decision; in a draft, none the system alone records, none the governing
  edition lacks;
* the pages link an icon of their own and ``/favicon.ico`` answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from govflow.workflow.actors import AccountKind, Role
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.services import accounts
from govflow.workflow.services.accounts import NewAccount
from tests.integration.conftest import Flow
from tests.principals import acting
from tests.web_support import page_client, signed_in

HEAD, LI, ZHAO, EDU_HEAD = "zhang.head", "li.handler", "zhao.handler", "sun.head"
ROBOT = "monitor.robot"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, (HEAD, LI)) as test_client:
        yield test_client


def _form(html: str, action: str) -> str:
    """The markup of one action's form on the case page (empty when it is not offered)."""
    found = re.search(rf'<div class="action" id="action-{action}">.*?</form>', html, re.S)
    return found.group(0) if found else ""


def _options(form: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select id="[^"]+" name="{re.escape(name)}".*?</select>', form, re.S)
    assert select, f"{name} is not a list to choose from"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))[1:]


def test_the_people_offered_are_those_the_action_accepts(flow: Flow) -> None:
    svc = flow.svc
    accounts.bootstrap_admin(svc)
    admin = acting(svc, "admin")
    accounts.deactivate_user(svc, admin, ZHAO)
    # An integration's account holding the handler's role, so its tokens may act: active, of
    # the agency, yet nobody works a case through it.
    robot = NewAccount(ROBOT, "舆情监测平台", (Role.HANDLER,), "county", kind=AccountKind.SERVICE)
    accounts.add_user(svc, admin, robot)
    offered = services.case_worker_choices(svc, "county")
    # Active handlers and heads of the agency, by username; not its clerk, its supervisor,
    # the departed 赵经办, the service account, nor the education bureau's head.
    assert offered == (
        ("li.handler", "李经办（li.handler）"),
        ("zhang.head", "张主任（zhang.head）"),
    )
    assert [u for u, _ in services.case_worker_choices(svc, "edu")] == [EDU_HEAD]
    ref = flow.register()
    with pytest.raises(InvalidInput) as refused:
        flow.act(ref, HEAD, "assign", assignee=ROBOT)
    assert refused.value.fields == {
        "assignee": "舆情监测平台 是服务账户（供接口集成使用），不能指定为经办人"
    }
    for username in ("wang.clerk", "chen.supervisor", ZHAO, EDU_HEAD, ROBOT):
        with pytest.raises(InvalidInput) as refused:
            flow.act(ref, HEAD, "assign", assignee=username)
        assert list(refused.value.fields) == ["assignee"], username
    for username, _ in offered:
        flow.act(ref, HEAD, "assign", assignee=username)
    assert flow.case(ref).assignee == "zhang.head"


def test_the_assign_form_is_a_list_of_people_and_comes_back_when_refused(
    client: TestClient, flow: Flow
) -> None:
    ref = flow.register()
    csrf = signed_in(client, flow.svc, HEAD)
    page = client.get(f"/cases/{ref}").text
    form = _form(page, "assign")
    assert _options(form, "assignee") == [
        ("li.handler", "李经办（li.handler）"),
        ("zhang.head", "张主任（zhang.head）"),
        ("zhao.handler", "赵经办（zhao.handler）"),
    ]
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    for headers in (HTMX, {}):  # the fragment htmx swaps in, and the page without script
        for sent, message in (
            ("ghost", "没有用户 &#39;ghost&#39;"),
            (EDU_HEAD, "孙主任 不是本机关"),
        ):
            answer = client.post(
                f"/cases/{ref}/actions/assign",
                data={"csrf_token": csrf, "version": version, "assignee": sent},
                headers=headers,
            )
            assert answer.status_code == 422, answer.text
            again = _form(answer.text, "assign")
            assert again, "the form is gone"
            assert _options(again, "assignee")[0] == ("li.handler", "李经办（li.handler）")
            error = re.search(
                r'<small id="f-assign-assignee-err" class="field-error"[^>]*>([^<]*)', again
            )
            assert error and message in error.group(1), again
            assert "输入有误，请按各字段旁的提示更正" in again
    assert flow.version(ref) == int(version)  # nothing written
    chosen = client.post(
        f"/cases/{ref}/actions/assign",
        data={"csrf_token": csrf, "version": version, "assignee": LI},
        headers=HTMX,
    )
    assert chosen.status_code == 200
    assert chosen.headers["HX-Redirect"] == f"/cases/{quote(ref, safe='')}"
    assert flow.case(ref).assignee == LI


def test_the_grade_is_chosen_by_name_and_grading_is_offered_until_graded(
    client: TestClient, flow: Flow
) -> None:
    flow.at("2025-09-22 10:00")
    ref = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, "wang.clerk"),
        payload={
            "title": "网传县城区停水",
            "summary": "多条帖文转发量上升",
            "platform": "微博",
            "topic": "公共服务",
        },
    )
    flow.act(ref, HEAD, "assess")
    signed_in(client, flow.svc, HEAD)
    page = client.get(f"/cases/{ref}").text
    assert _options(_form(page, "grade"), "grade") == [
        ("extraordinary", "特别重大"),
        ("major", "重大"),
        ("large", "较大"),
        ("general", "一般"),
    ]
    # Responded before it was graded: 定级 is still to do there, 调整级别 not yet.
    flow.act(ref, HEAD, "publish_statement", channel="县政府网站", link="https://example.gov.cn/1")
    page = client.get(f"/cases/{ref}").text
    assert _form(page, "grade") and _form(page, "regrade") == ""
    flow.act(ref, HEAD, "grade", grade="large")
    page = client.get(f"/cases/{ref}").text
    assert _form(page, "grade") == ""  # graded once: adjusting it is 调整级别's
    assert _options(_form(page, "regrade"), "grade")[3] == ("general", "一般")


def test_on_the_spot_is_offered_on_the_day_of_receipt_only(client: TestClient, flow: Flow) -> None:
    flow.at("2025-09-22 10:00")
    ref = flow.register()
    signed_in(client, flow.svc, LI)
    assert _form(client.get(f"/cases/{ref}").text, "reply_on_the_spot")
    flow.at("2025-09-23 09:00")
    signed_in(client, flow.svc, LI)  # the idle session ended overnight
    later = client.get(f"/cases/{ref}").text
    assert _form(later, "reply_on_the_spot") == ""
    assert _form(later, "start_review")  # what may still be done is still offered
    li = services.identify(flow.svc, LI)
    offered = [a.name for a in services.case_detail(flow.svc, li, ref).allowed_actions]
    assert "reply_on_the_spot" not in offered and "start_review" in offered


def test_a_reader_from_another_agency_is_offered_nothing(flow: Flow) -> None:
    """A county head who also supervises reads the education bureau's requests (the
    supervisor's tree) but works only the county's: ``act`` would refuse every action on
    them, so none is offered."""
    svc = flow.svc
    accounts.bootstrap_admin(svc)
    both = accounts.NewAccount("qian.head", "钱主任", (Role.OFFICE_HEAD, Role.SUPERVISOR), "county")
    accounts.add_user(svc, acting(svc, "admin"), both)
    ref = flow.register(who="liu.clerk", agency="edu")
    reader = services.identify(svc, "qian.head")
    assert services.case_detail(svc, reader, ref).allowed_actions == ()
    edu_head = services.identify(svc, EDU_HEAD)
    assert "assign" in [a.name for a in services.case_detail(svc, edu_head, ref).allowed_actions]


def test_the_pages_have_an_icon_of_their_own(client: TestClient, flow: Flow) -> None:
    login = client.get("/login").text
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in login
    svg = client.get("/static/web/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an icon resource


# -- 答复类型: only the outcomes the reply can give (issue 12's second exploratory pass) -------

SPOT_2019 = [
    ("disclosed", "（一）予以公开"),
    ("not_processed.petition", "（五）不予处理 / 1.信访举报投诉类申请"),
    ("not_processed.publication", "（五）不予处理 / 3.要求提供公开出版物"),
    ("not_processed.confirmation", "（五）不予处理 / 5.要求行政机关确认或重新出具已获取信息"),
]


def test_on_the_spot_offers_only_the_outcomes_that_need_no_decision(
    client: TestClient, flow: Flow
) -> None:
    """当场答复 offered every outcome of the D-8 list, and ``act`` refused all but four
    (须经审核并由负责人审批后答复) in words full of codes: the form offers those four, and
    the one that needs the place it was published asks for it beside that field."""
    flow.at("2025-09-22 10:00")
    ref = flow.register()
    csrf = signed_in(client, flow.svc, LI)
    form = _form(client.get(f"/cases/{quote(ref)}").text, "reply_on_the_spot")
    assert _options(form, "outcome") == SPOT_2019
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    sent = {"csrf_token": csrf, "version": version[1], "outcome": "disclosed", "summary": "已公开"}
    again = client.post(f"/cases/{quote(ref)}/actions/reply_on_the_spot", data=sent, headers=HTMX)
    assert again.status_code == 422
    beside = re.search(r'id="f-reply_on_the_spot-where-err"[^>]*>([^<]*)<', again.text)
    assert beside and beside[1] == "须写明已公开的途径（如网站栏目、文号）"
    assert "where" not in re.sub(r"<[^>]*>", "", again.text)
    # What is not offered, ``act`` refuses; what is, it takes.
    with pytest.raises(ActionNotAllowed, match=r"（（三）不予公开 / 1\.属于国家秘密）须经审核"):
        flow.act(ref, LI, "reply_on_the_spot", outcome="withheld.state_secret", summary="否")
    flow.act(ref, LI, "reply_on_the_spot", outcome="not_processed.petition", summary="信访件")


def test_a_draft_reply_offers_no_outcome_only_the_system_records(flow: Flow) -> None:
    """逾期不补正 and 逾期未缴费 are recorded when their period expires, by the system; under
    the 2008 regulations there is no 无正当理由大量反复申请 either."""
    for when, absent in (
        ("2025-09-22 09:30", {"other.no_correction", "other.no_fee"}),
        ("2018-03-01 09:30", {"other.no_correction", "not_processed.excessive"}),
    ):
        flow.at(when)
        ref = flow.register()
        flow.act(ref, LI, "start_review")
        flow.act(ref, LI, "accept")
        reader = services.identify(flow.svc, LI)
        detail = services.case_detail(flow.svc, reader, ref)
        (form,) = services.case_forms(flow.svc, detail, ("draft_reply",))
        outcome = next(f for f in form.fields if f.name == "outcome")
        codes = {code for code, _ in outcome.choices}
        assert codes and not codes & absent, when
        assert {"disclosed", "withheld.third_party", "other.misc"} <= codes
        with pytest.raises(InvalidInput, match=r"other\.no_correction（（六）其他处理 / 1\."):
            flow.act(ref, LI, "draft_reply", outcome="other.no_correction", summary="x")
