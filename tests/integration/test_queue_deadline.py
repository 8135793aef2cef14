"""A list row shows the deadline it is sorted by (both databases): the service's rows, the
queue and search pages, and the API's list.

Lists are ordered by each case's nearest running deadline; a row used to show its type's
list deadline instead (a request's reply limit), so a request whose correction-notice or
consultation limit was nearest sorted first while showing a reply limit weeks away, with
that limit's badge. Now ``deadline`` is the sorting one, and the reply limit stays in sight
as the row's ``reference``. A case whose limits are all paused sorts last and shows its
paused limit as paused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.api_support import ApiHarness
from tests.web_support import page_client, signed_in

LI = "li.handler"


@dataclass(frozen=True)
class Office:
    fresh: str  # registered 09-24, not yet reviewed: the optional correction-notice limit runs
    consulting: str  # a third party consulted (received 09-24): its 15 days run, reply paused
    handling: str  # accepted 09-22: the reply limit alone runs
    waiting: str  # consultation sent, its delivery not yet recorded: only the paused reply


@pytest.fixture
def office(flow) -> Office:
    flow.at("2025-09-22 09:30")
    consulting = flow.register()
    handling = flow.register(intake=flow.intake(description="2024年县级部门决算公开表"))
    waiting = flow.register(intake=flow.intake(description="某路段改造工程招标文件"))
    for ref in (consulting, handling, waiting):
        flow.act(ref, LI, "start_review")
        flow.act(ref, LI, "accept")
    flow.at("2025-09-24 10:00")
    flow.act(
        consulting,
        LI,
        "start_consultation",
        party_kind="third_party",
        party_name="某建材有限公司",
        sent_on=flow.today(),
        received_on=flow.today(),
    )
    flow.act(
        waiting,
        LI,
        "start_consultation",
        party_kind="agency",
        party_name="县自然资源局",
        sent_on=flow.today(),
    )
    fresh = flow.register(intake=flow.intake(description="县城区供水管网改造资金使用情况"))
    flow.at("2025-09-25 09:00")
    return Office(fresh, consulting, handling, waiting)


def rows(flow, who: str = LI) -> list[services.CaseSummary]:
    page = services.list_cases(flow.svc, services.identify(flow.svc, who), limit=50)
    return list(page.cases)


def test_each_row_shows_the_deadline_it_is_sorted_by(flow, office: Office) -> None:
    listed = rows(flow)
    assert [c.ref for c in listed] == [
        office.fresh,  # correction notice: 7 working days from 09-24 → 10-10
        office.consulting,  # the third party's 15 working days from 09-24 → 10-21
        office.handling,  # reply: 20 working days from 09-22 → 10-24
        office.waiting,  # nothing running: last
    ]
    shown = {c.ref: c.deadline for c in listed}
    assert all(d is not None for d in shown.values())
    fresh, consulting = shown[office.fresh], shown[office.consulting]
    handling, waiting = shown[office.handling], shown[office.waiting]
    assert fresh is not None and consulting is not None
    assert handling is not None and waiting is not None
    assert (fresh.key, fresh.label, fresh.due) == (
        "correction_notice",
        "补正告知期限",
        "2025-10-10 24:00",
    )
    assert fresh.time_left == "还剩 6 个工作日"
    assert (consulting.key, consulting.due) == ("consultation-1", "2025-10-21 24:00")
    assert consulting.label.startswith("征求意见期限") and not consulting.paused
    assert (handling.key, handling.due) == ("reply", "2025-10-24 24:00")
    # A paused limit orders nothing (no due instant): shown as paused, at the end.
    assert (waiting.key, waiting.paused, waiting.time_left) == ("reply", True, "暂停计时")
    # The instants the rows show ascend, and pages of one (keyset) give the same order.
    instants = [c.deadline.due_at for c in listed if c.deadline and c.deadline.due_at]
    assert instants == sorted(instants) and len(instants) == 3
    reader, after, paged = services.identify(flow.svc, LI), None, []
    for _ in range(5):
        page = services.list_cases(flow.svc, reader, after=after, limit=1)
        paged += [c.ref for c in page.cases]
        if (after := page.next_after) is None:
            break
    assert paged == [c.ref for c in listed]

    # The reply limit stays in sight beside whichever limit sorts the row.
    reference = {c.ref: c.reference for c in listed}
    assert all(r is not None and r.key == "reply" for r in reference.values())
    fresh_reply, consulting_reply = reference[office.fresh], reference[office.consulting]
    assert fresh_reply is not None and fresh_reply.due == "2025-10-28 24:00"
    assert consulting_reply is not None and consulting_reply.paused


def test_the_overdue_filter_and_the_row_agree(flow, office: Office) -> None:
    """The filters read the same key as the rows: a case listed as overdue shows an overdue
    limit, and a passed optional limit is in neither."""
    flow.at("2025-10-22 09:00")  # the consultation's 10-21 has passed; the reply has not
    reader = services.identify(flow.svc, LI)
    page = services.list_cases(flow.svc, reader, services.CaseFilter(overdue=True))
    assert [c.ref for c in page.cases] == [office.consulting]
    shown = page.cases[0].deadline
    assert shown is not None and shown.key == "consultation-1" and shown.overdue
    # The correction notice's window (10-10) passed unused: it no longer runs, so it neither
    # holds the fresh request at the top nor is shown; the reply limit orders it now.
    listed = rows(flow)
    assert [c.ref for c in listed] == [
        office.consulting,
        office.handling,
        office.fresh,
        office.waiting,
    ]
    fresh = listed[2].deadline
    assert fresh is not None and (fresh.key, fresh.due) == ("reply", "2025-10-28 24:00")


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, (LI,)) as test_client:
        yield test_client


def table_rows(html: str) -> dict[str, str]:
    """Each listed case's number → its row's HTML, in the table's order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = re.findall(r'<tr>\s*<td><a href="/cases/[^"]+">([^<]+)</a>(.*?)</tr>', body, re.S)
    return dict(found)


