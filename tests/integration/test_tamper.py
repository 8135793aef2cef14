"""SPEC A-2: tampering with the stored history is found, naming the case, position and kind.

Cases are built through the service layer; then rows are changed with plain SQL, as
someone with database access would, and ``integrity.verify_all`` (and the
``govflow audit verify`` command) must report exactly what was done, on which case.

Every case built by ``build_case`` has six events: 1 receive, 2 confirm_receipt,
3 start_review, 4 accept, 5 extend, 6 draft_reply.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, bindparam, text

from govflow.models.tables import UTCDateTime
from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.events import CaseEvent, chain_hash, new_event
from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def build_case(flow, description: str) -> str:
    flow.at("2025-09-22 09:30")
    ref = flow.register(intake=flow.intake(description=description))
    flow.act(ref, "li.handler", "start_review")
    flow.act(ref, "li.handler", "accept")
    flow.at("2025-09-24 10:00")
    flow.act(ref, "zhang.head", "extend", days=10, reason="材料较多")
    flow.act(ref, "li.handler", "draft_reply", outcome="disclosed", summary="予以公开")
    assert [e.seq for e in stored_events(flow, ref)] == [1, 2, 3, 4, 5, 6]
    return ref


# -- raw SQL, as an intruder would write it ------------------------------------------------


def case_id(engine: Engine, ref: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar_one()


def stored_events(flow, ref: str) -> list[CaseEvent]:
    with flow.svc.uow() as uow:
        uow.repo.get(ref)
        return uow.repo.events(ref)


def sql(engine: Engine, statement: str, **params: Any) -> None:
    stmt = text(statement)
    if "data" in params:
        stmt = stmt.bindparams(bindparam("data", type_=JSON))
    if "occurred_at" in params:
        stmt = stmt.bindparams(bindparam("occurred_at", type_=UTCDateTime))
    with engine.begin() as conn:
        conn.execute(stmt, params)


def edit_data(flow, ref: str) -> None:
    """Quietly turn the approved 10-day extension into 20 days."""
    event = stored_events(flow, ref)[4]
    data = {**event.data, "payload": {**event.data["payload"], "days": 20}}
    sql(
        flow.engine,
        "UPDATE events SET data = :data WHERE case_id = :c AND seq = 5",
        data=data,
        c=case_id(flow.engine, ref),
    )


def edit_actor(flow, ref: str) -> None:
    sql(
        flow.engine,
        "UPDATE events SET actor = 'zhao.handler' WHERE case_id = :c AND seq = 3",
        c=case_id(flow.engine, ref),
    )


def delete_middle(flow, ref: str) -> None:
    sql(
        flow.engine,
        "DELETE FROM events WHERE case_id = :c AND seq = 3",
        c=case_id(flow.engine, ref),
    )


def delete_last_two(flow, ref: str) -> None:
    sql(
        flow.engine,
        "DELETE FROM events WHERE case_id = :c AND seq >= 5",
        c=case_id(flow.engine, ref),
    )


def delete_last(flow, ref: str) -> None:
    sql(
        flow.engine,
        "DELETE FROM events WHERE case_id = :c AND seq = 6",
        c=case_id(flow.engine, ref),
    )


def insert_forged_at_end(flow, ref: str) -> None:
    """A well-formed, correctly chained approval nobody gave."""
    last = stored_events(flow, ref)[-1]
    forged = new_event(
        case_ref=ref,
        seq=7,
        occurred_at=datetime(2025, 9, 25, 9, 0, tzinfo=SHANGHAI),
        actor="zhang.head",
        actor_role="office_head",
        action="approve_reply",
        state_before="reply_review",
        state_after="replied",
        data={"payload": {"replied_on": "2025-09-25"}, "derived": {}, "deadlines": {}},
        prev_hash=last.hash,
    )
    sql(
        flow.engine,
        "INSERT INTO events (case_id, seq, occurred_at, actor, actor_role, action, state_before,"
        " state_after, data, prev_hash, hash) VALUES (:c, :seq, :occurred_at, :actor, :role,"
        " :action, :before, :after, :data, :prev, :hash)",
        c=case_id(flow.engine, ref),
        seq=forged.seq,
        occurred_at=forged.occurred_at,
        actor=forged.actor,
        role=forged.actor_role,
        action=forged.action,
        before=forged.state_before,
        after=forged.state_after,
        data=forged.data,
        prev=forged.prev_hash,
        hash=forged.hash,
    )


def swap_3_and_4(flow, ref: str) -> None:
    """Reorder via a temporary seq: (case_id, seq) is unique."""
    for old, new in ((3, -1), (4, 3), (-1, 4)):
        sql(
            flow.engine,
            "UPDATE events SET seq = :new WHERE case_id = :c AND seq = :old",
            c=case_id(flow.engine, ref),
            old=old,
            new=new,
        )


def rehash(flow, ref: str, seq: int) -> None:
    """Edit an event and recompute its own hash: it verifies alone, the next link breaks."""
    event = stored_events(flow, ref)[seq - 1]
    data = {**event.data, "payload": {**event.data["payload"], "note": "补记"}}
    fields = {
        k: v for k, v in event.__dict__.items() if k not in ("hash", "key_id", "mac", "data_text")
    }
    forged = new_event(**{**fields, "data": data})
    assert chain_hash(forged.content(), event.prev_hash) == forged.hash != event.hash
    sql(
        flow.engine,
        "UPDATE events SET data = :data, hash = :hash WHERE case_id = :c AND seq = :seq",
        data=forged.data,
        hash=forged.hash,
        c=case_id(flow.engine, ref),
        seq=seq,
    )


Tamper = Callable[[Any, str], None]
SCENARIOS: list[tuple[str, Tamper, list[tuple[int, str]]]] = [
    ("edit data", edit_data, [(5, "edited")]),
    ("edit a column", edit_actor, [(3, "edited")]),
    ("delete a middle event", delete_middle, [(3, "deleted"), (4, "broken_link")]),
    ("delete the last two events", delete_last_two, [(5, "deleted")]),
    ("delete the last event", delete_last, [(6, "deleted")]),
    ("insert a forged event at the end", insert_forged_at_end, [(7, "inserted")]),
    ("swap two events", swap_3_and_4, [(3, "reordered"), (4, "reordered"), (5, "broken_link")]),
    # Rehashed events also lose their MAC (issue 16): the key shows which one was forged,
    # and an event whose data no longer parses is reported as damaged history.
    (
        "edit and rehash a middle event",
        lambda f, r: rehash(f, r, 3),
        [(4, "broken_link"), (3, "forged")],
    ),
    (
        "edit and rehash the last event",
        lambda f, r: rehash(f, r, 6),
        [(6, "head_mismatch"), (6, "damaged")],
    ),
]


def test_each_kind_of_tampering_is_reported_with_case_position_and_kind(flow) -> None:
    """One case per scenario, all in one database: each finding must name its own case."""
    flow.checking = False  # built without per-step checks; verified as a whole below
    refs = {name: build_case(flow, f"第{i}号案卷") for i, (name, _, _) in enumerate(SCENARIOS)}
    bystander = build_case(flow, "不受影响的案件")
    cases = len(SCENARIOS) + 1
    assert integrity.verify_all(flow.svc, SYSTEM) == (cases, [])
    for ref in [*refs.values(), bystander]:
        assert services.check_projection(flow.svc, ref) == []

    for name, tamper, _ in SCENARIOS:
        tamper(flow, refs[name])

    checked, findings = integrity.verify_all(flow.svc, SYSTEM)
    assert checked == cases
    found: dict[str, list[tuple[int, str]]] = {}
    for f in findings:
        found.setdefault(f.case_ref, []).append((f.position, f.kind))
        assert f.message
    assert {name: found.get(refs[name], []) for name, _, _ in SCENARIOS} == {
        name: expected for name, _, expected in SCENARIOS
    }
    assert bystander not in found


def test_untampered_database_has_no_findings(flow) -> None:
    flow.at("2025-09-22 09:00")
    assert integrity.verify_all(flow.svc, SYSTEM) == (0, [])
    ref = build_case(flow, "一件完整的案件")  # checked after every step by ``flow``
    flow.act(ref, "zhang.head", "approve_reply")
    flow.act(ref, "wang.clerk", "archive")
    assert integrity.verify_all(flow.svc, SYSTEM) == (1, [])


def delete_all_events(flow, ref: str) -> None:
    sql(flow.engine, "DELETE FROM events WHERE case_id = :c", c=case_id(flow.engine, ref))


def edit_first_actor(flow, ref: str) -> None:
    sql(
        flow.engine,
        "UPDATE events SET actor = 'intruder' WHERE case_id = :c AND seq = 1",
        c=case_id(flow.engine, ref),
    )


def test_batched_verify_finds_the_same_across_batch_boundaries(flow) -> None:
    """Cases are read a batch at a time with all their events in one query. With batches of
    1, 2 and 3 cases the tampered cases fall at the start, at the end and alone in a batch
    (one with no events left at all); every case must come once, in order, with exactly
    the findings it has when checked on its own."""
    flow.checking = False
    refs = [build_case(flow, f"第{i}号案卷") for i in range(4)]
    other = flow.register(who="liu.clerk", agency="edu")  # out of the county's scope
    refs += [build_case(flow, f"第{i}号案卷") for i in range(4, 7)]
    tampered = {
        refs[0]: (edit_data, [(5, "edited")]),
        refs[1]: (delete_all_events, [(1, "deleted")]),
        refs[3]: (swap_3_and_4, [(3, "reordered"), (4, "reordered"), (5, "broken_link")]),
        refs[4]: (delete_last, [(6, "deleted")]),
        refs[6]: (insert_forged_at_end, [(7, "inserted")]),
        other: (edit_first_actor, [(1, "edited")]),
    }
    for ref, (tamper, _) in tampered.items():
        tamper(flow, ref)
    expected = {ref: kinds for ref, (_, kinds) in tampered.items()}
    one_at_a_time = {
        ref: [(f.position, f.kind) for f in findings]
        for ref in [*refs, other]
        for _, findings in integrity.verify_cases(flow.svc, SYSTEM, case_ref=ref)
        if findings
    }
    assert one_at_a_time == expected
    in_county = {ref: kinds for ref, kinds in expected.items() if ref != other}

    everything = [*refs[:4], other, *refs[4:]]
    for batch in (1, 2, 3, 1000):
        result = list(integrity.verify_cases(flow.svc, SYSTEM, batch=batch))
        assert [ref for ref, _ in result] == everything, batch
        found = {ref: [(f.position, f.kind) for f in fs] for ref, fs in result if fs}
        assert found == expected, batch
        county = list(integrity.verify_cases(flow.svc, SYSTEM, agency_code="county", batch=batch))
        assert [ref for ref, _ in county] == refs, batch
        assert {ref: [(f.position, f.kind) for f in fs] for ref, fs in county if fs} == in_county


# -- the supervisor's command ------------------------------------------------------------------


def database_url(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{url}?options=-csearch_path%3D{schema}"


def audit_verify(engine: Engine, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The test's database, and its own file store (the ``files`` fixture names it).
    env = cli_env(database_url(engine), GOVFLOW_FILES_DIR=os.environ["GOVFLOW_FILES_DIR"])
    return cli_fork.run(
        [sys.executable, "-m", "govflow", "audit", "verify", "--as", "chen.supervisor"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_audit_verify_command(flow, tmp_path: Path) -> None:
    flow.checking = False
    ref, other = build_case(flow, "第一件"), build_case(flow, "第二件")
    if flow.engine.dialect.name == "sqlite":  # one process start fewer: the suite stays fast
        clean = audit_verify(flow.engine, tmp_path)
        assert (clean.returncode, clean.stderr) == (0, "")
        assert (
            clean.stdout.strip() == "校验 2 件案件，历史记录完整，派生数据与事件一致，未发现篡改。"
        )

    delete_middle(flow, ref)
    tampered = audit_verify(flow.engine, tmp_path)
    assert tampered.returncode == 1, tampered.stderr
    lines = tampered.stdout.splitlines()
    assert lines[0].startswith(f"{ref} 位置 3：[事件被删除]")
    assert lines[1].startswith(f"{ref} 位置 4：[哈希链断裂]")
    assert lines[-1].startswith("校验 2 件案件，发现 2 处问题")
    assert "未发现篡改" not in tampered.stdout
    assert other not in tampered.stdout
