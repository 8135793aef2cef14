"""The supervisor's pages as routes (TestClient, both databases): who is refused and how,
the drill-down of a row that does not exist, the downloads' types and contents, the audit
timeline's CSV, and an agency outside the supervisor's tree. The browser walk is in
``tests/browser/test_supervise.py``."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from tests.principals import acting
from tests.web_support import page_client, signed_in


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("li.handler", "chen.supervisor", "sun.head")) as test_client:
        yield test_client


def _request(svc: services.Services) -> str:
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": "路由测试",
        "channel": "in_person",
    }
    return services.register_request(
        svc, agency_code="county", principal=acting(svc, "li.handler"), intake=intake
    )


def test_without_a_session_the_pages_send_the_browser_to_login(client: TestClient) -> None:
    for path in ("/supervise", "/supervise/report/annual", "/cases/X/audit"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_login(
    client: TestClient,
) -> None:
    """A POST has no page of its own to come back to: the page it was sent from (htmx's
    current URL, else the referrer) is where login returns, if it is on this server."""
    sent = "/cases/%E7%A4%BA1/actions/start_review"
    response = client.post(sent, headers={"Referer": "http://testserver/cases/%E7%A4%BA1"})
    assert response.status_code == 303
    assert "next=/cases/%25E7%25A4%25BA1" in response.headers["location"]
    htmx = client.post(
        sent, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?scope=all"}
    )
    assert "next=/%3Fscope%3Dall" in htmx.headers["HX-Redirect"]
    fragment = client.get(
        "/notifications/count",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/cases/x"},
    )  # a page's own update: login returns to the page, not to the fragment
    assert "next=/cases/x" in fragment.headers["HX-Redirect"]
    elsewhere = client.post(sent, headers={"Referer": "http://example.com/cases/x"})
    assert "next=" not in elsewhere.headers["location"]


def test_only_a_supervisor_sees_the_links_and_the_pages(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "li.handler")
    assert 'href="/supervise"' not in client.get("/").text
    for path in (
        "/supervise",
        "/supervise/cases?group=bucket&key=overdue",
        "/supervise/report/annual",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "李经办 不是督查，无权查看督查页面" in response.text
    # an htmx request gets the refusal as a fragment, never a blank
    fragment = client.get("/supervise", headers={"HX-Request": "true"})
    assert fragment.status_code == 403
    assert fragment.text.strip().startswith('<p class="error" role="alert">')
    signed_in(client, svc, "chen.supervisor")
    home = client.get("/").text
    assert 'href="/supervise"' in home and 'href="/supervise/report/annual"' in home
    assert client.get("/supervise").status_code == 200


def test_the_dashboard_refuses_what_it_cannot_show(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "chen.supervisor")
    assert client.get("/supervise?start=2025-13-01").status_code == 400
    late = client.get("/supervise?start=2025-12-01&end=2025-11-01")
    assert late.status_code == 400 and "晚于截止日" in late.text
    assert client.get("/supervise/cases?group=bucket&key=nonsense").status_code == 404
    assert client.get("/supervise/cases?group=bucket&key=overdue").status_code == 200


def test_the_annual_report_downloads_in_three_formats_within_the_tree(
    client: TestClient, svc: services.Services
) -> None:
    signed_in(client, svc, "chen.supervisor")
    shown = client.get("/supervise/report/annual?agency=county&year=2025&scope=tree")
    assert shown.status_code == 200 and 'id="table3"' in shown.text and 'id="table4"' in shown.text
    base = "/supervise/report/annual?agency=county&year=2025&scope=tree&format="
    xlsx = client.get(base + "xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    # named for people: the agency's name, as the report's title gives it
    assert (
        quote("示范县人民政府办公室（含下级机关）-2025.xlsx") in xlsx.headers["content-disposition"]
    )
    text = client.get(base + "csv").content.decode("utf-8-sig")
    assert "三、收到和处理政府信息公开申请情况" in text
    assert client.get(base + "md").text.startswith("# ")
    assert client.get(base + "pdf").status_code == 400
    assert client.get("/supervise/report/annual?agency=county&year=1999").status_code == 400
    # an agency that is not in the supervisor's tree: not found, as in the API
    assert client.get("/supervise/report/annual?agency=nowhere&year=2025").status_code == 404


def test_the_audit_timeline_and_its_csv_are_the_command_lines(
    client: TestClient, svc: services.Services
) -> None:
    ref = _request(svc)
    url = f"/cases/{quote(ref, safe='')}/audit"
    signed_in(client, svc, "chen.supervisor")
    page = client.get(url)
    assert page.status_code == 200 and "答复期限" in page.text
    body = client.get(url + "?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "序号" and len(rows) > 1
    timeline = services.case_timeline(svc, acting(svc, "chen.supervisor").as_reader(), ref)
    assert {int(r[0]) for r in rows[1:]} == {e.seq for e in timeline.entries}
    signed_in(client, svc, "sun.head")  # another agency's office head: not found
    refused = client.get(url)
    assert refused.status_code == 404 and "无权查看" in refused.text


def test_a_report_over_histories_in_doubt_is_refused_with_a_way_to_draw_it_noted(
    client: TestClient, svc: services.Services, engine: Engine
) -> None:
    ref = _request(svc)
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'replied' WHERE ref = :r"), {"r": ref})
    integrity.verify_all(svc, SYSTEM)
    signed_in(client, svc, "chen.supervisor")
    for path in ("/supervise", "/supervise/report/annual?agency=county&year=2025"):
        refused = client.get(path)
        assert refused.status_code == 422, path
        assert "未核实的审计发现" in refused.text
        # the agency as people read it: by name, not by its code
        assert "示范县人民政府办公室（含下级机关）有 1 处未核实的审计发现" in refused.text
        assert "机关 county" not in refused.text
        retry = re.search(r'href="([^"]*allow_findings=1[^"]*)"', refused.text)
        assert retry, refused.text
        drawn = client.get(html.unescape(retry.group(1)))
        assert drawn.status_code == 200
        assert ref in drawn.text  # the report's note names the case in doubt
