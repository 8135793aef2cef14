"""Each exactly-once guard of the sweeper, tested on its own (issue 10; SPEC E-2).

- the row lock and SKIP LOCKED: a second sweeper claiming while the first holds its batch
  gets other rows, at once (without SKIP LOCKED it would wait; without the lock it would
  get the same rows);
- the unique firing key: a firing whose key is taken is not recorded again, and its
  deliveries are not made;
- one transaction per batch: a batch that fails half-way leaves nothing behind, and the
  next sweep makes all of it, once.

Four requests registered in person on Monday 2025-09-22 (reply due 10-24) and left in
``registered``; swept on Saturday 10-25 10:00 each owes its reply's 5-day, 2-day and
last-day warnings and its breach: 16 firings (their correction notice limits passed
unused on 09-30 and owe nothing).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from govflow.app import build_services
from govflow.models.escalation_repo import EscalationRepository
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.clock import FakeClock
from govflow.workflow.escalation_ports import NewFiring
from tests.conftest import intake, person
from tests.integration.escalating import SETTINGS, bj
from tests.principals import acting

NOW = bj("2025-10-25 10:00")
OWED = {"reply:assignee_5_days:0:0", "reply:head_2_days:0:0", "reply:head_last_day:0:0"}
OWED |= {"reply:supervisor_breach:0:0"}


def register(svc, n: int = 4) -> list[str]:
    return [
        services.register_request(
            svc,
            agency_code="county",
            principal=acting(svc, "wang.clerk"),
            intake=intake(applicant=person(f"申请人{i}", f"61092619900101{i:04d}")),
        )
        for i in range(n)
    ]


@pytest.fixture
def pg_svc(pg_engine, calendar):
    svc = build_services(pg_engine, FakeClock(bj("2025-09-22 09:00")), calendar)
    register(svc)
    return build_services(pg_engine, FakeClock(NOW), calendar)


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM firings), (SELECT count(DISTINCT key) FROM"
                    " firings), (SELECT count(*) FROM deliveries)"
                )
            ).one()
        )


@pytest.mark.postgres
def test_a_second_claim_skips_the_rows_the_first_holds_without_waiting(pg_svc, pg_engine) -> None:
    with pg_svc.uow() as first:
        held = {r.schedule_id for r in first.escalations.claim_due(NOW, 5)}
        assert len(held) == 5  # locked until this unit of work ends
        with pg_svc.uow() as second:
            # Were the rows locked without SKIP LOCKED, this claim would wait for them:
            # give up after 2 s instead of hanging the test.
            second.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            started = time.monotonic()
            got = {r.schedule_id for r in second.escalations.claim_due(NOW, 100)}
            waited = time.monotonic() - started
        assert waited < 1.0
        assert got and got.isdisjoint(held)  # with no row lock at all, it would get them too
    with pg_svc.uow() as third:  # released with the first unit of work
        assert held <= {r.schedule_id for r in third.escalations.claim_due(NOW, 100)}


@pytest.mark.postgres
def test_two_sweepers_one_held_inside_its_claim_the_other_fires_the_rest(
    pg_svc, pg_engine, calendar, monkeypatch
) -> None:
    """Sweeper A claims its batch and stops there (a barrier inside the claim); sweeper B
    sweeps meanwhile, skips A's rows, fires all the others and finishes; then A goes on."""
    original = EscalationRepository.claim_due
    a_claimed, release = threading.Event(), threading.Event()

    def claim_due(self, now, limit):
        rows = original(self, now, limit)
        if threading.current_thread().name == "A" and rows and not a_claimed.is_set():
            a_claimed.set()
            assert release.wait(30)
        return rows

    monkeypatch.setattr(EscalationRepository, "claim_due", claim_due)
    fired: dict[str, list[str]] = {"A": [], "B": []}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        own = build_services(pg_engine, FakeClock(NOW), calendar)
        try:
            fired[name] = sweep(own, lambda _id: None, SETTINGS, batch=6).fired
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=run, args=("A",), name="A")
    a.start()
    assert a_claimed.wait(30)
    run("B")  # in this thread, while A holds its first batch
    assert errors == []
    # A holds the first 6 rows in time: the 4 stale correction-notice rows and 2 warnings.
    assert len(fired["B"]) == 14
    release.set()
    a.join(30)
    assert errors == [] and not a.is_alive()
    assert set(fired["A"]).isdisjoint(fired["B"])
    assert {k.split(":", 1)[1] for k in fired["A"] + fired["B"]} == OWED
    assert len(fired["A"] + fired["B"]) == 16
    assert counts(pg_engine) == (16, 16, 16)


@pytest.mark.postgres
def test_a_taken_firing_key_is_never_recorded_twice(pg_svc, pg_engine) -> None:
    # Another sweeper (without the row lock, say) recorded this firing first.
    with pg_svc.uow() as uow:
        row = next(r for r in uow.escalations.claim_due(NOW, 100) if r.rule == "supervisor_breach")
        key = f"{row.case_id}:reply:supervisor_breach:0:0"
        first = NewFiring(
            key=key,
            schedule_id=row.schedule_id,
            case_id=row.case_id,
            deadline_key="reply",
            rule="supervisor_breach",
            level="escalation",
            action=None,
            outcome="notified",
            threshold_at=row.next_fire_at,
            fired_at=NOW,
            late=True,
            message="先记录的\n一条",
            recipients=["chen.supervisor"],
        )
        assert list(uow.escalations.insert_firings([first])) == [key]
        assert uow.escalations.insert_firings([first]) == {}  # the same key again: nothing
        uow.commit()
    with pg_engine.connect() as conn, pytest.raises(IntegrityError):  # the constraint itself
        conn.execute(
            text(
                "INSERT INTO firings (key, schedule_id, case_id, deadline_key, rule, level,"
                " outcome, threshold_at, fired_at, late, message, recipients, repeats)"
                " SELECT key, schedule_id, case_id, deadline_key, rule, level, outcome,"
                " threshold_at, fired_at, late, message, recipients, repeats FROM firings"
            )
        )
    report = sweep(pg_svc, lambda _id: None, SETTINGS)
    assert key not in report.fired and len(report.fired) == 15
    made, distinct, deliveries = counts(pg_engine)
    assert (made, distinct, deliveries) == (16, 16, 15)  # none for the key already taken
    with pg_engine.connect() as conn:
        message = conn.execute(text("SELECT message FROM firings WHERE key = :k"), {"k": key})
        assert message.scalar_one() == "先记录的\n一条"


def test_a_batch_that_fails_half_way_leaves_nothing_behind(engine, calendar, monkeypatch) -> None:
    register(build_services(engine, FakeClock(bj("2025-09-22 09:00")), calendar))
    svc = build_services(engine, FakeClock(NOW), calendar)
    original = EscalationRepository.insert_deliveries

    def broken(self, deliveries):
        raise RuntimeError("the database went away after the firings were written")

    monkeypatch.setattr(EscalationRepository, "insert_deliveries", broken)
    with pytest.raises(RuntimeError):
        sweep(svc, lambda _id: None, SETTINGS)
    assert counts(engine) == (0, 0, 0)
    with svc.uow() as uow:
        assert len(uow.escalations.claim_due(NOW, 100)) == 20  # every row still due
    monkeypatch.setattr(EscalationRepository, "insert_deliveries", original)
    handed: list[int] = []
    assert len(sweep(svc, handed.append, SETTINGS).fired) == 16
    assert counts(engine) == (16, 16, 16) and len(handed) == len(set(handed)) == 16
