"""The awaiting-receipt list (待确认收到, D-2) in a real browser: a request registered from
an ordinary letter waits there, clock not started, while one handed in person does not;
once its receipt is confirmed on its case page it leaves the list."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from govflow.workflow import services
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    Shots,
    labelled,
    log_in,
    new_page,
    register,
    server,
    shots,
    svc,
    take,
)


def _register_letter(page: Page, live: LiveServer, description: str) -> str:
    page.goto(f"{live.url}/requests/new")
    page.get_by_label(labelled("申请人类别")).select_option("natural_person")
    page.get_by_label(labelled("申请人")).fill("李四")
    page.get_by_label(labelled("证件号")).fill("610926199001011234")
    page.get_by_label(labelled("地址")).fill("示范县人民路1号")
    page.get_by_label(labelled("申请内容")).fill(description)
    page.get_by_label(labelled("渠道")).select_option("letter")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#case-state")).to_have_text("待确认收到")
    return page.locator("#case-ref").inner_text()


def test_a_letter_waits_in_the_list_until_its_receipt_is_confirmed(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    shots: Shots,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "wang.clerk")
    by_letter = _register_letter(page, server, "2024年县道养护资金使用情况")
    in_person = register(page, server, "2024年县级财政预算执行情况")

    page.get_by_role("link", name="待确认收到").click()
    listed = page.locator("#awaiting-receipt")
    expect(listed.get_by_role("link", name=by_letter)).to_be_visible()
    expect(listed.get_by_role("link", name=in_person)).to_have_count(0)
    shots(page, "awaiting-receipt")

    listed.get_by_role("link", name=by_letter).click()
    take(page, "confirm_receipt", {"收到申请之日": "2025-09-22"})
    expect(page.locator("#case-state")).to_have_text("已登记")
    page.get_by_role("link", name="待确认收到").click()
    expect(page.get_by_text("没有待确认收到的申请。")).to_be_visible()
    expect(page.locator("#awaiting-receipt").get_by_role("link", name=by_letter)).to_have_count(0)
    ctx.close()
