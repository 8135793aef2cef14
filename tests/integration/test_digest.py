"""The daily digest (issue 14 item 5), on SQLite and PostgreSQL: at 08:30 Beijing on working
days each assignee gets their cases due today, within 2 working days and overdue, each
office head the same for the agency; none on non-working days; once per person per day.

Cases: A, received 2025-09-26 and assigned to 李经办, reply due Thursday 10-30; B, the
county's, received 09-29 and unassigned, due Monday 11-03; C, the education bureau's,
received 09-26, due 10-30.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from govflow.app import build_services
from govflow.workers.sweeper import digests
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import FakeClock
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import accounts
from tests.integration.escalating import (
    EDU_CLERK,
    HEAD,
    LI,
    ZHAO,
    Sweeper,
    accepted_case,
    applicant,
    bj,
    fired,
)
from tests.principals import acting


@pytest.fixture
def cases(flow) -> dict[str, str]:
    a = accepted_case(flow)
    b = accepted_case(flow, "2025-09-29 10:00", assignee=None, **applicant(flow, 2))
    flow.at("2025-09-26 11:00")
    c = flow.register(EDU_CLERK, "edu", intake=flow.intake(**applicant(flow, 3)))
    assert (flow.due(a).isoformat(), flow.due(b).isoformat(), flow.due(c).isoformat()) == (
        "2025-10-30",
        "2025-11-03",
        "2025-10-30",
    )
    return {"A": a, "B": b, "C": c}


def made(flow, day: str) -> dict[str, str]:
    from datetime import date

    return {
        d.recipient: d.message for d in services.digests(flow.svc, SYSTEM, date.fromisoformat(day))
    }


def test_digests_at_half_past_eight_on_working_days_once_each(flow, engine, cases) -> None:
    sweeper = Sweeper(flow)
    assert sweeper.digests_at("2025-10-28 08:29:59") == 0
    assert sweeper.digests_at("2025-10-28 08:30") == 3
    got = made(flow, "2025-10-28")
    assert set(got) == {LI, HEAD, "sun.head"}
    a, b, c = cases["A"], cases["B"], cases["C"]
    # 李经办: A is due Thursday, within 2 working days (10-29, 10-30) of Tuesday.
    assert got[LI].splitlines() == [
        "【每日提醒】2025-10-28 您经办的案件：已超期 0 件，今日届满 0 件，2 个工作日内届满 1 件",
        "2 个工作日内届满（1 件）：",
        f"· {a} 答复期限 届满 2025-10-30 24:00，还剩 2 个工作日",
    ]
    # The county's office head: every open case of the agency (B is due in 4 working days:
    # not yet); the education bureau's head: its own, C (its correction notice limit
    # passed unused on 10-13 and is not listed).
    assert got[HEAD].splitlines()[0] == (
        "【每日提醒】2025-10-28 示范县人民政府办公室全部在办案件：已超期 0 件，今日届满 0 件，"
        "2 个工作日内届满 1 件"
    )
    assert a in got[HEAD] and b not in got[HEAD] and c not in got[HEAD]
    assert c in got["sun.head"] and "补正告知期限" not in got["sun.head"]
    # Each is a firing of no case, with its deliveries; listed apart from the escalations.
    views = services.digests(flow.svc, SYSTEM)
    assert {v.key for v in views} == {f"digest:2025-10-28:{u}" for u in (LI, HEAD, "sun.head")}
    assert all(len(v.deliveries) == 1 and not v.late for v in views)
    assert services.firings(flow.svc, SYSTEM) == []
    assert len(sweeper.queue) == 3
    # Once a day: the sweeps after 08:30 make none, even for someone whose list changed
    # since (A handed to 赵经办 at 09:00: he hears of it tomorrow).
    assert sweeper.digests_at("2025-10-28 08:30:30") == 0
    flow.at("2025-10-28 09:00")
    flow.act(a, HEAD, "assign", assignee=ZHAO)
    assert sweeper.digests_at("2025-10-28 17:00") == 0
    assert sweeper.digests_at("2025-10-29 08:30") == 3
    assert ZHAO in made(flow, "2025-10-29") and LI not in made(flow, "2025-10-29")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM firings")).scalar_one() == 6
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar_one() == 6


def test_due_today_and_overdue_then_none_on_weekends_and_holidays(flow, cases) -> None:
    sweeper = Sweeper(flow)
    assert sweeper.digests_at("2025-10-30 08:30") == 3
    assert "今日届满（1 件）：" in made(flow, "2025-10-30")[LI]
    assert sweeper.digests_at("2025-11-01 08:30") == 0  # Saturday
    assert sweeper.digests_at("2025-11-02 09:00") == 0  # Sunday
    assert made(flow, "2025-11-01") == {}
    assert sweeper.digests_at("2025-11-03 08:30") == 3  # Monday: A and C overdue, B today
    monday = made(flow, "2025-11-03")
    assert "已超期（1 件）：" in monday[LI] and "已超期 2 个工作日" in monday[LI]  # 10-31, 11-03
    head = monday[HEAD]
    assert "已超期 1 件，今日届满 1 件" in head.splitlines()[0]


def test_a_holiday_and_a_make_up_working_day(flow, cases) -> None:
    sweeper = Sweeper(flow)
    assert sweeper.digests_at("2025-10-03 08:30") == 0  # National Day holiday
    # Saturday 10-11 is a make-up working day: digests as on any working day. Only the
    # education bureau's head has something to list: C's correction notice limit, which
    # ends Monday 10-13 and can still be used (A's and B's ended with their acceptance).
    assert sweeper.digests_at("2025-10-11 08:30") == 1
    (only,) = made(flow, "2025-10-11").items()
    assert only[0] == "sun.head"
    assert f"· {cases['C']} 补正告知期限 届满 2025-10-13 24:00，还剩 1 个工作日" in only[1]
    with flow.svc.uow() as uow:
        done = uow.session.execute(text("SELECT day, digests FROM digest_runs")).all()
    assert [(str(d), n) for d, n in done] == [("2025-10-11", 1)]


def test_a_sweeper_back_in_the_afternoon_still_sends_the_day_digest_late(flow, cases) -> None:
    sweeper = Sweeper(flow)
    assert sweeper.digests_at("2025-10-29 15:00") == 3
    assert {v.late for v in services.digests(flow.svc, SYSTEM)} == {True}


def test_a_group_channel_gets_the_agency_digests_only(flow, cases) -> None:
    sweeper = Sweeper(flow, NotificationSettings(channels=("log", "webhook")))
    assert sweeper.digests_at("2025-10-28 08:30") == 3
    channels = {
        v.recipient: sorted(k.split(":")[-2] for k in v.deliveries)
        for v in services.digests(flow.svc, SYSTEM)
    }
    assert channels == {LI: ["log"], HEAD: ["log", "webhook"], "sun.head": ["log", "webhook"]}


@pytest.mark.postgres
def test_two_sweepers_at_half_past_eight_make_each_digest_once(pg_engine, calendar) -> None:
    clock = FakeClock(bj("2025-09-26 10:00"))
    svc = build_services(pg_engine, clock, calendar)
    from tests.conftest import intake, person

    for n in range(6):
        services.register_request(
            svc,
            agency_code="county",
            principal=acting(svc, "wang.clerk"),
            intake=intake(applicant=person(f"申请人{n}", f"61092619900101{n:04d}")),
        )
    start = threading.Barrier(2)
    counts: list[int] = []
    queues: list[list[int]] = [[], []]

    def run(i: int) -> None:
        own = build_services(pg_engine, FakeClock(bj("2025-10-28 08:30:05")), calendar)
        start.wait()
        counts.append(digests(own, queues[i].append, NotificationSettings()))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(counts) == [0, 1]  # the county's office head: all six requests, due 10-24
    assert len(queues[0] + queues[1]) == 1
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(DISTINCT key) FROM firings")).one() == (
            1,
            1,
        )


def test_a_departed_assignee_is_told_nothing_the_office_head_answers(flow, cases) -> None:
    """Recipients come from the accounts: a deactivated assignee gets neither the case's
    warnings (the agency's office heads do) nor a digest; the head's digest still lists it."""
    accounts.bootstrap_admin(flow.svc)
    flow.at("2025-10-20 09:00")
    accounts.deactivate_user(flow.svc, acting(flow.svc, "admin"), LI, "调离")
    sweeper = Sweeper(flow)
    sweeper.at("2025-10-23 00:00:30")
    assert fired(flow, cases["A"])["reply:assignee_5_days:0:0"].recipients == [HEAD]
    assert sweeper.digests_at("2025-10-28 08:30") == 2
    got = made(flow, "2025-10-28")
    assert set(got) == {HEAD, "sun.head"} and cases["A"] in got[HEAD]
