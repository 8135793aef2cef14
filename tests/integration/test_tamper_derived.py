"""Issue 16: tampering that the hash chain alone did not show (SPEC A-2).

Someone with write access to the database edits the rows derived from the events (a case's
state, its deadlines, the request a report counts, the escalation schedule), or writes
events of their own with every hash recomputed — but without the installation's chain key.
``audit verify`` must name each: case, position, kind, and for derived rows table and
column; reports then refuse the agency until a verify finds it clean again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from test_tamper import build_case, case_id, insert_forged_at_end, sql, stored_events

from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import DamagedHistory, OpenFindings
from govflow.workflow.events import CaseEvent, new_event
from tests.config import load_case


def edit(flow, ref: str, statement: str, **params: Any) -> None:
    sql(flow.engine, statement, c=case_id(flow.engine, ref), **params)


def forged_head(flow, ref: str) -> None:
    """The forged approval, with the case row's head, state and outcome moved to match."""
    insert_forged_at_end(flow, ref)
    last = stored_events(flow, ref)[-1]
    edit(flow, ref, "UPDATE cases SET head_seq = 7, head_hash = :h, state = 'replied' WHERE id = :c",
         h=last.hash)  # fmt: skip


def rewrite_and_rehash(flow, ref: str) -> None:
    """Turn the 10-day extension into 20 days, recompute both hashes and the head."""
    events = stored_events(flow, ref)
    prev = events[3].hash
    for event in events[4:]:
        data = event.data
        if event.seq == 5:
            data = {**data, "payload": {**data["payload"], "days": 20}}
        fields = {
            k: v
            for k, v in event.__dict__.items()
            if k not in ("hash", "key_id", "mac", "data_text")
        }
        forged = new_event(**{**fields, "data": data, "prev_hash": prev})
        edit(flow, ref, "UPDATE events SET data = :data, prev_hash = :p, hash = :h "
             "WHERE case_id = :c AND seq = :s", data=forged.data, p=prev, h=forged.hash,
             s=event.seq)  # fmt: skip
        prev = forged.hash
    edit(flow, ref, "UPDATE cases SET head_hash = :h WHERE id = :c", h=prev)


def forge_whole_case(flow, ref: str) -> None:
    """A case of one's own: the events of ``ref`` under a new number, every hash recomputed."""
    new_ref = ref.replace("〔2025〕", "〔2024〕")
    prev = "0" * 64
    forged: list[CaseEvent] = []
    for event in stored_events(flow, ref):
        fields = {
            k: v
            for k, v in event.__dict__.items()
            if k not in ("hash", "key_id", "mac", "data_text")
        }
        forged.append(new_event(**{**fields, "case_ref": new_ref, "prev_hash": prev}))
        prev = forged[-1].hash
    with flow.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO cases (ref, case_type, agency_id, state, version, head_seq, head_hash,"
                 " escalation_policy, created_at, updated_at) SELECT :r, case_type, agency_id,"
                 " state, 2, head_seq, :h, escalation_policy, created_at, updated_at FROM cases"
                 " WHERE ref = :o"), {"r": new_ref, "h": prev, "o": ref})  # fmt: skip
    new_id = case_id(flow.engine, new_ref)
    for e in forged:
        sql(flow.engine, "INSERT INTO events (case_id, seq, occurred_at, actor, actor_role, action,"
            " state_before, state_after, data, prev_hash, hash) VALUES (:c, :s, :occurred_at, :a,"
            " :ar, :ac, :b, :af, :data, :p, :h)", c=new_id, s=e.seq, occurred_at=e.occurred_at,
            a=e.actor, ar=e.actor_role, ac=e.action, b=e.state_before, af=e.state_after,
            data=e.data, p=e.prev_hash, h=e.hash)  # fmt: skip
    flow.forged_ref = new_ref


