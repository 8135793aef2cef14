"""Properties of the disclosure machine under random histories (hypothesis, no database).

A random office works one request: at each step the clock moves 0–10 days and someone
fires an action — usually one the current state allows, by a role that may fire it,
with generated, roughly plausible input; sometimes any action by anyone. Whatever
happens, the case must stay consistent (SPEC A-1, A-2, T-3, D-3, D-9):

- a successful action appends exactly one event, chained to the previous one;
- a refused action (``GovflowError``) changes nothing;
- the chain verifies clean, and replaying the events gives the same facts and deadlines;
- the facts as stored with the last event, restored, are the replayed facts, deadlines and
  their explanations included (what an action loads instead of the history);
- the state is a declared one, and a final state accepts only its ``record_*`` actions;
- until the case is replied or closed, the reply limit never ends before the statutory
  20 working days from its (re)start;
- an extension is sometimes taken as a ledger's history (with ``findings``, as the import
  takes it): one approved after the reply limit passed is recorded and extends nothing,
  one in time extends it by its days (SPEC D-3).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_event
from hypothesis import strategies as st

from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.chain_checks import verify_chain
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.disclosure.context import ApplicantHistory, Context
from govflow.workflow.errors import GovflowError
from govflow.workflow.events import GENESIS
from govflow.workflow.policy import DisclosurePolicy
from tests.config import calendar as shipped_calendar
from tests.config import formats, outcomes, workflow

CAL = shipped_calendar()
CT = workflow("disclosure_request").case_type
POLICY = DisclosurePolicy()
ACTORS = {
    Role.CLERK: Actor("wang.clerk", "王登记", Role.CLERK, "county"),
    Role.HANDLER: Actor("li.handler", "李经办", Role.HANDLER, "county"),
    Role.OFFICE_HEAD: Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county"),
    Role.SUPERVISOR: Actor("chen.supervisor", "陈督查", Role.SUPERVISOR, "county"),
    Role.ADMIN: Actor("admin", "系统管理员", Role.ADMIN, None),  # refused everything on cases
    Role.SYSTEM: SYSTEM,
}
OUTCOMES = sorted(outcomes())
NOT_PROCESSED = [c for c in OUTCOMES if c.startswith("not_processed.")]
RECORD_ACTIONS = {"record_reconsideration", "record_litigation", "record_delivery"}
SIDE_ACTIONS = {"assign", "withdraw", "extend", "set_reply_date"}


def _context(case: Case, now: datetime, history: ApplicantHistory, actor: Actor) -> Context:
    return Context(
        now=now,
        today=local_date(now),
        state=case.state or "",
        calendar=CAL,
        policy=POLICY,
        history=history,
        role=actor.role,
        documents=case.documents,
    )


def _snapshot(case: Case) -> tuple[Any, ...]:
    # The facts' configuration (the regulations' editions, the calendar) is shared and never
    # changed by an action: copied with every snapshot, it was nine tenths of this module's time.
    shared = {id(case.facts.editions): case.facts.editions, id(CAL): CAL}
    return (
        list(case.events),
        case.state,
        case.assignee,
        copy.deepcopy(case.facts, shared),
        [d.to_json() for d in case.deadlines],
    )


# -- generated input -------------------------------------------------------------------


def _day(data: st.DataObject, today: date, back: int = 3, future: bool = True) -> str:
    """Today or a few days back, now and then a day in the future (to be refused)."""
    offset = data.draw(st.integers(-1 if future else 0, back), label="days back")
    return (today - timedelta(days=offset)).isoformat()


def _payload(data: st.DataObject, action: str, case: Case, today: date) -> dict[str, Any]:
    draw = data.draw
    facts = case.facts
    if action == "confirm_receipt":
        return {"receipt_date": _day(data, today)}
    if action == "assign":
        return {"assignee": draw(st.sampled_from(["li.handler", "zhao.handler"]))}
    if action in ("reply_on_the_spot", "draft_reply"):
        pool = NOT_PROCESSED if case.state == "reviewing" else OUTCOMES
        code = draw(st.one_of(st.sampled_from(pool), st.sampled_from(OUTCOMES)), label="outcome")
        if action == "draft_reply":
            return {"outcome": code, "summary": "答复内容"}
        where = draw(st.sampled_from([None, "县政府网站"]), label="where")  # already published at
        return {"outcome": code, "summary": "答复内容", **({"where": where} if where else {})}
    if action == "request_correction":
        return {
            "items": "写明文件名称",
            "period_days": draw(st.integers(1, 20)),
            "notice_on": _day(data, today),
        }
    if action == "submit_correction":
        payload = {"corrected_on": _day(data, today)}
        if draw(st.booleans()):
            payload["good_reason"] = "申请人住院"
        return payload
    if action == "start_consultation":
        sent = _day(data, today)
        payload = {
            "party_kind": draw(st.sampled_from(["third_party", "agency"])),
            "party_name": "某单位",
            "sent_on": sent,
        }
        if draw(st.booleans()):  # handed over at once; else its receipt is never recorded
            payload["received_on"] = sent
        return payload
    if action == "end_consultation":
        payload = {
            "answered_on": _day(data, today),
            "result": draw(st.sampled_from(["agreed", "objected", "no_reply"])),
        }
        if draw(st.booleans()):
            payload["consultation"] = draw(st.integers(1, len(facts.consultations) + 1))
        return payload
    if action == "send_fee_notice":
        basis = draw(st.sampled_from(["per_request", "per_volume"]))
        sent = _day(data, today)
        payload = {"basis": basis, "sent_on": sent, "reason": "数量大"}
        if draw(st.booleans()):
            payload["notice_received_on"] = sent
        if basis == "per_volume" or draw(st.booleans()):
            payload["pages"] = draw(st.integers(1, 400))
        if draw(st.booleans()):
            payload["amount"] = draw(st.integers(1, 5000))
        return payload
    if action == "record_payment":
        return {"paid_on": _day(data, today)}
    if action == "extend":
        return {
            "days": draw(st.integers(1, 22)),
            "reason": "材料多",
            "notified_on": _day(data, today),
        }
    if action == "set_reply_date":
        later = draw(st.integers(0, 80))
        return {"due_date": (today + timedelta(days=later)).isoformat(), "reason": "数量大"}
    if action == "approve_reply":
        return {"replied_on": _day(data, today)}
    if action == "reject_reply":
        return {"reason": "修改"}
    if action == "withdraw":
        return {"withdrawn_on": _day(data, today), "reason": "撤回"}
    if action in RECORD_ACTIONS:
        route = draw(
            st.sampled_from(
                ["reconsideration"]
                if action == "record_reconsideration"
                else ["direct", "after_reconsideration"]
            )
            if draw(st.integers(0, 4))
            else st.sampled_from(["reconsideration", "direct", "after_reconsideration"])
        )
        result = draw(st.sampled_from(["upheld", "corrected", "other", "pending"]))
        payload = {
            "number": draw(st.sampled_from(["1", "2"])),
            "route": route,
            "result": result,
            "filed_on": _day(data, today, back=20),
        }
        if result != "pending" or draw(st.booleans()):
            payload["decided_on"] = today.isoformat()
        return payload
    return {}  # start_review, accept, archive, expiries


def _intake(data: st.DataObject, today: date) -> dict[str, Any]:
    return {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": data.draw(st.sampled_from(["610926199001011234", "110101198001010011"])),
            "phone": "13800000000",
        },
        "description": "县级财政预算",
        "channel": data.draw(st.sampled_from(["in_person", "online", "letter", "registered_post"])),
        "received_on": _day(data, today, back=2, future=False),
    }


def _choose(data: st.DataObject, case: Case) -> tuple[str, Actor]:
    """Mostly an action the state allows by a role that may fire it; sometimes anything."""
    state = case.state or ""
    candidates = sorted(
        {(a.name, r) for r in Role for a in CT.allowed_actions(state, r)},
        key=lambda x: (x[0], x[1].value),
    )
    # Actions open in almost every state would crowd out the ones that move the case on;
    # withdrawal ends the story. Prefer the others, so that histories get long and varied.
    main = [c for c in candidates if c[0] not in SIDE_ACTIONS]
    if main and data.draw(st.integers(0, 3), label="side step") > 0:
        candidates = main
    elif len({a for a, _ in candidates}) > 1 and data.draw(st.integers(0, 5)):
        candidates = [c for c in candidates if c[0] != "withdraw"]
    if not candidates or data.draw(st.integers(0, 6), label="wild") == 0:
        action = data.draw(st.sampled_from(sorted(CT.actions)), label="any action")
        role = data.draw(st.sampled_from(list(Role)), label="any role")
        return action, ACTORS[role]
    action, role = data.draw(st.sampled_from(candidates), label="allowed action")
    return action, ACTORS[role]


# -- the invariants ----------------------------------------------------------------------


def _check_consistent(case: Case) -> None:
    assert case.state in CT.states
    events = case.events
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verify_chain(case.ref, events, case.head_seq, case.head_hash) == []
    header = Case(ref=case.ref, workflow=workflow(case.case_type), agency_code=case.agency_code)
    replayed = Case.replay(header, events, CAL)
    assert [d.to_json() for d in replayed.deadlines] == [d.to_json() for d in case.deadlines]
    assert replayed.facts == case.facts
    assert events[-1].data["deadlines"] == {d.key: d.snapshot() for d in case.deadlines}
    restored = Case(ref=case.ref, workflow=case.workflow, agency_code=case.agency_code)
    assert restored.restore(case.stored_facts()[0], CAL)
    assert restored.facts.to_state() == replayed.facts.to_state()
    assert restored.facts == replayed.facts
    assert [(d.to_json(), d.explanation) for d in restored.deadlines] == [
        (d.to_json(), d.explanation) for d in replayed.deadlines
    ]
    facts = case.facts
    reply = facts.deadline("reply")
    extension = next((e for e in events if e.action == "extend"), None)
    if extension is not None and reply is not None:
        late = "after_limit" in extension.data["derived"]
        days = 0 if late else extension.data["payload"]["days"]
        assert (reply.extension_days, len(reply.notes)) == (days, int(late))
    if reply is not None and facts.outcome is None and reply.due_date is not None:
        statutory = CAL.add_working_days(reply.start_date, reply.amount).due_date
        assert reply.due_date >= statutory, (reply.to_json(), statutory)
    if case.state in CT.final:
        for role in Role:
            assert {a.name for a in CT.allowed_actions(case.state, role)} <= RECORD_ACTIONS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)),
    ordinal=st.integers(1, 45),
)
def test_random_histories_keep_the_case_consistent(
    data: st.DataObject, start: date, ordinal: int
) -> None:
    history = ApplicantHistory(ordinal_in_month=ordinal, this_month=ordinal, this_year=ordinal)
    now = datetime.combine(start, time(9, 0), SHANGHAI)
    case = Case(ref="TEST-1", workflow=workflow("disclosure_request"), agency_code="county")
    case.facts = case.workflow.new_facts()

    clerk = ACTORS[Role.CLERK]
    first = case.act(
        "receive",
        _intake(data, local_date(now)),
        clerk,
        now,
        CAL,
        _context(case, now, history, clerk),
    )
    assert (first.seq, first.prev_hash, case.state) == (1, GENESIS, "received")

    steps = data.draw(st.integers(1, 30), label="steps")
    for _ in range(steps):
        now += timedelta(
            # Same-day steps are common (on-the-spot replies, prompt notices need them).
            days=data.draw(st.just(0) | st.integers(0, 10), label="days later"),
            minutes=data.draw(st.integers(1, 300), label="minutes later"),
        )
        action, actor = _choose(data, case)
        # The import takes a ledger's one extension whatever its date (a late one is a
        # finding); a ledger's extension is often weeks after the receipt.
        imported = (
            action == "extend"
            and not case.facts.extension_days
            and data.draw(st.booleans(), label="from a ledger")
        )
        if imported:
            now += timedelta(days=data.draw(st.integers(0, 45), label="ledger days later"))
        today = local_date(now)
        payload = _payload(data, action, case, today)
        before = _snapshot(case)
        head_hash, head_seq, state = case.head_hash, case.head_seq, case.state
        findings: list[str] | None = [] if imported else None
        context = _context(case, now, history, actor)
        try:
            event = case.act(action, payload, actor, now, CAL, context, findings=findings)
        except GovflowError:
            assert _snapshot(case) == before, (action, payload)
            note_event(f"refused: {action}")
            continue
        note_event(f"done: {action}")
        if "after_limit" in event.data["derived"]:
            note_event("an extension after the limit, from a ledger")
        assert state is not None
        if state in CT.final:
            assert action in RECORD_ACTIONS, (state, action)
        assert case.head_seq == head_seq + 1 and case.events[-1] is event
        assert (event.seq, event.prev_hash) == (head_seq + 1, head_hash)
        assert (event.state_before, event.state_after) == (state, case.state)
        assert (event.action, event.actor, event.actor_role) == (
            action,
            actor.username,
            actor.role.value,
        )
        _check_consistent(case)
    note_event(f"ended in {case.state}")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_final_states_refuse_everything_but_records(data: st.DataObject) -> None:
    state = data.draw(st.sampled_from(sorted(CT.final)))
    action = data.draw(st.sampled_from(sorted(set(CT.actions) - RECORD_ACTIONS)))
    role = data.draw(st.sampled_from(list(Role)))
    try:
        CT.check(state, action, role)
    except GovflowError:
        return
    raise AssertionError(f"{action} allowed in final state {state} for {role}")


# -- lawful dates (issue 16 item 4) --------------------------------------------------------------

WILD_DAYS = ["1900-01-01", "0001-01-01", "1970-01-01", "2008-04-30", "9999-12-31"]


def _wild(data: st.DataObject, payload: dict[str, Any], today: date) -> dict[str, Any]:
    """Now and then a date field gets an impossible or far-off value: far in the past or
    future, a year back, or a number instead of a date."""
    out = dict(payload)
    for key, value in payload.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            choice = data.draw(st.integers(0, 9), label=f"wild {key}")
            if choice == 0:
                out[key] = data.draw(st.sampled_from(WILD_DAYS), label="wild day")
            elif choice == 1:
                out[key] = (today - timedelta(days=data.draw(st.integers(30, 800)))).isoformat()
            elif choice == 2:
                out[key] = data.draw(st.sampled_from([0, 20250101, 1.5]), label="not a date")
    return out


def _annual_balances(case: Case, first: int, last: int) -> None:
    """What the annual report would count for this request balances in every year."""
    from govflow.workflow.reports.annual import RequestRecord, annual_report, applicant_column

    facts = case.facts
    applicant = case.events[0].data["payload"]["applicant"]
    record = RequestRecord(
        ref=case.ref,
        column=applicant_column(applicant["kind"], applicant.get("subkind")),
        received=facts.receipt_date or facts.received_on,
        outcome=facts.outcome,
        result_on=facts.replied_on or facts.closed_on,
    )
    for year in range(first, last + 1):
        report = annual_report("县政府办", year, [record], outcomes=outcomes(), formats=formats())
        assert report.violations == [], (year, record, [e.action for e in case.events])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    start=st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 2, 28)),
)
def test_no_accepted_history_breaks_the_annual_reports_balance(
    data: st.DataObject, start: date
) -> None:
    """Whatever dates people type, an action that is accepted keeps 一 + 二 = 三（七） + 四
    for every year; the impossible ones are refused, naming the field, and change nothing."""
    history = ApplicantHistory()
    now = datetime.combine(start, time(9, 0), SHANGHAI)
    case = Case.opened(workflow("disclosure_request"), "county", "TEST-1")
    intake = _wild(data, _intake(data, local_date(now)), local_date(now))
    try:
        clerk = ACTORS[Role.CLERK]
        case.act("receive", intake, clerk, now, CAL, _context(case, now, history, clerk))
    except GovflowError as exc:
        assert "received_on" in str(exc)
        return
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        now += timedelta(days=data.draw(st.just(0) | st.integers(0, 40)), minutes=7)
        today = local_date(now)
        action, actor = _choose(data, case)
        payload = _wild(data, _payload(data, action, case, today), today)
        before = _snapshot(case)
        try:
            case.act(action, payload, actor, now, CAL, _context(case, now, history, actor))
        except GovflowError as exc:
            assert _snapshot(case) == before
            assert str(exc)
            continue
        for event in case.events:
            for value in event.data["payload"].values():
                if isinstance(value, str) and len(value) == 10 and value[4] == "-":
                    assert "2008-05-01" <= value <= (today + timedelta(days=366)).isoformat()
    _annual_balances(case, start.year - 1, local_date(now).year + 1)
