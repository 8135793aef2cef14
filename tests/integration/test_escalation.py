"""Escalation end to end (SPEC E-1, E-2, issue 4): policy, schedule, sweeper, outbox, expiries.

Real databases (SQLite and PostgreSQL through the ``engine`` fixture), the real service
layer and sweeper, a fake clock. The broker is replaced by a list (``enqueue`` is
``list.append``) and a delivery is made with ``workers.delivery.deliver`` and a channel
that keeps what it is given.

The reference case is received in person on Friday 2025-09-26: its reply is due Thursday
10-30 24:00 Beijing (10-31 00:00), across the National Day holiday (10-01…10-08 off,
Sunday 09-28 and Saturday 10-11 worked). The shipped ladder then fires at 00:00 Beijing:
the assignee at 5 working days left (10-23), the office head at 2 (10-28) and on the last
day (10-30), the supervisor once breached (10-31 00:00) and again every day after.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from govflow.app import build_services
from govflow.models.tables import CaseRow, DeliveryRow, EscalationScheduleRow
from govflow.workers.channels import ChannelError, Notification
from govflow.workers.delivery import RetryLater, deliver
from govflow.workers.sweeper import dispatch_outbox, sweep
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.errors import ActionNotAllowed, NotFound
from govflow.workflow.escalation import Policy
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import acknowledge, adopt_policy, firings
from tests.config import current_policies
from tests.principals import acting

CLERK, LI, ZHAO, HEAD, SUPERVISOR = (
    "wang.clerk",
    "li.handler",
    "zhao.handler",
    "zhang.head",
    "chen.supervisor",
)
EDU_CLERK, EDU_HEAD = "liu.clerk", "sun.head"
SETTINGS = NotificationSettings()  # log only; late after 300 s; re-handed after 300 s


def bj(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


def short(key: str) -> str:
    """A firing key without its case id: ``reply:head_2_days:0:0``."""
    return key.split(":", 1)[1]


@dataclass
class Capture:
    """A channel that keeps every notification it is asked to send."""

    name: str = "log"
    sent: list[Notification] = field(default_factory=list)
    fail: bool = False

    def send(self, notification: Notification) -> None:
        if self.fail:
            raise ChannelError("通道暂不可用")
        self.sent.append(notification)


class Sweeper:
    """One sweeper process: the real ``sweep`` with a list for a broker."""

    def __init__(self, flow, settings: NotificationSettings = SETTINGS) -> None:
        self.flow, self.settings = flow, settings
        self.queue: list[int] = []

    def at(self, when: str, **kw) -> list[str]:
        self.flow.at(when)
        return [
            short(k) for k in sweep(self.flow.svc, self.queue.append, self.settings, **kw).fired
        ]


def fired(flow, ref: str | None = None) -> dict[str, services.FiringView]:
    return {short(f.key): f for f in firings(flow.svc, SYSTEM, ref)}


def count(engine: Engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def schedule(flow, ref: str) -> dict[str, tuple]:
    """(epoch, repeat_no, next_fire_at) of each rule of a case, by ``deadline:rule``."""
    with flow.svc.uow() as uow:
        rows = uow.session.scalars(
            select(EscalationScheduleRow)
            .join(CaseRow, CaseRow.id == EscalationScheduleRow.case_id)
            .where(CaseRow.ref == ref)
        )
        return {f"{r.deadline_key}:{r.rule}": (r.epoch, r.repeat_no, r.next_fire_at) for r in rows}


def next_fire(flow, ref: str, rule: str) -> datetime | None:
    return schedule(flow, ref)[rule][2]


def deliveries_of(svc: services.Services) -> list[DeliveryRow]:
    with svc.uow() as uow:
        return list(uow.session.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))


def accepted_case(flow, when: str = "2025-09-26 10:00", assignee: str | None = LI, **intake) -> str:
    """Received in person at ``when``, reviewed and accepted (no correction notice due)."""
    flow.at(when)
    ref = flow.register(intake=flow.intake(**intake) if intake else None)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    if assignee:
        flow.act(ref, HEAD, "assign", assignee=assignee)
    return ref


def applicant(flow, n: int) -> dict:
    return {"applicant": flow.person(f"申请人{n}", f"61092619900101{n:04d}")}


# -- the shipped ladder, day by day ---------------------------------------------------


LADDER = {
    "2025-10-23": ["reply:assignee_5_days:0:0"],
    "2025-10-28": ["reply:head_2_days:0:0"],
    "2025-10-30": ["reply:head_last_day:0:0"],
    "2025-10-31": ["reply:supervisor_breach:0:0"],
    "2025-11-01": ["reply:supervisor_breach:0:1"],
    "2025-11-02": ["reply:supervisor_breach:0:2"],
    "2025-11-03": ["reply:supervisor_breach:0:3"],
}


def test_shipped_ladder_fires_each_threshold_at_its_instant_once(flow, engine) -> None:
    ref = accepted_case(flow)
    flow.checking = False
    assert flow.due(ref) == date(2025, 10, 30)
    sweeper = Sweeper(flow)
    seen: dict[str, list[str]] = {}
    day = date(2025, 9, 27)
    while day <= date(2025, 11, 3):
        # A second before midnight nothing is due; half a minute after, that day's rules.
        assert sweeper.at(f"{day - timedelta(days=1)} 23:59:59") == []
        now = sweeper.at(f"{day} 00:00:30")
        if now:
            seen[day.isoformat()] = now
        assert sweeper.at(f"{day} 12:00") == []  # swept again the same day: nothing twice
        day += timedelta(days=1)
    assert seen == LADDER

    made = fired(flow, ref)
    assert list(made) == [k for keys in LADDER.values() for k in keys]
    assert len({f.key for f in made.values()}) == len(made) == 7
    assert count(engine, "SELECT count(*) FROM firings") == 7
    for day, (key,) in LADDER.items():
        firing = made[key]
        assert firing.threshold_at == bj(f"{day} 00:00")
        assert firing.fired_at == bj(f"{day} 00:00:30")
        assert firing.late is False
        assert firing.case_ref == ref
        assert firing.outcome == "notified"
        assert firing.deliveries == {f"{firing.key}:log:{firing.recipients[0]}": "pending"}
    assert made["reply:supervisor_breach:0:0"].threshold_at == flow.deadline(ref).due_at
    assert made["reply:assignee_5_days:0:0"].recipients == [LI]
    assert made["reply:head_2_days:0:0"].recipients == [HEAD]
    assert made["reply:head_last_day:0:0"].recipients == [HEAD]
    assert {tuple(made[f"reply:supervisor_breach:0:{n}"].recipients) for n in range(4)} == {
        (SUPERVISOR,)
    }
    assert [made[k].level for k in made][:4] == ["warning", "warning", "warning", "escalation"]

    # The message names the case, the limit, the time left and where to act (zh-CN).
    five = made["reply:assignee_5_days:0:0"].message
    assert five.startswith(f"【预警】{ref} 答复期限还剩 5 个工作日\n")
    assert "2025-10-30 24:00（北京时间）届满" in five
    assert "经办人：李经办" in five and "办理入口" not in five  # the channels say where
    assert "今日届满" in made["reply:head_last_day:0:0"].message
    breach = made["reply:supervisor_breach:0:0"].message
    assert breach.startswith(f"【督办】{ref} 答复期限已超期")
    assert "迟发" not in breach
    flow.consistent(ref)


def test_late_means_swept_more_than_late_after_seconds_past_the_threshold(flow) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-23 00:05:00") == ["reply:assignee_5_days:0:0"]  # 300 s: in time
    assert sweeper.at("2025-10-28 00:05:01") == ["reply:head_2_days:0:0"]  # 301 s: late
    made = fired(flow, ref)
    assert made["reply:assignee_5_days:0:0"].late is False
    late = made["reply:head_2_days:0:0"]
    assert late.late is True
    assert "原定 2025-10-28 00:00 发出" in late.message
    strict = Sweeper(flow, NotificationSettings(late_after_seconds=0))
    assert strict.at("2025-10-30 00:00:01") == ["reply:head_last_day:0:0"]
    assert fired(flow, ref)["reply:head_last_day:0:0"].late is True


def test_extension_starts_a_new_epoch_with_the_ladder_of_the_new_date(flow, engine) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-23 00:00:30") == ["reply:assignee_5_days:0:0"]
    assert sweeper.at("2025-10-28 00:00:30") == ["reply:head_2_days:0:0"]

    flow.at("2025-10-29 09:00")
    flow.act(ref, HEAD, "extend", days=5, reason="需调取档案")
    # 10-31, 11-03 … 11-06: due 11-06; 5 left from 10-30, 2 left from 11-04.
    assert flow.due(ref) == date(2025, 11, 6)
    # Acknowledging a firing of the old epoch does not touch the new one.
    acknowledge(flow.svc, fired(flow, ref)["reply:assignee_5_days:0:0"].key, acting(flow.svc, LI))
    plan = schedule(flow, ref)
    assert {k: v[:2] for k, v in plan.items() if k.startswith("reply:")} == {
        "reply:assignee_5_days": (1, 0),
        "reply:head_2_days": (1, 0),
        "reply:head_last_day": (1, 0),
        "reply:supervisor_breach": (1, 0),
    }

    seen = {}
    day = date(2025, 10, 29)
    while day <= date(2025, 11, 8):
        now = sweeper.at(f"{day} 00:00:30")
        if now:
            seen[day.isoformat()] = now
        day += timedelta(days=1)
    # The old epoch's last-day warning (10-30) and breach (10-31) never fire.
    assert seen == {
        "2025-10-30": ["reply:assignee_5_days:1:0"],
        "2025-11-04": ["reply:head_2_days:1:0"],
        "2025-11-06": ["reply:head_last_day:1:0"],
        "2025-11-07": ["reply:supervisor_breach:1:0"],
        "2025-11-08": ["reply:supervisor_breach:1:1"],
    }
    made = fired(flow, ref)
    assert made["reply:supervisor_breach:1:0"].threshold_at == bj("2025-11-07 00:00")
    assert not any(f.late for f in made.values())
    assert "2025-11-06 24:00" in made["reply:assignee_5_days:1:0"].message


def test_a_pause_that_takes_no_working_day_keeps_the_epoch(flow) -> None:
    """Paused and resumed to the same due date: what fired does not fire again, what was
    pending still fires, and the daily breach repeats carry on."""
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-23 00:00:30") == ["reply:assignee_5_days:0:0"]
    # Fee notice on Friday, paid on Saturday: the pause (10-24, 10-25] holds no working day.
    flow.at("2025-10-24 10:00")
    flow.act(
        ref,
        HEAD,
        "send_fee_notice",
        basis="per_request",
        amount=100,
        reason="次数过多",
        notice_received_on=flow.today(),
    )
    assert flow.status(ref) == "paused"
    flow.at("2025-10-25 10:00")
    flow.act(ref, CLERK, "record_payment")
    assert (flow.status(ref), flow.due(ref)) == ("running", date(2025, 10, 30))
    assert sweeper.at("2025-10-25 10:01") == []
    assert sweeper.at("2025-10-28 00:00:30") == ["reply:head_2_days:0:0"]
    # A consultation answered the day it was sent: no working day paused either.
    flow.at("2025-10-28 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind="agency",
        party_name="县自然资源局",
        received_on=flow.today(),
    )
    flow.act(ref, LI, "end_consultation", result="agreed")
    assert flow.due(ref) == date(2025, 10, 30)
    assert sweeper.at("2025-10-28 10:01") == []
    assert sweeper.at("2025-10-30 00:00:30") == ["reply:head_last_day:0:0"]
    assert sweeper.at("2025-10-31 00:00:30") == ["reply:supervisor_breach:0:0"]
    # Once the limit has run out, a consultation can no longer pause it: the breach stays.
    flow.at("2025-10-31 10:00")
    with pytest.raises(ActionNotAllowed, match="2025-10-30 届满"):
        flow.act(
            ref,
            LI,
            "start_consultation",
            party_kind="agency",
            party_name="县财政局",
            received_on=flow.today(),
        )
    assert sweeper.at("2025-10-31 10:01") == []
    assert sweeper.at("2025-11-01 00:00:30") == ["reply:supervisor_breach:0:1"]
    assert list(fired(flow, ref)) == [
        "reply:assignee_5_days:0:0",
        "reply:head_2_days:0:0",
        "reply:head_last_day:0:0",
        "reply:supervisor_breach:0:0",
        "reply:supervisor_breach:0:1",
    ]


def test_meeting_the_deadline_stops_every_further_firing(flow, engine) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-23 00:00:30") == ["reply:assignee_5_days:0:0"]
    flow.at("2025-10-27 10:00")
    flow.act(ref, LI, "draft_reply", outcome="disclosed", summary="予以公开")
    assert sweeper.at("2025-10-28 00:00:30") == ["reply:head_2_days:0:0"]  # not replied yet
    flow.at("2025-10-28 10:00")
    flow.act(ref, HEAD, "approve_reply")
    assert flow.status(ref) == "met"
    assert {v[2] for v in schedule(flow, ref).values()} == {None}
    for when in ("2025-10-30 00:00:30", "2025-10-31 00:00:30", "2025-11-20 09:00"):
        assert sweeper.at(when) == []
    assert list(fired(flow, ref)) == ["reply:assignee_5_days:0:0", "reply:head_2_days:0:0"]


def test_who_is_told_unassigned_assigned_and_a_child_agency(flow) -> None:
    flow.at("2025-09-26 10:00")
    county = flow.register()  # left in `registered`: its correction-notice limit runs
    edu = flow.register(EDU_CLERK, agency="edu", intake=flow.intake(**applicant(flow, 2)))
    sweeper = Sweeper(flow)
    # The correction notice (7 working days, due 10-13) warns "the assignee": nobody yet,
    # so the office head of the case's own agency.
    assert sorted(sweeper.at("2025-10-13 00:00:30")) == [
        "correction_notice:assignee_last_day:0:0",
        "correction_notice:assignee_last_day:0:0",
    ]
    assert fired(flow, county)["correction_notice:assignee_last_day:0:0"].recipients == [HEAD]
    assert fired(flow, edu)["correction_notice:assignee_last_day:0:0"].recipients == [EDU_HEAD]
    assert (
        "经办人：未指定" in fired(flow, county)["correction_notice:assignee_last_day:0:0"].message
    )

    flow.at("2025-10-14 09:00")
    flow.act(county, HEAD, "assign", assignee=ZHAO)
    for when in ("2025-10-23", "2025-10-28", "2025-10-30", "2025-10-31"):
        assert len(sweeper.at(f"{when} 00:00:30")) == 2
    to = {
        ref: {k: f.recipients for k, f in fired(flow, ref).items() if k.startswith("reply:")}
        for ref in (county, edu)
    }
    assert to[county] == {
        "reply:assignee_5_days:0:0": [ZHAO],
        "reply:head_2_days:0:0": [HEAD],
        "reply:head_last_day:0:0": [HEAD],
        "reply:supervisor_breach:0:0": [SUPERVISOR],
    }
    # The education bureau has no supervisor: the county's (its parent) is told.
    assert to[edu] == {
        "reply:assignee_5_days:0:0": [EDU_HEAD],
        "reply:head_2_days:0:0": [EDU_HEAD],
        "reply:head_last_day:0:0": [EDU_HEAD],
        "reply:supervisor_breach:0:0": [SUPERVISOR],
    }


# -- catch-up after a sweeper was down -------------------------------------------------


def test_sweeper_down_across_thresholds_catches_up_once_all_late(flow, engine) -> None:
    refs = [accepted_case(flow), accepted_case(flow, **applicant(flow, 2))]
    flow.checking = False
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-20 09:00") == []
    # Down from 10-20 to 11-05 12:00, then one sweep (in batches of 3 schedule rows).
    caught = sweeper.at("2025-11-05 12:00", batch=3)
    # Issue 14 item 2: the six daily breach repeats owed (10-31, 11-01 … 11-05) are one
    # firing, under the first repeat's key, saying how many it covers and since when.
    expected = [
        "reply:assignee_5_days:0:0",
        "reply:head_2_days:0:0",
        "reply:head_last_day:0:0",
        "reply:supervisor_breach:0:0",
    ]
    assert sorted(caught) == sorted(expected * 2)
    for ref in refs:
        made = fired(flow, ref)
        assert sorted(made) == sorted(expected)
        assert all(f.late for f in made.values())
        assert all(f.fired_at == bj("2025-11-05 12:00") for f in made.values())
        breach = made["reply:supervisor_breach:0:0"]
        assert (breach.threshold_at, breach.repeats) == (bj("2025-10-31 00:00"), 6)
        assert "自 2025-10-31 00:00 起应重复提醒 6 次，合并为本条" in breach.message
        assert {made[k].repeats for k in expected[:3]} == {1}
        assert "原定 2025-10-23 00:00 发出" in made["reply:assignee_5_days:0:0"].message
    assert count(engine, "SELECT count(*) FROM firings") == 8
    assert count(engine, "SELECT count(*) FROM deliveries") == 8
    assert len(sweeper.queue) == len(set(sweeper.queue)) == 8

    assert sweeper.at("2025-11-05 12:00") == []  # right after: nothing more
    assert sweeper.at("2025-11-05 12:00:01") == []
    assert sweeper.at("2025-11-06 00:00:30") == ["reply:supervisor_breach:0:6"] * 2
    assert not fired(flow, refs[0])["reply:supervisor_breach:0:6"].late
    for ref in refs:
        flow.consistent(ref)


# -- two sweepers at once (PostgreSQL) -------------------------------------------------


def test_two_sweepers_in_parallel_fire_each_key_once(pg_engine, calendar) -> None:
    clock = FakeClock(bj("2025-09-26 10:00"))
    svc = build_services(pg_engine, clock, calendar)
    refs = [
        services.register_request(
            svc,
            agency_code="county" if n % 3 else "edu",
            principal=acting(svc, CLERK if n % 3 else EDU_CLERK),
            intake={
                "applicant": {
                    "kind": "natural_person",
                    "name": f"申请人{n}",
                    "id_number": f"61092619900101{n:04d}",
                    "phone": "13800000000",
                },
                "description": f"第{n}项信息",
                "channel": "in_person",
            },
        )
        for n in range(30)
    ]
    # At 11-01 12:00 each case owes: 5 left, 2 left, the last day, and the breach with its
    # first daily repeat as one firing (issue 14 item 2): 4 firings, 120 in all. The
    # correction notice's limit (10-13) passed unused long ago: no warning is owed for a
    # limit that no longer runs (issue 14 item 3).
    owed = {
        "reply:assignee_5_days:0:0",
        "reply:head_2_days:0:0",
        "reply:head_last_day:0:0",
        "reply:supervisor_breach:0:0",
    }
    now = bj("2025-11-01 12:00")
    start = threading.Barrier(2)
    results: list[list[str]] = [[], []]
    queues: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        own = build_services(pg_engine, FakeClock(now), calendar)
        try:
            start.wait()
            while True:  # a sweeper that found its batch taken by the other sweeps again
                report = sweep(own, queues[i].append, SETTINGS, batch=7)
                if not report.fired:
                    break
                results[i] += report.fired
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    union = results[0] + results[1]
    assert len(union) == len(set(union)) == 30 * len(owed)
    assert set(results[0]).isdisjoint(results[1])
    assert count(pg_engine, "SELECT count(*) FROM firings") == 120
    assert count(pg_engine, "SELECT count(DISTINCT key) FROM firings") == 120
    by_case: dict[str, set[str]] = {}
    for f in firings(svc, SYSTEM):
        by_case.setdefault(f.case_ref, set()).add(short(f.key))
        assert f.late  # long past every threshold
    assert by_case == {ref: owed for ref in refs}
    assert count(pg_engine, "SELECT count(*) FROM deliveries") == 120
    assert count(pg_engine, "SELECT count(DISTINCT key) FROM deliveries") == 120
    assert count(pg_engine, "SELECT count(DISTINCT firing_id) FROM deliveries") == 120

    # The two brokers together hold every delivery; delivering all they hold (any delivery
    # handed over by both sweepers included, and some twice more) sends each one once.
    handed = queues[0] + queues[1]
    assert set(handed) == {d.id for d in deliveries_of(svc)}
    channel = Capture()
    statuses = [deliver(svc, i, {"log": channel}, SETTINGS) for i in handed + handed[:5]]
    assert statuses.count("sent") == 120
    assert set(statuses) == {"sent", "skipped"}
    assert len(channel.sent) == len({n.key for n in channel.sent}) == 120
    assert count(pg_engine, "SELECT count(*) FROM deliveries WHERE status = 'sent'") == 120


# -- expiry actions as audited system events ---------------------------------------------


def _system_event(flow, ref: str, action: str):
    event = flow.case(ref).events[-1]
    assert (event.action, event.actor, event.actor_role) == (action, "system", "system")
    return event


def test_correction_period_over_closes_the_case_as_no_correction(flow) -> None:
    flow.at("2025-09-22 09:00")
    ref = flow.register()
    flow.at("2025-09-23 09:00")
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "request_correction", items="请写明项目名称")  # 15 days: due 10-20
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-20 23:59") == []
    assert sweeper.at("2025-10-21 00:00:10") == ["correction_period:expire:0:0"]
    event = _system_event(flow, ref, "correction_expired")
    assert event.state_after == "closed"
    assert event.data["payload"] == {"deadline": "correction_period"}
    case = flow.case(ref)
    assert (case.state, case.facts.outcome) == ("closed", "other.no_correction")
    assert flow.status(ref, "correction_period") == "breached"
    firing = fired(flow, ref)["correction_period:expire:0:0"]
    assert (firing.outcome, firing.recipients, firing.deliveries, firing.late) == (
        "已执行系统动作 correction_expired",
        [],
        {},
        False,
    )
    flow.consistent(ref)  # projection clean, every chain verifies
    assert sweeper.at("2025-11-30 09:00") == []


def test_fee_window_over_closes_the_case_as_no_fee(flow) -> None:
    ref = accepted_case(flow, "2025-09-22 09:30", assignee=None)
    flow.at("2025-09-25 11:00")
    flow.act(
        ref,
        HEAD,
        "send_fee_notice",
        basis="per_request",
        amount=100,
        reason="次数过多",
        notice_received_on=flow.today(),
    )
    assert flow.due(ref, "fee_payment") == date(2025, 10, 29)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-30 00:01") == ["fee_payment:expire:0:0"]
    _system_event(flow, ref, "fee_expired")
    case = flow.case(ref)
    assert (case.state, case.facts.outcome) == ("closed", "other.no_fee")
    assert flow.status(ref, "fee_payment") == "breached"
    assert flow.status(ref) == "cancelled"
    flow.consistent(ref)
    assert sweeper.at("2025-11-30 09:00") == []


@pytest.mark.parametrize(
    ("party_kind", "reason"),
    [
        ("third_party", "第三方逾期未答复，由机关依法决定"),
        ("agency", "其他机关逾期未答复，视为同意"),
    ],
)
def test_consultation_over_resumes_the_reply_clock(flow, engine, party_kind, reason) -> None:
    ref = accepted_case(flow, "2025-09-22 09:30")
    assert flow.due(ref) == date(2025, 10, 24)
    flow.at("2025-09-24 10:00")
    flow.act(
        ref,
        LI,
        "start_consultation",
        party_kind=party_kind,
        party_name="某建材有限公司",
        received_on=flow.today(),
    )
    assert flow.due(ref, "consultation-1") == date(2025, 10, 21)
    assert flow.status(ref) == "paused"
    sweeper = Sweeper(flow)
    # The reply clock is paused: none of its rules fire on 10-17 … 10-21.
    assert sweeper.at("2025-10-17 00:00:30") == ["consultation-1:assignee_2_days:0:0"]
    assert fired(flow, ref)["consultation-1:assignee_2_days:0:0"].recipients == [LI]
    assert sweeper.at("2025-10-21 23:59") == []
    assert sweeper.at("2025-10-22 00:00:30") == ["consultation-1:expire:0:0"]

    event = _system_event(flow, ref, "consultation_expired")
    assert event.data["derived"] == {"consultation": 1, "ended_on": "2025-10-21"}
    case = flow.case(ref)
    assert case.state == "handling"
    consultation = flow.deadline(ref, "consultation-1")
    assert (consultation.status.value, consultation.cancelled_reason) == ("cancelled", reason)
    # The clock resumes after the limit: 09-23, 09-24 used; 18 more from 10-21 to 11-14.
    reply = flow.deadline(ref)
    assert (reply.status.value, reply.due_date) == ("running", date(2025, 11, 14))
    assert reply.due_date > date(2025, 10, 24)
    flow.consistent(ref)
    # The reply's ladder runs again, for the new date, in a new epoch.
    assert next_fire(flow, ref, "reply:assignee_5_days") == bj("2025-11-07 00:00")
    assert sweeper.at("2025-11-07 00:00:30") == ["reply:assignee_5_days:1:0"]


# -- acknowledgement -------------------------------------------------------------------------


def test_acknowledging_stops_the_repeats_but_not_the_next_level(flow, engine) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    sweeper.at("2025-10-23 00:00:30")
    assert sweeper.at("2025-10-28 00:00:30") == ["reply:head_2_days:0:0"]
    head_2 = fired(flow, ref)["reply:head_2_days:0:0"].key
    with pytest.raises(ActionNotAllowed, match="不是该提醒的接收人"):
        acknowledge(flow.svc, head_2, acting(flow.svc, ZHAO))  # a handler not told
    with pytest.raises(NotFound, match="没有编号为"):  # the head of another office: not visible
        acknowledge(flow.svc, head_2, acting(flow.svc, EDU_HEAD))
    with pytest.raises(NotFound):
        acknowledge(flow.svc, "1:reply:nothing:0:0", acting(flow.svc, HEAD))
    flow.at("2025-10-28 09:00")
    acknowledge(flow.svc, head_2, acting(flow.svc, HEAD))
    # The next level still fires while the case stays unresolved.
    assert sweeper.at("2025-10-30 00:00:30") == ["reply:head_last_day:0:0"]
    assert sweeper.at("2025-10-31 00:00:30") == ["reply:supervisor_breach:0:0"]
    assert sweeper.at("2025-11-01 00:00:30") == ["reply:supervisor_breach:0:1"]

    breach = fired(flow, ref)["reply:supervisor_breach:0:1"].key
    with pytest.raises(ActionNotAllowed, match="李经办 不是该提醒的接收人"):
        acknowledge(flow.svc, breach, acting(flow.svc, LI))
    flow.at("2025-11-01 08:30")
    acknowledge(flow.svc, breach, acting(flow.svc, SUPERVISOR))
    epoch, repeat_no, next_at = schedule(flow, ref)["reply:supervisor_breach"]
    assert (epoch, repeat_no, next_at) == (0, 2, None)
    with engine.connect() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT acknowledged_by FROM escalation_schedule WHERE rule = 'supervisor_breach'"
                )
            ).scalar_one()
            == SUPERVISOR
        )
    for day in ("11-02", "11-03", "11-10"):
        assert sweeper.at(f"2025-{day} 00:00:30") == []
    assert len(fired(flow, ref)) == 5
    # Assigning or any other change of the case does not bring the repeats back.
    flow.at("2025-11-10 09:00")
    flow.act(ref, HEAD, "assign", assignee=ZHAO)
    assert sweeper.at("2025-11-11 00:00:30") == []


# -- the policy recorded on the case ---------------------------------------------------------


@pytest.fixture
def edited_policy(flow) -> Policy:
    """The file edited (and the services restarted): 5 days → 7 days for the assignee, and a
    new rule at 3 days."""
    shipped = current_policies()["disclosure_request"]
    body = shipped.model_dump(mode="json")
    reply = body["ladders"]["reply"]
    reply[0]["threshold"] = {"working_days_left": 7}
    reply.insert(
        1, {"rule": "head_3_days", "threshold": {"working_days_left": 3}, "notify": ["office_head"]}
    )
    edited = Policy.model_validate(body)
    assert edited.digest != shipped.digest
    policies = {**flow.svc.config.policies, "disclosure_request": edited}
    flow.svc = replace(flow.svc, config=replace(flow.svc.config, policies=policies))
    return edited


def test_policy_in_force_is_recorded_and_changed_only_by_adoption(
    flow, engine, monkeypatch, request
) -> None:
    shipped = current_policies()["disclosure_request"].digest
    old = accepted_case(flow)
    receive = flow.case(old).events[0]
    assert receive.action == "receive"
    assert receive.data["derived"]["escalation_policy"] == shipped
    assert flow.case(old).escalation_policy == shipped
    assert (
        count(engine, "SELECT count(*) FROM escalation_policies WHERE digest = :d", d=shipped) == 1
    )

    edited = request.getfixturevalue("edited_policy")
    new = accepted_case(flow, **applicant(flow, 2))
    assert flow.case(new).events[0].data["derived"]["escalation_policy"] == edited.digest
    assert count(engine, "SELECT count(*) FROM escalation_policies") == 2
    # Editing the file changed new cases only; the open case keeps its ladder, even after
    # an action saved it again.
    flow.at("2025-10-09 09:00")
    flow.act(old, HEAD, "assign", assignee=ZHAO)
    assert flow.case(old).escalation_policy == shipped
    assert "reply:head_3_days" not in schedule(flow, old)
    assert next_fire(flow, old, "reply:assignee_5_days") == bj("2025-10-23 00:00")
    assert next_fire(flow, new, "reply:assignee_5_days") == bj("2025-10-21 00:00")
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-21 00:00:30") == ["reply:assignee_5_days:0:0"]
    assert list(fired(flow, new)) == ["reply:assignee_5_days:0:0"]

    # Adopting the edited policy is an explicit act of the office head, recorded.
    flow.at("2025-10-21 09:00")
    before = flow.event_count(old)
    with pytest.raises(ActionNotAllowed, match="只有本机关的公开办负责人"):
        adopt_policy(flow.svc, old, acting(flow.svc, LI))
    # Another agency's head may not read the case: not found, as if it did not exist.
    with pytest.raises(NotFound, match="或您无权查看"):
        adopt_policy(flow.svc, old, acting(flow.svc, EDU_HEAD))
    assert flow.event_count(old) == before
    assert adopt_policy(flow.svc, old, acting(flow.svc, HEAD)) is True
    event = flow.case(old).events[-1]
    assert (event.action, event.actor, event.state_after) == (
        "escalation_policy_adopted",
        HEAD,
        "handling",
    )
    assert event.data["derived"] == {"escalation_policy": edited.digest, "previous": shipped}
    assert flow.case(old).escalation_policy == edited.digest
    flow.consistent(old)
    assert adopt_policy(flow.svc, old, acting(flow.svc, HEAD)) is False  # already current
    assert flow.event_count(old) == before + 1
    assert adopt_policy(flow.svc, new, acting(flow.svc, HEAD)) is False

    # Re-planned: the new rule and the moved threshold of a rule that has not fired yet.
    assert next_fire(flow, old, "reply:head_3_days") == bj("2025-10-27 00:00")
    assert next_fire(flow, old, "reply:assignee_5_days") == bj("2025-10-21 00:00")
    assert sweeper.at("2025-10-21 09:00:30") == ["reply:assignee_5_days:0:0"]  # late now
    assert fired(flow, old)["reply:assignee_5_days:0:0"].recipients == [ZHAO]
    assert sorted(sweeper.at("2025-10-27 00:00:30")) == ["reply:head_3_days:0:0"] * 2


# -- quiet hours -----------------------------------------------------------------------------


def test_email_waits_out_the_quiet_hours_the_log_does_not(flow, engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET email = 'li@example.gov.cn' WHERE username = :u"), {"u": LI}
        )
    ref = accepted_case(flow)
    both = NotificationSettings(channels=("log", "email"))
    sweeper = Sweeper(flow, both)
    assert sweeper.at("2025-10-23 23:00") == ["reply:assignee_5_days:0:0"]
    by_channel = {d.channel: d for d in deliveries_of(flow.svc)}
    assert set(by_channel) == {"log", "email"}
    assert by_channel["email"].address == "li@example.gov.cn"
    assert by_channel["log"].not_before == bj("2025-10-23 23:00")
    assert by_channel["email"].not_before == bj("2025-10-24 08:00")
    assert sweeper.queue == [by_channel["log"].id]  # the e-mail waits for the morning
    assert deliver(flow.svc, by_channel["log"].id, {"log": Capture()}, both) == "sent"
    assert sweeper.at("2025-10-24 07:59:59") == [] and sweeper.queue == [by_channel["log"].id]
    sweeper.at("2025-10-24 08:00")
    assert sweeper.queue == [by_channel["log"].id, by_channel["email"].id]
    # A recipient without an address gets no e-mail row, only the log.
    assert sweeper.at("2025-10-28 00:00:30") == ["reply:head_2_days:0:0"]
    assert fired(flow, ref)["reply:head_2_days:0:0"].deliveries == {
        f"{fired(flow, ref)['reply:head_2_days:0:0'].key}:log:{HEAD}": "pending"
    }


# -- the outbox ------------------------------------------------------------------------------


def test_outbox_hands_over_once_again_when_lost_never_when_sent(flow, engine) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    sweeper.at("2025-10-23 00:00:30")
    (delivery_id,) = sweeper.queue
    sweeper.at("2025-10-23 00:01:00")
    flow.at("2025-10-23 00:05:30")  # exactly redeliver_after_seconds: not yet
    assert dispatch_outbox(flow.svc, sweeper.queue.append, SETTINGS) == 0
    assert sweeper.queue == [delivery_id]
    flow.at("2025-10-23 00:05:31")  # still pending: the broker lost it, hand it over again
    assert dispatch_outbox(flow.svc, sweeper.queue.append, SETTINGS) == 1
    assert sweeper.queue == [delivery_id, delivery_id]

    # A failing channel leaves it pending (retried by the broker), never sent.
    broken = Capture(fail=True)
    with pytest.raises(RetryLater):
        deliver(flow.svc, delivery_id, {"log": broken}, SETTINGS)
    with engine.connect() as conn:
        status, attempts, error = conn.execute(
            text("SELECT status, attempts, last_error FROM deliveries WHERE id = :i"),
            {"i": delivery_id},
        ).one()
    assert (status, attempts, error) == ("pending", 1, "通道暂不可用")

    channel = Capture()
    assert deliver(flow.svc, delivery_id, {"log": channel}, SETTINGS) == "sent"
    assert deliver(flow.svc, delivery_id, {"log": channel}, SETTINGS) == "skipped"
    assert [n.key for n in channel.sent] == [
        fired(flow, ref)["reply:assignee_5_days:0:0"].deliveries.popitem()[0]
    ]
    sent = channel.sent[0]
    assert (sent.case_ref, sent.recipient, sent.recipient_name, sent.level) == (
        ref,
        LI,
        "李经办",
        "warning",
    )
    assert sent.subject == f"【预警】{ref} 答复期限还剩 5 个工作日"
    for when in ("2025-10-23 00:20", "2025-10-23 12:00", "2025-10-24 09:00"):
        sweeper.at(when)
    assert sweeper.queue == [delivery_id, delivery_id]  # a sent delivery is never handed over
