"""Single sign-on from the login page, in a real browser (issue 12: "the SSO button when
configured"): Chromium goes to the test's own OpenID Connect provider and back, and the
person lands in their queue; someone the provider knows but govflow does not is refused
on the login page; without a provider there is no button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.sso import UrllibTransport
from govflow.web import health
from govflow.web.app import create_app
from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.clock import FakeClock
from govflow.workflow.identity.oidc import OpenIdConnect
from govflow.workflow.identity.settings import OidcSettings
from govflow.workflow.services import accounts
from govflow.workflow.services.accounts import NewAccount
from tests.browser.conftest import LiveServer
from tests.integration.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalOidcProvider

SUBJECT = "sso-4401"


@pytest.fixture
def svc(pg_engine: Engine, clock: FakeClock, calendar) -> services.Services:  # type: ignore[no-untyped-def]
    built = build_services(pg_engine, clock, calendar)
    admin_name, _ = accounts.bootstrap_admin(built) or ("", "")
    admin = accounts.principal_for(built, admin_name, "cli:test")
    person = NewAccount("zhou.handler", "周经办", (Role.HANDLER,), "county", oidc_subject=SUBJECT)
    accounts.add_user(built, admin, person)
    return built


@pytest.fixture
def idp(clock: FakeClock) -> Iterator[LocalOidcProvider]:
    provider = LocalOidcProvider(clock.now).start()
    yield provider
    provider.stop()


@pytest.fixture
def server(
    svc: services.Services, pg_engine: Engine, idp: LocalOidcProvider
) -> Iterator[LiveServer]:
    app = create_app(svc, {"database": health.database_check(pg_engine)})
    live = LiveServer(app)
    idp.redirect_uri = f"{live.url}/login/oidc"
    settings = OidcSettings(issuer=idp.url, client_id=CLIENT_ID, redirect_uri=idp.redirect_uri)  # type: ignore[arg-type]
    app.state.sso = OpenIdConnect(settings, SecretStr(CLIENT_SECRET), UrllibTransport(5), svc.clock)
    with live:
        yield live


def fresh_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    return context.new_page()


def test_a_person_signs_in_through_the_provider(
    browser: Browser, server: LiveServer, idp: LocalOidcProvider, pg_engine: Engine
) -> None:
    page = fresh_page(browser)
    page.goto(f"{server.url}/login")
    button = page.get_by_role("button", name="统一身份认证登录")
    expect(button).to_be_visible()
    idp.subject = SUBJECT
    button.click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    assert page.url == f"{server.url}/"
    assert "govflow_sso" not in {c["name"] for c in page.context.cookies()}  # used once
    with pg_engine.connect() as conn:
        logged = conn.execute(
            text("SELECT username, outcome FROM login_attempts WHERE provider = 'oidc'")
        ).all()
    assert [tuple(r) for r in logged] == [(SUBJECT, "success")]
    # The way back only works once: a replayed callback is refused, the session unharmed.
    page.goto(f"{server.url}/login/oidc?code=replayed&state=x")
    expect(page.get_by_role("alert")).to_contain_text("重新登录")
    page.context.close()


def test_someone_govflow_does_not_know_is_refused_on_the_login_page(
    browser: Browser, server: LiveServer, idp: LocalOidcProvider
) -> None:
    page = fresh_page(browser)
    idp.subject = "sso-stranger"
    page.goto(f"{server.url}/login?next=/approvals")
    page.get_by_role("button", name="统一身份认证登录").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "统一身份认证账户（sso-stranger）尚未关联 govflow 账户，请联系系统管理员"
    )
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert "govflow_session" not in {c["name"] for c in page.context.cookies()}
    page.context.close()


def test_without_a_provider_there_is_no_button(
    browser: Browser, svc: services.Services, pg_engine: Engine
) -> None:
    app = create_app(svc, {"database": health.database_check(pg_engine)})
    with LiveServer(app) as live:
        page = fresh_page(browser)
        page.goto(f"{live.url}/login")
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="统一身份认证登录")).to_have_count(0)
        page.goto(f"{live.url}/login/sso")
        expect(page.get_by_role("alert")).to_contain_text("未配置统一身份认证")
        page.context.close()
