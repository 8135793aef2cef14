"""The HTTP API names a case's assignee as people read them, on SQLite and PostgreSQL: the
case list's rows and the case carry ``assignee_name`` (the Chinese name the pages show)
beside the username, typed in the OpenAPI document, and a page of rows costs the same
statements however many of them are assigned (the names are read once a page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from govflow.workflow.services import Services
from tests.api_support import ApiHarness, path, registration

CLERK, HEAD = "wang.clerk", "zhang.head"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def _register(api: ApiHarness, http: TestClient, description: str) -> dict[str, Any]:
    body = registration(description=description)
    answer = http.post("/api/v1/requests", json=body, headers=api.headers(CLERK))
    assert answer.status_code == 201, answer.text
    return answer.json()


def _assign(api: ApiHarness, http: TestClient, case: dict[str, Any], username: str) -> None:
    shown = http.get(path(case["ref"]), headers=api.headers(HEAD)).json()
    moved = http.post(
        path(case["ref"], "actions", "assign"),
        json={"assignee": username},
        headers={**api.headers(HEAD), "If-Match": f'"{shown["version"]}"'},
    )
    assert moved.status_code == 200, moved.text


def _listed(api: ApiHarness, http: TestClient) -> tuple[dict[str, Any], int]:
    """The list's rows by reference number, and the statements the second reading sent
    (the first warms what a process keeps: the restored rows, the token's account)."""
    http.get("/api/v1/cases", headers=api.headers(HEAD))
    sent = 0

    def count(*_args: Any) -> None:
        nonlocal sent
        sent += 1

    event.listen(api.engine, "before_cursor_execute", count)
    try:
        answer = http.get("/api/v1/cases", headers=api.headers(HEAD))
    finally:
        event.remove(api.engine, "before_cursor_execute", count)
    assert answer.status_code == 200, answer.text
    return {row["ref"]: row for row in answer.json()["cases"]}, sent


def test_the_list_and_the_case_name_the_assignee_without_a_statement_per_row(
    api: ApiHarness, http: TestClient
) -> None:
    cases = [_register(api, http, f"第{i}份文件") for i in range(3)]
    _assign(api, http, cases[0], "li.handler")
    rows, one_assigned = _listed(api, http)
    assert [(rows[c["ref"]]["assignee"], rows[c["ref"]]["assignee_name"]) for c in cases] == [
        ("li.handler", "李经办"),
        (None, None),
        (None, None),
    ]
    _assign(api, http, cases[1], "zhao.handler")
    _assign(api, http, cases[2], "zhang.head")
    rows, all_assigned = _listed(api, http)
    assert [rows[c["ref"]]["assignee_name"] for c in cases] == ["李经办", "赵经办", "张主任"]
    assert all_assigned == one_assigned  # one look-up of the page's names, however many
    shown = http.get(path(cases[1]["ref"]), headers=api.headers(HEAD)).json()
    assert (shown["assignee"], shown["assignee_name"]) == ("zhao.handler", "赵经办")


def test_the_openapi_document_types_the_assignee_name(api: ApiHarness, http: TestClient) -> None:
    schemas = http.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for model in ("CaseRow", "Case"):
        field = schemas[model]["properties"]["assignee_name"]
        assert field["anyOf"] == [{"type": "string"}, {"type": "null"}], model
        assert "经办人姓名" in field["description"]
