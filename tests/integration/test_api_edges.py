"""The API at its edges, as an integration or a careless script calls it (SPEC W-1), on
SQLite and PostgreSQL: whatever comes in, the answer is the one error model with a
Chinese message, never a 500, and a refused request writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
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


@pytest.mark.parametrize(
    "field, value",
    [
        ("received_on", 1759276800),  # a Unix time: pydantic would read 2025-10-01
        ("received_on", "1759276800"),
        ("received_on", "2025-09-22T00:00:00"),  # an instant is not a day
        ("receipt_date", 1759276800),
    ],
)
def test_a_registration_takes_a_date_as_a_date_never_a_number(
    api: ApiHarness, http: TestClient, field: str, value: object
) -> None:
    """README: every date is written 2025-09-01, never a number. The website's form
    sending a timestamp must not register a request on whatever day it decodes to (the
    reply limit counts from it), and nothing is written."""
    auth = api.headers(HEAD)
    before = api.footprint()
    body = registration(channel="registered_post", **{field: value})
    answer = http.post("/api/v1/requests", json=body, headers=auth)
    assert _refused(answer)["fields"] == {f"body.{field}": "日期格式应为 YYYY-MM-DD"}
    assert api.footprint() == before
    good = http.post(
        "/api/v1/requests",
        json=registration(channel="registered_post", received_on="2025-09-22"),
        headers=auth,
    )
    assert good.status_code == 201, good.text


@pytest.mark.parametrize(
    "where, params",
    [
        ("/api/v1/cases", {"due_from": "1759276800"}),
        ("/api/v1/cases", {"opened_to": "2025-09-22T00:00:00"}),
        (
            "/api/v1/reports/timeliness",
            {"agency": "county", "from": "1759276800", "to": "2025-12-31"},
        ),
    ],
)
def test_a_date_in_a_query_is_a_date_never_a_number(
    api: ApiHarness, http: TestClient, where: str, params: dict[str, str]
) -> None:
    """A filter or a report's period given as a number is refused, not read as a Unix time
    (a report over 1970–… would be answered as if asked for)."""
    answer = http.get(where, params=params, headers=api.headers(HEAD))
    (name,) = (k for k in params if k != "agency" and params[k] != "2025-12-31")
    assert _refused(answer)["fields"] == {f"query.{name}": "日期格式应为 YYYY-MM-DD"}


def test_a_body_larger_than_any_route_takes_is_refused_unread(
    api: ApiHarness, http: TestClient
) -> None:
    """413 in the one error model, declared or streamed, with or without credentials: no
    worker holds and parses a few hundred megabytes for anyone who reaches the port."""
    huge = json.dumps(registration(description="x" * (3 * 1024 * 1024))).encode()
    auth = api.headers(HEAD)  # its token issued before the footprint is taken
    before = api.footprint()
    for headers in ({}, auth):
        declared = http.post(
            "/api/v1/requests",
            content=huge,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert "请求内容过大" in _refused(declared, 413, "too_large")["message"]
        chunks = (huge[i : i + 65536] for i in range(0, len(huge), 65536))  # no length
        streamed = http.post(
            "/api/v1/requests",
            content=chunks,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert "请求内容过大" in _refused(streamed, 413, "too_large")["message"]
    assert api.footprint() == before
    # A file route takes its file's size: a 3 MB upload is weighed by its own check.
    upload = http.put(
        "/api/v1/notices/templates/receipt",
        content=b"x" * (3 * 1024 * 1024),
        headers=auth,
    )
    assert upload.status_code != 413, upload.text


def test_a_body_of_many_unknown_fields_gets_a_short_answer(
    api: ApiHarness, http: TestClient
) -> None:
    """Each mistake is named up to a point, then counted: the refusal of 20,000 unknown
    keys is not megabytes long."""
    body = {**registration(), **{f"k{i}": i for i in range(20_000)}}
    answer = http.post("/api/v1/requests", json=body, headers=api.headers(HEAD))
    refused = _refused(answer)
    assert len(refused["fields"]) <= 20 and len(answer.content) < 10_000
    assert "共 20000 处错误" in refused["message"]


def test_an_incident_names_a_bounded_list_of_cooperating_departments(
    api: ApiHarness, http: TestClient
) -> None:
    """Every event is kept for good and read with its case: a list of 100,000 names once
    went into the history and made each read of the case a megabyte."""
    incident = {
        "title": "网传某小区停水",
        "summary": "多名网民反映",
        "platform": "微博",
        "topic": "供水",
    }
    auth = api.headers(HEAD)
    before = api.footprint()
    many = [f"部门{i}" for i in range(51)]
    answer = http.post(
        "/api/v1/case-types/incident/cases",
        json={**incident, "cooperating_departments": many},
        headers=auth,
    )
    assert set(_refused(answer)["fields"]) == {"cooperating_departments"}
    assert api.footprint() == before
    opened = http.post(
        "/api/v1/case-types/incident/cases",
        json={**incident, "cooperating_departments": many[:50]},
        headers=auth,
    )
    assert opened.status_code == 201, opened.text


def test_a_query_parameter_given_twice_is_refused_unless_its_route_takes_a_list(
    api: ApiHarness, http: TestClient
) -> None:
    """``?year=2026&year=2025`` kept the last without a word: a report for another year
    than the caller meant. A list the route declares (``state``) still repeats."""
    auth = api.headers(HEAD)
    annual = http.get("/api/v1/reports/annual?agency=county&year=2025&year=2024", headers=auth)
    assert _refused(annual)["fields"] == {"query.year": "只能给一次"}
    listed = http.get("/api/v1/cases?type=incident&type=disclosure_request", headers=auth)
    assert _refused(listed)["fields"] == {"query.type": "只能给一次"}
    states = http.get("/api/v1/cases?state=registered&state=reviewing", headers=auth)
    assert states.status_code == 200, states.text
    once = http.get("/api/v1/reports/annual?agency=county&year=2025", headers=auth)
    assert once.status_code == 200, once.text


def test_a_monitoring_platform_whose_clock_runs_a_little_ahead_can_push_an_incident(
    api: ApiHarness, http: TestClient
) -> None:
    """The 舆情 platform sends the instant its own clock read: seconds ahead of ours must
    not lose the push; an hour ahead is still refused, naming the field, nothing written."""
    incident = {
        "title": "网传某小区停水",
        "summary": "多名网民反映",
        "platform": "微博",
        "topic": "供水",
    }
    auth = api.headers(HEAD)
    now = api.svc.clock.now()
    ahead = (now + timedelta(seconds=30)).isoformat()
    pushed = http.post(
        "/api/v1/case-types/incident/cases", json={**incident, "detected_at": ahead}, headers=auth
    )
    assert pushed.status_code == 201, pushed.text
    before = api.footprint()
    later = (now + timedelta(hours=1)).isoformat()
    answer = http.post(
        "/api/v1/case-types/incident/cases", json={**incident, "detected_at": later}, headers=auth
    )
    assert set(_refused(answer)["fields"]) == {"detected_at"}
    assert api.footprint() == before
