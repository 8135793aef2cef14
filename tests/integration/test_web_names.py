"""People read names, not codes (issues 11, 12; TestClient, both databases): the
supervisor's verification and checkpoint pages name the agency and who took a checkpoint;
the administrator's tokens page names each token's account, agency and creator, and its
form's holders; the login log names the agency; and the service's refusals people read
name the agency (an action on another agency's case, a token for an agency not its
account's, a token's write outside its agency)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from govflow.workflow.errors import InvalidInput, NotPermitted
from govflow.workflow.services import TokenRequest, tokens
from tests.principals import acting
from tests.web_support import page_client, signed_in

PEOPLE = ("admin", "chen.supervisor", "liu.clerk")
COUNTY, EDU = "示范县人民政府办公室", "示范县教育局"


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, PEOPLE) as test_client:
        yield test_client


def _cells(page: str, row_id: str) -> dict[str, str]:
    """The cells of the table row ``row_id`` that carry a class, by class, as text."""
    row = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id}"
    return {
        cls: html.unescape(re.sub(r"<[^>]+>|\s+", "", body))
        for cls, body in re.findall(r'<td class="([\w-]+)">(.*?)</td>', row.group(1), re.S)
    }


def test_the_checkpoints_and_verification_pages_name_the_agency_and_the_person(
    client: TestClient, svc: services.Services
) -> None:
    csrf = signed_in(client, svc, "chen.supervisor")
    taken = client.post("/supervise/checkpoints", data={"csrf_token": csrf})
    assert taken.status_code == 200 and "attachment" in taken.headers["content-disposition"]

    page = client.get("/supervise/checkpoints").text
    assert f"检查点记录 {COUNTY} 及其下级机关" in page
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page.split('id="checkpoints"')[1], re.S)
    assert len(rows) == 1
    assert f'<td class="scope">{COUNTY}（含下级机关）</td>' in rows[0]
    assert '<td class="taken-by">陈督查（chen.supervisor）</td>' in rows[0]
    assert "机关 county" not in page

    for answer in (
        client.get("/supervise/verify"),
        client.post("/supervise/verify", data={"csrf_token": csrf}),
    ):
        assert answer.status_code == 200
        assert f"校验 {COUNTY} 及其下级机关" in answer.text
        assert "校验 county" not in answer.text


def test_the_tokens_page_names_accounts_agencies_and_creators(
    client: TestClient, svc: services.Services
) -> None:
    admin = acting(svc, "admin")
    request = TokenRequest(
        name="duban-report",
        username="chen.supervisor",
        agency="county",
        include_children=True,
        read_only=True,
    )
    tokens.create_token(svc, admin, request)
    signed_in(client, svc, "admin")
    page = client.get("/admin/tokens").text

    cells = _cells(page, "token-duban-report")
    assert cells["holder"] == "陈督查（chen.supervisor）"
    assert cells["scope"].startswith(f"{COUNTY}及下级；只读")
    assert cells["created"].endswith("（系统管理员）")
    assert "机关county" not in cells["scope"] and "admin" not in cells["created"]

    holders = re.search(r'<select id="t-username"[^>]*>(.*?)</select>', page, re.S)
    assert holders, "the holder is chosen from a list"
    options = dict(re.findall(r'<option value="([^"]+)"\s*>([^<]*)</option>', holders.group(1)))
    assert options["liu.clerk"] == f"刘登记（liu.clerk，{EDU}）"
    assert options["chen.supervisor"] == f"陈督查（chen.supervisor，{COUNTY}）"


def test_the_login_log_names_the_agency(client: TestClient, svc: services.Services) -> None:
    signed_in(client, svc, "liu.clerk")
    signed_in(client, svc, "admin")
    page = client.get("/admin/login-log").text
    agencies = re.findall(r'<td class="agency">([^<]*)</td>', page)
    assert EDU in agencies
    assert "edu" not in agencies and "county" not in agencies


def test_refusals_people_read_name_the_agency(svc: services.Services) -> None:
    ref = services.register_request(
        svc,
        agency_code="edu",
        principal=acting(svc, "liu.clerk"),
        intake={
            "applicant": {
                "kind": "natural_person",
                "name": "张三",
                "id_number": "610926199001011234",
                "phone": "13800000000",
            },
            "description": "2024年教育经费公开表",
            "channel": "in_person",
        },
    )
    # A supervisor above reads the case, but works none of another agency's.
    with pytest.raises(NotPermitted) as info:
        services.act(
            svc,
            ref=ref,
            action="start_review",
            payload={},
            principal=acting(svc, "chen.supervisor"),
        )
    assert f"陈督查 不属于本案所属机关（{EDU}），不能办理" in str(info.value)

    services.bootstrap_admin(svc)
    wrong = TokenRequest(name="edu-token", username="wang.clerk", agency="edu")
    with pytest.raises(InvalidInput) as refused:
        tokens.create_token(svc, acting(svc, "admin"), wrong)
    assert f"令牌只能用于 王登记（wang.clerk）所属的{COUNTY}" in str(refused.value)
    assert refused.value.fields["agency"] == str(refused.value)

    # The supervisor's writing token for the county reads the bureau's case (below), but
    # the token's scope refuses a write there, naming both agencies.
    issued = tokens.create_token(
        svc, acting(svc, "admin"), TokenRequest(name="county-token", username="chen.supervisor")
    )
    through_token = services.authenticate_token(svc, issued.token)
    with pytest.raises(NotPermitted) as scoped:
        services.attach(
            svc,
            ref=ref,
            principal=through_token,
            filename="来信.pdf",
            content=b"%PDF-1.4\n% letter\n",
            category="letter",
        )
    assert str(scoped.value) == f"此令牌只能用于{COUNTY}，不能办理{EDU}的案件"
