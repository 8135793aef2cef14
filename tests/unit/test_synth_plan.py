"""The synthetic-data planner (issue #5 item 5): pure, reproducible, independent per agency.

No database here: the scripts are checked as data (determinism, order, dates, coverage
of every path by construction); ``tests/integration/test_synth_service.py`` plays them
through the service layer.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, time

import pytest

from govflow.synth import names
from govflow.synth.org import synthetic_org
from govflow.synth.plan import CATALOGUE, plan, plan_agency
from govflow.synth.script import DISCLOSURE, INCIDENT, ONLINE_MESSAGE, CaseScript
from govflow.synth.timeline import default_calendar
from govflow.workflow.actors import Role
from govflow.workflow.clock import SHANGHAI, end_of_day, local_date
from govflow.workflow.disclosure.actions import Channel, LegalPersonSubkind
from tests.config import grade_table, outcomes

SEED = 20240101
START, END = date(2024, 1, 1), date(2025, 12, 31)
PER_AGENCY = len(CATALOGUE) + 20


@pytest.fixture(scope="module")
def org():
    return synthetic_org(SEED, 4)


@pytest.fixture(scope="module")
def scripts(org) -> list[CaseScript]:
    return list(plan(SEED, org, START, END, PER_AGENCY))


def outcome_of(script: CaseScript) -> str | None:
    """The outcome a script ends with: on the spot, the last draft approved, or an expiry."""
    if script.on_the_spot is not None:
        return script.on_the_spot["outcome"]
    draft = None
    for step in script.steps:
        if step.action == "draft_reply":
            draft = step.payload["outcome"]
        elif step.action == "approve_reply":
            return draft
        elif step.action == "correction_expired":
            return "other.no_correction"
        elif step.action == "fee_expired":
            return "other.no_fee"
        elif step.action == "withdraw":
            return "other.misc"
    return None


# -- the organisation -------------------------------------------------------------------


def test_org_is_a_county_tree_with_staff_in_every_agency(org) -> None:
    top, *below = org.agencies
    assert top.parent is None and top.name.endswith("县人民政府办公室")
    assert all(a.parent == top.code for a in below)
    assert any(a.name.endswith("局") for a in below) and any("镇" in a.name for a in below)
    for agency in org.agencies:
        roles = Counter(u.role for u in org.users if u.agency == agency.code)
        assert roles[Role.CLERK] == 1 and roles[Role.OFFICE_HEAD] == 1
        assert 2 <= roles[Role.HANDLER] <= 4
    supervisors = [u for u in org.users if u.role is Role.SUPERVISOR]
    assert [u.agency for u in supervisors] == [top.code]


def test_org_is_deterministic_and_scales_with_unique_codes_and_prefixes() -> None:
    assert synthetic_org(SEED, 4) == synthetic_org(SEED, 4)
    assert synthetic_org(SEED, 4) != synthetic_org(SEED + 1, 4)
    big = synthetic_org(SEED, 120)  # past both name lists: numbered sub-districts
    assert len(big.agencies) == 120
    codes = [a.code for a in big.agencies]
    prefixes = [a.ref_prefix for a in big.agencies]
    assert len(set(codes)) == len(codes) and len(set(prefixes)) == len(prefixes)
    assert all(re.fullmatch(r"[a-z0-9_-]+", c) for c in codes)
    assert any("街道办事处" in a.name for a in big.agencies)
    usernames = [u.username for u in big.users]
    assert len(set(usernames)) == len(usernames)
    # The first agencies are the same whatever the size: growing the county keeps them.
    assert big.agencies[:4] == synthetic_org(SEED, 4).agencies


# -- reproducible, independent -----------------------------------------------------------


def test_same_seed_same_scripts_other_seed_other_scripts(org, scripts) -> None:
    assert list(plan(SEED, org, START, END, PER_AGENCY)) == scripts
    other = list(plan(SEED + 1, org, START, END, PER_AGENCY))
    assert len(other) == len(scripts) and other != scripts


def test_an_agency_planned_alone_gives_the_scripts_it_has_within_the_org(org, scripts) -> None:
    b = org.agencies[2]
    alone = list(plan_agency(SEED, b, org.users, START, END, PER_AGENCY))
    assert alone == [s for s in scripts if s.agency == b.code]
    # Only its own staff; the org's other agencies are not consulted.
    own = [u for u in org.users if u.agency == b.code]
    assert list(plan_agency(SEED, b, own, START, END, PER_AGENCY)) == alone


def _digest(scripts: list[CaseScript]) -> str:
    return hashlib.sha256(repr(scripts).encode()).hexdigest()


def test_another_process_with_another_hash_salt_plans_the_same(org) -> None:
    """What a parallel worker process computes: str hashing is salted per process."""
    b = org.agencies[1]
    here = _digest(list(plan_agency(SEED, b, org.users, START, END, 80)))
    code = (
        "import hashlib, sys\n"
        "from datetime import date\n"
        "from govflow.synth.org import synthetic_org\n"
        "from govflow.synth.plan import plan_agency\n"
        f"org = synthetic_org({SEED}, 4)\n"
        f"s = list(plan_agency({SEED}, org.agencies[1], org.users, date(2024, 1, 1), "
        "date(2025, 12, 31), 80))\n"
        "print(hashlib.sha256(repr(s).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == here


# -- well-formed scripts ---------------------------------------------------------------


def test_scripts_are_sorted_and_each_stays_within_start_and_end(org, scripts) -> None:
    calendar = default_calendar()
    until = end_of_day(END)
    for agency in org.agencies:
        mine = [s for s in scripts if s.agency == agency.code]
        assert len(mine) == PER_AGENCY
        assert [s.opened_at for s in mine] == sorted(s.opened_at for s in mine)
    for script in scripts:
        assert script.opened_at.tzinfo is not None
        assert START <= local_date(script.opened_at) <= END
        instants = [script.opened_at, *(s.at for s in script.steps)]
        assert instants == sorted(instants) and len(set(instants)) == len(instants)
        assert instants[-1] < until  # nothing planned after the end
        if script.case_type != DISCLOSURE:
            continue
        for step in script.steps:  # people act on working days, the system just after 24:00
            local = step.at.astimezone(SHANGHAI)
            if step.actor == "system":
                assert local.time() < time(0, 5)
            else:
                assert calendar.is_working_day(local.date()), step


def test_identity_numbers_have_valid_check_characters(scripts) -> None:
    applicants = [s.payload["applicant"] for s in scripts if s.case_type == DISCLOSURE]
    for applicant in applicants:
        if applicant["kind"] == "natural_person":
            assert names.valid_id_number(applicant["id_number"]), applicant
        else:
            assert names.valid_uscc(applicant["id_number"]), applicant
    assert names.valid_id_number("11010519491231002X")  # GB 11643 example
    assert names.valid_uscc("91350100M000100Y43")  # GB 32100 example


def test_some_applicants_come_back(scripts) -> None:
    counts = Counter(
        s.payload["applicant"]["id_number"] for s in scripts if s.case_type == DISCLOSURE
    )
    assert counts.most_common(1)[0][1] >= 5
    assert sum(1 for n in counts.values() if n > 1) >= 10


# -- every path, by construction -------------------------------------------------------


def test_each_agency_covers_every_outcome_channel_subkind_and_side_path(org, scripts) -> None:
    calendar = default_calendar()
    for agency in org.agencies:
        mine = [s for s in scripts if s.agency == agency.code]
        requests = [s for s in mine if s.case_type == DISCLOSURE]
        assert {outcome_of(s) for s in requests} >= set(outcomes())
        assert {s.payload["channel"] for s in requests} == {c.value for c in Channel}
        subkinds = {s.payload["applicant"].get("subkind") for s in requests}
        assert subkinds >= {k.value for k in LegalPersonSubkind} | {None}
        actions = {step.action for s in mine for step in s.steps}
        assert actions >= {
            "confirm_receipt", "assign", "start_review", "request_correction",
            "submit_correction", "correction_expired", "accept", "start_consultation",
            "end_consultation", "consultation_expired", "send_fee_notice", "record_payment",
            "fee_expired", "extend", "set_reply_date", "draft_reply", "approve_reply",
            "reject_reply", "withdraw", "archive", "record_reconsideration",
            "record_litigation",
            "assess", "grade", "regrade", "publish_statement", "hold_press_conference",
            "receive_supervision_letter", "answer_supervision_letter", "evaluate",
            "reply", "close",
        }  # fmt: skip
        assert any(s.on_the_spot for s in requests)
        # Receipt confirmed later for an online request that came on a day off.
        assert any(
            s.payload["channel"] == "online"
            and not calendar.is_working_day(local_date(s.opened_at))
            and s.steps
            and s.steps[0].action == "confirm_receipt"
            for s in requests
        )
        challenges = {
            (st.payload["route"], st.payload["result"])
            for s in requests
            for st in s.steps
            if st.action in ("record_reconsideration", "record_litigation")
        }
        routes = {route for route, _ in challenges}
        results = {result for _, result in challenges}
        assert routes == {"reconsideration", "direct", "after_reconsideration"}
        assert results == {"upheld", "corrected", "other", "pending"}
        grades = {
            st.payload["grade"]
            for s in mine
            if s.case_type == INCIDENT
            for st in s.steps
            if st.action in ("grade", "regrade")
        }
        assert grades == set(grade_table().grades)
        assert any(s.case_type == ONLINE_MESSAGE for s in mine)


def test_the_random_part_keeps_the_documented_proportions() -> None:
    org = synthetic_org(SEED, 1)
    many = list(plan_agency(SEED, org.agencies[0], org.users, START, END, 3000))
    share = Counter(s.case_type for s in many[len(CATALOGUE) :])
    total = sum(share.values())
    assert 0.75 < share[DISCLOSURE] / total < 0.85
    assert 0.10 < share[ONLINE_MESSAGE] / total < 0.18
    assert 0.03 < share[INCIDENT] / total < 0.09
    requests = [s for s in many if s.case_type == DISCLOSURE]
    replied = [s for s in requests if outcome_of(s) is not None]
    assert sum(outcome_of(s) == "disclosed" for s in replied) / len(replied) > 0.25
    # Some cases are still open at the end: opened in its last days, unfinished.
    assert any(
        outcome_of(s) is None and local_date(s.opened_at) > date(2025, 12, 20) for s in requests
    )
