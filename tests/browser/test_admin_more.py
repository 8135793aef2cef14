"""The administrator's remaining pages in a real browser: the declared case types (states,
actions with their roles, the state diagram as text), the agency tree with each agency's
active accounts, and the notification channels with a test message sent through the real
channel code to local receivers (SMTP and a webhook); a handler is refused each page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import Engine

from govflow.web import health
from govflow.web.app import create_app
from govflow.workflow import services
from govflow.workflow.services import accounts
from tests.browser.conftest import LiveServer
from tests.browser.test_admin import ADMIN, admin, admin_login  # noqa: F401  (fixture)
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    log_in,
    new_page,
    server,
    svc,
)
from tests.integration.receivers import SmtpReceiver, WebhookReceiver, wait_until


@pytest.fixture
def as_admin(browser: Browser, server: LiveServer, admin: str) -> Iterator[Page]:  # noqa: F811
    context, page = new_page(browser)
    admin_login(page, server)
    yield page
    context.close()


def test_the_case_types_page_lists_each_type_with_its_actions_and_diagram(
    as_admin: Page,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    page = as_admin
    page.get_by_role("link", name="案件类型").click()
    expect(page.get_by_role("heading", name="案件类型", exact=True)).to_be_visible()
    # What the declarations say, read independently of the page's use case.
    declared = services.actions(svc.config)
    assert len(declared) >= 2
    expect(page.locator("section.case-type")).to_have_count(len(declared))
    for kind in declared:
        section = page.locator(f"#type-{kind.name}")
        expect(section.get_by_role("heading", name=kind.label, exact=True)).to_be_visible()
        rows = section.locator(f"#type-{kind.name}-actions tbody tr")
        expect(rows).to_have_count(len(kind.actions))
        for row, action in zip(rows.all(), kind.actions, strict=True):
            expect(row.locator("td").first).to_contain_text(action.label)
            expect(row.locator("td").nth(1)).to_have_text("、".join(action.role_labels))
        diagram = section.locator(f"#type-{kind.name}-diagram")
        expect(diagram).to_have_text(services.diagram(svc, kind.name, "mermaid"))
    assert "stateDiagram" in page.locator("pre.diagram").first.inner_text()


def test_the_agencies_page_shows_the_tree_and_the_active_accounts_of_each(
    as_admin: Page,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    page = as_admin
    # One person leaves the county office: its count drops, the others stay.
    admin_principal = accounts.principal_for(svc, ADMIN, "cli:test")
    services.deactivate_user(svc, admin_principal, "zhao.handler", "调离")
    page.get_by_role("link", name="机关", exact=True).click()
    expect(page.get_by_role("heading", name="机关", exact=True)).to_be_visible()
    everyone = services.list_users(svc, admin_principal)
    rows = page.locator("#agencies tbody tr")
    expect(rows).to_have_count(3)
    # The county office first, the departments below it indented after it.
    expect(rows.nth(0).locator("td").first).to_have_text("示范县人民政府办公室")
    expect(rows.nth(1).locator("td").first).to_contain_text("└ ")
    for code in ("county", "edu", "housing"):
        active = [u for u in everyone if u.agency_code == code and u.status.value == "active"]
        expect(page.locator(f"#agency-{code} td").last).to_have_text(str(len(active)))
    county = [u for u in everyone if u.agency_code == "county" and u.status.value == "active"]
    assert "zhao.handler" not in {u.username for u in county} and len(county) == 4


def test_the_administrator_adds_a_town_and_then_a_person_to_it(
    as_admin: Page,
    svc: services.Services,  # noqa: F811
) -> None:
    page = as_admin
    page.get_by_role("link", name="机关", exact=True).click()
    form = page.locator("#new-agency")
    # A prefix another agency uses: said beside its field, what was typed kept, nothing added.
    form.get_by_label("机关名称").fill("示范县城关镇人民政府")
    form.get_by_label("代码").fill("chengguan")
    form.get_by_label("文号前缀").fill("示教")
    form.get_by_label("上级机关").select_option("county")
    form.get_by_role("button", name="新增机关").click()
    expect(page.locator("#a-ref_prefix-err")).to_contain_text("已被其他机关使用")
    expect(page.locator("#admin-error")).to_contain_text("本次未保存")
    expect(page.locator("#new-agency").get_by_label("代码")).to_have_value("chengguan")
    expect(page.locator("#agency-chengguan")).to_have_count(0)

    form = page.locator("#new-agency")
    form.get_by_label("文号前缀").fill("示城关")
    expect(form.get_by_label("上级机关")).to_have_value("county")
    form.get_by_role("button", name="新增机关").click()
    expect(page.locator("#admin-notice")).to_have_text(
        "已新增机关 示范县城关镇人民政府（chengguan）"
    )
    town = page.locator("#agency-chengguan")
    expect(town.locator("td").first).to_have_text("\u3000└ 示范县城关镇人民政府")
    expect(town.locator("td").last).to_have_text("0")

    # The users page offers the new agency at once: a handler for the town.
    page.get_by_role("link", name="用户", exact=True).click()
    form = page.locator("#new-user")
    form.get_by_label("用户名").fill("qian.handler")
    form.get_by_label("姓名").fill("钱经办")
    form.get_by_label("所属机关").select_option("chengguan")
    form.get_by_label("经办人").check()
    form.get_by_role("button", name="新增用户").click()
    expect(page.locator("#admin-notice")).to_contain_text("已新增用户 qian.handler（钱经办）")
    expect(page.locator("#user-qian\\.handler td").nth(1)).to_have_text("示范县城关镇人民政府")
    page.get_by_role("link", name="机关", exact=True).click()
    expect(page.locator("#agency-chengguan td").last).to_have_text("1")
    admin_principal = accounts.principal_for(svc, ADMIN, "cli:test")
    added = [u for u in services.list_users(svc, admin_principal) if u.username == "qian.handler"]
    assert [u.agency_code for u in added] == ["chengguan"]


@pytest.fixture
def receivers() -> Iterator[tuple[SmtpReceiver, WebhookReceiver]]:
    with SmtpReceiver() as smtp, WebhookReceiver() as hook:
        yield smtp, hook


@pytest.fixture
def channel_server(
    svc: services.Services,  # noqa: F811
    pg_engine: Engine,
    receivers: tuple[SmtpReceiver, WebhookReceiver],
    admin: str,  # noqa: F811
) -> Iterator[LiveServer]:
    """The application with e-mail and a webhook configured to the local receivers; the
    channels are built by the application itself, from these settings."""
    smtp, hook = receivers
    settings = svc.config.settings
    notifications = settings.notifications.model_copy(
        update={
            "channels": ("log", "email", "webhook"),
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "webhook_url": SecretStr(hook.url),
        }
    )
    config = replace(
        svc.config, settings=settings.model_copy(update={"notifications": notifications})
    )
    app = create_app(replace(svc, config=config), {"database": health.database_check(pg_engine)})
    with LiveServer(app) as live:
        yield live


def test_a_test_message_goes_through_each_configured_channel(
    browser: Browser,
    channel_server: LiveServer,
    receivers: tuple[SmtpReceiver, WebhookReceiver],
) -> None:
    smtp, hook = receivers
    context, page = new_page(browser)
    admin_login(page, channel_server)
    page.get_by_role("link", name="通知渠道").click()
    expect(page.locator("#channels tbody tr")).to_have_count(3)
    expect(page.locator("#channel-webhook")).not_to_contain_text(hook.url)  # never the URL
    # E-mail without an address: said beside the field, nothing sent.
    email = page.locator("#channel-email")
    email.get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#ch-email-address-err")).to_have_text("请填写有效的电子邮件地址")
    assert smtp.received() == []
    page.locator("#channel-email").get_by_label("收件地址").fill("office@example.com")
    page.locator("#channel-email").get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#admin-notice")).to_have_text(
        "已通过电子邮件发送测试消息至 office@example.com"
    )
    mails = wait_until(smtp.received, 10)
    assert mails[0].rcpt_tos == ("office@example.com",)
    assert mails[0].subject == "【测试】govflow 通知渠道测试消息"
    page.locator("#channel-webhook").get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#admin-notice")).to_have_text("已通过Webhook发送测试消息")
    hooks = wait_until(hook.received, 10)
    assert hooks[0].payload["subject"] == "【测试】govflow 通知渠道测试消息"
    assert hooks[0].key.startswith("test:webhook:")
    # The receiver gone: the failure is said in Chinese, without the URL.
    hook.stop()
    page.locator("#channel-webhook").get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#admin-error")).to_contain_text("Webhook测试消息发送失败")
    expect(page.locator("#admin-error")).not_to_contain_text(hook.url)
    context.close()


def test_a_handler_is_refused_the_administrators_pages(
    browser: Browser,
    server: LiveServer,  # noqa: F811
) -> None:
    context, page = new_page(browser)
    log_in(page, server, "li.handler")
    for path in ("/admin/case-types", "/admin/agencies", "/admin/channels"):
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_text("不是系统管理员")).to_be_visible()
    response = page.request.post(f"{server.url}/admin/channels/log/test", form={})
    assert response.status == 403  # no CSRF token, and no administrator either
    context.close()
