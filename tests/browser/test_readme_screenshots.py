"""The README's pictures of the workbench — ``docs/screenshots/queue.png``, ``case.png`` and
``approvals.png`` — taken over realistic content: a handler's queue of requests with
different time left (one past its limit, some close, some with weeks to go), a reply
awaiting the head's approval with its history, and the head's inbox of two such replies.
Each is taken at 1366×768, the full page, once the page shows the cases (never an empty
list); the test fails if a picture was not written. The dashboard's picture is
``test_navigation.py``'s.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    case_url,
    log_in,
    new_page,
    server,
    svc,
)
from tests.conftest import intake, person
from tests.principals import acting

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The office's requests: who asked, for what.
REQUESTS = (
    ("周建国", "2024年县级部门预算执行情况及“三公”经费明细"),
    ("吴晓梅", "城关镇老旧小区改造项目招标文件及中标结果"),
    ("郑海涛", "县政府常务会议纪要（2025年第8次）"),
    ("王丽华", "2025年农村公路养护资金分配方案"),
    ("冯志强", "县城区供水价格调整听证会材料"),
    ("陈静", "2025年度县级政府投资项目计划"),
)
# What happened to them over two months, in order: (when, which request, who, the action,
# its fields). The first is left past its limit; the second and third have a reply drafted.
# Each is accepted, so no correction-notice limit (which the list sorts by but does not show)
# makes the rows look out of order.
HISTORY: tuple[tuple[datetime, int, str, str, dict[str, object]], ...] = (
    (datetime(2025, 9, 1, 10, 5), 0, "wang.clerk", "register", {}),
    (datetime(2025, 9, 1, 14, 0), 0, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 9, 2, 9, 30), 0, "li.handler", "start_review", {}),
    (datetime(2025, 9, 3, 10, 0), 0, "li.handler", "accept", {}),
    (datetime(2025, 9, 22, 9, 30), 1, "wang.clerk", "register", {}),
    (datetime(2025, 9, 22, 11, 0), 1, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 9, 22, 15, 0), 1, "li.handler", "start_review", {}),
    (datetime(2025, 9, 24, 10, 0), 1, "li.handler", "accept", {}),
    (datetime(2025, 9, 26, 15, 20), 2, "wang.clerk", "register", {}),
    (datetime(2025, 9, 29, 9, 0), 2, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 9, 29, 10, 30), 2, "li.handler", "start_review", {}),
    (datetime(2025, 9, 30, 9, 15), 2, "li.handler", "accept", {}),
    (datetime(2025, 10, 13, 11, 0), 3, "wang.clerk", "register", {}),
    (datetime(2025, 10, 13, 14, 0), 3, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 10, 14, 9, 0), 3, "li.handler", "start_review", {}),
    (datetime(2025, 10, 15, 16, 0), 3, "li.handler", "accept", {}),
    (
        datetime(2025, 10, 17, 10, 0),
        2,
        "zhang.head",
        "extend",
        {"days": 10, "reason": "涉及多个部门，需调档汇总"},
    ),
    (datetime(2025, 10, 20, 14, 45), 4, "wang.clerk", "register", {}),
    (datetime(2025, 10, 20, 16, 0), 4, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 10, 21, 9, 0), 4, "li.handler", "start_review", {}),
    (datetime(2025, 10, 21, 15, 0), 4, "li.handler", "accept", {}),
    (
        datetime(2025, 10, 22, 10, 0),
        1,
        "li.handler",
        "draft_reply",
        {"outcome": "disclosed", "summary": "予以公开，提供电子版"},
    ),
    (datetime(2025, 10, 23, 9, 10), 5, "wang.clerk", "register", {}),
    (datetime(2025, 10, 23, 10, 0), 5, "zhang.head", "assign", {"assignee": "li.handler"}),
    (datetime(2025, 10, 23, 11, 0), 5, "li.handler", "start_review", {}),
    (datetime(2025, 10, 23, 14, 30), 5, "li.handler", "accept", {}),
    (
        datetime(2025, 10, 23, 16, 0),
        2,
        "li.handler",
        "draft_reply",
        {"outcome": "partially_disclosed", "summary": "区分处理后公开，涉及个人信息部分不予公开"},
    ),
)
TODAY = datetime(2025, 10, 24, 9, 0, tzinfo=SHANGHAI)


def _office(svc: services.Services, clock: FakeClock) -> list[str]:  # noqa: F811
    """The county office's requests as ``HISTORY`` tells, each step at its time; their
    numbers in arrival order. The clock is left at ``TODAY``."""
    refs: list[str] = []
    for at, n, who, action, payload in HISTORY:
        clock.set(at.replace(tzinfo=SHANGHAI))
        principal = acting(svc, who)
        if action == "register":
            applicant, description = REQUESTS[n]
            asked = intake(applicant=person(name=applicant), description=description)
            ref = services.register_request(
                svc, agency_code="county", principal=principal, intake=asked
            )
            refs.append(ref)
        else:
            services.act(svc, ref=refs[n], action=action, payload=payload, principal=principal)
    clock.set(TODAY)
    return refs


def picture(page: Page, name: str) -> None:
    """``page`` as it is now into docs/screenshots/<name>.png (1366 wide, the full page)."""
    assert page.viewport_size == {"width": 1366, "height": 768}
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = DOCS_SCREENSHOTS / f"{name}.png"
    before = target.stat().st_mtime_ns if target.exists() else None
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_mtime_ns != before, f"{name}.png was not written"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_readme_pictures_of_the_queue_a_case_and_the_approvals(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
) -> None:
    refs = _office(svc, clock)
    handler_ctx, handler = new_page(browser)
    log_in(handler, server, "li.handler")
    rows = handler.locator("#queue tbody tr")
    expect(rows).to_have_count(len(REQUESTS))
    # least time left first: the late one, the one due today, then by the weeks left
    order = [refs[n] for n in (0, 1, 3, 2, 4, 5)]
    expect(rows.locator("td:first-child a")).to_have_text(order)
    expect(handler.locator("#queue")).to_contain_text("已逾期")
    expect(handler.locator("#queue")).to_contain_text("还剩")
    picture(handler, "queue")

    handler.goto(case_url(server, refs[1]))
    expect(handler.locator("#case-state")).to_have_text("答复待审批")
    expect(handler.locator(".timeline li")).not_to_have_count(0)
    picture(handler, "case")
    handler_ctx.close()

    head_ctx, head = new_page(browser)
    log_in(head, server, "zhang.head")
    head.get_by_role("link", name="待审批").click()
    expect(head.locator("#queue tbody tr")).to_have_count(2)
    for ref in refs[1:3]:
        expect(head.locator("#queue")).to_contain_text(ref)
    picture(head, "approvals")
    head_ctx.close()
    readme = (DOCS_SCREENSHOTS.parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("queue", "case", "approvals"):
        assert f"(docs/screenshots/{name}.png)" in readme, name
