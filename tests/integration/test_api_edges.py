"""The API at its edges, as an integration or a careless script calls it (SPEC W-1), on
SQLite and PostgreSQL: whatever comes in, the answer is the one error model with a
Chinese message, never a 500, and a refused request writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow.services import Services
from tests.api_support import ApiHarness, registration

HEAD = "zhang.head"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def _refused(answer: Any, status: int = 400, code: str = "invalid_input") -> dict[str, Any]:
    """The one error model, with a Chinese message."""
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == code, body
    assert not body["message"].isascii(), body
    return body


@pytest.mark.parametrize(
    "after",
    [
        "2025-10-01T16:00:00+00:00~99999999999999999999",  # beyond a 64-bit id
        "2025-10-01T16:00:00+00:00~9223372036854775808",
        "9999-12-31T23:59:59-14:00~1",  # no UTC instant: past the end of the calendar
        "0001-01-01T00:00:00+14:00~1",  # … and before its start
    ],
)
def test_a_tampered_page_cursor_is_refused_in_chinese_not_a_500(
    api: ApiHarness, http: TestClient, after: str
) -> None:
    """``next_after`` comes back from the caller: an edited one is bad input, whatever it
    holds, never an overflow in the database driver."""
    registered = http.post("/api/v1/requests", json=registration(), headers=api.headers(HEAD))
    assert registered.status_code == 201, registered.text
    answer = http.get("/api/v1/cases", params={"after": after}, headers=api.headers(HEAD))
    assert "翻页位置" in _refused(answer)["message"]
