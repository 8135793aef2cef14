"""Property, through the real sweeper and database: no warning is ever fired for a deadline
that is not running (issue 14 item 3).

Each example registers a request and sends it down a random path (refused actions are
skipped) while the sweeper runs at random instants in between. After every sweep, each
firing it made for the case is checked against the case as it stood then (its events up
to the sweep, replayed): the deadline existed and was running at that instant. The
schedule agrees: a row still due belongs to a deadline that runs. SQLite, one database
for all examples (each example has its own case).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow.app import build_services
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.cases import Case
from govflow.workflow.clock import FakeClock
from govflow.workflow.errors import GovflowError
from govflow.workflow.services import firings
from tests.conftest import intake, person
from tests.integration.escalating import CLERK, HEAD, LI, SETTINGS, bj
from tests.principals import acting

STEPS = [
    ("start_review", LI, {}),
    ("accept", LI, {}),
    ("request_correction", LI, {"items": "请写明文件名称"}),
    ("submit_correction", CLERK, {}),
    ("start_consultation", LI, {"party_kind": "third_party", "party_name": "某公司"}),
    ("end_consultation", LI, {"result": "agreed"}),
    ("send_fee_notice", HEAD, {"basis": "per_request", "amount": 100, "reason": "次数过多"}),
    ("record_payment", CLERK, {}),
    ("extend", HEAD, {"days": 5, "reason": "需调取档案"}),
    ("draft_reply", LI, {"outcome": "disclosed", "summary": "予以公开"}),
    ("approve_reply", HEAD, {}),
    ("withdraw", CLERK, {"reason": "申请人撤回"}),
]
counter = iter(range(10_000))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.lists(
        st.tuples(st.sampled_from(range(len(STEPS))), st.integers(1, 6 * 86400)), max_size=7
    ),
    looks=st.lists(st.integers(1, 60 * 86400), min_size=1, max_size=5),
)
def test_the_sweeper_never_warns_about_a_limit_that_does_not_run(
    sqlite_engine, calendar, path, looks
) -> None:
    clock = FakeClock(bj("2025-09-22 09:00"))
    svc = build_services(sqlite_engine, clock, calendar)
    n = next(counter)
    ref = services.register_request(
        svc,
        agency_code="county",
        principal=acting(svc, CLERK),
        intake=intake(applicant=person(f"申请人{n}", f"6109261990{n:08d}")),
    )
    start = clock.now()
    # Actions and sweeps on one timeline, in time order; sweeps after the last action too.
    plan = [(start + timedelta(seconds=t), "act", i) for i, t in path]
    plan += [(start + timedelta(seconds=t), "sweep", 0) for t in looks]
    for at, kind, i in sorted(plan, key=lambda x: (x[0], x[1])):
        clock.set(max(at, clock.now()))
        if kind == "act":
            action, who, payload = STEPS[i]
            try:
                services.act(
                    svc, ref=ref, action=action, payload=payload, principal=acting(svc, who)
                )
            except GovflowError:
                pass
            continue
        report = sweep(svc, lambda _id: None, SETTINGS)
        now = clock.now()
        made = {f.key: f for f in firings(svc, SYSTEM, ref) if f.key in report.fired}
        case = _case(svc, ref)
        as_then = Case.replay(
            Case.opened(case.workflow, case.agency_code, ref),
            [e for e in case.events if e.occurred_at <= now],
            calendar,
        )
        for firing in made.values():
            if firing.outcome != "notified":
                continue  # an expiry acts on a limit that ran out; it is no warning
            deadline = next(d for d in as_then.deadlines if d.key == firing.deadline_key)
            assert deadline.is_running_at(now), (firing.key, deadline.status, now)
    # Whatever is still scheduled belongs to a deadline that runs.
    case = _case(svc, ref)
    with svc.uow() as uow:
        due = uow.escalations.claim_due(clock.now() + timedelta(days=3650), 1000)
        uow.session.rollback()
    running = {d.key for d in case.deadlines if d.status.value == "running"}
    assert {r.deadline_key for r in due if r.case_ref == ref} <= running


def _case(svc: services.Services, ref: str) -> Case:
    with svc.uow() as uow:
        return services.load_case(svc, uow, ref, history=True)
