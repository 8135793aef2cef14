"""A page's address that fails before its page runs (TestClient, both databases): a path
that is no page, a query or path parameter of the wrong kind or missing, an internal
error. A person's browser gets a zh-CN error page with the navigation, never the API's
JSON error body (``{"error": "invalid_input", "message": "…query.year…"}``); the API's
own addresses and an htmx request (whose JSON message ``web.js`` shows in the alert box)
keep the one error model."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.web_support import page_client, signed_in


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("admin", "chen.supervisor", "li.handler")) as test_client:
        yield test_client


def _is_error_page(response_text: str) -> bool:
    return "<!doctype html>" in response_text and 'class="error" role="alert"' in response_text


@pytest.mark.parametrize(
    ("who", "address", "status"),
    [
        ("li.handler", "/no-such-page", 404),
        ("li.handler", "/cases", 404),
        ("li.handler", "/cases/%E7%A4%BA1/documents/abc", 400),
        ("admin", "/admin/calendar?year=abc", 400),
        ("admin", "/admin/login-log?page=abc", 400),
        ("chen.supervisor", "/supervise/cases", 400),
    ],
)
def test_a_bad_page_address_shows_a_page_in_chinese_not_json(
    client: TestClient, svc: services.Services, who: str, address: str, status: int
) -> None:
    signed_in(client, svc, who)
    response = client.get(address, headers={"Accept": "text/html"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert _is_error_page(response.text), response.text[:300]
    message = re.search(r'<p class="error" role="alert">([^<]*)</p>', response.text)
    assert message and not re.search(r"[a-z]+\.[a-z]+|query|path|invalid_input", message[1])
    assert 'href="/">' in response.text  # the way back
    assert 'aria-label="主导航"' in response.text and "退出登录" in response.text


def test_a_bad_page_address_without_a_session_still_reads_in_chinese(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert _is_error_page(response.text)


def test_an_internal_error_on_a_page_is_a_page_with_its_reference(
    client: TestClient, svc: services.Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govflow.web.pages import queue

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-detail-that-must-not-leak")

    monkeypatch.setattr(queue, "list_cases", broken)
    signed_in(client, svc, "li.handler")
    response = client.get("/")
    assert response.status_code == 500
    assert _is_error_page(response.text)
    assert re.search(r"参考编号 [0-9a-f]{12}", response.text)
    assert "secret-detail" not in response.text and "Traceback" not in response.text


def test_the_api_and_htmx_requests_keep_the_json_error_model(
    client: TestClient, svc: services.Services
) -> None:
    csrf = signed_in(client, svc, "admin")
    api = client.get("/api/v1/nowhere")
    assert (api.status_code, api.json()["error"]) == (404, "not_found")
    htmx = client.get(
        "/admin/login-log?page=abc", headers={"HX-Request": "true", "X-CSRF-Token": csrf}
    )
    assert (htmx.status_code, htmx.json()["error"]) == (400, "invalid_input")