@pytest.mark.parametrize("address", ["/?scope=all", "/search?text=&state="])
def test_the_pages_show_the_sorting_deadline_and_its_badge(
    client: TestClient, svc: services.Services, flow, office: Office, address: str
) -> None:
    flow.at("2025-10-08 09:00")  # the correction notice's 10-10 is two working days off
    signed_in(client, svc, LI)
    answer = client.get(address)
    assert answer.status_code == 200, answer.text
    shown = table_rows(answer.text)
    assert list(shown) == [office.fresh, office.consulting, office.handling, office.waiting]
    fresh = shown[office.fresh]
    assert "<td>补正告知期限" in fresh and "<td>2025-10-10 24:00</td>" in fresh
    assert '<span class="badge soon">≤2个工作日</span> 还剩 2 个工作日' in fresh
    assert '<span class="field reference" data-key="reply">答复期限：2025-10-28 24:00</span>' in (
        fresh
    )
    consulting = shown[office.consulting]
    assert "<td>征求意见期限" in consulting and "<td>2025-10-21 24:00</td>" in consulting
    assert 'data-key="reply">答复期限：暂停计时</span>' in consulting
    handling = shown[office.handling]
    assert "<td>答复期限</td>" in handling and "<td>2025-10-24 24:00</td>" in handling
    assert 'class="field reference"' not in handling  # the reply limit is the sorting one
    assert '<span class="badge paused">暂停计时</span>' in shown[office.waiting]


def test_the_api_list_rows_carry_the_sorting_deadline_and_the_reference(
    svc: services.Services, engine: Engine, flow, office: Office
) -> None:
    api = ApiHarness(svc, engine)
    with api.client() as http:
        answer = http.get("/api/v1/cases", headers=api.headers(LI))
    assert answer.status_code == 200, answer.text
    listed = answer.json()["cases"]
    assert [c["ref"] for c in listed] == [
        office.fresh,
        office.consulting,
        office.handling,
        office.waiting,
    ]
    keys = [(c["deadline"]["key"], c["reference_deadline"]["key"]) for c in listed]
    assert keys == [
        ("correction_notice", "reply"),
        ("consultation-1", "reply"),
        ("reply", "reply"),
        ("reply", "reply"),
    ]
    fresh = listed[0]["deadline"]
    assert (fresh["label"], fresh["due_date"], fresh["status"]) == (
        "补正告知期限",
        "2025-10-10",
        "running",
    )
    assert listed[0]["reference_deadline"]["due_date"] == "2025-10-28"
    assert listed[3]["deadline"]["paused"] is True and listed[3]["deadline"]["due_at"] is None
    # How a date was reached is the case's to tell, not every row's.
    assert all("explanation" not in (c["deadline"] or {}) for c in listed)
    with api.client() as http:
        shown = http.get(f"/api/v1/cases/{office.fresh}", headers=api.headers(LI)).json()
    notice = next(d for d in shown["deadlines"] if d["key"] == "correction_notice")
    assert notice["explanation"] and notice["due_date"] == "2025-10-10"


