"""Role-aware navigation in a real browser: each person's main navigation offers exactly
the sections their roles can use (``services.workbench``), and an administrator with no
case work lands on the user administration page instead of an empty queue.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.clock import FakeClock
from tests.browser.conftest import LiveServer
from tests.browser.test_admin import ADMIN, admin  # noqa: F401  (fixture)
from tests.browser.test_supervise import _cases
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    PASSWORD,
    log_in,
    new_page,
    server,
    svc,
)

# The links every signed-in person has besides the sections: their name and the logout.
SECTIONS = {
    "wang.clerk": [
        "我的待办",
        "案件查询",
        "登记申请",
        "登记案件",
        "待确认收到",
        "舆情事件",
        "通知",
    ],
    "li.handler": [
        "我的待办",
        "案件查询",
        "登记申请",
        "登记案件",
        "待确认收到",
        "舆情事件",
        "通知",
    ],
    "zhang.head": [
        "我的待办",
        "待审批",
        "案件查询",
        "登记申请",
        "登记案件",
        "待确认收到",
        "舆情事件",
        "通知",
    ],
    "chen.supervisor": ["我的待办", "案件查询", "通知", "督查看板", "年度报告", "历史校验"],
}


def nav_links(page: Page) -> list[str]:
    """The main navigation's section links, in order (without the person's own link)."""
    links = page.get_by_role("navigation", name="主导航").get_by_role("link")
    names = [" ".join(text.split()) for text in links.all_inner_texts()]
    return [n for n in names if not n.endswith("）") and n != "跳到正文"]


def test_each_role_sees_only_the_sections_it_can_use(
    browser: Browser,
    server: LiveServer,  # noqa: F811
) -> None:
    for username, expected in SECTIONS.items():
        context, page = new_page(browser)
        log_in(page, server, username)
        # The notifications link carries a count once loaded: compare its label's start.
        found = [("通知" if n.startswith("通知") else n) for n in nav_links(page)]
        assert found == expected, username
        # A section not offered still refuses by itself (the navigation only offers).
        if "督查看板" not in expected:
            response = page.goto(f"{server.url}/supervise")
            assert response is not None and response.status == 403
        context.close()


def test_an_administrator_lands_on_the_users_page_not_an_empty_queue(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    admin: str,  # noqa: F811
) -> None:
    context, page = new_page(browser)
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(ADMIN)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    assert page.url == f"{server.url}/admin/users"
    assert [("通知" if n.startswith("通知") else n) for n in nav_links(page)] == [
        "通知",
        "系统管理",
    ]
    page.goto(f"{server.url}/")  # the home link of a bookmark: still the administrator's home
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    context.close()


def test_the_sections_follow_the_roles_held_together(svc: services.Services) -> None:  # noqa: F811
    """A small office's head who also supervises gets both sets, each once, in order."""
    head = services.principal_for(svc, "zhang.head", "cli:test")
    both = replace(head, roles=(*head.roles, Role.SUPERVISOR))
    labels = [s.label for s in services.workbench(svc, both).sections]
    assert labels == SECTIONS["zhang.head"] + ["督查看板", "年度报告", "历史校验"]
    assert services.workbench(svc, both).home == "/"


DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_supervisor_dashboard_screenshot_for_the_readme(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
) -> None:
    """The README's dashboard picture, taken over late cases in two agencies: the
    supervisor reaches it from the navigation, and it is saved once the charts are drawn."""
    _cases(svc, clock)
    context, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    page.get_by_role("link", name="督查看板").click()
    expect(page.get_by_role("heading", name="督查看板")).to_be_visible()
    for chart in ("#on-time-chart", "#breaches-department-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)  # ECharts drew it
    expect(page.locator("#breaches-department-table tbody tr")).not_to_have_count(0)
    page.wait_for_timeout(500)  # ECharts' entry animation: the picture shows the bars
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = DOCS_SCREENSHOTS / "dashboard.png"
    before = target.stat().st_mtime_ns if target.exists() else None
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_mtime_ns != before
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    readme = (DOCS_SCREENSHOTS.parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("queue", "case", "approvals", "dashboard"):
        assert f"(docs/screenshots/{name}.png)" in readme, name
    context.close()
