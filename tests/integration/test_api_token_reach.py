"""How far an API token reaches, on SQLite and PostgreSQL, through the HTTP API (issue 11):
only where its account may reach now — a token for an agency its account has since left
reads and acts nowhere (403, nothing written) until the account is moved back —, and a
supervisor's token below its agency only if issued with ``include_children``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow import configs
from govflow.models.db import session_factory
from govflow.models.org import OrgFile, load_org, read_org_file
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.services import Services, tokens
from tests.api_support import ApiHarness, path, registration

CLERK, EDU_CLERK, SUPERVISOR = "wang.clerk", "liu.clerk", "chen.supervisor"
MOVED = "不再适用：账户已不属于该机关"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def move(engine: Engine, username: str, agency: str) -> None:
    """The organisation file imported again with ``username`` in ``agency`` (how a clerk
    transferred to another department reaches the accounts)."""
    org = read_org_file(configs.shipped("demo_org.yaml"))
    users = [
        u.model_copy(update={"agency": agency}) if u.username == username else u for u in org.users
    ]
    with session_factory(engine)() as session:
        load_org(session, OrgFile(agencies=org.agencies, users=users))
        session.commit()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(answer: Any, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == code
    return body["message"]


def registered(http: TestClient, headers: dict[str, str]) -> str:
    answer = http.post("/api/v1/requests", json=registration(), headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["ref"]


def listed(http: TestClient, headers: dict[str, str], **params: Any) -> set[str]:
    answer = http.get("/api/v1/cases", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return {row["ref"] for row in answer.json()["cases"]}


def applying(api: ApiHarness) -> dict[str, bool]:
    """Each token's name, and whether it applies to its account as the account is now."""
    return {t.name: t.applies for t in tokens.list_tokens(api.svc, api.admin)}


def test_a_token_of_an_account_moved_away_reads_and_acts_nowhere(
    api: ApiHarness, http: TestClient, engine: Engine
) -> None:
    token = bearer(api.token(CLERK))  # t1, issued while the clerk works at ``county``
    county = registered(http, token)
    edu = registered(http, api.headers(EDU_CLERK))
    version = http.get(path(county), headers=token).headers["ETag"]
    edu_version = http.get(path(edu), headers=api.headers(EDU_CLERK)).headers["ETag"]

    move(engine, CLERK, "edu")
    before = api.footprint()
    calls = [
        ("GET", path(county), {}),  # the old agency's case
        ("GET", path(county, "timeline"), {}),
        ("GET", "/api/v1/cases", {"params": {"agency": "county"}}),
        ("GET", "/api/v1/cases", {}),
        ("GET", "/api/v1/reports/annual", {"params": {"agency": "county", "year": 2025}}),
        ("GET", path(edu), {}),  # nor, with a token for ``county``, the new agency's
        ("POST", path(county, "actions", "start_review"), {"headers": {"If-Match": version}}),
        ("POST", path(edu, "actions", "start_review"), {"headers": {"If-Match": edu_version}}),
        ("POST", "/api/v1/requests", {"json": registration()}),
    ]
    for method, url, kwargs in calls:
        headers = {**kwargs.pop("headers", {}), **token}
        answer = http.request(method, url, headers=headers, **kwargs)
        message = refused(answer, 403, "forbidden")
        # The token's agency by its name (a person reads it), not its code.
        assert f"{MOVED}（示范县人民政府办公室）" in message, (method, url, message)
        assert "county" not in message, (method, url, message)
    assert api.footprint() == before, "a refused token wrote"

    # The administrator sees why, in the list of tokens and on the tokens page.
    assert applying(api) == {"t1-wang-clerk": False, "t2-liu-clerk": True}
    session_id, _ = api.session(api.admin.username)
    admin = {"Cookie": f"{SESSION_COOKIE}={session_id}"}
    rows = http.get("/api/v1/tokens", headers=admin).json()
    assert {r["name"]: r["applies"] for r in rows} == applying(api)
    page = http.get("/admin/tokens", headers=admin)
    assert page.status_code == 200 and MOVED in page.text

    # The clerk's own token for ``edu`` works there, and the old one again once moved back.
    assert http.get(path(edu), headers=api.headers(CLERK)).status_code == 200
    move(engine, CLERK, "county")
    assert http.get(path(county), headers=token).status_code == 200
    acted = http.post(
        path(county, "actions", "start_review"), headers={**token, "If-Match": version}
    )
    assert acted.status_code == 200, acted.text
    assert applying(api) == {"t1-wang-clerk": True, "t2-liu-clerk": True, "t3-wang-clerk": False}


