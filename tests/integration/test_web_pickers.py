"""The office's pages ask for names, not codes (issue 12, the workbench; TestClient, both
databases): the search picks a handler and a channel from lists (the people of the
reader's agencies by name, each type's channels by label) and a chosen one filters; the
annual report picks its agency by name; the lists, the case page and the search's CSV
name the agency and the assignee (the CSV keeps the account beside the name); and the
administrator is asked, naming the person, before locking, deactivating or forcing out."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from govflow.workflow.services import accounts
from tests.principals import acting
from tests.web_support import page_client, signed_in

PEOPLE = ("admin", "li.handler", "zhang.head", "chen.supervisor", "sun.head")


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, PEOPLE) as test_client:
        yield test_client


def _request(svc: services.Services, description: str, channel: str = "in_person") -> str:
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": description,
        "channel": channel,
    }
    if channel != "in_person":
        intake["received_on"] = "2025-09-22"
    return services.register_request(
        svc, agency_code="county", principal=acting(svc, "wang.clerk"), intake=intake
    )


def _assign(svc: services.Services, ref: str, assignee: str) -> None:
    services.act(
        svc,
        ref=ref,
        action="assign",
        payload={"assignee": assignee},
        principal=acting(svc, "zhang.head"),
    )


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select id="q-{name}" name="{name}">(.*?)</select>', page, re.S)
    assert found, f"no <select> for {name}"
    return found.group(1)


def _options(fragment: str) -> list[tuple[str, str]]:
    """(value, text) of each option, in order."""
    return [
        (value, html.unescape(text))
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', fragment)
    ]


def _groups(fragment: str) -> dict[str, list[tuple[str, str]]]:
    return {
        html.unescape(label): _options(body)
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', fragment, re.S)
    }


def _rows(page: str) -> dict[str, str]:
    """Each listed case's row by its number."""
    found = re.findall(r'<tr>\s*<td><a href="/cases/[^"]+">([^<]+)</a>(.*?)</tr>', page, re.S)
    return {html.unescape(ref): row for ref, row in found}


def test_the_search_offers_the_handlers_of_the_readers_agencies_by_name(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "li.handler")
    page = client.get("/search").text
    handlers = _select(page, "assignee")
    assert _options(handlers)[0] == ("", "不限")
    # The people a case can be assigned to (handlers, office heads) of the handler's own
    # agency, by name; not its clerk or supervisor, not another agency's head.
    assert _groups(handlers) == {
        "示范县人民政府办公室": [
            ("zhang.head", "张主任"),
            ("li.handler", "李经办"),
            ("zhao.handler", "赵经办"),
        ]
    }
    assert 'name="assignee" value=' not in page  # no longer typed
    assert "经办人用户名" not in page

    # A supervisor reads the agencies below too; an account deactivated is not offered.
    accounts.deactivate_user(svc, acting(svc, "admin"), "zhao.handler", "调离")
    signed_in(client, svc, "chen.supervisor")
    groups = _groups(_select(client.get("/search").text, "assignee"))
    assert groups == {
        "示范县人民政府办公室": [("zhang.head", "张主任"), ("li.handler", "李经办")],
        "示范县教育局": [("sun.head", "孙主任")],
    }


def test_the_search_offers_each_types_channels_by_label(
    client: TestClient, svc: services.Services
) -> None:
    services.open_case(
        svc,
        case_type="incident",
        agency_code="county",
        principal=acting(svc, "wang.clerk"),
        payload={
            "title": "网传县城区停水",
            "platform": "微博",
            "summary": "多条帖文转发量上升",
            "detected_at": "2025-09-22T08:30",
            "topic": "公共服务",
            "lead_department": "县水务局",
        },
    )
    signed_in(client, svc, "li.handler")
    page = client.get("/search").text
    channels = _select(page, "channel")
    assert _options(channels)[0] == ("", "不限")
    groups = _groups(channels)
    # A request's channels are coded: the code sent, its label shown.
    assert groups["政府信息公开申请"] == [
        ("in_person", "当面提交"),
        ("registered_post", "邮寄（需签收）"),
        ("letter", "平常信函"),
        ("online", "互联网渠道"),
        ("email", "电子邮件"),
        ("fax", "传真"),
    ]
    # An incident's platform is free text: the ones its cases arrived by.
    assert groups["政务舆情事件"] == [("微博", "微博")]
    assert "渠道代码" not in page and "如：online、in_person" not in page


def test_the_search_names_each_outcome_with_its_heading(
    client: TestClient, svc: services.Services
) -> None:
    """The outcomes' own labels repeat under each heading (four "1." and two "3.其他"
    wordings): each is offered with its heading, as the case page and the reply forms name
    it."""
    signed_in(client, svc, "li.handler")
    outcomes = dict(_options(_select(client.get("/search").text, "outcome")))
    assert outcomes["withheld.state_secret"] == "（三）不予公开 / 1.属于国家秘密"
    assert outcomes["unavailable.not_held"] == "（四）无法提供 / 1.本机关不掌握相关政府信息"
    assert outcomes["other.misc"] == "（六）其他处理 / 3.其他"
    assert outcomes["disclosed"] == "（一）予以公开"
    labels = [label for code, label in outcomes.items() if code]
    assert len(labels) == len(set(labels)) == len(svc.config.outcomes)


