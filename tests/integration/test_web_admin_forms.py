"""The administrator's pages in words people read (TestClient, both databases; issue 12's
second exploratory pass):

* a refusal of the new-user form puts each message beside its field and keeps what was
  typed — an e-mail address in the wrong form was refused with "请按各字段旁的提示更正"
  and no message beside any field;
* a calendar import lists the limits it moved by their names (答复期限, not ``reply``),
  and the files in force name who imported them (系统, 系统管理员（admin）), not the
  account codes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.integration.conftest import Flow
from tests.integration.test_calendar_imports import TEST_2027, shipped_files
from tests.web_support import page_client, signed_in


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("admin",)) as test_client:
        yield test_client


def _beside(page: str, field: str) -> str | None:
    found = re.search(rf'<small id="u-{field}-err" class="field-error" role="alert">([^<]*)<', page)
    return html.unescape(found[1]) if found else None


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"email": "wang-at-example"}, "email", "格式不对"),
        ({"username": "王五"}, "username", "只能用字母、数字"),
        ({"name": "  "}, "name", "姓名不能为空"),
        ({"role_clerk": ""}, "roles", "至少选择一个角色"),
        ({"username": "Wang.Clerk"}, "username", "与已有用户 wang.clerk（王登记）只差大小写"),
    ],
)
def test_each_refusal_of_a_new_account_is_shown_beside_its_field(
    client: TestClient, svc: services.Services, typed: dict[str, str], field: str, message: str
) -> None:
    csrf = signed_in(client, svc, "admin")
    form = {
        "csrf_token": csrf,
        "username": "wang.wu",
        "name": "王五",
        "email": "wang.wu@example.gov.cn",
        "kind": "person",
        "agency": "county",
        "role_clerk": "on",
        **typed,
    }
    answer = client.post("/admin/users", data={k: v for k, v in form.items() if v})
    assert answer.status_code == 422
    shown = _beside(answer.text, field)
    assert shown is not None and message in shown, answer.text[-3000:]
    assert re.search(rf'aria-describedby="[^"]*u-{field}-err"[^>]*aria-invalid="true"', answer.text)
    for name, value in typed.items():
        if name != "role_clerk":
            assert f'value="{html.escape(value)}"' in answer.text  # what was typed is kept
    users = client.get("/admin/users").text  # nothing written
    assert 'id="user-wang.wu"' not in users and 'id="user-Wang.Clerk"' not in users


def test_an_empty_calendar_file_is_said_to_be_empty_not_missing(
    client: TestClient, svc: services.Services
) -> None:
    """A file chosen with nothing in it was answered 请选择要导入的日历文件, as if none had been
    chosen; no file chosen still is."""
    csrf = signed_in(client, svc, "admin")
    before = client.get("/admin/calendar").text.count('<td class="imported-by">')
    empty = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf},
        files={"file": ("2027.yaml", b"", "application/x-yaml")},
    )
    assert empty.status_code == 422
    assert "文件 2027.yaml 是空的" in empty.text and "请选择要导入的日历文件" not in empty.text
    none = client.post(
        "/admin/calendar", data={"csrf_token": csrf}, files={"file": ("", b"", "text/plain")}
    )
    assert none.status_code == 422 and "请选择要导入的日历文件" in none.text
    after = client.get("/admin/calendar").text.count('<td class="imported-by">')
    assert after == before  # nothing written


def test_a_calendar_import_names_the_limits_it_moved_and_who_imported(
    client: TestClient, flow: Flow
) -> None:
    services.seed_calendar(flow.svc, shipped_files())
    flow.at("2026-12-18 10:00")
    ref = flow.register()  # its reply limit reaches into 2027: provisional until imported
    csrf = signed_in(client, flow.svc, "admin")
    answer = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf},
        files={"file": ("2027.yaml", TEST_2027.encode("utf-8"), "application/x-yaml")},
    )
    assert answer.status_code == 200, answer.text[-2000:]
    lines = [html.unescape(line) for line in re.findall(r"<p>([^<]*)</p>", answer.text)]
    assert f"{ref} 答复期限：2027-01-15 → 2027-01-19" in lines
    assert not any(" reply：" in line for line in lines)
    importers = re.findall(r'<td class="imported-by">([^<]*)</td>', answer.text)
    assert importers[0] == "系统管理员（admin）"  # the newest first
    assert set(importers[1:]) == {"系统"}  # the files init seeded
    # The case's history keeps the change as it was recorded: the key, no label.
    recorded = flow.case(ref).events[-1].data["derived"]["changes"]
    assert recorded == {"reply": {"from": "2027-01-15", "to": "2027-01-19", "provisional": False}}
