"""The notification centre in a real browser: a warning the sweeper fires is listed for the
people it was sent to (and for nobody else), the link in the navigation counts what waits,
"确认" acknowledges it in place and the case's history records it; acknowledging a warning
sent to someone else is refused in Chinese and writes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Browser, expect

from govflow.workers.sweeper import sweep
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

CLERK, HANDLER, HEAD = "wang.clerk", "li.handler", "zhang.head"


def _warned_case(built: services.Services, clock: FakeClock) -> str:
    """A request handled by li.handler, swept on the last day of its reply limit (the first
    sweep since it was registered): the handler's and the head's warnings have fired."""
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": "2024年县级财政预算执行情况",
        "channel": "in_person",
    }
    ref = services.register_request(
        built, agency_code="county", principal=acting(built, CLERK), intake=intake
    )
    for who, action, payload in (
        (HANDLER, "start_review", {}),
        (HANDLER, "accept", {}),
        (HEAD, "assign", {"assignee": HANDLER}),
    ):
        services.act(built, ref=ref, action=action, payload=payload, principal=acting(built, who))
    clock.set(datetime(2025, 10, 24, 9, 0, tzinfo=SHANGHAI))
    assert sweep(built, [].append).fired
    return ref


def _mine(built: services.Services, username: str) -> list[services.FiringView]:
    return services.my_firings(built, services.identify(built, username))


def test_a_warning_is_listed_for_its_addressee_and_acknowledged_in_place(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    shots: Shots,  # noqa: F811
) -> None:
    ref = _warned_case(svc, clock)
    heads, handlers = _mine(svc, HEAD), _mine(svc, HANDLER)
    assert heads and handlers, "both the head and the handler were warned"
    assert not {f.key for f in heads} & {f.key for f in handlers}
    assert _mine(svc, CLERK) == []

    ctx, page = new_page(browser)
    log_in(page, server, HEAD)
    link = page.locator("#nav-notifications")
    expect(link).to_have_text(f"通知({len(heads)})")
    link.click()
    expect(page.get_by_role("heading", name="通知")).to_be_visible()
    rows = page.locator("#notifications tbody tr")
    expect(rows).to_have_count(len(heads))
    first = rows.first
    expect(first.get_by_role("link", name=ref)).to_be_visible()
    expect(first.locator("td.message")).to_contain_text(ref)
    shots(page, "notifications-head")
    first.get_by_role("button", name=re.compile("^确认")).click()
    expect(first.locator(".acknowledged")).to_contain_text("已确认：")
    expect(link).to_have_text(f"通知({len(heads) - 1})" if len(heads) > 1 else "通知")
    shots(page, "notifications-acknowledged")
    acknowledged = [f for f in _mine(svc, HEAD) if f.acknowledged_at]
    assert [f.acknowledged_by for f in acknowledged] == [HEAD]
    # The acknowledgement is an event in the case's history.
    first.get_by_role("link", name=ref).click()
    expect(page.locator(".timeline")).to_contain_text("已阅")
    ctx.close()

    # The handler sees only what was sent to the handler; the head's warnings are not there.
    ctx, page = new_page(browser)
    log_in(page, server, HANDLER)
    page.locator("#nav-notifications").click()
    rows = page.locator("#notifications tbody tr")
    expect(rows).to_have_count(len(handlers))
    waiting = next(f for f in _mine(svc, HEAD) if not f.acknowledged_at)
    # A forged form naming the head's warning: refused in Chinese, nothing written.
    rows.first.locator("input[name=key]").evaluate("(e, key) => { e.value = key }", waiting.key)
    rows.first.get_by_role("button", name=re.compile("^确认")).click()
    expect(page.locator("#notify-message")).to_contain_text("不是该提醒的接收人，不能确认")
    expect(rows.first.get_by_role("button", name=re.compile("^确认"))).to_be_visible()
    shots(page, "notifications-refused")
    assert not next(f for f in _mine(svc, HEAD) if f.key == waiting.key).acknowledged_at
    ctx.close()

    # Someone who was told nothing has nothing waiting.
    ctx, page = new_page(browser)
    log_in(page, server, CLERK)
    expect(page.locator("#nav-notifications")).to_have_text("通知")
    page.locator("#nav-notifications").click()
    expect(page.locator("#no-notifications")).to_be_visible()
    ctx.close()
