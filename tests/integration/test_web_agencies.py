"""The administrator adds an agency on ``/admin/agencies`` (TestClient, both databases):
the new agency in the tree with a confirmation; a faulty form back with the message beside
its field and what was typed kept, nothing written; no CSRF token, or a reader who is not
an administrator, refused with nothing written. The browser walk is in
``tests/browser/test_admin_more.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from govflow.workflow.services import accounts
from tests.web_support import page_client, signed_in

TOWN = {"code": "town", "name": "示范镇人民政府", "ref_prefix": "示镇", "parent": "county"}


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("admin", "li.handler")) as test_client:
        yield test_client


def agency_codes(svc: services.Services) -> list[str]:
    with svc.uow() as uow:
        return sorted(a.code for a in uow.repo.agencies())


def test_the_administrator_adds_a_town_under_the_county(
    client: TestClient, svc: services.Services
) -> None:
    csrf = signed_in(client, svc, "admin")
    form = client.get("/admin/agencies").text
    assert '<label for="a-parent">上级机关</label>' in form
    assert '<option value="">（无上级）</option>' in form
    assert "只读" not in form
    response = client.post("/admin/agencies", data={**TOWN, "csrf_token": csrf})
    assert response.status_code == 200
    assert "已新增机关 示范镇人民政府（town）" in response.text
    # In the tree, right under the county office (depth 1), and offered as a parent now.
    rows = re.findall(r'<tr id="agency-([a-z0-9_-]+)" class="depth-(\d)">', response.text)
    assert ("town", "1") in rows
    assert '<option value="town" >' in response.text
    assert "town" in agency_codes(svc)
    admin = accounts.principal_for(svc, "admin", "cli:test")
    logged = services.security_log(svc, admin)
    assert any(e.action == "agency_added" and e.target == "town" for e in logged)


def test_a_faulty_form_comes_back_with_each_message_beside_its_field(
    client: TestClient, svc: services.Services
) -> None:
    csrf = signed_in(client, svc, "admin")
    before = agency_codes(svc)
    taken = {**TOWN, "code": "Town!", "ref_prefix": "示政办", "csrf_token": csrf}
    response = client.post("/admin/agencies", data=taken)
    assert response.status_code == 422
    text = response.text
    assert "本次未保存" in text
    assert '<small id="a-code-err" class="field-error" role="alert">' in text
    assert "该文号前缀已被其他机关使用" in text
    assert 'aria-invalid="true"' in text
    # What was typed is kept; the parent stays chosen.
    assert 'value="Town!"' in text and 'value="示范镇人民政府"' in text
    assert '<option value="county" selected>' in text
    assert agency_codes(svc) == before


def test_without_the_csrf_token_nothing_is_added(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "admin")
    before = agency_codes(svc)
    response = client.post("/admin/agencies", data=TOWN)
    assert response.status_code == 403
    assert agency_codes(svc) == before


def test_a_handler_is_refused(client: TestClient, svc: services.Services) -> None:
    csrf = signed_in(client, svc, "li.handler")
    before = agency_codes(svc)
    response = client.post("/admin/agencies", data={**TOWN, "csrf_token": csrf})
    assert response.status_code == 403
    assert "不是系统管理员" in response.text
    assert "示范镇人民政府" not in response.text
    assert agency_codes(svc) == before
