"""The API documentation renders in a real browser with nothing fetched from outside the
server: the office intranet has no internet (Swagger UI and ReDoc are vendored)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request
from sqlalchemy import Engine

from govflow.web import health
from govflow.web.app import create_app
from govflow.workflow.services import Services
from tests.browser.conftest import LiveServer, screenshot


@pytest.fixture
def server(svc: Services, pg_engine: Engine) -> Iterator[LiveServer]:
    app = create_app(svc, {"database": health.database_check(pg_engine)})
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def svc(pg_engine: Engine, clock, calendar) -> Services:  # type: ignore[no-untyped-def]
    from govflow.app import build_services

    return build_services(pg_engine, clock, calendar)


def _leaks(page: Page, requests: list[Request]) -> list[str]:
    """Requests for another host that the page's policy did not stop inside the browser.

    This machine has no internet either, so "it failed" proves nothing: only a request
    refused by the Content-Security-Policy (failure "csp") is known never to have left."""
    page.wait_for_load_state("networkidle")
    outside = [
        r
        for r in requests
        if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).hostname != "127.0.0.1"
    ]
    return [f"{r.url} ({r.failure})" for r in outside if r.failure != "csp"]


def test_swagger_ui_renders_the_api_document_offline(page: Page, server: LiveServer) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "govflow API" in page.inner_text(".swagger-ui .info .title")
    screenshot(page, "api-docs")
    assert _leaks(page, requests) == []


def test_redoc_renders_the_api_document_offline(page: Page, server: LiveServer) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{server.url}/api/v1/redoc")
    page.wait_for_selector("redoc h1, .api-info h1", timeout=15_000)
    assert "govflow API" in page.inner_text("body")
    assert _leaks(page, requests) == []