def test_a_supervisors_token_moved_out_of_its_tree_reads_there_no_more(
    api: ApiHarness, http: TestClient, engine: Engine
) -> None:
    edu = registered(http, api.headers(EDU_CLERK))
    below = bearer(api.token(SUPERVISOR, agency="edu", read_only=True))
    assert http.get(path(edu), headers=below).status_code == 200
    move(engine, SUPERVISOR, "housing")  # ``edu`` is no longer below the account's agency
    message = refused(http.get(path(edu), headers=below), 403, "forbidden")
    assert MOVED in message
    assert refused(http.get("/api/v1/cases", headers=below), 403, "forbidden") == message


def test_a_supervisors_token_reads_below_only_with_include_children(
    api: ApiHarness, http: TestClient
) -> None:
    county = registered(http, api.headers(CLERK))
    edu = registered(http, api.headers(EDU_CLERK))
    alone = bearer(api.token(SUPERVISOR, read_only=True))
    default = bearer(api.token(SUPERVISOR))  # for its own agency, not read-only: alone too
    tree = bearer(api.token(SUPERVISOR, read_only=True, include_children=True))
    annual = {"agency": "county", "year": 2025, "include_children": True}
    timeliness = {"agency": "edu", "from": "2025-01-01", "to": "2025-12-31"}

    for token in (alone, default):
        assert http.get(path(county), headers=token).status_code == 200
        refused(http.get(path(edu), headers=token), 404, "not_found")
        refused(http.get(path(edu, "timeline"), headers=token), 404, "not_found")
        assert listed(http, token) == {county}
        assert listed(http, token, agency="county") == {county}
        refused(
            http.get("/api/v1/cases", params={"agency": "edu"}, headers=token), 404, "not_found"
        )
        tree_list = {"agency": "county", "include_children": True}
        refused(http.get("/api/v1/cases", params=tree_list, headers=token), 404, "not_found")
        refused(http.get("/api/v1/reports/annual", params=annual, headers=token), 404, "not_found")
        reports = "/api/v1/reports/timeliness"
        refused(http.get(reports, params=timeliness, headers=token), 404, "not_found")
        county_only = {**annual, "include_children": False}
        assert http.get("/api/v1/reports/annual", params=county_only, headers=token).is_success
        users = http.get("/api/v1/users", params={"agency": "edu"}, headers=token)
        assert users.status_code == 200 and users.json() == []

    assert http.get(path(edu), headers=tree).status_code == 200
    assert listed(http, tree) == {county, edu}
    assert listed(http, tree, agency="edu") == {edu}
    assert http.get("/api/v1/reports/annual", params=annual, headers=tree).status_code == 200
    assert http.get("/api/v1/reports/timeliness", params=timeliness, headers=tree).is_success
    users = http.get("/api/v1/users", params={"agency": "edu"}, headers=tree)
    assert EDU_CLERK in {u["username"] for u in users.json()}


def test_a_token_acknowledges_a_firing_only_within_its_own_reach(
    api: ApiHarness, http: TestClient, clock: FakeClock
) -> None:
    """Acknowledging reads the case's agency through the token's scope, as every other call:
    the county supervisor's token without include_children does not find a firing on a case
    of ``edu`` below (404, nothing written), where the account's own session acknowledges."""
    edu = registered(http, api.headers(EDU_CLERK))
    clock.set(clock.now().replace(year=2025, month=10, day=22, hour=9, tzinfo=SHANGHAI))
    assert sweep(api.svc, [].append).fired, "a warning is due two working days before the limit"
    key = services.firings(api.svc, services.identify(api.svc, "system"), edu)[0].key
    url = f"/api/v1/escalations/{quote(key, safe='')}/acknowledge"
    alone = bearer(api.token(SUPERVISOR))  # for county, may write, not the agencies below
    # Below with include_children, a token reads the firing, but such a token is read-only.
    tree = bearer(api.token(SUPERVISOR, read_only=True, include_children=True))
    before = api.footprint()

    refused(http.post(url, headers=alone), 404, "not_found")
    assert http.get("/api/v1/escalations", params={"case": edu}, headers=alone).status_code == 404
    assert "只读" in refused(http.post(url, headers=tree), 403, "forbidden")
    assert api.footprint() == before, "a refused acknowledgement wrote"

    session_id, csrf = api.session(SUPERVISOR)  # the account itself reaches edu
    own = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    assert http.post(url, headers=own).status_code == 204
    assert api.footprint() != before
