"""The web application's frame: one error model, vendored documentation, health and metrics.

The routes of the API itself are tested with the use cases they expose; here a few routes
that raise each domain error stand in for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.web import health
from govflow.web.app import STATIC, create_app
from govflow.workflow.errors import ActionNotAllowed, Conflict, InvalidInput, NotFound
from govflow.workflow.services import Services


class Body(BaseModel):
    received_on: str
    pages: int


def _app(svc: Services, engine: Engine, **extra_checks: health.ReadinessCheck) -> FastAPI:
    app = create_app(svc, {"database": health.database_check(engine), **extra_checks})
    errors = {
        "bad": InvalidInput("字段有误"),
        "gone": NotFound("没有编号为 X 的案件"),
        "late": Conflict("案件已被他人修改"),
        "no": ActionNotAllowed("不能在此状态下执行"),
    }

    @app.get("/api/v1/raise/{kind}")
    def raise_(kind: str) -> None:
        if kind == "boom":
            raise RuntimeError("secret-detail-that-must-not-leak")
        raise errors[kind]

    @app.post("/api/v1/echo")
    def echo(body: Body) -> Body:
        return body

    return app


@pytest.fixture
def client(svc: Services, engine: Engine) -> Iterator[TestClient]:
    with TestClient(_app(svc, engine), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("bad", 400, "invalid_input"),
        ("gone", 404, "not_found"),
        ("late", 409, "conflict"),
        ("no", 422, "not_allowed"),
    ],
)
def test_each_domain_error_has_its_status_and_the_one_error_model(
    client: TestClient, kind: str, status: int, code: str
) -> None:
    response = client.get(f"/api/v1/raise/{kind}")
    assert response.status_code == status
    assert set(response.json()) == {"error", "message", "fields"}
    assert response.json()["error"] == code
    assert not response.json()["message"].isascii()  # a Chinese sentence, not a code


def test_a_malformed_body_names_each_field_in_chinese(client: TestClient) -> None:
    response = client.post("/api/v1/echo", json={"pages": "many"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["fields"] == {"body.received_on": "必填", "body.pages": "应为整数"}


def test_unknown_routes_and_internal_errors_use_the_same_model_and_leak_nothing(
    client: TestClient,
) -> None:
    missing = client.get("/api/v1/nowhere")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    boom = client.get("/api/v1/raise/boom")
    assert boom.status_code == 500
    assert boom.json()["error"] == "internal"
    assert re.search(r"参考编号 [0-9a-f]{12}", boom.json()["message"])
    assert "secret-detail" not in boom.text and "Traceback" not in boom.text


def test_the_openapi_document_is_3_1_and_describes_the_error_model(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_documentation_pages_load_nothing_from_outside(client: TestClient, page: str) -> None:
    html = client.get(page).text
    urls = re.findall(r"""(?:src|href|url)\s*[=:(]\s*['"]([^'"]+)['"]""", html)
    assert urls, html
    for url in urls:
        assert url.startswith("/"), url
        if url.startswith("/static/"):
            served = client.get(url)
            assert served.status_code == 200, url
            assert served.content == (STATIC / url.removeprefix("/static/")).read_bytes()
    assert "googleapis" not in html and "cdn" not in html.lower()


def test_readiness_names_the_service_that_does_not_answer(svc: Services, engine: Engine) -> None:
    def broker_down() -> None:
        raise ConnectionRefusedError("127.0.0.1:1")

    with TestClient(_app(svc, engine)) as ok:
        assert ok.get("/healthz").json() == {"status": "ok"}
        assert ok.get("/readyz").status_code == 200
    with TestClient(_app(svc, engine, broker=broker_down)) as down:
        response = down.get("/readyz")
        assert response.status_code == 503
        assert response.json()["failing"] == {"broker": "ConnectionRefusedError"}
        assert "broker" in response.json()["message"]


def test_head_answers_as_get_would_without_the_body(svc: Services, engine: Engine) -> None:
    """Load balancers and monitors probe with HEAD: every GET route answers it with the
    GET's status and headers and no body; a path without GET is still 405."""

    def broker_down() -> None:
        raise ConnectionRefusedError("127.0.0.1:1")

    with TestClient(_app(svc, engine), raise_server_exceptions=False) as ok:
        for address in (
            "/healthz",
            "/readyz",
            "/login",
            "/favicon.ico",
            "/static/web/web.css",
            "/api/v1/openapi.json",
        ):
            got, head = ok.get(address), ok.head(address)
            assert (head.status_code, got.status_code) == (200, 200), address
            assert head.content == b"", address
            for header in ("content-length", "content-type", "x-content-type-options"):
                assert head.headers[header] == got.headers[header], (address, header)
        assert ok.head("/api/v1/cases").status_code == 401  # as the GET: credentials first
        assert ok.head("/api/v1/raise/gone").status_code == 404
        assert ok.head("/api/v1/echo").status_code == 405  # POST only
    with TestClient(_app(svc, engine, broker=broker_down)) as down:
        head = down.head("/readyz")
        assert head.status_code == 503 and head.content == b""


def test_metrics_are_served_for_prometheus(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "govflow_firings" in response.text or "python_info" in response.text


@pytest.mark.parametrize(
    "address",
    ["/api/v1/escalations?case=%23%00%C3%A4", "/api/v1/cases?q=a%00b", "/api/v1/cases/a%00b"],
)
def test_a_nul_in_the_address_is_refused_before_any_query(client: TestClient, address: str) -> None:
    # PostgreSQL cannot compare a text holding NUL: without the guard these were 500s
    # (found by schemathesis on GET /api/v1/escalations?case=…).
    response = client.get(address)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_input"
    assert "NUL" in response.json()["message"]


def test_every_answer_carries_the_security_headers_unless_its_route_set_its_own(
    client: TestClient,
) -> None:
    for address in ("/healthz", "/api/v1/nowhere", "/login", "/static/web/web.css"):
        headers = client.get(address).headers
        assert headers["X-Content-Type-Options"] == "nosniff", address
        assert headers["X-Frame-Options"] == "DENY", address
        assert headers["Referrer-Policy"] == "same-origin", address
        assert headers["Content-Security-Policy"].startswith("default-src 'self'"), address
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], address
    # The API documentation allows its own start-up script: its policy is kept, not doubled.
    docs = client.get("/api/v1/docs").headers.get_list("Content-Security-Policy")
    assert len(docs) == 1 and "'unsafe-inline'" in docs[0]