Expected = list[tuple[int, str, str | None, str | None]]
SCENARIOS: list[tuple[str, Callable[[Any, str], None], Expected]] = [
    ("case state", lambda f, r: edit(f, r, "UPDATE cases SET state = 'replied' WHERE id = :c"),
     [(6, "derived", "cases", "state")]),
    ("deadline moved", lambda f, r: edit(
        f, r, "UPDATE deadlines SET due_date = '2026-06-30' WHERE case_id = :c AND key = 'reply'"),
     [(6, "derived", "deadlines", "reply.due_date")]),
    ("deadline row deleted", lambda f, r: edit(
        f, r, "DELETE FROM deadlines WHERE case_id = :c AND key = 'reply'"),
     [(6, "derived", "deadlines", "reply")]),
    ("applicant kind", lambda f, r: edit(
        f, r, "UPDATE disclosure_requests SET applicant_kind = 'legal_person',"
        " applicant_subkind = 'commercial' WHERE case_id = :c"),
     [(6, "derived", "disclosure_requests", "applicant_kind"),
      (6, "derived", "disclosure_requests", "applicant_subkind")]),
    ("applicant name", lambda f, r: edit(
        f, r, "UPDATE disclosure_requests SET applicant_name = '李四伪造' WHERE case_id = :c"),
     [(6, "derived", "disclosure_requests", "applicant_name")]),
    ("request moved to another agency", lambda f, r: edit(
        f, r, "UPDATE disclosure_requests SET agency_id = agency_id + 1 WHERE case_id = :c"),
     [(6, "derived", "disclosure_requests", "agency_id")]),
    ("case moved to another agency", lambda f, r: edit(
        f, r, "UPDATE cases SET agency_id = agency_id + 1 WHERE id = :c"),
     [(6, "derived", "cases", "agency_id"),
      (6, "derived", "disclosure_requests", "agency_id")]),
    ("version", lambda f, r: edit(f, r, "UPDATE cases SET version = 99 WHERE id = :c"),
     [(6, "derived", "cases", "version")]),
    ("forged event, head moved", forged_head, [(7, "unkeyed", None, None)]),
    ("rewritten and rehashed", rewrite_and_rehash,
     [(5, "forged", None, None), (6, "forged", None, None)]),
    ("history damaged", lambda f, r: edit(
        f, r, "UPDATE events SET data = :data WHERE case_id = :c AND seq = 2",
        data={"payload": {"receipt_date": "明天"}, "derived": {}, "deadlines": {}}),
     [(2, "edited", None, None), (2, "damaged", None, None)]),
]  # fmt: skip


def found_by_case(flow) -> dict[str, list[tuple[int, str, str | None, str | None]]]:
    found: dict[str, list[tuple[int, str, str | None, str | None]]] = {}
    for f in integrity.verify_all(flow.svc, SYSTEM)[1]:
        found.setdefault(f.case_ref, []).append((f.position, f.kind, f.table, f.column))
        assert f.message
    return found


def test_each_tampering_of_what_the_chain_implies_is_named(flow) -> None:
    flow.checking = False
    refs = {name: build_case(flow, f"第{i}号案卷") for i, (name, _, _) in enumerate(SCENARIOS)}
    bystander = build_case(flow, "不受影响的案件")
    assert found_by_case(flow) == {}
    for name, tamper, _ in SCENARIOS:
        tamper(flow, refs[name])
    found = found_by_case(flow)
    assert {name: found.get(refs[name], []) for name, _, _ in SCENARIOS} == {
        name: expected for name, _, expected in SCENARIOS
    }
    assert bystander not in found
    personal = [
        f for f in integrity.verify_all(flow.svc, SYSTEM)[1] if f.column == "applicant_name"
    ]
    assert "李四伪造" not in personal[0].message and "个人信息" in personal[0].message


