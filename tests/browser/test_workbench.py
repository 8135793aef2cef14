"""The workbench in a real browser (Debian's Chromium), against a server on PostgreSQL:
people log in, register a request, work it through review, reply and approval, and meet
the refusals the pages must show — a conflict, another agency's case, an idle session,
a bad field, a script typed into a description.

The clock is the suite's fake clock, shared with the server: a session's idle timeout is
reached by moving it, not by waiting. Screenshots of each step go to the test's tmp dir.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect
from sqlalchemy import Engine

from govflow.web import health
from govflow.web.app import create_app
from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.services import accounts
from tests.browser.conftest import LiveServer

PASSWORD = "Browser-test-2025"
PEOPLE = ("wang.clerk", "li.handler", "zhao.handler", "zhang.head", "liu.clerk", "chen.supervisor")
XSS = '<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2">'


@pytest.fixture
def svc(pg_engine: Engine, clock: FakeClock, calendar) -> services.Services:  # type: ignore[no-untyped-def]
    from govflow.app import build_services

    built = build_services(pg_engine, clock, calendar)
    admin_name, _ = accounts.bootstrap_admin(built) or ("", "")
    admin = accounts.principal_for(built, admin_name, "cli:test")
    for username in PEOPLE:
        accounts.set_password(built, admin, username, PASSWORD, temporary=False)
    return built


@pytest.fixture
def server(svc: services.Services, pg_engine: Engine) -> Iterator[LiveServer]:
    app = create_app(svc, {"database": health.database_check(pg_engine)})
    with LiveServer(app) as live:
        yield live


class Shots:
    """Screenshots of the steps, numbered in order, under the test's tmp dir."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.n = folder, 0

    def __call__(self, page: Page, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(tmp_path / "screenshots")


def no_dialog(dialog: Dialog) -> None:
    """A page opens no dialog unless its test expects one (and takes this listener off)."""
    pytest.fail(f"a dialog opened: {dialog.message}")


def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", no_dialog)
    return context, page


def log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()


def labelled(label: str) -> re.Pattern[str]:
    """An input's label, with or without the required marker after it."""
    return re.compile(rf"^{re.escape(label)}( \*)?$")


def case_url(server: LiveServer, ref: str) -> str:
    return f"{server.url}/cases/{quote(ref, safe='')}"


def take(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    """Open the action's form on the case page, fill it (by the inputs' labels), send it."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    for label, value in (fields or {}).items():
        field = box.get_by_label(labelled(label))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    box.get_by_role("button").last.click()


def register(page: Page, server: LiveServer, description: str) -> str:
    page.goto(f"{server.url}/requests/new")
    page.get_by_label(labelled("申请人类别")).select_option("natural_person")
    page.get_by_label(labelled("申请人")).fill("张三")
    page.get_by_label(labelled("证件号")).fill("610926199001011234")
    page.get_by_label(labelled("电话")).fill("13800000000")
    page.get_by_label(labelled("申请内容")).fill(description)
    page.get_by_label(labelled("渠道")).select_option("in_person")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#case-state")).to_have_text("已登记")
    return page.locator("#case-ref").inner_text()


def test_a_request_from_the_desk_to_the_approved_reply(
    browser: Browser, server: LiveServer, svc: services.Services, shots: Shots
) -> None:
    clerk_ctx, clerk = new_page(browser)
    log_in(clerk, server, "wang.clerk")
    # A registration missing its required fields: each says so, and nothing is written.
    clerk.goto(f"{server.url}/requests/new")
    clerk.get_by_label(labelled("申请内容")).fill("2024年县级财政预算执行情况")
    clerk.get_by_role("button", name="登记", exact=True).click()
    expect(clerk.locator(".refusal")).to_have_text("输入有误，请按各字段旁的提示更正（本次未保存）")
    expect(clerk.locator("#f-register-applicant-name-err")).to_have_text("必填")
    expect(clerk.locator("#f-register-channel-err")).to_have_text("必填")
    expect(clerk.get_by_label(labelled("申请内容"))).to_have_value("2024年县级财政预算执行情况")
    shots(clerk, "register-refused")
    # A rule over the group (some way to reach the applicant) is shown on the group.
    clerk.get_by_label(labelled("申请人类别")).select_option("natural_person")
    clerk.get_by_label(labelled("申请人")).fill("张三")
    clerk.get_by_label(labelled("证件号")).fill("610926199001011234")
    clerk.get_by_label(labelled("渠道")).select_option("in_person")
    clerk.get_by_role("button", name="登记", exact=True).click()
    expect(clerk.locator("#f-register-applicant-err")).to_contain_text("联系方式")
    expect(clerk.get_by_label(labelled("申请人"))).to_have_value("张三")
    reader = accounts.principal_for(svc, "wang.clerk", "cli:test").as_reader()
    assert services.list_cases(svc, reader).cases == ()

    ref = register(clerk, server, "2024年县级财政预算执行情况")
    assert "张三" in clerk.locator(".facts").inner_text()  # the clerk's own agency: unmasked
    shots(clerk, "registered")
    clerk_ctx.close()

    handler_ctx, handler = new_page(browser)
    log_in(handler, server, "li.handler")
    handler.get_by_role("link", name="我可查看的全部在办案件").click()
    row = handler.locator("#queue tbody tr", has_text=ref)
    expect(row).to_contain_text("已登记")
    expect(row).to_contain_text("还剩")
    shots(handler, "queue")
    row.get_by_role("link", name=ref).click()
    take(handler, "start_review")
    expect(handler.locator("#case-state")).to_have_text("审核中")
    take(handler, "accept")
    expect(handler.locator("#case-state")).to_have_text("办理中")

    head_ctx, head = new_page(browser)
    log_in(head, server, "zhang.head")
    head.goto(case_url(server, ref))
    take(head, "extend", {"延长天数": "25", "理由": "需调档整理"})
    expect(
        head.locator("#action-extend .field-error, #action-extend .refusal").first
    ).to_be_visible()
    shots(head, "extension-refused")
    head.goto(case_url(server, ref))
    take(head, "extend", {"延长天数": "10", "理由": "需调档整理"})
    expect(head.locator(".timeline")).to_contain_text("延长答复期限")

    handler.goto(case_url(server, ref))
    take(handler, "draft_reply", {"答复类型": "disclosed", "内容摘要": "予以公开"})
    expect(handler.locator("#case-state")).to_have_text("答复待审批")

    head.goto(case_url(server, ref))
    take(head, "reject_reply", {"理由": "请补充公开方式"})
    expect(head.locator("#case-state")).to_have_text("办理中")

    handler.goto(case_url(server, ref))
    take(handler, "draft_reply", {"答复类型": "disclosed", "内容摘要": "予以公开，邮寄纸质件"})
    expect(handler.locator("#case-state")).to_have_text("答复待审批")

    head.get_by_role("link", name="待审批").click()
    expect(head.locator("#queue tbody tr")).to_have_count(1)
    shots(head, "approvals-inbox")
    head.get_by_role("link", name=ref).click()
    shots(head, "case-awaiting-approval")
    take(head, "approve_reply")
    expect(head.locator("#case-state")).to_have_text("已答复")
    expect(head.locator(".timeline li")).to_have_count(9)
    shots(head, "case-replied")
    head.get_by_role("link", name="待审批").click()
    expect(head.get_by_text("没有待审批的案件。")).to_be_visible()
    head_ctx.close()
    handler_ctx.close()


def test_two_people_act_at_once_and_one_is_told_of_the_conflict(
    browser: Browser, server: LiveServer, shots: Shots
) -> None:
    ctx_a, a = new_page(browser)
    ctx_b, b = new_page(browser)
    log_in(a, server, "li.handler")
    log_in(b, server, "zhao.handler")
    ref = register(a, server, "同一件申请")
    b.goto(case_url(server, ref))  # both now show version N, state 已登记
    take(a, "start_review")
    expect(a.locator("#case-state")).to_have_text("审核中")
    take(b, "start_review")
    box = b.locator("#action-start_review")
    expect(box.locator(".refusal")).to_have_text("该案件已被他人更新，请刷新后重试")
    expect(box.locator(".current-state")).to_have_text("审核中")
    expect(b.locator("#case-state")).to_have_text("已登记")  # the page itself is as it was
    shots(b, "conflict")
    b.get_by_role("link", name="刷新页面").click()
    expect(b.locator("#case-state")).to_have_text("审核中")
    expect(b.locator(".timeline li")).to_have_count(3)  # receive, confirm, one start_review
    ctx_a.close()
    ctx_b.close()


def test_another_agencys_case_is_not_found_and_a_supervisor_reads_it_masked(
    browser: Browser, server: LiveServer, shots: Shots
) -> None:
    ctx, clerk = new_page(browser)
    log_in(clerk, server, "wang.clerk")
    ref = register(clerk, server, "本机关的申请")
    ctx.close()
    ctx, other = new_page(browser)
    log_in(other, server, "liu.clerk")
    response = other.goto(case_url(server, ref))
    assert response is not None and response.status == 404
    expect(other.locator(".error")).to_contain_text("无权查看")
    assert "张三" not in other.content()
    shots(other, "not-found")
    ctx.close()
    # The supervisor reads the case, with the applicant's identity and contact masked.
    ctx, supervisor = new_page(browser)
    log_in(supervisor, server, "chen.supervisor")
    supervisor.goto(case_url(server, ref))
    expect(supervisor.locator("#case-ref")).to_have_text(ref)
    facts = supervisor.locator(".facts").inner_text()
    assert "本机关的申请" in facts
    assert "610926199001011234" not in facts and "13800000000" not in facts
    ctx.close()


def test_a_script_typed_into_a_description_is_shown_as_text(
    browser: Browser, server: LiveServer, shots: Shots
) -> None:
    ctx, clerk = new_page(browser)
    log_in(clerk, server, "wang.clerk")
    register(clerk, server, XSS)
    expect(clerk.locator(".facts")).to_contain_text(XSS)
    assert clerk.evaluate("window.__xss") is None
    assert clerk.locator(".facts script, .facts img").count() == 0
    shots(clerk, "xss-as-text")
    ctx.close()


def test_an_idle_session_goes_back_to_login_and_returns_after(
    browser: Browser, server: LiveServer, clock: FakeClock, shots: Shots
) -> None:
    ctx, handler = new_page(browser)
    log_in(handler, server, "li.handler")
    ref = register(handler, server, "闲置会话")
    clock.advance(timedelta(minutes=31))
    handler.reload()
    expect(handler).to_have_url(re.compile(r"/login\?"))
    expect(handler.locator(".notice")).to_contain_text("长时间未操作")
    shots(handler, "idle-to-login")
    handler.get_by_label("用户名").fill("li.handler")
    handler.get_by_label("密码").fill(PASSWORD)
    handler.get_by_role("button", name="登录").click()
    expect(handler.locator("#case-ref")).to_have_text(ref)  # back where the person was
    # The page's own updates (the notification count) are answered before the clock moves:
    # one sent after it would take the page to login before the action below is taken.
    handler.wait_for_load_state("networkidle")
    # An htmx action after the timeout is sent to the login page too, never a blank.
    clock.advance(timedelta(minutes=31))
    take(handler, "start_review")
    expect(handler).to_have_url(re.compile(r"/login\?"))
    ctx.close()


def test_forms_without_the_sessions_csrf_token_are_refused_and_logout_ends_it(
    browser: Browser, server: LiveServer, svc: services.Services
) -> None:
    ctx, clerk = new_page(browser)
    log_in(clerk, server, "wang.clerk")
    ref = register(clerk, server, "CSRF")
    cookie = next(c for c in ctx.cookies() if c["name"] == "govflow_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    answer = clerk.request.post(
        f"{case_url(server, ref)}/actions/start_review", form={"version": "2"}
    )
    assert answer.status == 403
    assert "CSRF" in answer.text()
    reader = accounts.principal_for(svc, "wang.clerk", "cli:test").as_reader()
    assert services.case_detail(svc, reader, ref).header.state_label == "已登记"
    clerk.get_by_role("button", name="退出登录").click()
    expect(clerk.locator(".notice")).to_have_text("已退出登录")
    clerk.goto(case_url(server, ref))  # the old cookie opens nothing any more
    expect(clerk).to_have_url(re.compile(r"/login\?"))
    ctx.close()


def _register_on(svc: services.Services, clock: FakeClock, day: date, name: str) -> str:
    clock.set(datetime.combine(day, time(9, 0), tzinfo=SHANGHAI))
    clerk = accounts.principal_for(svc, "wang.clerk", "cli:test")
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": name,
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": f"{name}的申请",
        "channel": "in_person",
    }
    return services.register_request(svc, agency_code="county", principal=clerk, intake=intake)


def test_the_queue_shows_how_pressing_each_case_is(
    browser: Browser, server: LiveServer, svc: services.Services, clock: FakeClock, shots: Shots
) -> None:
    today = clock.now()
    refs = {
        "已逾期": _register_on(svc, clock, date(2025, 8, 18), "甲"),
        "今日到期": _register_on(svc, clock, date(2025, 8, 25), "乙"),
        "≤2个工作日": _register_on(svc, clock, date(2025, 8, 26), "丙"),
        "≤5个工作日": _register_on(svc, clock, date(2025, 8, 29), "丁"),
        "暂停计时": _register_on(svc, clock, date(2025, 9, 1), "戊"),
        "": _register_on(svc, clock, date(2025, 9, 19), "己"),
    }
    handler = accounts.principal_for(svc, "li.handler", "cli:test")
    head = accounts.principal_for(svc, "zhang.head", "cli:test")
    paused = refs["暂停计时"]
    services.act(svc, ref=paused, action="start_review", payload={}, principal=handler)
    consult = {"party_kind": "third_party", "party_name": "某公司"}
    services.act(svc, ref=paused, action="start_consultation", payload=consult, principal=handler)
    assign = {"assignee": "li.handler"}
    services.act(svc, ref=refs[""], action="assign", payload=assign, principal=head)
    clock.set(today)

    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)  # by default: the cases assigned to me
    expect(rows.first).to_contain_text(refs[""])
    page.get_by_role("link", name="我可查看的全部在办案件").click()
    expect(rows).to_have_count(6)
    shown = [rows.nth(i).inner_text() for i in range(6)]
    # Least time left first (the paused clock has the most left of the running ones' band).
    assert refs["已逾期"] in shown[0] and refs["今日到期"] in shown[1]
    for badge, ref in refs.items():
        row = page.locator("#queue tbody tr", has_text=ref)
        if badge:
            expect(row.locator(".badge")).to_have_text(badge)
        else:
            expect(row.locator(".badge")).to_have_count(0)
    shots(page, "queue-badges")
    ctx.close()


def test_a_one_time_password_must_be_changed_before_anything_else(
    browser: Browser, server: LiveServer, svc: services.Services, shots: Shots
) -> None:
    admin = accounts.principal_for(svc, "admin", "cli:test")
    one_time = accounts.set_password(svc, admin, "zhao.handler", None)
    assert one_time
    ctx, page = new_page(browser)
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill("zhao.handler")
    page.get_by_label("密码").fill(one_time)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.goto(f"{server.url}/requests/new")  # any other page: back to the password
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_label("原密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill("Zhao-own-secret-9")
    page.get_by_label("再次输入新密码").fill("Zhao-own-secret-8")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".refusal")).to_have_text("两次输入的新密码不一致")
    page.get_by_label("原密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill("Zhao-own-secret-9")
    page.get_by_label("再次输入新密码").fill("Zhao-own-secret-9")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    ctx.close()


def test_a_failed_htmx_request_says_why_and_never_leaves_a_blank(
    browser: Browser, server: LiveServer, shots: Shots
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    ref = register(page, server, "网络故障")
    page.route("**/actions/start_review", lambda route: route.abort("connectionrefused"))
    take(page, "start_review")
    expect(page.locator("#flash")).to_contain_text("无法连接服务器")
    expect(page.locator("#action-start_review")).to_be_visible()  # the form is still there
    page.unroute("**/actions/start_review")
    page.route("**/actions/start_review", lambda route: route.fulfill(status=502, body=""))
    page.locator("#action-start_review").get_by_role("button").last.click()
    expect(page.locator("#flash")).to_contain_text("请求未能完成（502）")
    expect(page.locator("#action-start_review")).to_be_visible()
    shots(page, "htmx-failure")
    page.unroute("**/actions/start_review")
    page.goto(case_url(server, ref))
    expect(page.locator("#case-state")).to_have_text("已登记")  # nothing was written
    ctx.close()


def test_an_action_can_be_taken_with_the_keyboard_alone(
    browser: Browser, server: LiveServer
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    register(page, server, "键盘操作")
    summary = page.locator("#action-start_review summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the form
    page.keyboard.press("Tab")  # to its button
    expect(page.locator("#action-start_review button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#case-state")).to_have_text("审核中")
    ctx.close()
