"""SPEC X-: two users acting on one case at once — exactly one wins; references never collide.

PostgreSQL only: real threads, each with its own connection, against the real server.
Two kinds of race are run, each several times:

* "loose": the threads are released together by a barrier just before the use case,
  as two clerks clicking at once. Whoever loads after the winner committed sees the
  new state and is refused by the rules (``ActionNotAllowed``); whoever loaded the
  same version as the winner must get ``Conflict``.
* "tight": every thread loads the case, then all wait at a barrier placed right
  before their transaction writes, so all of them act on the same version and
  exactly one may commit; the rest must get ``Conflict``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.models.db import session_factory
from govflow.models.uow import SqlUnitOfWork
from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.config import Config
from govflow.workflow.errors import ActionNotAllowed, Conflict
from govflow.workflow.services import Services
from tests.principals import acting

THREADS = 8
ROUNDS = 3
CLERK, LI, HEAD = "wang.clerk", "li.handler", "zhang.head"


def person(n: int) -> dict[str, Any]:
    return {
        "kind": "natural_person",
        "name": f"申请人{n}",
        "id_number": f"61092619900101{n:04d}",
        "phone": "13800000000",
    }


def intake(n: int = 0) -> dict[str, Any]:
    return {"applicant": person(n), "description": f"第{n}份文件", "channel": "in_person"}


class BarrierUnitOfWork(SqlUnitOfWork):
    """A real unit of work whose first write waits until every racer has loaded the case.

    The first statement that writes is ``Repository.save``, or, for an action that
    issues a notice, the upsert that takes the notice's number (``next_ref_seq``, which
    locks the counter row until the transaction ends); holding the threads just before
    whichever comes first makes all of them act on the version they read (no mock: the
    database decides who wins).
    """

    def __init__(self, sessions: Any, barrier: threading.Barrier) -> None:
        super().__init__(sessions)
        self._barrier = barrier
        self._waited = False

    def _first_write(self, write: Any) -> Any:
        def after_barrier(*args: Any, **kwargs: Any) -> Any:
            if not self._waited:
                self._waited = True
                self._barrier.wait(timeout=30)
            return write(*args, **kwargs)

        return after_barrier

    def __enter__(self) -> BarrierUnitOfWork:
        super().__enter__()
        self.repo.save = self._first_write(self.repo.save)
        self.repo.next_ref_seq = self._first_write(self.repo.next_ref_seq)
        return self


@pytest.fixture
def pg_svc(pg_engine: Engine, calendar: WorkingCalendar, config: Config) -> Services:
    clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    return build_services(pg_engine, clock, calendar, config)


def race(fns: list[Any]) -> list[Any]:
    """Run each callable in its own thread, all released at once; results or exceptions."""
    start = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(i: int) -> None:
        start.wait(timeout=30)
        try:
            results[i] = fns[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer hung (deadlock?)"
    return results


def event_seqs(engine: Engine, ref: str) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT e.seq FROM events e JOIN cases c ON c.id = e.case_id "
                    "WHERE c.ref = :r ORDER BY e.id"
                ),
                {"r": ref},
            ).scalars()
        )


def case_version(engine: Engine, ref: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT version FROM cases WHERE ref = :r"), {"r": ref}
        ).scalar_one()


def assert_history_intact(svc: Services, engine: Engine, ref: str) -> None:
    seqs = event_seqs(engine, ref)
    assert seqs == list(range(1, len(seqs) + 1)), "events must be contiguous, no duplicates"
    with engine.connect() as conn:
        head_seq = conn.execute(
            text("SELECT head_seq FROM cases WHERE ref = :r"), {"r": ref}
        ).scalar_one()
    assert head_seq == len(seqs)
    assert services.check_projection(svc, ref) == []
    assert integrity.verify_all(svc, SYSTEM)[1] == []


def outcomes(results: list[Any]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for r in results:
        if isinstance(r, Conflict):
            kinds["conflict"] += 1
        elif isinstance(r, ActionNotAllowed):
            kinds["refused"] += 1
        elif isinstance(r, Exception):
            raise AssertionError(f"unexpected {type(r).__name__}: {r}") from r
        else:
            kinds["won"] += 1
    return kinds


# (who, action, payload) each racer tries on a freshly registered case.
START_REVIEW = [(LI, "start_review", {})] * THREADS
EXTEND = [(HEAD, "extend", {"days": 5 + i, "reason": "材料多"}) for i in range(THREADS)]
# All valid on the version every racer loaded; in a tight race only one may commit.
# (Not used loosely: after one wins, e.g. a withdrawal may still legally follow a review.)
MIXED = [
    (LI, "start_review", {}),
    (HEAD, "extend", {"days": 10, "reason": "材料多"}),
    (HEAD, "set_reply_date", {"due_date": "2025-12-31", "reason": "数量巨大"}),
    (CLERK, "withdraw", {"reason": "申请人撤回"}),
    (HEAD, "reply_on_the_spot", {"outcome": "disclosed", "summary": "已公开", "where": "网站"}),
    (HEAD, "assign", {"assignee": LI}),
    (HEAD, "extend", {"days": 20, "reason": "材料很多"}),
    (CLERK, "withdraw", {"reason": "申请人电话撤回"}),
]


@pytest.mark.parametrize(
    ("moves", "tight"),
    [(START_REVIEW, True), (START_REVIEW, False), (EXTEND, False), (MIXED, True)],
    ids=["start_review-tight", "start_review-loose", "extend-loose", "mixed-tight"],
)
def test_one_action_wins_the_others_conflict(
    pg_engine: Engine, pg_svc: Services, moves: list[tuple[str, str, dict]], tight: bool
) -> None:
    totals: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        ref = services.register_request(
            pg_svc, agency_code="county", principal=acting(pg_svc, CLERK), intake=intake(round_)
        )
        events_before = len(event_seqs(pg_engine, ref))
        version_before = case_version(pg_engine, ref)
        barrier = threading.Barrier(len(moves))
        racer_svc = (
            replace(pg_svc, uow=partial(BarrierUnitOfWork, session_factory(pg_engine), barrier))
            if tight
            else pg_svc
        )
        results = race(
            [
                partial(
                    services.act,
                    racer_svc,
                    ref=ref,
                    action=action,
                    payload=payload,
                    principal=acting(pg_svc, who),
                )
                for who, action, payload in moves
            ]
        )
        kinds = outcomes(results)
        assert kinds["won"] == 1, results
        if tight:
            assert kinds["conflict"] == len(moves) - 1, results
        totals.update(kinds)
        winner = next(r for r in results if not isinstance(r, Exception))
        assert winner.seq == events_before + 1
        assert event_seqs(pg_engine, ref) == list(range(1, events_before + 2))
        assert case_version(pg_engine, ref) == version_before + 1
        with pg_svc.uow() as uow:
            case = services.load_case(pg_svc, uow, ref, history=True)
        assert case.state == winner.state_after
        assert case.events[-1].hash == winner.hash
        for r in results:
            if isinstance(r, Conflict):
                assert "案件已被他人修改" in str(r)
        assert_history_intact(pg_svc, pg_engine, ref)
    assert totals["won"] == ROUNDS
    # Even released loosely, most losers had read the winner's version: a real race.
    assert totals["conflict"] > 0, totals


def test_concurrent_registrations_get_unique_contiguous_references(
    pg_engine: Engine, pg_svc: Services
) -> None:
    per_thread = 3
    for round_ in range(2):
        results = race(
            [
                partial(
                    lambda t: [
                        services.register_request(
                            pg_svc,
                            agency_code="county",
                            principal=acting(pg_svc, CLERK),
                            intake=intake(t * 100 + i),
                        )
                        for i in range(per_thread)
                    ],
                    t,
                )
                for t in range(THREADS)
            ]
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert errors == []
        refs = [ref for batch in results for ref in batch]
        total = THREADS * per_thread * (round_ + 1)
        first = total - THREADS * per_thread + 1
        assert len(refs) == len(set(refs)) == THREADS * per_thread
        assert sorted(refs) == [f"示政办依申〔2025〕{n:04d}号" for n in range(first, total + 1)]
    with pg_engine.connect() as conn:
        stored = list(conn.execute(text("SELECT ref FROM cases ORDER BY ref")).scalars())
        last_seq = conn.execute(
            text("SELECT last_seq FROM ref_counters WHERE case_type = 'disclosure_request'")
        ).scalar_one()
    assert stored == [f"示政办依申〔2025〕{n:04d}号" for n in range(1, total + 1)]
    assert last_seq == total
    checked, findings = integrity.verify_all(pg_svc, SYSTEM)
    assert (checked, findings) == (total, [])


def test_registrations_in_two_agencies_number_independently(
    pg_engine: Engine, pg_svc: Services
) -> None:
    who = {"county": CLERK, "edu": "liu.clerk"}
    results = race(
        [
            partial(
                services.register_request,
                pg_svc,
                agency_code=agency,
                principal=acting(pg_svc, who[agency]),
                intake=intake(i),
            )
            for i, agency in enumerate(["county", "edu"] * THREADS)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r for r in results if r.startswith("示政办")) == [
        f"示政办依申〔2025〕{n:04d}号" for n in range(1, THREADS + 1)
    ]
    assert sorted(r for r in results if r.startswith("示教")) == [
        f"示教依申〔2025〕{n:04d}号" for n in range(1, THREADS + 1)
    ]


def test_concurrent_notices_are_numbered_without_gaps_or_repeats(
    pg_engine: Engine, calendar: WorkingCalendar, tmp_path: Any
) -> None:
    """N-1: office heads extending different cases at once take numbers from one sequence
    (the per-agency, per-kind, per-year row is locked by the upsert), each exactly once."""
    from govflow.app import build_services
    from govflow.models.filestore import DirectoryStore

    clock = FakeClock(datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI))
    svc = build_services(pg_engine, clock, calendar, files=DirectoryStore(tmp_path / "files"))
    refs = []
    for n in range(THREADS * 2):
        ref = services.register_request(
            svc, agency_code="county", principal=acting(svc, CLERK), intake=intake(n)
        )
        for action in ("start_review", "accept"):
            services.act(svc, ref=ref, action=action, payload={}, principal=acting(svc, LI))
        refs.append(ref)
    results = race(
        [
            partial(
                services.act,
                svc,
                ref=ref,
                action="extend",
                payload={"days": 5, "reason": "量大"},
                principal=acting(svc, HEAD),
            )
            for ref in refs
        ]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = [r.data["documents"][0]["number"] for r in results]
    expected = [f"示政办公延〔2025〕{n}号" for n in range(1, len(refs) + 1)]
    assert sorted(numbers, key=lambda s: int(s.split("〕")[1][:-1])) == expected
    with pg_engine.connect() as conn:
        last = conn.execute(
            text("SELECT last_seq FROM ref_counters WHERE case_type = 'notice:延'")
        ).scalar_one()
    assert last == len(refs)
    assert integrity.verify_all(svc, SYSTEM)[1] == []
