"""Who may call what (SPEC U-2, W-1): every route of ``/api/v1`` × every kind of caller.

The target is a request of ``edu`` (below ``county``). Callers: nobody; the clerk, the
handler and the office head of ``edu``; a clerk of the sibling agency ``housing``; the
supervisor of the parent agency ``county`` — each with an API token (the supervisor's a
read-only one including the agencies below) —; and through other doors: a deactivated
user's token, an expired session, a token outside its scope, a read-only token, a token
of a clerk moved to another agency since, the supervisor's token without the agencies
below, a session with and without its CSRF token. Each refusal is checked for its status, the one
error model and that nothing at all was written; refusals are tried before the calls that
succeed, and a call that changes a case gets a case of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from govflow.web.api import ROUTERS
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE, caller
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.services import Services, accounts
from tests.api_support import ApiHarness, path, registration
from tests.principals import acting

ANONYMOUS = "(anonymous)"
CLERK, HANDLER, HEAD = "liu.clerk", "qian.handler", "sun.head"
SIBLING, SUPERVISOR = "zhou.clerk", "chen.supervisor"
# The same people through other doors, or no longer entitled:
DEACTIVATED = "(a deactivated clerk of edu, with a token issued before)"
EXPIRED = "(the edu clerk's session, idle for 31 minutes)"
SCOPED = "(a token of the edu clerk for confirm_receipt only)"
PERSONAL = "(a token of the edu clerk for confirm_receipt only, issued with personal_data)"
READ_ONLY = "(a read-only token of the edu office head)"
MOVED = "(a token of a clerk of edu, moved to housing since)"
ALONE = "(the county supervisor's read-only token without include_children)"
SESSION = "(the edu office head's session, with its CSRF token)"
NO_CSRF = "(the edu office head's session, without the CSRF token)"
CALLERS = (ANONYMOUS, CLERK, HANDLER, HEAD, SIBLING, SUPERVISOR)
DOORS = (DEACTIVATED, EXPIRED, SCOPED, PERSONAL, READ_ONLY, MOVED, ALONE, SESSION, NO_CSRF)


@dataclass
class Target:
    """A fresh case of ``edu`` in ``registered``, and a firing on another one."""

    harness: ApiHarness

    def case(self) -> tuple[str, int]:
        svc = self.harness.svc
        ref = services.register_request(
            svc,
            agency_code="edu",
            principal=acting(svc, CLERK),
            intake={**registration(), "received_on": svc.clock.now().date().isoformat()},
        )
        return ref, services.current_version(svc, ref)


Call = Callable[[Target], tuple[str, str, dict[str, Any]]]


def _get(url: str, **params: Any) -> Call:
    return lambda t: ("GET", url, {"params": params})


def _on_case(method: str, tail: tuple[str, ...], body: dict | None = None) -> Call:
    def call(t: Target) -> tuple[str, str, dict[str, Any]]:
        ref, version = t.case()
        return method, path(ref, *tail), {"json": body, "headers": {"If-Match": f'"{version}"'}}

    return call


OK_ALL = {c: 200 for c in CALLERS if c != ANONYMOUS}
NONE = {c: 403 for c in CALLERS if c != ANONYMOUS}
STAFF_READ = {CLERK: 200, HANDLER: 200, HEAD: 200, SIBLING: 404, SUPERVISOR: 200}
STAFF_WRITE = {CLERK: 201, HANDLER: 201, HEAD: 201, SIBLING: 201, SUPERVISOR: 403}
YEAR = {"agency": "edu", "year": 2025}
PERIOD = {"agency": "edu", "from": "2025-09-01", "to": "2025-12-31"}

WRITES = {"register a request", "open a declared case", "act (every staff role)",
          "act (office head only)"}  # fmt: skip
"""Routes that change a case: a token's scope and the CSRF token apply to them."""
PERSONAL_DATA = {"download a document"}
"""Routes that hand out the applicants' data unmasked: only to a token issued with
``personal_data`` (issue 11); the other routes mask it instead (test_token_personal_data.py)."""

