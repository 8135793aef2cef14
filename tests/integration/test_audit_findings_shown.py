"""Issue 12: a case whose history ``audit verify`` found tampered with says so wherever it is
read — the case page and its audit timeline (a warning, ``role=alert``), the supervisor's
dashboard and verification page (how many cases, the list), the API's case and the
command line's ``case show`` — until a later verify finds it clean again; a clean case
says nothing.

The history is tampered with as someone with database access would: one event row
edited with plain SQL in the test's own database, then put back as it was.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from govflow.cli import app as cli_app
from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from tests.api_support import ApiHarness, path
from tests.web_support import page_client, signed_in

BANNER = 'id="audit-findings"'
FOUND = "事件内容被修改（第 1 个事件）"


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    people = ("li.handler", "chen.supervisor", "sun.head")
    with page_client(svc, engine, people) as test_client:
        yield test_client


def _case(flow, description: str) -> str:
    ref = flow.register(intake=flow.intake(description=description))
    flow.act(ref, "li.handler", "start_review")
    return ref


def _first_actor(engine: Engine, ref: str, actor: str | None = None) -> str:
    """The actor recorded on the case's first event; with ``actor``, written over it (in
    the test's own database, as an intruder would: the event's hash no longer matches)."""
    where = "case_id = (SELECT id FROM cases WHERE ref = :r) AND seq = 1"
    with engine.begin() as conn:
        if actor is not None:
            conn.execute(
                text(f"UPDATE events SET actor = :a WHERE {where}"), {"a": actor, "r": ref}
            )
        return conn.execute(
            text(f"SELECT actor FROM events WHERE {where}"), {"r": ref}
        ).scalar_one()


def _tampered(flow) -> tuple[str, str, str]:
    """A tampered case and a clean one, verified at 2025-09-23 10:00 (Beijing); and the
    actor the tampered event had."""
    flow.checking = False
    flow.at("2025-09-22 09:30")
    ref, clean = _case(flow, "被改动的案件"), _case(flow, "完好的案件")
    original = _first_actor(flow.engine, ref)
    _first_actor(flow.engine, ref, "intruder")
    flow.at("2025-09-23 10:00")
    checked, found = integrity.verify_all(flow.svc, SYSTEM)
    assert checked == 2 and {(f.case_ref, f.position, f.kind) for f in found} == {
        (ref, 1, "edited")
    }
    return ref, clean, original


def _banner(html: str) -> str:
    """The warning a case's page shows above all else, announced as an alert."""
    found = re.search(
        r'<div class="case-warnings" role="alert" id="audit-findings">(.*?)</div>', html, re.S
    )
    assert found, html
    return found.group(1)


def _url(ref: str, *rest: str) -> str:
    return "/".join([f"/cases/{quote(ref, safe='')}", *rest])


def test_the_case_and_its_audit_timeline_warn_of_open_findings(
    flow, client: TestClient, svc: services.Services
) -> None:
    ref, clean, _ = _tampered(flow)
    handler = services.identify(svc, "li.handler")
    (finding,) = services.case_detail(svc, handler, ref).findings or ()
    assert (finding.kind, finding.kind_label, finding.position) == ("edited", "事件内容被修改", 1)
    assert services.case_detail(svc, handler, clean).findings == ()
    assert services.case_timeline(svc, handler, clean).findings == ()

    signed_in(client, svc, "li.handler")
    for page in (_url(ref), _url(ref, "audit")):
        shown = client.get(page)
        assert shown.status_code == 200, page
        banner = _banner(shown.text)
        assert FOUND in banner and "哈希不符" in banner  # the kind, then what verify said
        assert "发现于 2025-09-23 10:00" in banner
        # not a supervisor: told whom to ask, not sent to a page that refuses them
        assert "/supervise/verify" not in banner and "督查人员" in banner
    for page in (_url(clean), _url(clean, "audit")):
        assert BANNER not in client.get(page).text, page

    signed_in(client, svc, "chen.supervisor")
    audit = client.get(_url(ref, "audit")).text
    assert BANNER in audit and 'href="/supervise/verify#open-findings"' in audit
    signed_in(client, svc, "sun.head")  # another agency's office head: the case is not found
    assert client.get(_url(ref)).status_code == 404


def test_the_supervisor_sees_how_many_cases_and_the_list(
    flow, client: TestClient, svc: services.Services
) -> None:
    ref, clean, _ = _tampered(flow)
    supervisor = services.identify(svc, "chen.supervisor")
    assert services.flagged_in_tree(svc, supervisor) == 1
    (listed,) = services.supervised_findings(svc, supervisor)
    assert (listed.case_ref, listed.kind) == (ref, "edited")
    assert services.flagged_case_count(svc, SYSTEM, "edu") == 0  # another agency: none

    signed_in(client, svc, "chen.supervisor")
    refused = client.get("/supervise")  # reports over histories in doubt are refused …
    assert refused.status_code == 422
    assert 'href="/supervise/verify#open-findings"' in refused.text  # … with the list at hand
    drawn = client.get("/supervise?allow_findings=1")
    assert drawn.status_code == 200
    flagged = re.search(r'<p class="error" role="alert" id="flagged-cases">(.*?)</p>', drawn.text)
    assert flagged, drawn.text
    assert "督查范围内有 1 件案件" in flagged.group(1)
    assert 'href="/supervise/verify#open-findings"' in flagged.group(1)
    listing = client.get("/supervise/verify").text
    table = listing[listing.index('id="recorded-findings"') :]
    assert ref in table and "事件内容被修改" in table and "2025-09-23 10:00" in table
    assert clean not in table
    # A verify run from the page names each finding's kind in words too.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing)
    assert csrf, listing
    run = client.post("/supervise/verify", data={"csrf_token": csrf.group(1)}).text
    found = run[run.index('id="findings"') :].split("</table>")[0]
    assert ref in found and "事件内容被修改" in found and "<td>edited</td>" not in found


