"""The administrator's pages in a real browser: a user created on the page logs in with the
one-time password shown once and must change it; a locked user's login is refused; force
logout ends another browser's session; a token created on the page works against the API
and stops after its revocation; the login log reads newest first, a page at a time; a
refused form writes nothing and says why beside the field; a handler sees no admin link
and gets the 403 page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from govflow import configs
from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.identity.providers import LoginRefused, PasswordProof
from govflow.workflow.services import accounts, signin
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    PASSWORD,
    Shots,
    labelled,
    log_in,
    new_page,
    no_dialog,
    server,
    shots,
    svc,
)

ADMIN = "admin"
ADMIN_PAGES = (
    "/admin/users",
    "/admin/tokens",
    "/admin/login-log",
    "/admin/calendar",
    "/admin/ladders",
)


@pytest.fixture
def admin(svc: services.Services) -> str:  # noqa: F811
    """The installation's first administrator (made by the ``svc`` fixture), with the
    tests' password instead of its one-time one."""
    by = accounts.principal_for(svc, ADMIN, "cli:test")
    accounts.set_password(svc, by, ADMIN, PASSWORD, temporary=False)
    return ADMIN


def admin_login(page: Page, server: LiveServer) -> None:  # noqa: F811
    page.goto(f"{server.url}/login?next=/admin/users")
    page.get_by_label("用户名").fill(ADMIN)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()


def admin_page(browser: Browser, server: LiveServer) -> Iterator[Page]:  # noqa: F811
    ctx, page = new_page(browser)
    admin_login(page, server)
    yield page
    ctx.close()


@pytest.fixture
def as_admin(browser: Browser, server: LiveServer, admin: str) -> Iterator[Page]:  # noqa: F811
    yield from admin_page(browser, server)


def usernames(svc: services.Services) -> list[str]:  # noqa: F811
    by = accounts.principal_for(svc, ADMIN, "cli:test")
    return [a.username for a in accounts.list_users(svc, by, include_inactive=True)]


