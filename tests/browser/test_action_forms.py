"""Assigning a request in a real browser: the office head picks the handler by name from a
list (the people the service layer offers), and a name the server refuses — sent by a page
someone tampered with — brings the form back with the message beside the list, in place.
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from govflow.workflow import services
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    case_url,
    labelled,
    log_in,
    new_page,
    server,
    svc,
)
from tests.principals import acting

INTAKE = {
    "applicant": {
        "kind": "natural_person",
        "name": "张三",
        "id_number": "610926199001011234",
        "phone": "13800000000",
    },
    "description": "2024年县级财政预算执行情况",
    "channel": "in_person",
}


def test_the_head_assigns_a_handler_by_name(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    ref = services.register_request(
        svc, agency_code="county", principal=acting(svc, "wang.clerk"), intake=INTAKE
    )
    ctx, page = new_page(browser)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, server, "zhang.head")
    page.goto(case_url(server, ref))
    box = page.locator("#action-assign")
    box.locator("summary").click()
    chooser = box.get_by_label(labelled("经办人"))
    expect(chooser.locator("option")).to_have_text(
        ["请选择", "李经办（li.handler）", "张主任（zhang.head）", "赵经办（zhao.handler）"]
    )

    # A tampered page sends a name that is no one's: the form stays, the message beside it.
    chooser.evaluate("select => { select.options[1].value = 'ghost'; select.selectedIndex = 1; }")
    box.locator("button[type=submit]").click()
    expect(box.locator(".field-error")).to_have_text("没有用户 'ghost'")
    expect(box.get_by_label(labelled("经办人"))).to_be_visible()
    expect(page.locator("#case-state")).to_have_text("已登记")

    box.get_by_label(labelled("经办人")).select_option(label="李经办（li.handler）")
    box.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("经办人：李经办")
    assert missing == []  # no 404 on the way, the icon included
    ctx.close()
