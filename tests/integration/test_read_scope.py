"""Read scope (SPEC section 1, U-2) on every reading use case, on both databases.

The cases read belong to the education bureau (``edu``), in the middle of the tree
county → edu → school. For each reading use case, each reader:

* own agency — edu's clerk: reads, personal data in full;
* parent supervisor — the county's supervisor: reads everything below the county, masked;
* parent's clerk — the county's clerk: users read their own agency only, not those below;
* sibling agency — the housing bureau's clerk: nothing;
* child agency — a school's clerk: nothing.

"Nothing" is the same "not found or not permitted" answer (exit 4 on the command line) as
for a case or an agency that does not exist, so a refusal tells nothing about existence;
the use cases that write to a case by its number answer the same way.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from govflow import configs
from govflow.models.db import session_factory
from govflow.models.org import OrgFile, load_org
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.checkpoints import Header
from govflow.workflow.errors import NotFound, NotPermitted
from tests.principals import acting

ID_NUMBER = "610926199001011234"
OWN, PARENT_SUPERVISOR, PARENT_CLERK = "liu.clerk", "chen.supervisor", "wang.clerk"
SIBLING, CHILD = "ma.clerk", "zhou.clerk"
READERS = {  # reader → may read edu's cases
    OWN: True,
    PARENT_SUPERVISOR: True,
    PARENT_CLERK: False,
    SIBLING: False,
    CHILD: False,
}


def _grow_the_tree(engine) -> None:
    """The demo county, a school under edu, and clerks for housing and the school."""
    raw = yaml.safe_load(configs.shipped("demo_org.yaml").read_text("utf-8"))
    raw["agencies"].append(
        {"code": "school", "name": "示范县第一小学", "ref_prefix": "示一小", "parent": "edu"}
    )
    raw["users"] += [
        {"username": SIBLING, "name": "马登记", "role": "clerk", "agency": "housing"},
        {"username": CHILD, "name": "周登记", "role": "clerk", "agency": "school"},
    ]  # fmt: skip
    with session_factory(engine)() as session:
        load_org(session, OrgFile.model_validate(raw))
        session.commit()


@pytest.fixture
def world(flow) -> dict[str, str]:
    """edu's disclosure request (escalated once) and incident (breached), and a county case."""
    _grow_the_tree(flow.engine)
    flow.checking = False
    flow.at("2025-09-22 09:30")
    request = flow.register(OWN, "edu")
    flow.act(request, "sun.head", "assign", assignee="sun.head")
    county = flow.register()
    flow.at("2025-10-31 09:10")
    incident = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="edu",
        principal=acting(flow.svc, OWN),
        payload={
            "title": "网传某校收费",
            "summary": "帖文",
            "platform": "微博",
            "topic": "教育",
            "detected_at": "2025-10-31T09:00",
            "grade": "重大",
        },
    )
    flow.at("2025-10-31 15:00")  # the request's reply limit (10-24) and the 5 h mark are past
    sweep(flow.svc, [].append)
    return {"request": request, "incident": incident, "county": county}


def reader(flow, username: str):
    return services.identify(flow.svc, username)


def refused(call) -> str:
    with pytest.raises(NotFound) as info:
        call()
    return str(info.value)


def test_case_detail_and_timeline(flow, world) -> None:
    ref = world["request"]
    missing = "示教依申〔2025〕9999号"
    for username, may in READERS.items():
        who = reader(flow, username)
        if may:
            detail = services.case_detail(flow.svc, who, ref)
            shown = detail.data["request"]["id_number"]
            assert (shown == ID_NUMBER) is (username == OWN), username  # masked for the supervisor
            timeline = services.case_timeline(flow.svc, who, ref)
            applicant = timeline.entries[0].payload["applicant"]
            assert (applicant["id_number"] == ID_NUMBER) is (username == OWN)
            continue
        # Refused exactly as a case that does not exist is.
        assert refused(lambda w=who: services.case_detail(flow.svc, w, ref)) == (
            f"没有编号为 {ref} 的案件，或您无权查看"
        )
        assert refused(lambda w=who: services.case_detail(flow.svc, w, missing)) == (
            f"没有编号为 {missing} 的案件，或您无权查看"
        )
        assert refused(lambda w=who: services.case_timeline(flow.svc, w, ref)) == (
            f"没有编号为 {ref} 的案件，或您无权查看"
        )


def test_lists_and_search(flow, world) -> None:
    edu_cases = {world["request"], world["incident"]}
    for username, may in READERS.items():
        who = reader(flow, username)
        listed = {c.ref for c in services.list_cases(flow.svc, who).cases}
        assert (edu_cases <= listed) is may, username
        assert listed.isdisjoint(edu_cases) is not may, username
        wanted = services.CaseFilter(agency="edu", case_type="incident")
        if may:
            page = services.list_cases(flow.svc, who, wanted)
            assert [c.ref for c in page.cases] == [world["incident"]]
        else:
            message = refused(lambda w=who, f=wanted: services.list_cases(flow.svc, w, f))
            assert message == "没有代码为 'edu' 的机关，或您无权查看其案件"
    # The supervisor's own list holds the county's cases too; edu's clerk's does not.
    sup = {c.ref for c in services.list_cases(flow.svc, reader(flow, PARENT_SUPERVISOR)).cases}
    own = {c.ref for c in services.list_cases(flow.svc, reader(flow, OWN)).cases}
    assert world["county"] in sup and world["county"] not in own
    nowhere = services.CaseFilter(agency="nowhere")
    assert refused(lambda: services.list_cases(flow.svc, reader(flow, OWN), nowhere)) == (
        "没有代码为 'nowhere' 的机关，或您无权查看其案件"
    )


