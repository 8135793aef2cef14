"""An API token reads the applicants' identity and contact data unmasked only if issued
with ``personal_data`` (issue 11, SPEC's privacy rules), on SQLite and PostgreSQL, through
the HTTP API: a website form's token scoped to ``receive`` pushes requests, and reads every
case of its agency masked — detail, list, search, timeline (JSON and CSV) — and downloads
no notice (403: a notice prints the applicant's data, and a masked copy would not be the
file its event hashed). The same clerk's token issued with the permission, and the clerk's
own session, read them in full. The permission is issued explicitly (the API's body, the
administrator's page) and shown in the lists; migration 0016 gives every token issued
before it ``false``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from govflow.models.db import alembic_config, migrate
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow.services import Services, tokens
from tests.api_support import ApiHarness, path, registration
from tests.principals import acting
from tests.web_support import page_client, signed_in

CLERK = "wang.clerk"  # the county's clerk (demo organisation)
ID_NUMBER, PHONE, ADDRESS = "610926199001011234", "13800000000", "示范县幸福路 8 号"
EMAIL = "zhangsan@example.cn"
SECRETS = (ID_NUMBER, PHONE, ADDRESS, EMAIL, "张三")
WITHHELD = "此 API 令牌未获准读取申请人身份与联系信息"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def intake(channel: str = "in_person") -> dict[str, Any]:
    body = registration(channel=channel)
    body["applicant"] = {**body["applicant"], "address": ADDRESS, "email": EMAIL}
    return body


def shows_none(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


def shows_all(text: str) -> bool:
    return all(secret in text for secret in SECRETS)


def test_a_receive_only_token_reads_every_case_masked(api: ApiHarness, http: TestClient) -> None:
    form = bearer(api.token(CLERK, actions=frozenset({"receive"})))
    pushed = http.post("/api/v1/requests", json=intake("online"), headers=form)
    assert pushed.status_code == 201, pushed.text
    ref = pushed.json()["ref"]
    assert shows_none(pushed.text)  # not even in the answer to the push
    # Another request of the agency, registered by a person at the counter.
    other = http.post("/api/v1/requests", json=intake(), headers=api.headers(CLERK))
    assert shows_all(other.text)
    for case in (ref, other.json()["ref"]):
        detail = http.get(path(case), headers=form)
        assert detail.status_code == 200 and shows_none(detail.text)
        request = detail.json()["data"]["request"]
        assert request["id_number"] == "610*************34"
        assert request["phone"] == "138******00"
        timeline = http.get(path(case, "timeline"), headers=form)
        assert timeline.status_code == 200 and shows_none(timeline.text)
        csv = http.get(path(case, "timeline.csv"), headers=form)
        assert csv.status_code == 200 and shows_none(csv.content.decode("utf-8-sig"))
    # The counter's request has its receipt: listed (titles, hashes), not handed out.
    listed = http.get(path(other.json()["ref"], "documents"), headers=form)
    assert listed.status_code == 200 and listed.json()["documents"]
    notice = http.get(path(other.json()["ref"], "documents", "1"), headers=form)
    assert notice.status_code == 403
    assert notice.json()["message"].startswith(WITHHELD)
    assert (
        http.get(
            path(other.json()["ref"], "documents", "1"), headers=api.headers(CLERK)
        ).status_code
        == 200
    )
    listing = http.get("/api/v1/cases", headers=form)
    assert listing.status_code == 200 and shows_none(listing.text)
    assert {ref, other.json()["ref"]} <= {c["ref"] for c in listing.json()["cases"]}
    # Searching by what it may not read finds nothing: no oracle of who applied.
    for typed in (ID_NUMBER, PHONE, "张三"):
        found = http.get("/api/v1/cases", params={"text": typed}, headers=form)
        assert found.status_code == 200 and found.json()["cases"] == [], typed


def test_a_token_issued_with_the_permission_reads_them(api: ApiHarness, http: TestClient) -> None:
    token = api.token(CLERK, personal_data=True)
    pushed = http.post("/api/v1/requests", json=intake(), headers=bearer(token))
    assert pushed.status_code == 201 and shows_all(pushed.text)
    ref = pushed.json()["ref"]
    assert shows_all(http.get(path(ref), headers=bearer(token)).text)
    assert shows_all(http.get(path(ref, "timeline"), headers=bearer(token)).text)
    found = http.get("/api/v1/cases", params={"text": ID_NUMBER}, headers=bearer(token))
    assert [c["ref"] for c in found.json()["cases"]] == [ref]
    notice = http.get(path(ref, "documents", "1"), headers=bearer(token))
    assert notice.status_code == 200 and notice.content


def test_a_persons_session_is_unchanged(api: ApiHarness, http: TestClient) -> None:
    pushed = http.post(
        "/api/v1/requests", json=intake(), headers=bearer(api.token(CLERK, actions=None))
    )
    ref = pushed.json()["ref"]
    session_id, _ = api.session(CLERK)
    cookie = {"Cookie": f"{SESSION_COOKIE}={session_id}"}
    assert shows_all(http.get(path(ref), headers=cookie).text)
    assert shows_all(http.get(path(ref, "timeline"), headers=cookie).text)
    assert http.get(path(ref, "documents", "1"), headers=cookie).status_code == 200


def test_a_declared_types_personal_fields_are_masked_too(api: ApiHarness, http: TestClient) -> None:
    message = {
        "title": "路灯不亮",
        "content": "幸福路路灯坏了",
        "contact_name": "李四",
        "contact_phone": "13900000000",
        "channel": "website",
    }
    url = "/api/v1/case-types/online_message/cases"
    plain = bearer(api.token(CLERK))
    opened = http.post(url, json=message, headers=plain)
    assert opened.status_code == 201, opened.text
    ref = opened.json()["ref"]
    for answer in (
        opened,
        http.get(path(ref), headers=plain),
        http.get(path(ref, "timeline"), headers=plain),
    ):
        assert "13900000000" not in answer.text and "李四" not in answer.text
    allowed = bearer(api.token(CLERK, personal_data=True))
    assert "13900000000" in http.get(path(ref), headers=allowed).text


def test_tokens_are_issued_without_it_unless_asked(api: ApiHarness, http: TestClient) -> None:
    admin_id, csrf = api.session(api.admin.username)
    admin = {"Cookie": f"{SESSION_COOKIE}={admin_id}", CSRF_HEADER: csrf}
    plain = http.post("/api/v1/tokens", json={"name": "form", "username": CLERK}, headers=admin)
    assert plain.status_code == 201, plain.text
    assert plain.json()["scope"]["personal_data"] is False
    body = {"name": "ledger", "username": CLERK, "personal_data": True}
    allowed = http.post("/api/v1/tokens", json=body, headers=admin)
    assert allowed.status_code == 201 and allowed.json()["scope"]["personal_data"] is True
    listed = {
        t["name"]: t["scope"]["personal_data"]
        for t in http.get("/api/v1/tokens", headers=admin).json()
    }
    assert listed == {"form": False, "ledger": True}
    # A supervisor sees applicants masked whatever the token says: granting it is refused.
    body = {"name": "sup", "username": "chen.supervisor", "read_only": True, "personal_data": True}
    refused = http.post("/api/v1/tokens", json=body, headers=admin)
    assert refused.status_code == 400 and "personal_data" in refused.json()["fields"]
    schema = http.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["NewToken"]["properties"]["personal_data"]["default"] is False
    assert "personal_data" in schema["Scope"]["required"]


def _scope_cell(page: str, name: str) -> str:
    row = re.search(rf'<tr id="token-{name}">(.*?)</tr>', page, re.S)
    assert row, f"no row of {name}"
    cell = re.search(r'<td class="scope">(.*?)</td>', row.group(1), re.S)
    assert cell
    return html.unescape(re.sub(r"<[^>]+>|\s+", "", cell.group(1)))


def test_the_administrators_page_issues_it_by_a_labelled_checkbox(
    svc: Services, engine: Engine
) -> None:
    with page_client(svc, engine, ("admin",)) as client:
        csrf = signed_in(client, svc, "admin")
        form = client.get("/admin/tokens").text
        assert re.search(
            r'<label for="t-personal-data"><input type="checkbox" id="t-personal-data" '
            r'name="personal_data"[^>]*> 可读取申请人身份与联系信息</label>',
            form,
        )
        for name, ticked in (("ledger", True), ("form", False)):
            data = {"csrf_token": csrf, "name": name, "username": CLERK}
            answer = client.post(
                "/admin/tokens", data={**data, "personal_data": "on"} if ticked else data
            )
            assert answer.status_code == 200, answer.text[:300]
        page = client.get("/admin/tokens").text
        assert _scope_cell(page, "ledger").endswith("；可读取申请人身份与联系信息")
        assert _scope_cell(page, "form").endswith("；申请人身份与联系信息遮蔽")
        issued = {
            t.name: t.scope.personal_data for t in tokens.list_tokens(svc, acting(svc, "admin"))
        }
        assert issued == {"ledger": True, "form": False}
        # A supervisor would read masked anyway: refused beside the box, nothing issued.
        data = {"csrf_token": csrf, "name": "sup", "username": "chen.supervisor",
                "read_only": "on", "personal_data": "on"}  # fmt: skip
        refused = client.post("/admin/tokens", data=data)
        assert refused.status_code == 422
        assert 'id="t-personal_data-err"' in refused.text
        assert "sup" not in {t.name for t in tokens.list_tokens(svc, acting(svc, "admin"))}


def test_the_migration_gives_every_token_issued_before_it_false(
    api: ApiHarness, engine: Engine
) -> None:
    api.token(CLERK)
    api.token(CLERK, personal_data=True)
    command.downgrade(alembic_config(engine), "0015")  # a database from before 0016 …
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT scope FROM api_tokens")).scalars().all()
    assert stored and all("personal_data" not in str(scope) for scope in stored)
    migrate(engine)
    with engine.connect() as conn:
        flags = conn.execute(text("SELECT personal_data FROM api_tokens")).scalars().all()
    assert [bool(f) for f in flags] == [False, False]
    assert {t.scope.personal_data for t in tokens.list_tokens(api.svc, api.admin)} == {False}