ENDPOINTS: dict[str, tuple[Call, dict[str, int]]] = {
    "case types": (_get("/api/v1/case-types"), OK_ALL),
    "register a request": (
        lambda t: ("POST", "/api/v1/requests", {"json": registration()}),
        STAFF_WRITE,
    ),
    "open a declared case": (
        lambda t: (
            "POST",
            "/api/v1/case-types/online_message/cases",
            {
                "json": {
                    "title": "路灯不亮",
                    "content": "…",
                    "contact_name": "张三",
                    "channel": "website",
                }
            },
        ),
        STAFF_WRITE,
    ),
    "list": (_get("/api/v1/cases", agency="edu"), {**STAFF_READ, SIBLING: 404}),
    "list (own scope)": (_get("/api/v1/cases"), OK_ALL),
    "detail": (_on_case("GET", ()), STAFF_READ),
    "act (every staff role)": (
        _on_case("POST", ("actions", "start_review")),
        {CLERK: 200, HANDLER: 200, HEAD: 200, SIBLING: 404, SUPERVISOR: 403},
    ),
    "act (office head only)": (
        _on_case("POST", ("actions", "assign"), {"assignee": HANDLER}),
        {CLERK: 403, HANDLER: 403, HEAD: 200, SIBLING: 404, SUPERVISOR: 403},
    ),
    "timeline": (_on_case("GET", ("timeline",)), STAFF_READ),
    "timeline csv": (_on_case("GET", ("timeline.csv",)), STAFF_READ),
    # The list is for whoever reads the case; the files (the applicant's data unmasked) for
    # the staff of its own agency only, as on the case page.
    "documents": (_on_case("GET", ("documents",)), STAFF_READ),
    "download a document": (
        _on_case("GET", ("documents", "1")),  # the receipt, issued at registration
        {**STAFF_READ, SUPERVISOR: 403},
    ),
    "escalations": (_get("/api/v1/escalations"), OK_ALL),
    "escalations of a case": (_on_case("GET", ()), STAFF_READ),  # replaced below
    "annual report": (_get("/api/v1/reports/annual", **YEAR), STAFF_READ),
    "annual report csv": (_get("/api/v1/reports/annual", **YEAR, format="csv"), STAFF_READ),
    "annual report xlsx": (_get("/api/v1/reports/annual", **YEAR, format="xlsx"), STAFF_READ),
    "timeliness": (_get("/api/v1/reports/timeliness", **PERIOD), STAFF_READ),
    "verify": (
        lambda t: ("POST", "/api/v1/audit/verify", {"params": {"agency": "edu"}}),
        STAFF_READ,
    ),
    "checkpoint": (
        lambda t: ("POST", "/api/v1/audit/checkpoints", {"params": {"agency": "edu"}}),
        STAFF_READ,
    ),
    "calendar": (_get("/api/v1/calendar"), OK_ALL),
    # Accounts and tokens: administrators only (a supervisor reads the accounts below).
    "users": (_get("/api/v1/users", agency="edu"), {**NONE, SUPERVISOR: 200}),
    "tokens": (_get("/api/v1/tokens"), NONE),
    "add a user": (
        lambda t: (
            "POST",
            "/api/v1/users",
            {
                "json": {
                    "username": "new.clerk",
                    "name": "新登记",
                    "roles": ["clerk"],
                    "agency": "edu",
                }
            },
        ),
        NONE,
    ),
    "issue a token": (
        lambda t: ("POST", "/api/v1/tokens", {"json": {"name": "x", "username": CLERK}}),
        NONE,
    ),
    "lock a user": (lambda t: ("POST", f"/api/v1/users/{CLERK}/lock", {"json": {}}), NONE),
    "revoke a token": (lambda t: ("POST", "/api/v1/tokens/x/revoke", {}), NONE),
    "calendar year": (_get("/api/v1/calendar/2025"), OK_ALL),
    # Agencies: administrators only.
    "agencies": (_get("/api/v1/agencies"), NONE),
    "add an agency": (
        lambda t: (
            "POST",
            "/api/v1/agencies",
            {"json": {"code": "town", "name": "示范镇人民政府", "ref_prefix": "示镇"}},
        ),
        NONE,
    ),
}


