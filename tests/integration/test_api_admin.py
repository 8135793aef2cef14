"""Accounts and tokens over the API (SPEC U-1): an administrator signed in (session and
CSRF token) adds a user, issues a token that works at once, revokes it, locks an account;
nobody else may, and a supervisor only reads the accounts of their agency and below."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow.errors import InvalidInput
from govflow.workflow.services import Services, tokens
from tests.api_support import ApiHarness


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


def test_an_administrator_manages_accounts_and_tokens(api: ApiHarness) -> None:
    session_id, csrf = api.session(api.admin.username)
    admin = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    with api.client() as http:
        added = http.post(
            "/api/v1/users",
            json={"username": "ma.clerk", "name": "马登记", "roles": ["clerk"], "agency": "edu"},
            headers=admin,
        )
        assert added.status_code == 201, added.text
        assert len(added.json()["one_time_password"]) >= 12
        listing = http.get("/api/v1/users", params={"agency": "edu"}, headers=admin)
        assert {"ma.clerk", "liu.clerk"} <= {u["username"] for u in listing.json()}
        assert "argon2" not in listing.text and "password_hash" not in listing.text

        issued = http.post(
            "/api/v1/tokens",
            json={"name": "website", "username": "ma.clerk", "days": 30},
            headers=admin,
        )
        assert issued.status_code == 201, issued.text
        bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
        assert http.get("/api/v1/cases", headers=bearer).status_code == 200
        listed = http.get("/api/v1/tokens", headers=admin).json()
        assert [t["name"] for t in listed] == ["website"]
        assert issued.json()["token"] not in str(listed)

        assert http.post("/api/v1/tokens/website/revoke", headers=admin).status_code == 204
        assert http.get("/api/v1/cases", headers=bearer).status_code == 401
        unknown = http.post("/api/v1/tokens/nope/revoke", headers=admin)  # not bad input
        assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found"), unknown.text
        assert unknown.json()["message"] == "没有名为 nope 的令牌"

        other = {"Authorization": f"Bearer {api.token('liu.clerk')}"}
        assert http.get("/api/v1/cases", headers=other).status_code == 200
        locked = http.post("/api/v1/users/liu.clerk/lock", json={"reason": "调岗"}, headers=admin)
        assert locked.status_code == 204, locked.text
        assert http.get("/api/v1/cases", headers=other).status_code == 401
        no_csrf = {"Cookie": admin["Cookie"]}
        refused = http.post("/api/v1/users/liu.clerk/unlock", json={}, headers=no_csrf)
        assert refused.status_code == 403


def test_only_administrators_write_and_supervisors_read_their_part(api: ApiHarness) -> None:
    with api.client() as http:
        head = api.headers("zhang.head")
        for method, url, body in (
            (
                "POST",
                "/api/v1/users",
                {"username": "x.y", "name": "某", "roles": ["clerk"], "agency": "county"},
            ),
            ("POST", "/api/v1/tokens", {"name": "x", "username": "wang.clerk"}),
            ("POST", "/api/v1/users/wang.clerk/lock", {}),
            ("GET", "/api/v1/tokens", None),
            ("GET", "/api/v1/users", None),
        ):
            before = api.footprint()
            answer = http.request(method, url, json=body, headers=head)
            assert answer.status_code == 403, (url, answer.text)
            assert answer.json()["error"] == "forbidden"
            assert api.footprint() == before
        supervisor = api.headers("chen.supervisor")
        seen = http.get("/api/v1/users", headers=supervisor).json()
        assert {u["agency"] for u in seen} <= {"county", "edu", "housing"}
        assert "admin" not in {u["username"] for u in seen}


def test_a_token_request_says_what_it_means_or_is_refused(api: ApiHarness) -> None:
    """JSON's ``true`` is not one day, and an empty list of actions is not "every action"
    (nor a token that may do nothing): both refused, in the error model, nothing issued."""
    session_id, csrf = api.session(api.admin.username)
    admin = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    with api.client() as http:
        for body in (
            {"name": "website", "username": "wang.clerk", "days": True},
            {"name": "website", "username": "wang.clerk", "actions": []},
        ):
            refused = http.post("/api/v1/tokens", json=body, headers=admin)
            assert refused.status_code == 400, (body, refused.text)
            assert set(refused.json()) == {"error", "message", "fields"}
            assert refused.json()["fields"], refused.text
        assert http.get("/api/v1/tokens", headers=admin).json() == []
    # The same rule behind every front end, not only the API's model.
    with pytest.raises(InvalidInput, match="至少指定一个动作"):
        tokens.create_token(
            api.svc, api.admin, tokens.TokenRequest("website", "wang.clerk", actions=frozenset())
        )
