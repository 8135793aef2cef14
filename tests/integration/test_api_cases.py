"""The API's case routes end to end through HTTP, on SQLite and PostgreSQL: register,
open any type, read, act with the version, list with keyset pages, the timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.app import build_services
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.config import Config
from govflow.workflow.services import Services
from tests.api_support import ApiHarness, path, registration

CLERK, HANDLER, HEAD = "wang.clerk", "li.handler", "zhang.head"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def _register(api: ApiHarness, http: TestClient, **overrides: object) -> dict:
    answer = http.post(
        "/api/v1/requests", json=registration(**overrides), headers=api.headers(CLERK)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_request_registered_over_http_is_read_back_with_its_version(
    api: ApiHarness, http: TestClient
) -> None:
    answer = http.post("/api/v1/requests", json=registration(), headers=api.headers(CLERK))
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["ref"] == "示政办依申〔2025〕0001号"
    assert case["state"] == "registered"  # handed in person: receipt confirmed at once
    assert answer.headers["ETag"] == f'"{case["version"]}"'
    assert answer.headers["Location"] == path(case["ref"])
    reply = next(d for d in case["deadlines"] if d["key"] == "reply")
    assert reply["due_date"] == "2025-10-24" and reply["status"] == "running"
    # The clerk of the agency sees the applicant; the read matches what was written.
    shown = http.get(answer.headers["Location"], headers=api.headers(CLERK))
    assert shown.status_code == 200
    assert shown.json() == case
    assert "610926199001011234" in shown.text


def test_acting_needs_the_version_read_and_a_stale_one_writes_nothing(
    api: ApiHarness, http: TestClient
) -> None:
    case = _register(api, http)
    ref, version = case["ref"], case["version"]
    as_handler = api.headers(HANDLER)
    missing = http.post(path(ref, "actions", "start_review"), headers=as_handler)
    assert missing.status_code == 400 and "If-Match" in missing.json()["message"]
    moved = http.post(
        path(ref, "actions", "start_review"), headers={**as_handler, "If-Match": f'"{version}"'}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "reviewing"
    assert moved.json()["version"] == version + 1
    assert moved.headers["ETag"] == f'"{version + 1}"'
    before = api.footprint()
    stale = http.post(
        path(ref, "actions", "accept"), headers={**as_handler, "If-Match": f'"{version}"'}
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "conflict"
    assert stale.headers["ETag"] == f'"{version + 1}"'
    assert stale.json()["fields"] == {"If-Match": f"案件当前版本为 {version + 1}"}
    assert api.footprint() == before


def test_a_caller_acts_from_a_list_with_its_version_and_asks_for_no_case_back(
    api: ApiHarness, http: TestClient
) -> None:
    """An integration working through a queue: each row carries its version, so it acts
    without reading the case first; ``Prefer: return=minimal`` answers 204 with the new
    version in the ETag (RFC 7240), and a stale version is still refused, nothing written."""
    ref = _register(api, http)["ref"]
    as_handler = api.headers(HANDLER)
    listed = http.get("/api/v1/cases", headers=as_handler)
    row = next(r for r in listed.json()["cases"] if r["ref"] == ref)
    minimal = {**as_handler, "Prefer": "return=minimal", "If-Match": f'"{row["version"]}"'}
    moved = http.post(path(ref, "actions", "start_review"), headers=minimal)
    assert moved.status_code == 204, moved.text
    assert moved.content == b""
    assert moved.headers["ETag"] == f'"{row["version"] + 1}"'
    shown = http.get(path(ref), headers=as_handler).json()
    assert (shown["state"], shown["version"]) == ("reviewing", row["version"] + 1)
    before = api.footprint()
    stale = http.post(path(ref, "actions", "accept"), headers=minimal)
    assert stale.status_code == 409 and stale.headers["ETag"] == f'"{row["version"] + 1}"'
    assert api.footprint() == before


def test_an_action_refused_by_a_rule_is_422_with_the_fields_in_chinese(
    api: ApiHarness, http: TestClient
) -> None:
    case = _register(api, http)
    api.headers(HEAD)  # its token issued before the footprint is taken
    before = api.footprint()
    bad = http.post(
        path(case["ref"], "actions", "extend"),
        json={"days": "many"},
        headers={**api.headers(HEAD), "If-Match": f'"{case["version"]}"'},
    )
    assert bad.status_code in (400, 422), bad.text
    assert set(bad.json()) == {"error", "message", "fields"}
    assert not bad.json()["message"].isascii()
    wrong_state = http.post(
        path(case["ref"], "actions", "approve_reply"),
        headers={**api.headers(HEAD), "If-Match": f'"{case["version"]}"'},
    )
    assert wrong_state.status_code == 422
    assert wrong_state.json()["error"] == "not_allowed"
    assert api.footprint() == before


def test_a_yes_or_no_is_not_a_number_of_days(api: ApiHarness, http: TestClient) -> None:
    """JSON ``true`` once set a one-day correction period and extended the reply limit by one
    day: 400, the field named in Chinese, nothing written."""
    case = _register(api, http)
    ref, version = case["ref"], case["version"]
    for step, who, refused_action, body, field in (
        ("start_review", HANDLER, "request_correction", {"items": "x", "period_days": True},
         "period_days"),
        ("accept", HEAD, "extend", {"days": True, "reason": "x"}, "days"),
    ):  # fmt: skip
        moved = http.post(
            path(ref, "actions", step), headers={**api.headers(who), "If-Match": f'"{version}"'}
        )
        assert moved.status_code == 200, moved.text
        version = moved.json()["version"]
        before = api.footprint()
        refused = http.post(
            path(ref, "actions", refused_action),
            json=body,
            headers={**api.headers(who), "If-Match": f'"{version}"'},
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["fields"] == {field: "应为整数"}
        assert api.footprint() == before


def test_other_types_open_through_the_catalogue_route(api: ApiHarness, http: TestClient) -> None:
    types = http.get("/api/v1/case-types", headers=api.headers(CLERK)).json()
    names = [t["name"] for t in types]
    assert "incident" in names and "online_message" in names
    incident = http.post(
        "/api/v1/case-types/incident/cases",
        json={
            "title": "网传某小学食堂使用过期食材",
            "summary": "微博多条帖文配图",
            "platform": "微博",
            "topic": "食品药品",
            "detected_at": "2025-09-22T08:30:00+08:00",
        },
        headers=api.headers(CLERK),
    )
    assert incident.status_code == 201, incident.text
    assert incident.json()["case_type"] == "incident"
    assert any(d["basis"] == "hours" for d in incident.json()["deadlines"])
    message = http.post(
        "/api/v1/case-types/online_message/cases",
        json={
            "title": "路灯不亮",
            "content": "某路段路灯不亮",
            "contact_name": "张三",
            "channel": "website",
        },
        headers=api.headers(CLERK),
    )
    assert message.status_code == 201, message.text
    unknown = http.post("/api/v1/case-types/nothing/cases", json={}, headers=api.headers(CLERK))
    assert unknown.status_code in (400, 404)
    assert set(unknown.json()) == {"error", "message", "fields"}


def test_lists_page_by_keyset_and_filter(
    api: ApiHarness, http: TestClient, clock: FakeClock
) -> None:
    refs = [_register(api, http, description=f"第{i}份文件")["ref"] for i in range(5)]
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, object] = {"limit": 2, **({"after": after} if after else {})}
        page = http.get("/api/v1/cases", params=params, headers=api.headers(CLERK))
        assert page.status_code == 200, page.text
        seen += [c["ref"] for c in page.json()["cases"]]
        after = page.json()["next_after"]
        if after is None:
            break
    assert sorted(seen) == sorted(refs) and len(seen) == len(set(seen))
    only = http.get(
        "/api/v1/cases",
        params={"type": "disclosure_request", "state": "registered", "search": "0003"},
        headers=api.headers(CLERK),
    )
    assert [c["ref"] for c in only.json()["cases"]] == [refs[2]]
    bad = http.get("/api/v1/cases", params={"after": "nonsense"}, headers=api.headers(CLERK))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_input"
    by_text = http.get(
        "/api/v1/cases",
        params={"text": "第3份", "channel": "in_person"},
        headers=api.headers(CLERK),
    )
    assert [c["ref"] for c in by_text.json()["cases"]] == [refs[3]]
    closed = http.get(
        "/api/v1/cases", params={"closed_from": "2025-01-01"}, headers=api.headers(CLERK)
    )
    assert closed.status_code == 200 and closed.json()["cases"] == []  # none closed yet


def test_the_timeline_as_json_and_csv(api: ApiHarness, http: TestClient) -> None:
    case = _register(api, http)
    timeline = http.get(path(case["ref"], "timeline"), headers=api.headers(HEAD))
    assert timeline.status_code == 200, timeline.text
    entries = timeline.json()["entries"]
    assert [e["seq"] for e in entries] == list(range(1, case["version"] + 1))
    # Registered through the API with the clerk's token: the channel names the token.
    assert {e["channel"] for e in entries} == {entries[0]["channel"]}
    assert entries[0]["channel"].startswith("api:")
    assert entries[-1]["deadlines"]
    csv = http.get(path(case["ref"], "timeline.csv"), headers=api.headers(HEAD))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff序号".encode())


def test_a_case_of_another_agency_is_not_found_as_one_that_does_not_exist(
    api: ApiHarness, http: TestClient
) -> None:
    case = _register(api, http)
    other = http.get(path(case["ref"]), headers=api.headers("liu.clerk"))
    missing = http.get(path("示政办依申〔2025〕9999号"), headers=api.headers(CLERK))
    assert other.status_code == missing.status_code == 404
    assert other.json()["message"].replace(case["ref"], "X") == missing.json()["message"].replace(
        "示政办依申〔2025〕9999号", "X"
    )
    # Acting too: the action route answers another agency's case as a missing one.
    gone = "示政办依申〔2025〕9999号"
    for ref, who in ((case["ref"], "liu.clerk"), (gone, "liu.clerk"), (gone, HANDLER)):
        headers = {**api.headers(who), "If-Match": f'"{case["version"]}"'}
        acted = http.post(path(ref, "actions", "start_review"), json={}, headers=headers)
        assert acted.status_code == 404, (ref, who, acted.text)
        assert acted.json()["message"] == f"没有编号为 {ref} 的案件，或您无权查看"


def test_lists_filter_by_time_left_outcome_and_opening_day(
    api: ApiHarness, http: TestClient, clock: FakeClock
) -> None:
    """The due filters read each case's nearest running deadline (the list's order), the
    one each row shows; a correction-notice window that passed unused (an optional limit,
    "已届满") no longer runs: the early request is ordered and filtered by its reply limit."""
    early = _register(api, http)["ref"]  # opened 2025-09-22
    clock.advance(timedelta(days=14))  # 2025-10-06, inside the National Day holiday
    late = _register(api, http, description="第二份")["ref"]
    as_clerk = api.headers(CLERK)

    def refs(**params: object) -> set[str]:
        answer = http.get("/api/v1/cases", params=params, headers=as_clerk)
        assert answer.status_code == 200, answer.text
        return {c["ref"] for c in answer.json()["cases"]}

    def nearest(ref: str) -> date:
        shown = http.get(path(ref), headers=as_clerk).json()["deadlines"]
        running = [d for d in shown if d["status"] == "running" and d["status_label"] != "已届满"]
        return min(date.fromisoformat(d["due_date"]) for d in running)

    due = {ref: nearest(ref) for ref in (early, late)}
    assert due == {early: date(2025, 10, 24), late: date(2025, 10, 16)}
    rows = http.get("/api/v1/cases", headers=as_clerk).json()["cases"]
    assert {r["ref"]: date.fromisoformat(r["deadline"]["due_date"]) for r in rows} == due
    today = date(2025, 10, 6)

    def where(test: Callable[[date], bool]) -> set[str]:
        return {ref for ref, day in due.items() if test(day)}

    assert refs(opened_to="2025-09-30") == {early}
    assert refs(opened_from="2025-10-01") == {late}
    for day in sorted(set(due.values())):
        assert refs(due_to=day.isoformat()) == where(lambda d, day=day: d <= day)
        assert refs(due_from=day.isoformat()) == where(lambda d, day=day: d >= day)
    assert refs(overdue=True) == where(lambda d: d < today)
    # 5 working days from the holiday's Monday: 10-09, 10-10, 10-11 (make-up), 10-13, 10-14.
    assert refs(due_within=5) == where(lambda d: d <= date(2025, 10, 14))
    assert refs(outcome="disclosed") == set()
    bad = http.get("/api/v1/cases", params={"due_from": "1900-01-01"}, headers=as_clerk)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_input"


class TickingClock(FakeClock):
    """Time passes between readings, as on a real server (a millisecond a reading)."""

    def now(self) -> datetime:
        self.advance(timedelta(milliseconds=1))
        return super().now()


def test_a_registration_with_its_receipt_at_once_holds_on_a_clock_that_moves(
    engine: Engine, calendar: WorkingCalendar, config: Config
) -> None:
    """Registering a request handed in person confirms its receipt in the same transaction:
    the confirmation must not be dated before the registration it follows (it was, by the
    microseconds between two readings of a real clock: 422 for every such request)."""
    clock = TickingClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    api = ApiHarness(build_services(engine, clock, calendar, config), engine)
    with api.client() as http:
        answer = http.post("/api/v1/requests", json=registration(), headers=api.headers(CLERK))
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "registered"