def test_verify_and_checkpoints(flow, world) -> None:
    ref = world["request"]
    edu_refs = {world["request"], world["incident"]}
    header = Header(flow.clock.now(), {"agency": "edu", "include_children": False}, 2)
    for username, may in READERS.items():
        who = reader(flow, username)
        verified = {r for r, _ in services.verify_cases(flow.svc, who)}
        heads = {h.ref for h in services.checkpoint_heads(flow.svc, who)}
        assert (edu_refs <= verified) is may and verified.isdisjoint(edu_refs) is not may
        assert heads == verified
        if may:
            assert [r for r, _ in services.verify_cases(flow.svc, who, case_ref=ref)] == [ref]
            recorded = list(services.checkpoint_heads(flow.svc, who, agency_code="edu"))
            checked = list(services.check_checkpoint(flow.svc, who, header, recorded))
            assert [(h.ref, f) for h, f in checked] == [(h.ref, []) for h in recorded]
            continue
        assert refused(lambda w=who: list(services.verify_cases(flow.svc, w, case_ref=ref))) == (
            f"没有编号为 {ref} 的案件，或您无权查看"
        )
        assert "无权查看" in refused(
            lambda w=who: list(services.checkpoint_heads(flow.svc, w, agency_code="edu"))
        )
        assert "无权查看" in refused(
            lambda w=who: list(services.check_checkpoint(flow.svc, w, header, []))
        )


def test_reports(flow, world) -> None:
    for username, may in READERS.items():
        who = reader(flow, username)

        def annual(w=who):
            return services.annual_report(flow.svc, w, agency="edu", year=2025)

        def timeliness(w=who):
            start, end = date(2025, 9, 1), date(2025, 10, 31)
            return services.timeliness_report(flow.svc, w, agency="edu", start=start, end=end)

        if may:
            assert annual().row("new")[-1] == 1
            report = timeliness()
            assert {b.ref for b in report.breaches} == {world["incident"], world["request"]}
        else:
            assert refused(annual) == "没有代码为 'edu' 的机关，或您无权查看其案件"
            assert refused(timeliness) == "没有代码为 'edu' 的机关，或您无权查看其案件"
    # A user's report may not reach below the user's own agency.
    edu_with_school = reader(flow, OWN)
    assert "无权查看" in refused(
        lambda: services.annual_report(
            flow.svc, edu_with_school, agency="edu", year=2025, include_children=True
        )
    )
    supervisor = reader(flow, PARENT_SUPERVISOR)
    tree = services.annual_report(
        flow.svc, supervisor, agency="county", year=2025, include_children=True
    )
    assert tree.row("new")[-1] == 2  # county's request and edu's


def test_accountability_and_escalations(flow, world) -> None:
    request, incident = world["request"], world["incident"]
    for username, may in READERS.items():
        who = reader(flow, username)
        entries = services.accountability(flow.svc, who)
        assert ({e.ref for e in entries} == {incident}) is may, username
        fired = {f.case_ref for f in services.firings(flow.svc, who)}
        assert ({request, incident} <= fired) is may, username
        assert fired.isdisjoint({request, incident}) is not may, username
        if may:
            assert {e.ref for e in services.accountability(flow.svc, who, "edu")} == {incident}
            assert {f.case_ref for f in services.firings(flow.svc, who, request)} == {request}
            continue
        assert "无权查看" in refused(lambda w=who: services.accountability(flow.svc, w, "edu"))
        assert refused(lambda w=who: services.firings(flow.svc, w, request)) == (
            f"没有编号为 {request} 的案件，或您无权查看"
        )


def test_writing_use_cases_answer_an_unreadable_case_as_a_missing_one(flow, world) -> None:
    """Acting, attaching a file, regenerating a notice, adopting the ladder: who may not
    read the case is told exactly what a missing case tells (not "not your agency's", which
    confirms it exists); a reader above who may not write it is refused (403, exit 3)."""
    request, missing = world["request"], "示教依申〔2025〕9999号"

    def writes(username: str, ref: str) -> dict:
        principal = acting(flow.svc, username)
        return {
            "act": lambda: services.act(
                flow.svc, ref=ref, action="start_review", payload={}, principal=principal
            ),
            "attach": lambda: services.attach(
                flow.svc,
                ref=ref,
                principal=principal,
                filename="来信.pdf",
                content=b"%PDF-1.4\n% letter\n",
                category="letter",
            ),
            "regenerate": lambda: services.regenerate_notice(
                flow.svc, ref=ref, no=1, principal=principal, reason="模板更正"
            ),
            "adopt": lambda: services.adopt_policy(flow.svc, ref, principal),
        }

    before = flow.footprint(request)
    for username, may in READERS.items():
        if username == OWN:
            continue
        for name, write in writes(username, request).items():
            if may:  # the supervisor above reads it, and may not write it
                with pytest.raises(NotPermitted):
                    write()
                continue
            message = refused(write)
            assert message == f"没有编号为 {request} 的案件，或您无权查看", (username, name)
        for name, write in writes(username, missing).items():
            message = refused(write)
            assert message == f"没有编号为 {missing} 的案件，或您无权查看", (username, name)
    assert flow.footprint(request) == before
