"""Each section of the workbench by one rule (TestClient, both databases; issue 12's
exploratory pass): the navigation offers a section, and its page serves it, only to roles
that can use it (``services.workbench``, ``services.require_section``). An administrator
with no case work reached 待审批 and 案件查询 and was offered 登记舆情事件; now each page
refuses them as it would anyone else outside its roles, and 登记舆情事件 is offered only to
whoever may open an incident. The browser walk of the navigation is
``tests/browser/test_navigation.py``'s."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.web_support import page_client, signed_in

CASE_PAGES = (
    "/approvals",
    "/search",
    "/search.csv",
    "/awaiting-receipt",
    "/incidents",
    "/incidents/accountability",
)


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("admin", "wang.clerk", "chen.supervisor")) as test_client:
        yield test_client


def nav(page: str) -> list[str]:
    """The main navigation's section links (without the person's own and the logout)."""
    found = re.search(r'<nav aria-label="主导航">(.*?)</nav>', page, re.S)
    assert found is not None
    return [h for h in re.findall(r'<li><a href="([^"]+)"', found[1]) if h != "/password"]


def offered(svc: services.Services, username: str) -> list[str]:
    principal = services.principal_for(svc, username, "web")
    return [s.href for s in services.workbench(svc, principal).sections]


def test_an_administrator_is_offered_no_case_work_and_its_pages_refuse_them(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "admin")
    home = client.get("/admin/users")
    assert nav(home.text) == offered(svc, "admin") == ["/notifications", "/admin/users"]
    for path in CASE_PAGES:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "系统管理员（系统管理员）不能使用「" in html.unescape(answer.text), path
        assert nav(answer.text) == ["/notifications", "/admin/users"]  # to go on from
    refused = html.unescape(client.get("/approvals").text)
    assert "不能使用「待审批」：仅供公开办负责人使用" in refused
    assert "登记舆情事件" not in client.get("/incidents").text


def test_a_clerk_uses_every_section_offered_and_no_other(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "wang.clerk")
    sections = offered(svc, "wang.clerk")
    assert "/approvals" not in sections and "/search" in sections
    assert nav(client.get("/search").text) == sections
    for href in sections:
        assert client.get(href).status_code == 200, href
    approvals = client.get("/approvals")  # the office head's inbox: not a clerk's
    assert approvals.status_code == 403
    assert "王登记（登记员）不能使用「待审批」" in html.unescape(approvals.text)
    # 登记舆情事件 leads to the incident's own form, which a clerk may open.
    incidents = client.get("/incidents").text
    assert '<a href="/cases/new/incident">登记舆情事件</a>' in incidents
    assert client.get("/cases/new/incident").status_code == 200


def test_a_supervisor_reads_incidents_but_is_not_offered_to_register_one(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "chen.supervisor")
    incidents = client.get("/incidents")
    assert incidents.status_code == 200
    assert "登记舆情事件" not in incidents.text and "/incidents" not in nav(incidents.text)
    for href in offered(svc, "chen.supervisor"):
        assert client.get(href).status_code == 200, href
