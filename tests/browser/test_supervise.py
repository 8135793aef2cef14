"""The supervisor's screens in a real browser: the dashboard's numbers are the timeliness
report's, its drill-down lists the cases counted, an htmx error is shown in place, the
annual report downloads as an .xlsx that reads back, a case's audit timeline opens with
its CSV; a handler sees no link and is refused the dashboard with the services' refusal.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from playwright.sync_api import Browser, expect

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
)
from tests.principals import acting


def _intake(description: str) -> dict:
    person = {"kind": "natural_person", "name": "张三", "id_number": "610926199001011234"}
    return {
        "applicant": {**person, "phone": "13800000000"},
        "description": description,
        "channel": "in_person",
    }


def _cases(built: services.Services, clock: FakeClock) -> str:
    """Two requests left past their reply limit (county, edu) and one still in time; the
    first one's number."""

    def register(agency: str, clerk: str, description: str) -> str:
        return services.register_request(
            built, agency_code=agency, principal=acting(built, clerk), intake=_intake(description)
        )

    late = register("county", "wang.clerk", "逾期一")
    register("edu", "liu.clerk", "逾期二")
    clock.set(datetime(2025, 11, 18, 9, 0, tzinfo=SHANGHAI))
    register("county", "wang.clerk", "在办")
    clock.set(datetime(2025, 11, 20, 9, 0, tzinfo=SHANGHAI))
    return late


def test_the_supervisor_reads_the_dashboard_the_annual_report_and_an_audit_timeline(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    shots: Shots,  # noqa: F811
) -> None:
    late = _cases(svc, clock)
    supervisor = acting(svc, "chen.supervisor").as_reader()
    report = services.timeliness_report(
        svc,
        supervisor,
        agency="county",
        start=date(2025, 1, 1),
        end=date(2025, 11, 20),
        include_children=True,
    )
    assert report.by_department and report.breaches  # the figures have something to show

    ctx, page = new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # a script failed (CSP, ECharts)
    log_in(page, server, "chen.supervisor")
    page.get_by_role("link", name="督查看板").click()
    expect(page.get_by_role("heading", name="督查看板")).to_be_visible()
    expect(page.locator("#period-shown")).to_contain_text("2025-01-01 至 2025-11-20")
    for group in report.by_department:
        row = page.locator("#breaches-department-table tbody tr", has_text=group.name)
        expect(row.locator("td")).to_have_text(str(group.total))
    for group in report.by_handler:
        row = page.locator("#breaches-handler-table tbody tr", has_text=group.name)
        expect(row.locator("td")).to_have_text(str(group.total))
    for bucket in report.open_requests:
        row = page.locator("#open-requests-table tbody tr", has_text=bucket.label)
        expect(row.locator("td")).to_have_text(str(bucket.count))
    on_time = page.locator("#on-time-table tbody tr")
    expect(on_time.nth(2).locator("td")).to_have_text(str(report.replies.overdue))
    expect(page.locator("#on-time-chart canvas")).to_have_count(1)  # ECharts drew it
    expect(page.locator("#breaches-department-chart canvas")).to_have_count(1)
    shots(page, "dashboard")
    page.set_viewport_size({"width": 420, "height": 800})  # a narrow window: nothing sticks out
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots(page, "dashboard-narrow")
    page.set_viewport_size({"width": 1366, "height": 768})

    # Drill-down: the department's breaches are the cases listed.
    first = report.by_department[0]
    page.locator("#breaches-department-table tbody tr", has_text=first.name).get_by_role(
        "link"
    ).click()
    expect(page.locator("#drill-count")).to_have_text(str(first.total))
    expect(page.locator("#drill tbody tr")).to_have_count(first.total)
    page.get_by_role("link", name="返回督查看板").click()

    # A period that cannot be: the service's refusal is shown where the figures were.
    page.get_by_label("统计起始日").fill("2025-12-01")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#figures .error")).to_contain_text("晚于截止日")
    page.get_by_label("统计起始日").fill("2025-10-01")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#period-shown")).to_contain_text("2025-10-01 至 2025-11-20")
    expect(page.locator("#on-time-chart canvas")).to_have_count(1)

    # The annual report: tables 三 and 四 on screen, the .xlsx reads back.
    page.get_by_role("link", name="年度报告", exact=True).click()
    page.get_by_label("年度").fill("2025")
    page.get_by_role("button", name="生成").click()
    annual = services.annual_report(
        svc, supervisor, agency="county", year=2025, include_children=True
    )
    expect(page.locator("#annual-title")).to_contain_text("2025")
    new = next(r for r in annual.rows if r.values is not None)
    row3 = page.locator("#table3 tbody tr", has_text=new.label).first
    expect(row3.locator("td").last).to_have_text(str(new.values[-1]))
    expect(page.locator("#table4 tbody td")).to_have_count(15)
    shots(page, "annual")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（.xlsx）").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book["表三"]
    cells = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert tuple(cells[new.label][:7]) == new.values
    assert "表四" in book.sheetnames

    # A case's audit timeline, with its CSV.
    page.goto(case_url(server, late))
    page.get_by_role("link", name="审计时间线（含各事件时的期限，可下载 CSV）").click()
    timeline = services.case_timeline(svc, supervisor, late)
    expect(page.locator("#audit > li")).to_have_count(len(timeline.entries))
    expect(page.locator("#audit")).to_contain_text("答复期限")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.startswith("序号,")
    shots(page, "audit")
    assert errors == []
    ctx.close()


def test_a_handler_sees_no_link_and_is_refused_the_dashboard(
    browser: Browser,
    server: LiveServer,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    expect(page.get_by_role("link", name="督查看板")).to_have_count(0)
    for path in ("/supervise", "/supervise/report/annual?year=2025"):
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 403
        expect(page.locator(".error")).to_contain_text("不是督查，无权查看督查页面")
    ctx.close()
