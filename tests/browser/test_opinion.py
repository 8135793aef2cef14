"""The public-opinion team's screens in a real browser: incidents listed by their most
pressing milestone with hours and minutes left and the badge of the band they are in, as
the fake clock moves through the night; a grade set after its limit passed warns on the
case page; the accountability list with its CSV. A supervisor sees no link to them.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from playwright.sync_api import Browser, Page, expect

from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    Shots,
    case_url,
    log_in,
    new_page,
    server,
    shots,
    svc,
    take,
)
from tests.principals import acting

DETECTION = {
    "title": "网传某小学食堂使用过期食材",
    "summary": "微博多条帖文配图，转发量上升",
    "platform": "微博",
    "link": "https://weibo.com/demo/1",
    "topic": "食品药品",
    "lead_department": "县教育局",
}


def _incident(built: services.Services, **overrides: Any) -> str:
    return services.open_case(
        built,
        case_type="incident",
        agency_code="county",
        principal=acting(built, "wang.clerk"),
        payload={**DETECTION, **overrides},
    )


def _at(clock: FakeClock, when: str) -> None:
    clock.set(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI))


def _row(page: Page, ref: str):  # type: ignore[no-untyped-def]
    return page.locator("#incidents tbody tr").filter(has_text=ref)


def test_incidents_by_most_pressing_milestone_grade_warning_and_accountability(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    shots: Shots,  # noqa: F811
) -> None:
    _at(clock, "2025-09-30T22:40")
    general = _incident(svc, title="一般事件", detected_at="2025-09-30T22:30")
    major = _incident(svc, title="重大事件", grade="major", detected_at="2025-09-30T22:00")

    ctx, page = new_page(browser)
    log_in(page, server, "zhang.head")
    page.get_by_role("link", name="舆情事件").click()
    expect(page.get_by_role("heading", name="舆情事件")).to_be_visible()
    rows = page.locator("#incidents tbody tr")
    expect(rows).to_have_count(2)
    # The major one's 5-hour statement limit (03:00) is the most pressing: it comes first.
    expect(rows.nth(0)).to_contain_text(major)
    expect(rows.nth(0)).to_contain_text("重大")
    expect(rows.nth(0)).to_contain_text("发布权威信息时限")
    expect(rows.nth(0)).to_contain_text("2025-10-01 03:00")
    expect(rows.nth(0).locator(".left")).to_have_text("<6小时 还剩 4 小时 20 分")
    # The general one: 48 hours through the National Day holiday, no badge yet.
    expect(rows.nth(1)).to_contain_text("2025-10-02 22:30")
    expect(rows.nth(1).locator(".left")).to_have_text("还剩 47 小时 50 分")
    shots(page, "incidents-evening")

    # 02:30 at night: half an hour left.
    _at(clock, "2025-10-01T02:30")
    log_in(page, server, "zhang.head")  # the idle session ended while the clock moved
    page.goto(f"{server.url}/incidents")
    expect(_row(page, major).locator(".left")).to_have_text("<1小时 还剩 0 小时 30 分")

    # 04:00: the statement limit passed an hour ago.
    _at(clock, "2025-10-01T04:00")
    log_in(page, server, "zhang.head")
    page.goto(f"{server.url}/incidents")
    expect(_row(page, major).locator(".left")).to_have_text("已超时 已超时 1 小时 00 分")
    expect(_row(page, major).locator(".badge")).to_have_class("badge overdue")
    shots(page, "incidents-night")

    # Grading the other one 重大 now: its 5-hour limit (03:30) is already gone.
    _row(page, general).get_by_role("link", name=general).click()
    expect(page.locator("#case-warnings")).to_have_count(0)
    take(page, "assess")
    expect(page.locator("#case-state")).to_have_text("研判中")
    take(page, "grade", {"级别": "major"})
    expect(page.locator("#case-state")).to_have_text("处置中")
    warning = page.locator("#case-warnings")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("定级为“重大”时（2025-10-01 04:00）")
    expect(warning).to_contain_text("发布权威信息时限已于 2025-10-01 03:30 届满，尚未完成，已超时")
    shots(page, "grade-warning")

    # The accountability list: both statement limits, overdue; its CSV says the same.
    page.goto(f"{server.url}/incidents")
    page.get_by_role("link", name="问责清单").click()
    table = page.locator("#accountability tbody tr")
    expect(table).to_have_count(2)
    expect(table.nth(0)).to_contain_text(major)
    expect(table.nth(0)).to_contain_text("1.0")
    expect(table.nth(0)).to_contain_text("县教育局")
    expect(table.nth(1)).to_contain_text(general)
    with page.expect_download() as info:
        page.locator("#accountability-csv").click()
    body = open(info.value.path(), encoding="utf-8-sig").read()
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0][:3] == ["编号", "机关", "标题"]
    assert [line[0] for line in lines[1:]] == [major, general]
    assert lines[1][5] == "2025-10-01 03:00" and lines[1][7] == "1.0"
    shots(page, "accountability")
    ctx.close()

    # A supervisor works no incidents: no link in the navigation.
    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    expect(page.get_by_role("link", name="舆情事件")).to_have_count(0)
    ctx.close()


def test_the_incident_list_pages_on(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from govflow.web.pages import incidents

    monkeypatch.setattr(incidents, "PAGE_SIZE", 2)
    _at(clock, "2025-09-30T22:40")
    refs = [_incident(svc, detected_at=f"2025-09-30T2{i}:00") for i in range(3)]
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    page.goto(f"{server.url}/incidents")
    expect(page.locator("#incidents tbody tr")).to_have_count(2)
    expect(page.locator("#incidents tbody tr").nth(0)).to_contain_text(refs[0])
    page.locator("#next-page").click()
    expect(page.locator("#incidents tbody tr")).to_have_count(1)
    expect(page.locator("#incidents tbody tr")).to_contain_text(refs[2])
    page.locator("#incidents tbody tr").get_by_role("link").click()
    expect(page).to_have_url(case_url(server, refs[2]))
    ctx.close()
