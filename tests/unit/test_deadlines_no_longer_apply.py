"""Limits that no longer apply stop counting, warning and showing as overdue (issue 14 item 3).

Every deadline kind of every shipped case type, reviewed:

- disclosure ``reply``: an obligation; met by the reply, cancelled by a withdrawal or a
  closure, paused by correction, consultation and fees — never ends by itself.
- disclosure ``correction_notice``: a limit the office *may* use (only an unclear request
  needs a notice). Met by the notice; cancelled once the request is accepted or moves past
  review (accept, consultation, a draft reply, a reply on the spot, withdrawal); unused, it
  ends at its due instant: never overdue, never warned about after it, and a notice is
  refused from then on.
- disclosure ``correction_period``, ``fee_payment``, ``consultation-N``: the applicant's or
  the other side's limits; each ends by its event or by its expiry action.
- incident milestones: met by the responses, cancelled by a re-grade that removes them
  ("调整级别后不再适用") or by the archive; a supervision letter's limit is met by its answer.
- online message ``reply``: met by the reply, cancelled by closing.

A cancelled limit says why in its explanation. No database here: ``Case.act`` on an
in-memory case, the plan of escalation rules, and the firing decision.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.declared import Context as DeclaredContext
from govflow.workflow.disclosure.context import ApplicantHistory, Context
from govflow.workflow.errors import GovflowError
from govflow.workflow.escalation import plan
from govflow.workflow.escalation_firing import DueRow, decide
from govflow.workflow.policy import DisclosurePolicy
from tests.config import calendar, config, current_policies, workflow

CAL = calendar()
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Desk:
    def __init__(self, case_type: str = "disclosure_request") -> None:
        self.case = Case(
            ref="示政办依申〔2025〕0001号", workflow=workflow(case_type), agency_code="county"
        )
        self.case.facts = self.case.workflow.new_facts()
        self.now = bj("2025-09-26 10:00")

    def context(self, actor: Actor):
        if self.case.case_type != "disclosure_request":
            return DeclaredContext(
                self.now, local_date(self.now), self.case.state or "", CAL, config().settings
            )
        return Context(
            now=self.now,
            today=local_date(self.now),
            state=self.case.state or "",
            calendar=CAL,
            policy=DisclosurePolicy(),
            history=ApplicantHistory(),
            role=actor.role,
        )

    def act(self, action: str, actor: Actor = HANDLER, **payload: object) -> None:
        self.case.act(action, payload, actor, self.now, CAL, self.context(actor))

    def deadline(self, key: str):
        return next(d for d in self.case.deadlines if d.key == key)


def registered() -> Desk:
    desk = Desk()
    desk.act(
        "receive",
        CLERK,
        applicant={
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        description="2024年县级财政预算公开表",
        channel="in_person",
    )
    desk.act("confirm_receipt", CLERK, receipt_date="2025-09-26")
    return desk


def test_the_correction_notice_limit_passes_unused_without_a_breach() -> None:
    desk = registered()
    notice = desk.deadline("correction_notice")
    assert notice.optional and notice.due_at == bj("2025-10-14 00:00")  # 10-13 24:00
    on_last_day = bj("2025-10-13 09:00")
    assert notice.is_running_at(on_last_day) and notice.time_left(CAL, on_last_day) == "今日届满"
    after = bj("2025-10-20 09:00")
    assert notice.status is DeadlineStatus.RUNNING  # nothing recorded it: it simply passed
    assert not notice.is_running_at(after)
    assert not notice.is_overdue(after)
    assert notice.time_left(CAL, after) == "期限已过，不再适用"
    assert notice.status_label(after) == "已届满"
    assert notice.working_days_left(CAL, after) is None
    # The reply limit is an obligation: overdue is overdue.
    reply = desk.deadline("reply")
    late = bj("2025-11-03 09:00")
    assert reply.is_overdue(late) and reply.is_running_at(late)
    assert reply.time_left(CAL, late) == "已超期 2 个工作日" and reply.status_label(late) == ""
    # Its rules are no longer planned once it has passed: the schedule stops firing them.
    policy = current_policies()["disclosure_request"]
    kinds = {(p.deadline_key, p.rule) for p in plan(desk.case.deadlines, policy, CAL, after)}
    assert ("correction_notice", "assignee_last_day") not in kinds
    assert ("reply", "assignee_5_days") in kinds
    before = {(p.deadline_key, p.rule) for p in plan(desk.case.deadlines, policy, CAL, on_last_day)}
    assert ("correction_notice", "assignee_last_day") in before


def test_accepting_cancels_the_correction_notice_limit_and_says_why() -> None:
    desk = registered()
    desk.now = bj("2025-09-29 10:00")
    desk.act("start_review")
    desk.act("accept")
    notice = desk.deadline("correction_notice")
    assert notice.status is DeadlineStatus.CANCELLED
    assert notice.explanation[-1] == "已取消：申请内容明确，无需补正，不再计算，也不再提醒。"


def test_a_regrade_that_removes_a_milestone_cancels_it_and_says_why() -> None:
    desk = Desk("incident")
    desk.case.ref = "示政办舆情〔2025〕0001号"
    desk.now = bj("2025-09-30 22:40")
    desk.act(
        "detect",
        CLERK,
        title="网传某小学食堂使用过期食材",
        summary="微博多条帖文",
        platform="微博",
        detected_at="2025-09-30T22:30",
        topic="食品药品",
    )
    desk.act("assess")
    desk.act("grade", HEAD, grade="重大")
    assert {d.key for d in desk.case.deadlines if d.status is DeadlineStatus.RUNNING} == {
        "statement",
        "press_conference",
    }
    desk.now = bj("2025-09-30 23:30")
    desk.act("regrade", HEAD, grade="一般", reason="经核实为个别现象")
    statement = desk.deadline("statement")
    assert statement.status is DeadlineStatus.CANCELLED
    assert statement.explanation[-1] == "已取消：调整级别后不再适用，不再计算，也不再提醒。"
    policy = current_policies()["incident"]
    planned = {p.deadline_key for p in plan(desk.case.deadlines, policy, CAL, desk.now)}
    assert planned == {"response"}


# -- the property: no warning is ever fired for a deadline that is not running -------------------

STEPS = [
    ("start_review", HANDLER, {}),
    ("accept", HANDLER, {}),
    ("request_correction", HANDLER, {"items": "请写明文件名称"}),
    ("submit_correction", CLERK, {}),
    ("start_consultation", HANDLER, {"party_kind": "third_party", "party_name": "某公司"}),
    ("end_consultation", HANDLER, {"result": "agreed"}),
    ("send_fee_notice", HEAD, {"basis": "per_request", "amount": 100, "reason": "次数过多"}),
    ("record_payment", CLERK, {}),
    ("extend", HEAD, {"days": 5, "reason": "需调取档案"}),
    ("draft_reply", HANDLER, {"outcome": "disclosed", "summary": "予以公开"}),
    ("approve_reply", HEAD, {}),
    ("withdraw", CLERK, {"reason": "申请人撤回"}),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 9 * 86400)), max_size=8
    ),
    sweeps=st.lists(st.integers(0, 60 * 86400), min_size=1, max_size=6),
)
def test_no_warning_is_ever_fired_for_a_deadline_that_is_not_running(steps, sweeps) -> None:
    """A request goes down a random path (refused actions are skipped) while a sweeper looks
    at random instants. At each look, every rule the schedule would have due is decided
    against the deadline as it then stands: whatever fires belongs to a running deadline."""
    desk = registered()
    policy = current_policies()["disclosure_request"]
    start = desk.now
    looks = sorted(start + timedelta(seconds=s) for s in sweeps)
    timeline = sorted((start + timedelta(seconds=gap), i) for i, gap in steps)
    events = iter(timeline)
    pending = next(events, None)
    for now in looks:
        while pending is not None and pending[0] <= now:
            desk.now = max(desk.now, pending[0])
            action, actor, payload = STEPS[pending[1]]
            try:
                desk.act(action, actor, **payload)
            except GovflowError:
                pass
            pending = next(events, None)
        for planned in plan(desk.case.deadlines, policy, CAL, desk.now):
            if planned.first_at > now:
                continue
            deadline = desk.deadline(planned.deadline_key)
            row = DueRow(
                1, 1, desk.case.ref, "disclosure_request", 1, desk.case.state or "", None,
                policy.digest, planned.deadline_key, planned.rule, 0, 0, planned.due_at,
                planned.first_at, deadline,
            )  # fmt: skip
            rule = policy.rule(deadline.kind, planned.rule)
            decision = decide(row, rule, now, 300)
            if decision.key is not None:
                assert deadline.is_running_at(now), (planned, deadline.status, now)
                assert deadline.status is DeadlineStatus.RUNNING
            if deadline.optional and now >= deadline.due_at:  # type: ignore[operator]
                assert decision.key is None
    # And the case's own view agrees: a passed optional limit is never "overdue".
    for deadline in desk.case.deadlines:
        if deadline.optional:
            assert not deadline.is_overdue(looks[-1] + timedelta(days=400))


def test_shipped_case_types_end_every_limit_when_the_case_ends() -> None:
    """Review helper: a case in a final state has no running limit, for every path the
    shipped disclosure workflow allows to ``closed`` or ``archived`` here."""
    for path in (["withdraw"], ["start_review", "accept", "withdraw"]):
        desk = registered()
        for action in path:
            desk.act(action, CLERK if action == "withdraw" else HANDLER, **(
                {"reason": "撤回"} if action == "withdraw" else {}
            ))  # fmt: skip
        assert desk.case.state == "closed"
        assert not [d for d in desk.case.deadlines if d.status is DeadlineStatus.RUNNING]
    assert date(2025, 9, 26) == local_date(bj("2025-09-26 10:00"))


def test_an_optional_limit_is_kept_as_optional_in_the_stored_facts() -> None:
    """``optional`` is part of the stored facts (FACTS_FORMAT 3): a case restored from them
    must not start warning about a correction notice it never needed."""
    kept = Deadline(
        "correction_notice", "correction_notice", "补正告知期限", Basis.WORKING_DAYS, 7,
        start_date=date(2025, 9, 22), optional=True,
    )  # fmt: skip
    assert kept.to_state()["optional"] is True
    assert Deadline.from_state(kept.to_state()).optional is True
    plain = Deadline(
        "reply", "reply", "答复期限", Basis.WORKING_DAYS, 20, start_date=date(2025, 9, 22)
    )
    assert "optional" not in plain.to_state()  # defaults left out
    assert Deadline.from_state(plain.to_state()).optional is False