def refused_login(page: Page, server: LiveServer, username: str, password: str) -> None:  # noqa: F811
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_the_administrator_adds_a_user_who_must_change_the_one_time_password(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    as_admin: Page,
    shots: Shots,  # noqa: F811
) -> None:
    page = as_admin
    expect(page.get_by_role("link", name="系统管理", exact=True)).to_be_visible()
    before = usernames(svc)
    form = page.locator("#new-user")
    # Refused forms: each message beside its field, nothing written.
    form.get_by_label("用户名").fill("li.handler")
    form.get_by_label("姓名").fill("重名")
    form.get_by_label("所属机关").select_option("county")
    form.get_by_label("经办人").check()
    form.get_by_role("button", name="新增用户").click()
    expect(page.locator("#u-username-err")).to_have_text("该用户名已存在")
    expect(page.locator("#admin-error")).to_contain_text("本次未保存")
    expect(page.locator("#new-user").get_by_label("姓名")).to_have_value("重名")
    form = page.locator("#new-user")
    form.get_by_label("用户名").fill("sun.handler")
    form.get_by_label("经办人").uncheck()
    form.get_by_role("button", name="新增用户").click()
    expect(page.locator("#u-roles-err")).to_have_text("至少选择一个角色")
    assert usernames(svc) == before
    shots(page, "admin-user-refused")

    form = page.locator("#new-user")
    form.get_by_label("姓名").fill("孙经办")
    form.get_by_label("经办人").check()
    form.get_by_role("button", name="新增用户").click()
    expect(page.locator("#admin-notice")).to_contain_text("已新增用户 sun.handler（孙经办）")
    one_time = page.locator("#admin-secret").inner_text().strip()
    assert len(one_time) >= 10
    row = page.locator("#user-sun\\.handler")
    expect(row.locator("td").nth(1)).to_have_text("示范县人民政府办公室")
    expect(row.locator(".status")).to_have_text("正常（待改密码）")
    shots(page, "admin-user-added")
    page.reload()  # the password is shown once: never on the list again
    expect(page.locator("#admin-secret")).to_have_count(0)
    expect(page.get_by_text(one_time)).to_have_count(0)

    ctx, newcomer = new_page(browser)
    newcomer.goto(f"{server.url}/login")
    newcomer.get_by_label("用户名").fill("sun.handler")
    newcomer.get_by_label("密码").fill(one_time)
    newcomer.get_by_role("button", name="登录").click()
    expect(newcomer.get_by_role("heading", name="修改密码")).to_be_visible()
    newcomer.goto(f"{server.url}/")  # nothing else until it is changed
    expect(newcomer.get_by_role("heading", name="修改密码")).to_be_visible()
    newcomer.get_by_label("原密码").fill(one_time)
    newcomer.get_by_label("新密码", exact=True).fill("Sun-handler-2025")
    newcomer.get_by_label("再次输入新密码").fill("Sun-handler-2025")
    newcomer.get_by_role("button", name="修改密码").click()
    expect(newcomer.get_by_role("heading", name="我的待办")).to_be_visible()
    ctx.close()

    # The reset, asked first (it ends the person's sessions): a new one-time password,
    # shown once; the old password no longer works.
    asked: list[str] = []

    def agree(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.remove_listener("dialog", no_dialog)
    page.on("dialog", agree)
    page.get_by_role("button", name="重置密码 sun.handler").click()
    expect(page.locator("#admin-notice")).to_contain_text("已重置用户 sun.handler 的密码")
    assert len(asked) == 1 and "（sun.handler）的密码吗？其全部会话将结束。" in asked[0], asked
    reset = page.locator("#admin-secret").inner_text().strip()
    assert reset and reset != one_time
    with pytest.raises(LoginRefused):
        signin.login(
            svc, signin.local_passwords(svc), PasswordProof("sun.handler", "Sun-handler-2025")
        )
    assert signin.login(
        svc, signin.local_passwords(svc), PasswordProof("sun.handler", reset)
    ).principal.must_change_password


def test_locking_refuses_the_login_and_force_logout_ends_the_session(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    as_admin: Page,
    shots: Shots,  # noqa: F811
) -> None:
    page = as_admin
    ctx, handler = new_page(browser)
    log_in(handler, server, "li.handler")

    # Each is asked first, naming the person: dismissed, nothing happens.
    asked: list[str] = []
    replies = [False]  # the answers to give, in turn; then yes

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if (replies.pop(0) if replies else True) else dialog.dismiss()

    page.remove_listener("dialog", no_dialog)
    page.on("dialog", answer)
    with page.expect_event("dialog"):
        page.get_by_role("button", name="强制下线 li.handler").click()
    handler.reload()
    expect(handler.get_by_role("heading", name="我的待办")).to_be_visible()
    page.get_by_role("button", name="强制下线 li.handler").click()
    expect(page.locator("#admin-notice")).to_have_text("已强制用户 li.handler 下线：结束 1 个会话")
    assert asked == ["确定要强制下线 李经办（li.handler）吗？"] * 2
    handler.reload()
    expect(handler.get_by_role("heading", name="登录")).to_be_visible()
    expect(handler.locator(".notice")).to_have_text("登录已注销，请重新登录")

    log_in(handler, server, "li.handler")  # the account itself is untouched
    page.get_by_role("button", name="锁定 li.handler").click()
    expect(page.locator("#admin-notice")).to_have_text("已锁定用户 li.handler，已结束其 1 个会话")
    assert asked[-1] == "确定要锁定 李经办（li.handler）吗？"
    expect(page.locator("#user-li\\.handler .status")).to_have_text("已锁定")
    shots(page, "admin-user-locked")
    handler.reload()
    expect(handler.get_by_role("heading", name="登录")).to_be_visible()
    refused_login(handler, server, "li.handler", PASSWORD)
    expect(handler.locator("#login-error")).to_contain_text("账户已被管理员锁定")
    expect(page.get_by_role("button", name="锁定 li.handler")).to_have_count(0)

    page.get_by_role("button", name="解锁 li.handler").click()
    expect(page.locator("#admin-notice")).to_contain_text("已解锁用户 li.handler")
    log_in(handler, server, "li.handler")

    # Locked out by failed logins: shown on the list, and unlocking lifts it.
    clock.advance(timedelta(minutes=1))  # failures at the password's own instant do not count
    for _ in range(5):
        with pytest.raises(LoginRefused):
            signin.login(
                svc, signin.local_passwords(svc), PasswordProof("zhao.handler", "wrong-1234")
            )
    page.reload()
    expect(page.locator("#user-zhao\\.handler .status")).to_contain_text("登录失败次数过多，锁定至")
    refused_login(handler, server, "zhao.handler", PASSWORD)
    expect(handler.locator("#login-error")).to_contain_text("暂时锁定")
    page.get_by_role("button", name="解锁 zhao.handler").click()
    expect(page.locator("#user-zhao\\.handler .status")).to_have_text("正常")
    log_in(handler, server, "zhao.handler")
    ctx.close()


def test_a_token_made_on_the_page_works_until_it_is_revoked(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    as_admin: Page,
    shots: Shots,  # noqa: F811
) -> None:
    page = as_admin
    # Without the session's CSRF token: refused before anything is looked at.
    forged = page.request.post(
        f"{server.url}/admin/tokens", form={"name": "forged", "username": "li.handler"}
    )
    assert forged.status == 403 and "CSRF" in forged.text()
    page.get_by_role("link", name="API 令牌").click()
    expect(page.get_by_role("heading", name="API 令牌")).to_be_visible()
    form = page.locator("#new-token")
    form.get_by_label("令牌名称").fill("Portal")  # capitals: refused beside the field
    form.get_by_label(re.compile("^账户")).select_option("li.handler")
    form.get_by_role("button", name="创建令牌").click()
    expect(page.locator("#t-name-err")).to_contain_text("小写字母")
    expect(page.locator("#tokens tbody")).to_contain_text("还没有 API 令牌")

    form = page.locator("#new-token")
    form.get_by_label("令牌名称").fill("portal")
    form.get_by_label("有效期（天）").fill("30")
    form.get_by_label("可读取申请人身份与联系信息").check()  # issue 11: asked for explicitly
    form.get_by_role("button", name="创建令牌").click()
    expect(page.locator("#admin-notice")).to_contain_text("已为 li.handler 创建令牌 portal")
    token = page.locator("#admin-secret").inner_text().strip()
    expect(page.locator("#token-portal .status")).to_have_text("有效")
    expect(page.locator("#token-portal .scope")).to_contain_text("可读取申请人身份与联系信息")
    shots(page, "admin-token-created")

    integration = browser.new_context()  # no cookie: the token alone
    bearer = {"Authorization": f"Bearer {token}"}
    answer = integration.request.get(f"{server.url}/api/v1/cases", headers=bearer)
    assert answer.status == 200, answer.text()

    page.get_by_role("button", name="吊销 portal").click()
    expect(page.locator("#admin-notice")).to_contain_text("已吊销令牌 portal")
    expect(page.locator("#token-portal .status")).to_contain_text("已吊销")
    answer = integration.request.get(f"{server.url}/api/v1/cases", headers=bearer)
    assert answer.status == 401
    integration.close()


def test_the_login_log_newest_first_a_page_at_a_time(
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    as_admin: Page,
) -> None:
    for n in range(50):  # with the administrator's own login: 51 entries, two pages
        with pytest.raises(LoginRefused):
            signin.login(svc, signin.local_passwords(svc), PasswordProof(f"nobody{n}", "x" * 10))
    page = as_admin
    page.get_by_role("link", name="登录日志").click()
    rows = page.locator("#login-log tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("nobody49")
    expect(rows.first).to_contain_text("无此账户")
    page.get_by_role("link", name="下一页").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("登录成功")
    expect(rows.first).to_contain_text(ADMIN)
    expect(page.get_by_role("link", name="下一页")).to_have_count(0)


def test_a_handler_sees_no_admin_link_and_is_refused_every_admin_page(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    expect(page.get_by_role("link", name="系统管理", exact=True)).to_have_count(0)
    for path in ADMIN_PAGES:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 403
        expect(page.locator(".error")).to_have_text("李经办 不是系统管理员，无权使用系统管理页面")
    before = usernames(svc)
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(
        f"{server.url}/admin/users",
        form={
            "csrf_token": csrf or "",
            "username": "x.y",
            "name": "某人",
            "role_handler": "on",
            "agency": "county",
        },
    )
    assert answer.status == 403 and "不是系统管理员" in answer.text()
    answer = page.request.post(
        f"{server.url}/admin/users/wang.clerk/lock", form={"csrf_token": csrf or ""}
    )
    assert answer.status == 403
    assert usernames(svc) == before
    ctx.close()


TEST_2027 = """\
# 仅供测试的假设安排，并非国务院办公厅通知
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-01-04, name: 测试假日}
  - {date: 2027-01-05, name: 测试假日}
makeup_workdays:
  - {date: 2027-01-09, name: 测试调休}
"""


def test_the_administrator_imports_a_calendar_year_and_sees_which_cases_moved(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    clock: FakeClock,
    admin: str,
    shots: Shots,  # noqa: F811
) -> None:
    shipped = sorted(configs.shipped("calendar").glob("*.yaml"))
    services.seed_calendar(svc, [(p.name, p.read_bytes()) for p in shipped])
    clock.set(datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI))
    clerk = accounts.principal_for(svc, "wang.clerk", "cli:test")
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": "跨年的申请",
        "channel": "in_person",
    }
    ref = services.register_request(svc, agency_code="county", principal=clerk, intake=intake)
    ctx, page = new_page(browser)
    admin_login(page, server)
    page.get_by_role("link", name="工作日历").click()
    expect(page.get_by_role("heading", name="工作日历")).to_be_visible()
    expect(page.locator("#year-title")).to_contain_text("2026 年")
    expect(page.locator("#calendar-days")).to_contain_text("春节")
    files_before = page.locator("#calendar-files tbody tr").count()

    # A file that contradicts itself: refused whole, nothing imported.
    bad = TEST_2027.replace("2027-01-09", "2027-01-05").encode()
    page.get_by_label(labelled("日历文件")).set_input_files(
        files=[{"name": "2027.yaml", "mimeType": "application/x-yaml", "buffer": bad}]
    )
    page.get_by_role("button", name="导入并重新计算期限").click()
    expect(page.locator("#admin-error")).to_contain_text("既是放假日又是调休上班日")
    expect(page.locator("#calendar-files tbody tr")).to_have_count(files_before)

    page.get_by_label(labelled("日历文件")).set_input_files(
        files=[
            {"name": "2027.yaml", "mimeType": "application/x-yaml", "buffer": TEST_2027.encode()}
        ]
    )
    page.get_by_role("button", name="导入并重新计算期限").click()
    notice = page.locator("#admin-notice")
    expect(notice).to_contain_text("已导入日历文件 2027.yaml（年度节假日安排，2027 年")
    expect(notice).to_contain_text(f"{ref} 答复期限：2027-01-15 → 2027-01-19")
    expect(notice).to_contain_text("已按新日历重新计算 1 件案件的期限，1 件有变化")
    expect(page.locator("#year-title")).to_have_text("2027 年")
    expect(page.locator("#calendar-days")).to_contain_text("测试调休")
    expect(page.locator("#calendar-files tbody tr")).to_have_count(files_before + 1)
    shots(page, "admin-calendar-imported")
    ctx.close()


def test_the_ladders_in_force_read_only(
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    as_admin: Page,
) -> None:
    page = as_admin
    page.get_by_role("link", name="预警与督办规则").click()
    expect(page.get_by_role("heading", name="预警与督办规则", level=1)).to_be_visible()
    by = accounts.principal_for(svc, ADMIN, "cli:test")
    for ladder in services.escalation_ladders(svc, by):
        section = page.locator(f"#ladder-{ladder.case_type}")
        expect(section.get_by_role("heading")).to_have_text(ladder.label)
        expect(section.locator("tbody tr")).to_have_count(sum(len(r) for _, r in ladder.kinds))
    online = page.locator("#ladder-online_message")
    expect(online.locator("caption")).to_have_text(["留言答复期限"])
    expect(online.locator("tbody tr").first).to_contain_text("届满当日预警")
    expect(online.locator("tbody tr").last).to_contain_text("超期时督办（每日重复）")
    expect(online.locator("tbody tr").last).to_contain_text("本机关公开办负责人；上级机关督查")
    # Every administrator's page is usable on a narrow window.
    page.set_viewport_size({"width": 420, "height": 800})
    for path in ADMIN_PAGES:
        page.goto(f"{server.url}{path}")
        page.wait_for_timeout(100)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
