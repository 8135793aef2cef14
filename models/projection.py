"""What every row derived from a case's events should hold, compared with what it holds.

``audit verify`` (issue 16 item 1, SPEC A-2) rebuilds each case from its events alone
(``Case.rebuild``: the same fold as every action) and hands it here with the case's stored
rows. The expected rows are built by the same mapping that writes them (``models.rows``,
``escalation_repo.next_fire_at``), so a difference is an edit of the row, never a second
opinion of what the row should be. Each difference names its table and column.

What the events cannot decide is checked for consistency instead, and said so:
``cases.version`` counts transactions, not events (between 2 and head + 1); the schedule's
``epoch`` and ``repeat_no`` count due-date changes and firings, so a repeat counter must
match the firings recorded for its epoch, and an acknowledgement must be on the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from govflow.models.disclosure_register import (
    challenge_values,
    new_request_row,
    update_request_row,
)
from govflow.models.escalation_repo import next_fire_at
from govflow.models.rows import case_values, deadline_values
from govflow.workflow import escalation
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import ESCALATION_ACKNOWLEDGED, Case
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.disclosure.register import CHALLENGE_ACTIONS
from govflow.workflow.escalation import Policy

REQUEST_COLUMNS = (
    "agency_id",
    "outcome",
    "applicant_kind",
    "applicant_subkind",
    "applicant_name",
    "applicant_key",
    "id_number",
    "phone",
    "address",
    "email",
    "description",
    "description_key",
    "channel",
    "received_on",
    "receipt_date",
    "replied_on",
    "closed_on",
)
PERSONAL = {"applicant_name", "id_number", "phone", "address", "email", "description"}
SCHEDULE_ACK = ESCALATION_ACKNOWLEDGED


@dataclass
class StoredCase:
    """One case's rows besides its events, as plain values (no ORM objects: a batch of 500)."""

    case_id: int
    ref: str
    case_type: str
    agency_id: int
    columns: dict[str, Any]  # state, assignee, outcome, escalation_policy, head_seq, head_hash
    version: int
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)
    request: dict[str, Any] | None = None
    challenges: list[dict[str, Any]] = field(default_factory=list)
    schedule: list[dict[str, Any]] = field(default_factory=list)
    # schedule id → (firing key, how many repeats it covers)
    firings: dict[int, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    table: str
    column: str
    message: str


def differences(
    case: Case,
    stored: StoredCase,
    agency: tuple[str, str],
    policy: Policy | None,
    calendar: WorkingCalendar,
    now: datetime | None = None,
) -> list[Difference]:
    """Every stored row of ``stored`` against what the rebuilt ``case`` implies.

    ``agency`` is the (code, reference prefix) of the agency the case row names; ``now`` is
    the instant of the check (an optional limit that has passed plans no rule any more).
    """
    out: list[Difference] = []
    out += _case_row(case, stored, agency)
    out += _facts(case, stored, calendar)
    out += _deadlines(case, stored)
    out += _request(case, stored)
    out += _challenges(case, stored)
    out += _schedule(case, stored, policy, calendar, now)
    return out


def _shown(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _differs(
    table: str, column: str, stored: Any, expected: Any, personal: bool = False
) -> Difference:
    if personal:  # personal data is named, never shown (verify output is widely read)
        return Difference(table, column, f"{table}.{column} 与事件记录不符（个人信息，不显示内容）")
    return Difference(
        table, column, f"{table}.{column} 为 {_shown(stored)}，按事件记录应为 {_shown(expected)}"
    )


def _case_row(case: Case, stored: StoredCase, agency: tuple[str, str]) -> list[Difference]:
    out = []
    expected = case_values(case)
    for column, value in expected.items():
        if stored.columns.get(column) != value:
            out.append(_differs("cases", column, stored.columns.get(column), value))
    first = case.events[0] if case.events else None
    if first is not None and first.action != case.workflow.create:
        out.append(
            Difference(
                "cases",
                "case_type",
                f"cases.case_type 为 {stored.case_type!r}，但第 1 个事件 {first.action!r} "
                "不是该类型的登记动作",
            )
        )
    code, prefix = agency
    type_prefix = case.workflow.case_type.ref_prefix
    if not case.ref.startswith(f"{prefix}{type_prefix}〔"):
        out.append(
            Difference(
                "cases",
                "agency_id",
                f"cases.agency_id 指向机关 {code}（编号前缀 {prefix}{type_prefix}），"
                f"与案件编号 {case.ref} 不符",
            )
        )
    if case.events and not 2 <= stored.version <= case.head_seq + 1:
        out.append(
            Difference(
                "cases",
                "version",
                f"cases.version 为 {stored.version}，{case.head_seq} 个事件只能写出 2 至 "
                f"{case.head_seq + 1}",
            )
        )
    return out


def _facts(case: Case, stored: StoredCase, calendar: WorkingCalendar) -> list[Difference]:
    """The facts the case row keeps (what every action starts from) against the rebuild.
    None kept (a row written before they were) is no finding: the next load replays it."""
    text = stored.columns.get("facts")
    if text is None:
        return []
    kept = Case(case.ref, case.workflow, case.agency_code)
    try:
        if not kept.restore(text, calendar):
            return []  # another format: rebuilt from the events when next loaded
        found = kept.facts_differences(case)
    except Exception:  # whatever an edited text makes the restore trip over
        return [Difference("cases", "facts", "cases.facts 无法读取：保存的事实被修改")]
    if not found:
        return []
    return [
        Difference(
            "cases",
            "facts",
            f"cases.facts 保存的事实与按事件重放的结果不符：{'、'.join(found)}",
        )
    ]


CALENDAR_DEPENDENT = {"due_date", "due_at", "provisional", "explanation"}


def recorded_by_events(
    case: Case, key: str, row: dict[str, Any], expected: dict[str, Any] | None = None
) -> bool:
    """The row holds what the case's last event recorded for this deadline (its snapshot is
    on the chain), and differs from the rebuild only where the calendar decides: then the
    rebuild was computed with another calendar — a year's schedule added since (T-4) — and
    the row was not edited."""
    snapshot = case.events[-1].data.get("deadlines", {}).get(key) if case.events else None
    if not snapshot:
        return False
    detail = row.get("detail") or {}
    due_at, due_date = row.get("due_at"), row.get("due_date")
    consistent = (
        snapshot.get("due") == (due_at.isoformat() if due_at else None) == detail.get("due_at")
        and (due_date.isoformat() if due_date else None) == detail.get("due_date")
        and snapshot.get("status") == row.get("status") == detail.get("status")
        and snapshot.get("provisional") == row.get("provisional") == detail.get("provisional")
    )
    if not consistent or expected is None:
        return consistent
    rebuilt = expected.get("detail") or {}
    same_facts = all(detail.get(k) == v for k, v in rebuilt.items() if k not in CALENDAR_DEPENDENT)
    same_columns = all(
        row.get(c) == v for c, v in expected.items() if c not in (*CALENDAR_DEPENDENT, "detail")
    )
    return same_facts and same_columns


def _deadlines(case: Case, stored: StoredCase) -> list[Difference]:
    out = []
    expected = {d.key: deadline_values(d) for d in case.deadlines}
    for key, values in expected.items():
        row = stored.deadlines.get(key)
        if row is None:
            out.append(Difference("deadlines", key, f"缺少期限 {key} 的记录（deadlines 行被删除）"))
            continue
        if any(row.get(c) != v for c, v in values.items()) and recorded_by_events(
            case, key, row, values
        ):
            continue  # the calendar changed since the last event, not the row
        for column, value in values.items():
            if row.get(column) != value:
                hint = (
                    "；若刚更新节假日安排，请先运行 govflow calendar recompute"
                    if row.get("provisional")
                    else ""
                )
                d = _differs("deadlines", f"{key}.{column}", row.get(column), value)
                out.append(Difference(d.table, d.column, d.message + hint))
                break  # one finding per deadline row: the first column that differs
    for key in sorted(set(stored.deadlines) - set(expected)):
        out.append(Difference("deadlines", key, f"期限 {key} 的记录在事件中没有依据（插入的行）"))
    return out


def _request(case: Case, stored: StoredCase) -> list[Difference]:
    creation = case.events[0] if case.events else None
    is_request = creation is not None and "applicant" in creation.data.get("payload", {})
    if not is_request:
        if stored.request is not None:
            return [Difference("disclosure_requests", "case_id", "该案件不是申请，却有申请记录")]
        return []
    if stored.request is None:
        return [
            Difference(
                "disclosure_requests", "case_id", "缺少申请记录（disclosure_requests 行被删除）"
            )
        ]
    assert creation is not None
    row = new_request_row(
        stored.case_id,
        stored.agency_id,
        creation.data["payload"],
        creation.data["derived"],
    )
    update_request_row(row, case.facts)
    out = []
    for column in REQUEST_COLUMNS:
        value = getattr(row, column)
        if stored.request.get(column) != value:
            out.append(
                _differs(
                    "disclosure_requests",
                    column,
                    stored.request.get(column),
                    value,
                    column in PERSONAL,
                )
            )
    return out


def _challenges(case: Case, stored: StoredCase) -> list[Difference]:
    keys = ("seq", "agency_id", "number", "route", "result", "filed_on")
    expected = sorted(
        tuple(
            challenge_values(stored.case_id, stored.agency_id, e.seq, e.data["payload"])[k]
            for k in keys
        )
        for e in case.events
        if e.action in CHALLENGE_ACTIONS
    )
    found = sorted(tuple(row.get(k) for k in keys) for row in stored.challenges)
    if expected == found:
        return []
    return [
        Difference(
            "challenges",
            "*",
            f"复议、诉讼记录与事件不符：事件记录 {len(expected)} 条，数据库中 {len(found)} 条"
            "（或其编号、结果、日期被改动）",
        )
    ]


def _schedule(
    case: Case,
    stored: StoredCase,
    policy: Policy | None,
    calendar: WorkingCalendar,
    now: datetime | None,
) -> list[Difference]:
    out: list[Difference] = []
    planned = {
        (p.deadline_key, p.rule): p
        for p in (escalation.plan(case.deadlines, policy, calendar, now) if policy else [])
    }
    # An optional limit (the correction notice) stops at its due instant by itself, with no
    # event; its rows stop when a sweep or the next save finds it passed, whichever is first.
    passed = {
        d.key
        for d in case.deadlines
        if now is not None and d.status is DeadlineStatus.RUNNING and not d.is_running_at(now)
    }
    rows = {(r["deadline_key"], r["rule"]): r for r in stored.schedule}
    acks = {
        (
            e.data["derived"].get("deadline"),
            e.data["derived"].get("rule"),
            e.data["derived"].get("epoch"),
        )
        for e in case.events
        if e.action == SCHEDULE_ACK
    }
    for key, plan in planned.items():
        name = f"{key[0]}/{key[1]}"
        row = rows.get(key)
        deadline = stored.deadlines.get(key[0])
        if (
            row is not None
            and deadline is not None
            and deadline.get("due_at") != plan.due_at
            and recorded_by_events(case, key[0], deadline)
        ):
            continue  # planned with the calendar of the last event, not this one
        if row is None:
            out.append(
                Difference("escalation_schedule", name, f"缺少督办规则 {name} 的计划（行被删除）")
            )
            continue
        if row["due_at"] != plan.due_at:
            out.append(
                _differs("escalation_schedule", f"{name}.due_at", row["due_at"], plan.due_at)
            )
            continue
        # A firing stands for as many repeats as it covers (a sweep that found several due
        # made one firing for them): the counter is the sum.
        fired = sum(
            repeats
            for k, repeats in stored.firings.get(row["id"], [])
            if k.rsplit(":", 2)[1] == str(row["epoch"])
        )
        if row["repeat_no"] != fired:
            out.append(
                Difference(
                    "escalation_schedule",
                    f"{name}.repeat_no",
                    f"escalation_schedule.{name}.repeat_no 为 {row['repeat_no']}，"
                    f"但本轮只记录了 {fired} 次触发",
                )
            )
        if row["acknowledged_at"] is not None and (key[0], key[1], row["epoch"]) not in acks:
            out.append(
                Difference(
                    "escalation_schedule",
                    f"{name}.acknowledged_at",
                    f"督办规则 {name} 被标为已确认，但案件历史中没有这次确认",
                )
            )
        expected_next = next_fire_at(row["acknowledged_at"], row["repeat_no"], plan)
        if row["next_fire_at"] != expected_next:
            out.append(
                _differs(
                    "escalation_schedule",
                    f"{name}.next_fire_at",
                    row["next_fire_at"],
                    expected_next,
                )
            )
    for key, row in rows.items():
        if key not in planned and row["next_fire_at"] is not None and key[0] not in passed:
            name = f"{key[0]}/{key[1]}"
            out.append(
                Difference(
                    "escalation_schedule",
                    f"{name}.next_fire_at",
                    f"督办规则 {name} 的期限已不在计时，却仍计划于 {_shown(row['next_fire_at'])} 触发",
                )
            )
    return out