# Routes whose callers are checked elsewhere, not in this table: a new route must be added
# to the table (or here, with where its callers are checked) or the guard below fails.
ELSEWHERE = {
    ("POST", "/api/v1/escalations/{key}/acknowledge"): "the acknowledging test below",
    ("GET", "/api/v1/calendar/imports"): "test_calendar_imports.py",
    ("POST", "/api/v1/calendar/imports"): "test_calendar_imports.py",
    ("POST", "/api/v1/users/{username}/unlock"): "test_api_admin.py",
    ("POST", "/api/v1/users/{username}/deactivate"): "test_api_admin.py",
    ("POST", "/api/v1/users/{username}/activate"): "test_api_admin.py",
    ("PUT", "/api/v1/notices/templates/{kind}"): "test_notice_template_uploads.py",
    ("GET", "/api/v1/notices/templates"): "test_notice_template_uploads.py",
    ("DELETE", "/api/v1/notices/templates/{kind}"): "test_notice_template_uploads.py",
}


def _escalations_of_case(t: Target) -> tuple[str, str, dict[str, Any]]:
    ref, _ = t.case()
    return "GET", "/api/v1/escalations", {"params": {"case": ref}}


ENDPOINTS["escalations of a case"] = (_escalations_of_case, STAFF_READ)


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    harness = ApiHarness(svc, engine)
    harness.add_people()
    return harness


def _refusals_first(expected: dict[str, int]) -> list[str]:
    return sorted(expected, key=lambda c: expected[c] < 400)


def _expected(endpoint: str, method: str) -> dict[str, int]:
    """Each caller's status: the people's from the table, the other doors' from theirs."""
    people = {ANONYMOUS: 401, **ENDPOINTS[endpoint][1]}
    writes = endpoint in WRITES
    personal = endpoint in PERSONAL_DATA
    refused_write = 403 if writes and people[HEAD] < 400 else people[HEAD]
    scoped = 403 if writes and people[CLERK] < 400 else people[CLERK]
    return {
        **people,
        DEACTIVATED: 401,
        EXPIRED: 401,
        # Issued without ``personal_data``: no file that prints the applicant's data.
        SCOPED: 403 if personal and people[CLERK] < 400 else scoped,
        PERSONAL: scoped,
        READ_ONLY: 403 if personal and people[HEAD] < 400 else refused_write,
        MOVED: 403,  # every call, whatever it would have been
        # Nothing of edu is read through it (as from the sibling agency); the rest as the
        # supervisor's own token.
        ALONE: 404 if not writes and people[SIBLING] == 404 else people[SUPERVISOR],
        SESSION: people[HEAD],
        NO_CSRF: 403 if method != "GET" else people[HEAD],
    }


class Doors:
    """Credentials for every caller of the matrix, made before any call is counted."""

    def __init__(self, api: ApiHarness, clock: FakeClock) -> None:
        self.api = api
        accounts.add_user(
            api.svc, api.admin, accounts.NewAccount("wu.clerk", "吴登记", (Role.CLERK,), "edu")
        )
        self.deactivated = api.token("wu.clerk")
        accounts.deactivate_user(api.svc, api.admin, "wu.clerk")
        self.scoped = api.token(CLERK, actions=frozenset({"confirm_receipt"}))
        self.personal = api.token(CLERK, actions=frozenset({"confirm_receipt"}), personal_data=True)
        self.read_only = api.token(HEAD, read_only=True)
        self.supervisor = api.token(SUPERVISOR, read_only=True, include_children=True)
        self.alone = api.token(SUPERVISOR, read_only=True)
        accounts.add_user(
            api.svc, api.admin, accounts.NewAccount("xu.clerk", "徐登记", (Role.CLERK,), "edu")
        )
        self.moved = api.token("xu.clerk")
        with api.svc.uow() as uow:  # as the organisation import or the administrator moves one
            uow.identity.update_account("xu.clerk", agency_code="housing")
            uow.commit()
        expired, _ = api.session(CLERK)
        clock.advance(timedelta(minutes=31))
        self.expired = expired
        self.session, self.csrf = api.session(HEAD)

    def headers(self, who: str) -> dict[str, str]:
        bearer = {
            DEACTIVATED: self.deactivated,
            SCOPED: self.scoped,
            PERSONAL: self.personal,
            READ_ONLY: self.read_only,
            MOVED: self.moved,
            ALONE: self.alone,
            SUPERVISOR: self.supervisor,
        }
        if who == ANONYMOUS:
            return {}
        if who in bearer:
            return {"Authorization": f"Bearer {bearer[who]}"}
        if who == EXPIRED:
            return {"Cookie": f"{SESSION_COOKIE}={self.expired}"}
        if who in (SESSION, NO_CSRF):
            cookie = {"Cookie": f"{SESSION_COOKIE}={self.session}"}
            return {**cookie, CSRF_HEADER: self.csrf} if who == SESSION else cookie
        return self.api.headers(who)


