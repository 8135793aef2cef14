"""A case's documents over the HTTP API, on SQLite and PostgreSQL (SPEC N-1, N-2, W-1): the
list for whoever reads the case, the download for the staff of its own agency only — the
same use cases as the case page's 文书与附件 — every refusal in the one error model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.models.filestore import DirectoryStore
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.services import Services, attach
from tests.api_support import ApiHarness, path, registration
from tests.principals import acting

CLERK, HEAD, SUPERVISOR = "wang.clerk", "zhang.head", "chen.supervisor"
OTHER_AGENCY = "liu.clerk"  # edu, below county: not the case's agency
PDF = b"%PDF-1.4\n% scanned letter of the applicant\n"
SCAN = "申请书扫描件.pdf"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


@pytest.fixture
def http(api: ApiHarness) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def _case_with_a_scan(api: ApiHarness, http: TestClient) -> str:
    """A county request handed in person (its receipt issued at once), the letter attached."""
    answer = http.post("/api/v1/requests", json=registration(), headers=api.headers(CLERK))
    assert answer.status_code == 201, answer.text
    ref = answer.json()["ref"]
    principal = acting(api.svc, CLERK)
    attach(api.svc, ref=ref, principal=principal, filename=SCAN, content=PDF, category="letter")
    return ref


def _refused(answer, status: int, code: str) -> str:
    assert answer.status_code == status, answer.content[:300]
    body = answer.json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == code
    assert not body["message"].isascii()
    return body["message"]


def test_the_list_and_each_file_for_the_cases_own_agency(api: ApiHarness, http: TestClient) -> None:
    ref = _case_with_a_scan(api, http)
    listed = http.get(path(ref, "documents"), headers=api.headers(HEAD))
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["ref"] == ref
    receipt, scan = body["documents"]
    assert (receipt["no"], receipt["type"], receipt["kind"]) == (1, "notice", "receipt")
    assert receipt["number"] and receipt["version"] == 1 and receipt["filename"].endswith(".docx")
    assert (scan["no"], scan["type"], scan["kind"], scan["number"]) == (
        2,
        "attachment",
        "letter",
        None,
    )
    assert (scan["title"], scan["filename"], scan["media_type"]) == (
        "申请书（来信）",
        SCAN,
        "application/pdf",
    )
    assert scan["size"] == len(PDF) and scan["sha256"] == sha256_hex(PDF)
    assert datetime.fromisoformat(scan["issued_at"]).tzinfo is not None
    assert scan["issued_by"] == CLERK
    for document in body["documents"]:
        assert document["download"] == path(ref, "documents", str(document["no"]))
        got = http.get(document["download"], headers=api.headers(CLERK))
        assert got.status_code == 200, got.text
        assert sha256_hex(got.content) == document["sha256"]
        assert len(got.content) == document["size"]
        assert got.headers["content-type"].split(";")[0] == document["media_type"]
        disposition = got.headers["content-disposition"]
        assert disposition == f"attachment; filename*=UTF-8''{quote(document['filename'], safe='')}"
    assert http.get(path(ref, "documents", "2"), headers=api.headers(CLERK)).content == PDF


def test_a_supervisor_lists_but_may_not_download_and_another_agency_sees_nothing(
    api: ApiHarness, http: TestClient
) -> None:
    """The page's rule: out of read scope is not found (as a case that does not exist); a
    supervisor reads the list, not the files, which carry the applicant's data unmasked."""
    ref = _case_with_a_scan(api, http)
    supervisor = api.headers(SUPERVISOR)
    assert http.get(path(ref, "documents"), headers=supervisor).status_code == 200
    message = _refused(http.get(path(ref, "documents", "2"), headers=supervisor), 403, "forbidden")
    assert "仅本案所属机关" in message
    other = api.headers(OTHER_AGENCY)
    missing = "示政办依申〔2025〕9999号"
    unknown = _refused(http.get(path(missing, "documents"), headers=other), 404, "not_found")
    assert _refused(http.get(path(ref, "documents"), headers=other), 404, "not_found") == (
        unknown.replace(missing, ref)
    )
    _refused(http.get(path(ref, "documents", "2"), headers=other), 404, "not_found")
    assert "现有：1、2" in _refused(
        http.get(path(ref, "documents", "7"), headers=api.headers(HEAD)), 404, "not_found"
    )


def test_no_credentials_or_a_bad_token_is_401(api: ApiHarness, http: TestClient) -> None:
    ref = _case_with_a_scan(api, http)
    for headers in ({}, {"Authorization": "Bearer gfl_not-a-token"}):
        for url in (path(ref, "documents"), path(ref, "documents", "2")):
            _refused(http.get(url, headers=headers), 401, "unauthenticated")


def test_a_token_reads_only_in_its_own_agency(api: ApiHarness, http: TestClient) -> None:
    """The supervisor's read-only token for edu: a county case (which the account itself
    may read) is out of the token's reach, 404; an edu case's list, yes; its files, no."""
    county = _case_with_a_scan(api, http)
    edu = http.post(
        "/api/v1/requests", json=registration(), headers=api.headers(OTHER_AGENCY)
    ).json()["ref"]
    token = api.token(SUPERVISOR, agency="edu", include_children=True, read_only=True)
    scoped = {"Authorization": f"Bearer {token}"}
    assert http.get(path(county, "documents"), headers=api.headers(SUPERVISOR)).status_code == 200
    _refused(http.get(path(county, "documents"), headers=scoped), 404, "not_found")
    _refused(http.get(path(county, "documents", "1"), headers=scoped), 404, "not_found")
    [receipt] = http.get(path(edu, "documents"), headers=scoped).json()["documents"]
    assert receipt["kind"] == "receipt"
    _refused(http.get(path(edu, "documents", "1"), headers=scoped), 403, "forbidden")


def test_a_swapped_stored_file_is_refused_never_downloaded(
    api: ApiHarness, http: TestClient, files: DirectoryStore
) -> None:
    ref = _case_with_a_scan(api, http)
    stored = files._path(sha256_hex(PDF))
    stored.write_bytes(PDF + b"tampered")
    answer = http.get(path(ref, "documents", "2"), headers=api.headers(CLERK))
    assert "哈希不符" in _refused(answer, 409, "damaged_document")
    assert b"tampered" not in answer.content


def test_a_token_for_an_agency_below_reads_there_as_a_supervisor_only(
    api: ApiHarness, http: TestClient
) -> None:
    """An account that supervises the county and also handles its own cases, with a
    read-only token for edu: in edu it is a supervisor, never edu's staff — the list, not
    the files (nor the applicant's data unmasked)."""
    from govflow.workflow.actors import Role
    from govflow.workflow.services import accounts

    accounts.add_user(
        api.svc,
        api.admin,
        accounts.NewAccount("gao.both", "高督办", (Role.HANDLER, Role.SUPERVISOR), "county"),
    )
    edu = http.post(
        "/api/v1/requests", json=registration(), headers=api.headers(OTHER_AGENCY)
    ).json()["ref"]
    token = api.token("gao.both", agency="edu", read_only=True)
    scoped = {"Authorization": f"Bearer {token}"}
    assert http.get(path(edu, "documents"), headers=scoped).status_code == 200
    _refused(http.get(path(edu, "documents", "1"), headers=scoped), 403, "forbidden")
    assert "610926199001011234" not in http.get(path(edu), headers=scoped).text