def test_a_whole_forged_case_and_a_silenced_schedule(flow) -> None:
    flow.checking = False
    ref = build_case(flow, "被伪造的原件")
    silenced = build_case(flow, "督办被关掉的案件")
    forge_whole_case(flow, ref)
    edit(flow, silenced, "UPDATE escalation_schedule SET next_fire_at = NULL WHERE case_id = :c")
    found = found_by_case(flow)
    assert found.pop(flow.forged_ref) == [(1, "unkeyed", None, None)]
    kinds = found.pop(silenced)
    assert kinds and all(
        (k, t) == ("derived", "escalation_schedule") and c.endswith(".next_fire_at")
        for _, k, t, c in kinds
    ), kinds
    assert found == {}


def test_acknowledged_or_repeated_without_a_trace(flow) -> None:
    flow.checking = False
    ref = build_case(flow, "督办被确认的案件")
    edit(flow, ref, "UPDATE escalation_schedule SET acknowledged_at = :t, next_fire_at = NULL"
         " WHERE case_id = :c", t=datetime(2025, 9, 25, tzinfo=SHANGHAI))  # fmt: skip
    columns = {c for _, _, _, c in found_by_case(flow)[ref]}
    assert columns and all(c.endswith(".acknowledged_at") for c in columns), columns


def test_damaged_history_is_a_message_not_a_traceback(flow) -> None:
    flow.checking = False
    ref = build_case(flow, "数据被改坏的案件")
    other = build_case(flow, "另一件")
    edit(flow, ref, "UPDATE events SET data = :data WHERE case_id = :c AND seq = 5",
         data={"payload": {"days": "很多"}, "derived": {}, "deadlines": {}})  # fmt: skip
    # Served from its stored facts, the case reads as before; verify names the damage.
    assert load_case(flow.svc, ref).state == "reply_review"
    assert "edited" in {kind for _, kind, _, _ in found_by_case(flow)[ref]}
    # With no facts stored, the case is replayed, and the damage stops it with a message.
    edit(flow, ref, "UPDATE cases SET facts = NULL WHERE id = :c")
    with pytest.raises(DamagedHistory, match="历史记录在第 5 条处损坏"):
        load_case(flow.svc, ref)
    assert load_case(flow.svc, other).state == "reply_review"
    listed = services.list_cases(flow.svc, SYSTEM, services.CaseFilter())
    assert [c.header.ref for c in listed.cases] == [other]


def test_findings_are_recorded_and_cleared_and_reports_refuse(flow) -> None:
    flow.checking = False
    ref = build_case(flow, "待核实的案件")
    edit(flow, ref, "UPDATE cases SET state = 'replied' WHERE id = :c")
    assert integrity.open_findings(flow.svc, SYSTEM, "county") == []  # nothing verified yet
    integrity.verify_all(flow.svc, SYSTEM)
    (open_,) = integrity.open_findings(flow.svc, SYSTEM, "county", include_children=True)
    assert (open_.case_ref, open_.table, open_.column) == (ref, "cases", "state")
    assert integrity.open_findings(flow.svc, SYSTEM, "edu") == []
    # Every report on the county (or above it) refuses, unless allowed: then it says so.
    supervisor = services.identify(flow.svc, "chen.supervisor")
    with pytest.raises(OpenFindings, match="示范县人民政府办公室有 1 处未核实的审计发现"):
        services.annual_report(flow.svc, supervisor, agency="county", year=2025)
    with pytest.raises(OpenFindings):
        services.timeliness_report(
            flow.svc, supervisor, agency="county", start=datetime(2025, 9, 1).date(),
            end=datetime(2025, 9, 30).date(),
        )  # fmt: skip
    allowed = services.annual_report(
        flow.svc, supervisor, agency="county", year=2025, allow_findings=True
    )
    assert allowed.audit_note is not None and ref in allowed.audit_note
    assert services.annual_report(flow.svc, SYSTEM, agency="edu", year=2025).audit_note is None
    edit(flow, ref, "UPDATE cases SET state = 'reply_review' WHERE id = :c")  # restored
    integrity.verify_all(flow.svc, SYSTEM)
    assert integrity.open_findings(flow.svc, SYSTEM, "county") == []
    assert (
        services.annual_report(flow.svc, supervisor, agency="county", year=2025).audit_note is None
    )
