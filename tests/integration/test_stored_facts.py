"""Facts kept, not rebuilt (issue 17), on SQLite and PostgreSQL.

An action loads the facts its case row stores and folds only its own event; replaying the
whole history is how that is checked. Here: random histories, checked against a replay
after every step; the statements an action costs, counted; stored facts missing, outdated
or tampered with; the migration (and ``govflow init`` after it) that fills them for
existing cases.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text

from govflow.app import fill_facts
from govflow.models.db import session_factory
from govflow.models.uow import SqlUnitOfWork
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.errors import Conflict, GovflowError, StaleVersion
from govflow.workflow.kept_facts import FACTS_FORMAT
from tests.principals import acting
from tests.unit.test_disclosure_properties import _choose, _intake, _payload

PATH: list[tuple[str, str, dict[str, Any]]] = [
    ("start_review", "li.handler", {}),
    ("accept", "li.handler", {}),
    ("assign", "zhang.head", {"assignee": "zhao.handler"}),
    ("extend", "zhang.head", {"days": 10, "reason": "需调档整理"}),
    ("draft_reply", "zhao.handler", {"outcome": "disclosed", "summary": "予以公开"}),
    ("reject_reply", "zhang.head", {"reason": "请补充公开方式"}),
    ("draft_reply", "zhao.handler", {"outcome": "disclosed", "summary": "予以公开，附件三份"}),
    ("approve_reply", "zhang.head", {}),
    ("archive", "wang.clerk", {}),
]


def sql(engine: Any, statement: str, **params: Any) -> Any:
    with engine.begin() as conn:
        return conn.execute(text(statement), params)


def stored_facts(engine: Any, ref: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT facts FROM cases WHERE ref = :r"), {"r": ref}).scalar()
    return json.loads(raw) if raw else None


# -- random histories ---------------------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)))
def test_stored_facts_equal_the_replay_after_every_step(
    flow, data: st.DataObject, start: date
) -> None:
    """Whatever a random office does, after every step — done or refused — the facts the
    case row stores, the deadline rows and the chain head are what a replay of the events
    gives (``check_projection``: nothing differs), and ``audit verify`` finds nothing in
    its rows (the escalation schedule, written without being read, included)."""
    flow.checking = False  # the check below is the one that matters here
    flow.clock.set(datetime.combine(start, time(9, 0), SHANGHAI))
    today = local_date(flow.clock.now())
    ref = flow.register(intake=_intake(data, today))
    assert services.check_projection(flow.svc, ref) == []
    for _ in range(data.draw(st.integers(5, 20), label="steps")):
        flow.clock.advance(
            timedelta(
                days=data.draw(st.just(0) | st.integers(0, 10), label="days later"),
                minutes=data.draw(st.integers(1, 300), label="minutes later"),
            )
        )
        case = flow.case(ref)
        action, actor = _choose(data, case)
        payload = _payload(data, action, case, local_date(flow.clock.now()))
        try:
            flow.act(ref, actor.username, action, **payload)
        except GovflowError:
            pass
        assert services.check_projection(flow.svc, ref) == [], (action, payload)
        assert verified(flow, ref) == [], (action, payload)


def verified(flow: Any, ref: str) -> list[str]:
    """What ``audit verify`` finds on one case."""
    found = services.verify_cases(flow.svc, SYSTEM, case_ref=ref)
    return [f.message for _, findings in found for f in findings]


# -- statements per action -----------------------------------------------------------------

# Statements sent (BEGIN and COMMIT are not statements here): the test's own look-up of
# the acting account (a web session's check would hand it over), then the action's: the
# acting account (its roles, status and agency) with, in the same statement, the case row
# with its stored facts and its agency's code; the case row's UPDATE (version checked) and the event's INSERT — one
# statement on PostgreSQL (a data-modifying CTE), two on SQLite — and only what the action
# changed besides: the deadline rows that moved (one upsert, unread: the stored facts say
# what they hold), the escalation schedule's rows (one upsert, unread), the request's row
# (written without a read, and only when a fact it keeps moved), another user named (an
# assignee).
STEPS = {
    "start_review": 3,
    "accept": 5,  # + deadlines (a row stopped, one started), schedule (their rules)
    "assign": 4,  # + the assignee
    # A written notice (SPEC N-1) adds three: the uploaded templates' marker (newest id,
    # active count: the templates are reloaded only when it moved), the notice number's
    # upsert (returning it) and the request's row (what the notice prints). No event is
    # read: the case's documents are kept with its facts. The agency of the letterhead
    # came with the case.
    "extend": 8,  # + deadlines, schedule moved; the 延期答复告知书
    "draft_reply": 3,
    "reject_reply": 3,
    "approve_reply": 9,  # + deadlines, schedule, the reply date and outcome (the row read
    # for the notice, written); the 答复书
    "archive": 3,
}
EXPECTED = {"postgresql": STEPS, "sqlite": {action: n + 1 for action, n in STEPS.items()}}


def statements_per_action(flow: Any, ref: str) -> list[tuple[str, int]]:
    """Each action of ``PATH`` on ``ref`` and the statements it sent to the database."""
    seen: list[tuple[str, int]] = []

    def count(*_args: Any) -> None:
        seen[-1] = (seen[-1][0], seen[-1][1] + 1)

    event.listen(flow.engine, "before_cursor_execute", count)
    try:
        for action, who, payload in PATH:
            seen.append((action, 0))
            flow.act(ref, who, action, **payload)
    finally:
        event.remove(flow.engine, "before_cursor_execute", count)
    return seen


def test_an_action_costs_the_statements_it_needs_and_no_more(flow) -> None:
    """Counted, so a regression shows; the same on a case with a long history."""
    flow.checking = False
    flow.register()  # the first case warms whatever a process keeps
    seen = statements_per_action(flow, flow.register())
    expected = EXPECTED[flow.engine.dialect.name]
    assert seen == [(action, expected[action]) for action, _, _ in PATH]


# -- a lost race ---------------------------------------------------------------------------


class SavedMeanwhile(SqlUnitOfWork):
    """A real unit of work in which, once the case is loaded and just before the action's
    rows are written, another transaction (its own connection) acts on the same case."""

    def __init__(self, sessions: Any, meanwhile: Callable[[], None]) -> None:
        super().__init__(sessions)
        self._meanwhile: Callable[[], None] | None = meanwhile

    def __enter__(self) -> SavedMeanwhile:
        super().__enter__()
        save = self.repo.save

        def other_first(*args: Any, **kwargs: Any) -> None:
            if self._meanwhile is not None:
                self._meanwhile, meanwhile = None, self._meanwhile
                meanwhile()
            save(*args, **kwargs)

        self.repo.save = other_first  # type: ignore[method-assign]
        return self


@pytest.mark.parametrize("expected_version", [None, 2])
def test_a_case_saved_by_another_transaction_since_it_was_loaded_writes_nothing(
    flow, expected_version: int | None
) -> None:
    """The case row's UPDATE checks the version loaded: the loser gets the same conflict
    as before (or ``StaleVersion`` naming the version now), and nothing of it is written."""
    ref = flow.register()
    version = sql(flow.engine, "SELECT version FROM cases WHERE ref = :r", r=ref).scalar()

    def meanwhile() -> None:
        flow.act(ref, "li.handler", "start_review")

    racer = replace(flow.svc, uow=partial(SavedMeanwhile, session_factory(flow.engine), meanwhile))
    with pytest.raises(Conflict) as lost:
        services.act(
            racer,
            ref=ref,
            action="start_review",
            payload={},
            principal=acting(flow.svc, "li.handler"),
            expected_version=expected_version,
        )
    if expected_version is None:
        assert "案件已被他人修改" in str(lost.value)
    else:
        assert isinstance(lost.value, StaleVersion) and lost.value.current == 3
    seqs = sql(
        flow.engine,
        "SELECT e.seq FROM events e JOIN cases c ON c.id = e.case_id WHERE c.ref = :r",
        r=ref,
    ).scalars()
    assert sorted(seqs) == [1, 2, 3]  # the winner's event only
    assert sql(flow.engine, "SELECT version FROM cases WHERE ref = :r", r=ref).scalar() == (
        version + 1
    )
    assert services.check_projection(flow.svc, ref) == []


# -- stored facts missing, outdated, or tampered with ----------------------------------------


@pytest.mark.parametrize("stored", [None, '{"format": 0, "facts": {}}'])
def test_facts_not_stored_in_this_format_are_rebuilt_from_the_events(flow, stored) -> None:
    ref = flow.register()
    flow.act(ref, "li.handler", "start_review")
    sql(flow.engine, "UPDATE cases SET facts = :f WHERE ref = :r", f=stored, r=ref)
    assert "facts" in services.check_projection(flow.svc, ref)
    assert flow.due(ref) == date(2025, 10, 24)  # shown from a replay meanwhile
    flow.act(ref, "li.handler", "accept")  # loads by replay, stores them again
    assert stored_facts(flow.engine, ref)["format"] == FACTS_FORMAT
    assert services.check_projection(flow.svc, ref) == []


def test_stored_facts_that_differ_from_the_replay_are_an_audit_finding(flow) -> None:
    flow.checking = False
    ref = flow.register()
    flow.act(ref, "li.handler", "start_review")
    flow.act(ref, "li.handler", "accept")
    assert services.verify_all(flow.svc, SYSTEM)[1] == []
    state = stored_facts(flow.engine, ref)
    state["facts"]["channel"] = "email"  # not how it came
    reply = next(d for d in state["facts"]["deadlines"] if d["key"] == "reply")
    reply["extension_days"] = 15  # an extension nobody granted
    sql(flow.engine, "UPDATE cases SET facts = :f WHERE ref = :r", f=json.dumps(state), r=ref)

    assert services.check_projection(flow.svc, ref) == ["facts.channel", "reply"]
    findings = services.verify_all(flow.svc, SYSTEM)[1]
    assert [(f.case_ref, f.kind, f.table, f.column) for f in findings] == [
        (ref, "derived", "cases", "facts")
    ]
    assert "facts.channel" in findings[0].message and "reply" in findings[0].message


# -- the migration that fills them ----------------------------------------------------------


def test_the_migration_fills_the_facts_of_existing_cases_as_a_replay_gives_them(flow) -> None:
    from alembic import command

    from govflow.models.db import alembic_config, migrate

    flow.checking = False
    refs = [flow.register() for _ in range(3)]
    for action, who, payload in PATH[:5]:
        flow.act(refs[0], who, action, **payload)
    flow.act(refs[1], "li.handler", "start_review")
    flow.at("2025-09-26 10:00")
    flow.act(refs[1], "li.handler", "request_correction", items="写明文件名称")
    incident = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, "wang.clerk"),
        payload={
            "title": "网传某小学食堂使用过期食材",
            "summary": "微博多条帖文配图",
            "platform": "微博",
            "topic": "食品药品",
        },
    )
    refs.append(incident)
    before = {ref: stored_facts(flow.engine, ref) for ref in refs}
    with flow.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM deadlines ORDER BY case_id, key")).all()

    command.downgrade(alembic_config(flow.engine), "0008")  # a database made before
    migrate(flow.engine)
    assert all(stored_facts(flow.engine, ref) is None for ref in refs)
    assert fill_facts(flow.engine) == len(refs)  # what ``govflow init`` runs after migrating
    assert fill_facts(flow.engine) == 0
    # A release that changes what is stored (FACTS_FORMAT): the older format is filled too.
    with flow.engine.begin() as conn:
        older = '{"format":4,"facts":{}}'
        conn.execute(text("UPDATE cases SET facts = :f WHERE ref = :r"), {"f": older, "r": refs[0]})
    assert fill_facts(flow.engine) == 1

    for ref in refs:
        assert services.check_projection(flow.svc, ref) == [], ref
        assert stored_facts(flow.engine, ref) == before[ref], ref
    with flow.engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM deadlines ORDER BY case_id, key")).all() == rows
    flow.act(refs[0], "zhang.head", "reject_reply", reason="请补充")  # and the cases go on
    assert services.check_projection(flow.svc, refs[0]) == []
