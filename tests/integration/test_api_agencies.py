"""Agencies over the API (``POST /api/v1/agencies``, ``GET /api/v1/agencies``), both
databases: an administrator signed in adds a town under the county, in the list at once
and in the security log; bad input is 400 in the one error model with each field named
(as a malformed body's are) and nothing written; anyone else is 403, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow import services
from govflow.workflow.services import Services
from tests.api_support import ApiHarness

TOWN = {"code": "town", "name": "示范镇人民政府", "ref_prefix": "示镇", "parent": "county"}
URL = "/api/v1/agencies"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


def signed_in(api: ApiHarness, username: str) -> dict[str, str]:
    session_id, csrf = api.session(username)
    return {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}


def written(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        agencies = conn.execute(text("SELECT code, name, ref_prefix FROM agencies ORDER BY id"))
        logged = conn.execute(text("SELECT count(*) FROM security_log")).scalar_one()
        return tuple(map(tuple, agencies)), logged


def test_an_administrator_adds_an_agency(api: ApiHarness, engine: Engine) -> None:
    admin = signed_in(api, api.admin.username)
    with api.client() as http:
        added = http.post(URL, json={**TOWN, "name": "  示范镇人民政府 "}, headers=admin)
        assert added.status_code == 201, added.text
        assert added.json() == TOWN  # blanks around the name are not kept
        listed = http.get(URL, headers=admin)
        assert listed.status_code == 200, listed.text
        rows = {a["code"]: a for a in listed.json()}
        assert rows["town"] == {**{k: TOWN[k] for k in ("code", "name", "ref_prefix")},
                                "depth": 1, "users": 0}  # fmt: skip
        assert rows["county"]["depth"] == 0 and rows["county"]["users"] > 0
        again = http.post(URL, json=TOWN, headers=admin)  # the same code twice
        assert again.status_code == 400
    logged = services.security_log(api.svc, api.admin)
    assert [e.target for e in logged if e.action == "agency_added"] == ["town"]
    assert next(e for e in logged if e.action == "agency_added").channel == "web"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {**TOWN, "code": "Town!", "ref_prefix": "示政办", "parent": "nowhere"},
            {"body.code", "body.ref_prefix", "body.parent"},
        ),
        ({**TOWN, "name": "   "}, {"body.name"}),
        ({"code": "town", "name": "示范镇"}, {"body.ref_prefix"}),  # malformed: no prefix
        ({**TOWN, "ref_prefix": "长" * 33}, {"body.ref_prefix"}),
    ],
)
def test_bad_input_is_400_naming_each_field_and_writes_nothing(
    api: ApiHarness, engine: Engine, body: dict[str, Any], fields: set[str]
) -> None:
    admin = signed_in(api, api.admin.username)
    before = written(engine)
    with api.client() as http:
        answer = http.post(URL, json=body, headers=admin)
    assert answer.status_code == 400, answer.text
    refusal = answer.json()
    assert refusal["error"] == "invalid_input"
    assert set(refusal["fields"]) == fields, refusal
    assert all(not m.isascii() for m in [refusal["message"], *refusal["fields"].values()])
    assert written(engine) == before


def test_only_an_administrator_adds_or_lists(api: ApiHarness, engine: Engine) -> None:
    before = written(engine)
    with api.client() as http:
        for who in ("chen.supervisor", "zhang.head", "li.handler"):
            session = signed_in(api, who)
            refused = http.post(URL, json=TOWN, headers=session)
            assert refused.status_code == 403, (who, refused.text)
            assert refused.json()["error"] == "forbidden"
            assert "不是系统管理员" in refused.json()["message"]
            assert http.get(URL, headers=session).status_code == 403
            token = http.post(URL, json=TOWN, headers=api.headers(who))
            assert token.status_code == 403, (who, token.text)
        no_csrf = {"Cookie": signed_in(api, api.admin.username)["Cookie"]}
        assert http.post(URL, json=TOWN, headers=no_csrf).status_code == 403
        assert http.post(URL, json=TOWN).status_code == 401
    after = written(engine)
    assert after[0] == before[0]  # no agency; the log holds only the sign-ins' entries


def test_the_openapi_document_types_the_agency_routes(api: ApiHarness) -> None:
    with api.client() as http:
        document = http.get("/api/v1/openapi.json").json()
    post = document["paths"][URL]["post"]
    assert post["tags"] == ["机关"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][body.rsplit("/", 1)[-1]]
    assert set(schema["required"]) == {"code", "name", "ref_prefix"}
    assert {"201", "400", "401", "403"} <= set(post["responses"])
    assert post["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )
