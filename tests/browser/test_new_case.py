"""Opening a case of a declared type in a real browser: the clerk picks the type from the
ones the clerk may open, a form missing its required fields says so beside each field and
writes nothing, and a complete one lands on the new case's page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from govflow.workflow import services
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    Shots,
    labelled,
    log_in,
    new_page,
    server,
    shots,
    svc,
)

TYPE = "incident"


def _incidents(built: services.Services) -> int:
    reader = services.identify(built, "wang.clerk")
    found = services.list_cases(built, reader, services.CaseFilter(case_type=TYPE, open_only=False))
    return len(found.cases)


def test_a_clerk_opens_an_incident_and_lands_on_its_page(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    shots: Shots,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "wang.clerk")
    page.get_by_role("link", name="登记案件").click()
    chooser = page.locator("#case-types")
    # Every type the clerk may open is offered, by its Chinese name, and nothing else.
    offered = services.openable_case_types(svc, services.principal_for(svc, "wang.clerk", "web"))
    expect(chooser.get_by_role("link")).to_have_count(len(offered))
    shots(page, "new-case-chooser")
    chooser.get_by_role("link", name="政务舆情事件").click()
    expect(page.get_by_role("heading", name="登记舆情事件")).to_be_visible()

    # Required fields left blank: each is named beside its input; nothing is written.
    page.get_by_label(labelled("标题")).fill("某镇自来水停水引发网民关注")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".refusal")).to_have_text("输入有误，请按各字段旁的提示更正（本次未保存）")
    expect(page.locator("#f-register-summary-err")).to_have_text("必填")
    expect(page.locator("#f-register-platform-err")).to_have_text("必填")
    expect(page.get_by_label(labelled("标题"))).to_have_value("某镇自来水停水引发网民关注")
    shots(page, "new-case-refused")
    assert _incidents(svc) == 0

    page.get_by_label(labelled("内容摘要")).fill("网民反映停水两日未获通知")
    page.get_by_label(labelled("平台")).fill("本地论坛")
    page.get_by_label(labelled("话题")).fill("停水")
    page.get_by_label(labelled("配合部门")).fill("水务局，某镇政府")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#case-state")).to_have_text("已监测发现")
    expect(page.locator("#case-ref")).to_have_text(re.compile("舆情"))
    shots(page, "new-case-opened")
    assert _incidents(svc) == 1
    ctx.close()


def test_a_type_the_person_may_not_open_is_not_offered_nor_opened(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    page.goto(f"{server.url}/cases/new")
    expect(page.locator("#no-case-types")).to_be_visible()
    page.goto(f"{server.url}/cases/new/{TYPE}")
    expect(page.get_by_role("alert")).to_contain_text("无权登记此类案件")
    ctx.close()