def test_a_list_shows_each_case_as_stored_now_not_as_kept_before(flow, office: Office) -> None:
    # Lists keep the cases they restored (``Services.listed``) under the row as stored: an
    # action since is another row, so the next list restores the case again.
    assert flow.svc.listed is not None
    before = {c.ref: c for c in rows(flow)}
    flow.act(office.fresh, LI, "start_review")
    after = {c.ref: c for c in rows(flow)}
    assert after[office.fresh].version == before[office.fresh].version + 1
    assert after[office.fresh].header.state != before[office.fresh].header.state
    assert after[office.handling] == before[office.handling]  # untouched: the kept one


def test_the_cli_lines_and_the_csv_name_the_reference_limit(flow, office: Office) -> None:
    # ``case list`` and the search's CSV say what the web's rows say: a row sorted by another
    # limit still names the reply limit, and the CSV carries it in its own columns.
    import csv
    import io

    from govflow.presentation.cases import cases_csv, page_lines

    flow.at("2025-10-08 09:00")
    page = services.list_cases(flow.svc, services.identify(flow.svc, LI), limit=50)
    lines = {line.split("　")[0]: line for line in page_lines(page)}
    assert "补正告知期限 届满 2025-10-10 24:00" in lines[office.fresh]
    assert lines[office.fresh].endswith("答复期限：2025-10-28 24:00")
    assert lines[office.consulting].endswith("答复期限：暂停计时")
    assert "答复期限：" not in lines[office.handling].split("答复期限 届满")[1]

    table = list(csv.reader(io.StringIO(cases_csv(page.cases).decode("utf-8").lstrip("\ufeff"))))
    head = table[0]
    by_ref = {row[0]: dict(zip(head, row, strict=True)) for row in table[1:]}
    fresh, handling = by_ref[office.fresh], by_ref[office.handling]
    assert (fresh["期限"], fresh["届满"]) == ("补正告知期限", "2025-10-10 24:00")
    assert (fresh["参照期限"], fresh["参照期限届满"]) == ("答复期限", "2025-10-28 24:00")
    assert (handling["参照期限"], handling["参照期限届满"]) == ("答复期限", "2025-10-24 24:00")
    assert by_ref[office.consulting]["参照期限剩余"] == "暂停计时"


def test_a_provisional_limit_is_marked_in_every_list_and_on_the_case_page(
    client: TestClient, svc: services.Services, flow
) -> None:
    """T-4: a limit reaching into a year whose schedule is not published (here 2027) is 临时
    wherever it is shown: the queue's due column, the reference beside another limit, the
    case page's headline and the command line's list."""
    from govflow.presentation.cases import page_lines

    flow.at("2026-12-18 10:00")
    ref = flow.register()  # the reply limit runs to 2027-01-15, provisional
    assert flow.deadline(ref).provisional
    signed_in(client, svc, LI)
    row = table_rows(client.get("/?scope=all").text)[ref]
    # The correction-notice window sorts the row; the reply limit is its reference.
    assert 'data-key="reply">答复期限：2027-01-15 24:00【临时】</span>' in row
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")  # the correction window closes: the reply limit sorts it
    row = table_rows(client.get("/?scope=all").text)[ref]
    assert "<td>2027-01-15 24:00【临时】</td>" in row
    page = client.get(f"/cases/{ref}").text
    assert "到期：2027-01-15 24:00【临时】" in page
    page_of_cases = services.list_cases(svc, services.identify(svc, LI), limit=50)
    assert any("【临时】" in line for line in page_lines(page_of_cases))