def test_the_api_and_the_command_line_carry_them(
    flow, svc: services.Services, engine: Engine
) -> None:
    ref, clean, _ = _tampered(flow)
    api = ApiHarness(svc, engine)
    with api.client() as http:
        headers = api.headers("li.handler")
        case = http.get(path(ref), headers=headers).json()
        (finding,) = case["open_findings"]
        assert finding["kind"] == "edited" and finding["kind_label"] == "事件内容被修改"
        assert finding["position"] == 1 and "哈希不符" in finding["message"]
        assert finding["found_at"].startswith("2025-09-23T02:00")  # UTC
        read = http.get(path(clean), headers=headers)
        assert read.json()["open_findings"] == []
        # An action's answer leaves the query out: null (not read), never a false "none".
        version = {**headers, "If-Match": read.headers["ETag"]}
        acted = http.post(path(clean, "actions", "accept"), headers=version)
        assert acted.status_code == 200, acted.text
        assert acted.json()["open_findings"] is None
        timeline = http.get(path(ref, "timeline"), headers=headers).json()
        assert [f["kind"] for f in timeline["open_findings"]] == ["edited"]
        schema = http.get("/api/v1/openapi.json").json()["components"]["schemas"]
        assert "AuditFinding" in schema and "open_findings" in schema["Case"]["properties"]

    def show(case_ref: str, *extra: str) -> str:
        result = CliRunner().invoke(
            cli_app,
            ["case", "show", case_ref, "--as", "li.handler", *extra],
            env={"GOVFLOW_DATABASE_URL": _database_url(engine)},
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    assert f"【审计发现】{FOUND}" in show(ref)
    assert "发现于 2025-09-23 10:00" in show(ref)
    assert "【审计发现】" not in show(clean)
    assert json.loads(show(ref, "--json"))["open_findings"][0]["kind"] == "edited"


def test_audit_show_carries_them_in_text_csv_and_json(flow, engine: Engine) -> None:
    ref, clean, _ = _tampered(flow)

    def audit(case_ref: str, *extra: str) -> Result:
        result = CliRunner().invoke(
            cli_app,
            ["audit", "show", case_ref, "--as", "chen.supervisor", *extra],
            env={"GOVFLOW_DATABASE_URL": _database_url(engine)},
        )
        assert result.exit_code == 0, result.output
        return result

    # Text: under the heading, in the words of ``case show``.
    (warning,) = [x for x in audit(ref).stdout.splitlines() if x.startswith("【审计发现】")]
    assert warning.startswith(f"【审计发现】{FOUND}：") and "发现于 2025-09-23 10:00" in warning
    assert "【审计发现】" not in audit(clean).stdout

    # CSV: one table still (no comment line), the finding in the last column of the rows
    # of its event, and the person exporting it told on stderr.
    exported = audit(ref, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert rows[0]["序号"] == "1" and list(rows[0])[-1] == "审计发现"
    flagged = {r["序号"] for r in rows if r["审计发现"]}
    assert flagged == {"1"}
    assert all(r["审计发现"].startswith(FOUND) for r in rows if r["序号"] == "1")
    assert exported.stderr.startswith(f"【审计发现】{FOUND}")
    assert "“审计发现”列" in exported.stderr
    quiet = audit(clean, "--format", "csv")
    assert quiet.stderr == "" and all(
        r["审计发现"] == "" for r in csv.DictReader(io.StringIO(quiet.stdout.lstrip("\ufeff")))
    )

    # JSON: as the case's.
    (finding,) = json.loads(audit(ref, "--format", "json").stdout)["open_findings"]
    assert (finding["kind"], finding["position"]) == ("edited", 1)


def test_a_finding_cleared_by_a_later_verify_is_no_longer_shown(
    flow, client: TestClient, svc: services.Services
) -> None:
    ref, _, original = _tampered(flow)
    _first_actor(flow.engine, ref, original)  # put back as it was
    flow.at("2025-09-24 10:00")
    assert integrity.verify_all(svc, SYSTEM) == (2, [])
    supervisor = services.identify(svc, "chen.supervisor")
    assert services.case_detail(svc, supervisor, ref).findings == ()
    assert services.flagged_in_tree(svc, supervisor) == 0
    signed_in(client, svc, "chen.supervisor")
    for page in (_url(ref), _url(ref, "audit")):
        assert BANNER not in client.get(page).text, page
    dashboard = client.get("/supervise")
    assert dashboard.status_code == 200 and 'id="flagged-cases"' not in dashboard.text
    assert 'id="no-open-findings"' in client.get("/supervise/verify").text


def _database_url(engine: Engine) -> str:
    """The test's database for a command run in-process (PostgreSQL: its own schema)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{url}?options=-csearch_path%3D{schema}"