def test_each_endpoint_answers_each_caller_as_its_rights_say(
    api: ApiHarness, clock: FakeClock
) -> None:
    """One database for the whole matrix (the credentials are made once); each call names
    its endpoint and caller when it fails."""
    target = Target(api)
    doors = Doors(api, clock)
    with api.client() as http:
        for endpoint, (call, _) in ENDPOINTS.items():
            expected = _expected(endpoint, call(target)[0])
            for who in _refusals_first(expected):
                method, url, kwargs = call(target)
                headers = {**kwargs.pop("headers", {}), **doors.headers(who)}
                before = api.footprint()
                answer = http.request(method, url, headers=headers, **kwargs)
                want = expected[who]
                assert answer.status_code == want, (endpoint, who, answer.text[:300])
                if want >= 400:
                    assert set(answer.json()) == {"error", "message", "fields"}, (endpoint, who)
                    assert not answer.json()["message"].isascii(), (endpoint, who)
                    assert api.footprint() == before, (endpoint, who, "wrote on refusal")


def test_acknowledging_a_firing_is_for_its_people_only(api: ApiHarness, clock: FakeClock) -> None:
    """The office head of the case's agency and the supervisors above it may acknowledge;
    the agency's clerk may not (403); a sibling agency does not see it (404), nor does the
    supervisor's token, which is for ``county`` without the agencies below (a token reaches
    as far as its scope, not its account: the supervisor's session acknowledges)."""
    ref, _ = Target(api).case()
    clock.set(clock.now().replace(year=2025, month=10, day=22, hour=9, tzinfo=SHANGHAI))
    fired = sweep(api.svc, [].append).fired
    assert fired, "a warning is due two working days before the limit"
    key = services.firings(api.svc, services.identify(api.svc, "system"), ref)[0].key
    url = f"/api/v1/escalations/{quote(key, safe='')}/acknowledge"
    own = "(the county supervisor's session)"
    session_id, csrf = api.session(SUPERVISOR)
    session = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    expected = {
        ANONYMOUS: 401,
        CLERK: 403,
        HANDLER: 403,
        SIBLING: 404,
        SUPERVISOR: 404,
        own: 204,  # first: it is the one that records the acknowledgement
        HEAD: 204,
    }
    with api.client() as http:
        for who in _refusals_first(expected):
            headers = {} if who == ANONYMOUS else session if who == own else api.headers(who)
            before = api.footprint()
            answer = http.post(url, headers=headers)
            assert answer.status_code == expected[who], (who, answer.text[:300])
            if expected[who] >= 400:
                assert api.footprint() == before, who
    acknowledged = [
        e for e in services.case_timeline(api.svc, services.identify(api.svc, HEAD), ref).entries
    ]
    assert any(e.action.startswith("escalation") for e in acknowledged)


def _calls(dependant: Any) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def test_every_route_but_health_and_the_documentation_needs_the_caller(api: ApiHarness) -> None:
    """No route is anonymous by omission: each depends on the one door, ``auth.caller``; and
    the API document describes no route that is not one of these."""
    checked: set[str] = set()
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            assert caller in _calls(route.dependant), route.path
            checked.add(route.path)
    with api.client() as http:
        documented = set(http.get("/api/v1/openapi.json").json()["paths"])
    assert documented == checked
    assert len(checked) >= 20


class _NamedCase:
    """A stand-in for ``Target`` that only names a case: the calls' addresses, no database."""

    def case(self) -> tuple[str, int]:
        return "示教依申〔2025〕0001号", 1


def test_every_route_is_in_the_matrix_or_named_as_checked_elsewhere() -> None:
    """A route added to the API without a row in ``ENDPOINTS`` fails here, not silently."""
    routes = {
        (method, route.path): route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    reached = set()
    for call, _ in ENDPOINTS.values():
        method, url, _ = call(_NamedCase())
        reached |= {
            (m, p)
            for (m, p), route in routes.items()
            if m == method and route.path_regex.match(url)
        }
    assert set(routes) - reached == set(ELSEWHERE)
