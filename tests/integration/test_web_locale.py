"""The pages' locale (issue 12): ``GOVFLOW_LOCALE=en`` shows the login page and the
navigation in English from the catalogue; the default shows them in Chinese exactly as the
templates always have (the msgids are that Chinese). The domain words a page shows from the
declarations (a case's type, state, actions, limits) follow the same catalogue, while the
stored events keep their zh-CN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.web import health, i18n
from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.app import create_app
from govflow.workflow import services
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.services import accounts, signin
from tests.api_support import registration
from tests.principals import acting

PASSWORD = "Locale-test-2025"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _client(svc: services.Services, engine: Engine) -> TestClient:
    admin_name, _ = accounts.bootstrap_admin(svc) or ("", "")
    admin = accounts.principal_for(svc, admin_name, "cli:test")
    accounts.set_password(svc, admin, "li.handler", PASSWORD, temporary=False)
    # As ``app_from_environment`` does: the edge reads the setting once and hands it on.
    app = create_app(
        svc, {"database": health.database_check(engine)}, locale=i18n.locale_from_environment()
    )
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture
def english(
    svc: services.Services, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv(i18n.ENV_LOCALE, "en")
    with _client(svc, engine) as client:
        yield client


@pytest.fixture
def chinese(
    svc: services.Services, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.delenv(i18n.ENV_LOCALE, raising=False)
    with _client(svc, engine) as client:
        yield client


def _signed_in(client: TestClient, svc: services.Services) -> TestClient:
    session = signin.login(svc, signin.local_passwords(svc), PasswordProof("li.handler", PASSWORD))
    client.cookies.set(SESSION_COOKIE, session.session_id)
    return client


def _visible(html: str) -> str:
    """The page's text a person reads (tags, the CSRF token and the user's name aside)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_english_login_page(english: TestClient) -> None:
    html = english.get("/login").text
    assert '<html lang="en">' in html
    assert "<title>Sign in · govflow case system</title>" in html
    assert "<h1>Sign in</h1>" in html
    assert '<label for="username">Username</label>' in html
    assert '<label for="password">Password</label>' in html
    assert not CJK.search(_visible(html)), "a word of the login page is not translated"


def test_english_navigation_and_queue(english: TestClient, svc: services.Services) -> None:
    html = _signed_in(english, svc).get("/").text
    assert '<a href="/">My queue</a>' in html
    assert '<a href="/search">Search cases</a>' in html
    assert "Sign out" in html
    assert '<nav aria-label="Main navigation">' in html
    assert "handler" in html  # the role beside the person's name
    assert "<h1>My queue</h1>" in html


def test_chinese_is_the_default_and_unchanged(chinese: TestClient, svc: services.Services) -> None:
    login = chinese.get("/login").text
    assert '<html lang="zh-CN">' in login
    assert "<title>登录 · govflow 办件系统</title>" in login
    assert "<h1>登录</h1>" in login
    assert '<label for="username">用户名</label>' in login
    assert '<button type="submit">登录</button>' in login
    queue = _signed_in(chinese, svc).get("/").text
    assert '<nav aria-label="主导航">' in queue
    assert '<a href="/">我的待办</a>' in queue
    assert '<a href="/search">案件查询</a>' in queue
    assert "（经办人）</a>" in queue
    assert "退出登录" in queue
    assert "<h1>我的待办</h1>" in queue
    assert not re.search(r"[A-Za-z]{4,} (queue|cases)", _visible(queue))


def test_an_unknown_locale_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="GOVFLOW_LOCALE='xx'"):
        i18n.load("xx")


def _request(svc: services.Services) -> str:
    """A request handed in person: registered, its receipt confirmed, the reply limit running."""
    principal = acting(svc, "li.handler")
    return services.register_request(
        svc, agency_code="county", principal=principal, intake=registration()
    )


def _queue_and_case(client: TestClient, svc: services.Services) -> tuple[str, str, str]:
    """A request registered, then the handler's whole queue and its page: (ref, queue, case)."""
    ref = _request(svc)
    signed_in = _signed_in(client, svc)
    queue = signed_in.get("/?scope=all").text
    return ref, queue, signed_in.get(f"/cases/{quote(ref, safe='')}").text


def test_english_names_the_domain_words_of_the_queue_and_the_case(
    english: TestClient, svc: services.Services
) -> None:
    ref, queue, case = _queue_and_case(english, svc)
    assert "<td>Information disclosure request</td>" in queue
    assert "<td>Registered</td>" in queue
    # The row shows the limit it is sorted by (the correction window, due first) and the
    # reply limit beneath it.
    assert "<td>Correction notice deadline<span" in queue
    assert 'data-key="reply">Reply deadline：' in queue
    assert '<strong id="case-state">Registered</strong>' in case
    assert '<summary role="button" class="outline">Start review</summary>' in case
    assert "<strong>Reply deadline</strong>" in case
    assert "<strong>Confirm receipt</strong>" in case  # the timeline's action
    assert "已登记" not in _visible(case) and "开始审核" not in _visible(case)
    # Only the page translates: the stored history keeps the zh-CN words and codes.
    timeline = services.case_timeline(svc, acting(svc, "li.handler").as_reader(), ref)
    assert {e.action_label for e in timeline.entries} >= {"登记申请", "确认收到申请"}


def test_chinese_shows_the_declared_words_unchanged(
    chinese: TestClient, svc: services.Services
) -> None:
    _, queue, case = _queue_and_case(chinese, svc)
    assert "<td>政府信息公开申请</td>" in queue
    assert "<td>已登记</td>" in queue
    assert "<td>补正告知期限<span" in queue
    assert 'data-key="reply">答复期限：' in queue
    assert '<strong id="case-state">已登记</strong>' in case
    assert '<summary role="button" class="outline">开始审核</summary>' in case
    assert "<strong>确认收到申请</strong>" in case
    assert "Registered" not in case and "Start review" not in case