def test_a_chosen_handler_or_channel_filters_and_the_rows_name_people_and_agencies(
    client: TestClient, svc: services.Services
) -> None:
    by_li = _request(svc, "县级财政预算")
    by_zhao = _request(svc, "城区道路规划", channel="registered_post")
    _assign(svc, by_li, "li.handler")
    _assign(svc, by_zhao, "zhao.handler")
    signed_in(client, svc, "chen.supervisor")

    found = client.get("/search?assignee=zhao.handler")
    assert found.status_code == 200
    assert set(_rows(found.text)) == {by_zhao}
    assert '<option value="zhao.handler" selected>赵经办</option>' in found.text
    row = _rows(found.text)[by_zhao]
    assert '<td class="assignee">赵经办</td>' in row
    assert '<td class="agency">示范县人民政府办公室</td>' in row
    assert "zhao.handler" not in row and ">county<" not in row

    posted = client.get("/search?channel=registered_post").text
    assert set(_rows(posted)) == {by_zhao}
    assert '<option value="registered_post" selected>邮寄（需签收）</option>' in posted
    assert set(_rows(client.get("/search?channel=in_person").text)) == {by_li}
    assert set(_rows(client.get("/search?assignee=").text)) == {by_li, by_zhao}  # 不限


def test_the_search_csv_names_the_assignee_and_keeps_the_account_beside(
    client: TestClient, svc: services.Services
) -> None:
    ref = _request(svc, "县级财政预算")
    _assign(svc, ref, "li.handler")
    signed_in(client, svc, "li.handler")
    body = client.get("/search.csv?assignee=li.handler").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    head = table[0]
    assert head[:6] == ["编号", "类型", "机关", "状态", "经办人", "经办人账号"]
    rows = [dict(zip(head, row, strict=True)) for row in table[1:]]
    assert [r["编号"] for r in rows] == [ref]
    assert rows[0]["经办人"] == "李经办"
    assert rows[0]["经办人账号"] == "li.handler"  # for matching by machine
    assert rows[0]["机关"] == "示范县人民政府办公室"


def test_the_queue_the_approvals_inbox_and_the_case_page_name_the_assignee(
    client: TestClient, svc: services.Services
) -> None:
    ref = _request(svc, "县级财政预算")
    _assign(svc, ref, "li.handler")
    li = acting(svc, "li.handler")
    for action, payload in (
        ("start_review", {}),
        ("accept", {}),
        ("draft_reply", {"outcome": "disclosed", "summary": "予以公开"}),
    ):
        services.act(svc, ref=ref, action=action, payload=payload, principal=li)

    signed_in(client, svc, "li.handler")
    queue = _rows(client.get("/").text)[ref]
    assert '<td class="assignee">李经办</td>' in queue
    assert '<td class="agency">示范县人民政府办公室</td>' in queue
    case = client.get(f"/cases/{quote(ref, safe='')}").text
    assert "· 经办人：李经办" in case and "经办人：li.handler" not in case

    signed_in(client, svc, "zhang.head")
    inbox = _rows(client.get("/approvals").text)[ref]
    assert '<td class="assignee">李经办</td>' in inbox
    assert "li.handler" not in inbox


def test_the_annual_report_picks_its_agency_by_name(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "chen.supervisor")
    page = client.get("/supervise/report/annual").text
    found = re.search(
        r'<select id="annual-agency" name="agency" required>(.*?)</select>', page, re.S
    )
    assert found, "the agency is chosen, not typed"
    assert _options(found.group(1)) == [
        ("county", "示范县人民政府办公室"),
        ("edu", "示范县教育局"),
        ("housing", "示范县住房和城乡建设局"),
    ]
    assert "机关代码" not in page
    chosen = client.get("/supervise/report/annual?agency=edu&year=2025&scope=own").text
    assert '<option value="edu" selected>示范县教育局</option>' in chosen
    xlsx = client.get("/supervise/report/annual?agency=edu&year=2025&scope=own&format=xlsx")
    assert quote("示范县教育局-2025.xlsx") in xlsx.headers["content-disposition"]


def test_an_administrator_is_asked_naming_the_person_before_cutting_them_off(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "admin")
    page = client.get("/admin/users").text
    row = re.search(r'<tr id="user-zhao\.handler">(.*?)</tr>', page, re.S)
    assert row, "zhao.handler is listed"
    asked: dict[str, str | None] = {}
    for attrs, change in re.findall(
        r'<form ([^>]*action="/admin/users/zhao\.handler/(\w+)"[^>]*)>', row.group(1)
    ):
        question = re.search(r'hx-confirm="([^"]+)"', attrs)
        asked[change] = html.unescape(question.group(1)) if question else None
    assert asked == {
        "lock": "确定要锁定 赵经办（zhao.handler）吗？",
        "deactivate": "确定要停用 赵经办（zhao.handler）吗？",
        "password": "确定要重置 赵经办（zhao.handler）的密码吗？其全部会话将结束。",
        "logout": "确定要强制下线 赵经办（zhao.handler）吗？",
    }
    # htmx asks, then posts the form it is on and shows the page it answers.
    assert 'hx-post="/admin/users/zhao.handler/lock" hx-target="body"' in row.group(1)
    # The agency by its name.
    assert "<td>示范县人民政府办公室</td>" in row.group(1)
    assert "<td>county</td>" not in row.group(1)
    # Confirmed, the post does what it did.
    done = client.post(
        "/admin/users/zhao.handler/lock",
        data={"csrf_token": signed_in(client, svc, "admin")},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "已锁定用户 zhao.handler" in done.text
