"""The steps of one disclosure request (SPEC D-1…D-9), planned so the law allows each.

``Request`` is a small builder: it keeps the instant reached (``Cursor``), the reply
limit as the engine counts it (``ReplyClock``: pauses for consultations and fees,
restart after a correction, extension, a D-7 date) and appends steps. Each step is
placed where its guard accepts it: a correction notice within 7 working days of the
receipt date (Art. 30), payment within the 20-day window, an extension before the
limit passes (Art. 33), a D-7 date after the statutory one (Art. 35), expiries just
after 24:00 of the last day; "in time" replies fall on or before the due date and late
ones after it. The paths themselves are in ``paths_disclosure``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from govflow.synth import names, topics
from govflow.synth.context import AgencyPlan
from govflow.synth.script import DISCLOSURE, CaseScript, Step
from govflow.synth.timeline import Cursor, ReplyClock, days_limit, working_days
from govflow.workflow.clock import local_date

SYSTEM = "system"
IMMEDIATE = ("in_person", "registered_post")  # the receipt date is known when registered (D-2)


def iso(day: date) -> str:
    return day.isoformat()


class Request:
    """One request being planned: the intake, the reply clock and the steps so far."""

    def __init__(
        self, plan: AgencyPlan, at: datetime, channel: str, who: int, description: str
    ) -> None:
        self.plan, self.rng, self.cal = plan, plan.rng, plan.cal
        self.cur = Cursor(plan.rng, plan.cal, at)
        self.opened_at, self.channel, self.who = at, channel, who
        self.staff = plan.staff
        self.handler = plan.handler()
        self.received_on = local_date(at)
        self.receipt_date: date | None = None  # given at registration (register_request)
        self.clock: ReplyClock | None = None
        self.on_the_spot: dict[str, Any] | None = None
        self.steps: list[Step] = []
        self.state = "received"
        self.replied_on: date | None = None
        electronic = self.rng.random() < (0.7 if channel in ("online", "email") else 0.3)
        self.intake: dict[str, Any] = {
            "applicant": plan.pool.people[who].intake(),
            "description": description,
            "form": "electronic" if electronic else "paper",
            "delivery": self.rng.choice(("email", "online"))
            if electronic
            else self.rng.choice(("post", "pickup")),
            "channel": channel,
            "received_on": iso(self.received_on),
        }
        if self.rng.random() < 0.15:
            year, n = self.received_on.year - self.rng.randint(0, 2), self.rng.randint(1, 120)
            self.intake["document_number"] = f"{plan.short}政发〔{year}〕{n}号"
        if channel in IMMEDIATE:
            self._start_clock(self.received_on)
            if channel == "registered_post":
                self.receipt_date = self.received_on  # the day the office signs for it
        elif self.rng.random() < 0.35 and self._office_hours(at):
            # Both sides confirm an online form or e-mail at once while the office is open.
            self.receipt_date = self.received_on
            self._start_clock(self.received_on)

    # -- bookkeeping -----------------------------------------------------------------

    def _office_hours(self, at: datetime) -> bool:
        return self.cal.is_working_day(local_date(at)) and 8 <= at.hour < 17

    def _start_clock(self, day: date) -> None:
        self.clock = ReplyClock(self.cal, day)
        self.state = "registered"

    def do(self, at: datetime, actor: str, action: str, **payload: Any) -> None:
        self.steps.append(Step(at, actor, action, payload))

    @property
    def today(self) -> date:
        return self.cur.today

    @property
    def due(self) -> date:
        assert self.clock is not None
        return self.clock.due()

    def script(self) -> CaseScript:
        return CaseScript(
            case_type=DISCLOSURE,
            agency=self.plan.agency.code,
            opened_at=self.opened_at,
            actor=self.staff.clerk,
            payload=self.intake,
            receipt_date=self.receipt_date,
            on_the_spot=self.on_the_spot,
            steps=tuple(self.steps),
        )

    # -- register → review → handle ------------------------------------------------

    def confirm(self) -> None:
        """收到申请之日 (D-2): letters when the office reaches the applicant, electronic
        channels when both sides confirm, at the next office hour or a little later."""
        if self.clock is not None:
            return
        if self.channel == "letter":
            at = self.cur.after(self.rng.randint(1, 3))
        else:
            at = self.cur.after(self.rng.choice((0, 0, 1)))
        day = local_date(at)
        self.do(at, self.staff.clerk, "confirm_receipt", receipt_date=iso(day))
        self._start_clock(day)

    def assign(self) -> None:
        if self.rng.random() < 0.8:
            self.do(self.cur.after(0), self.staff.head, "assign", assignee=self.handler)

    def review(self) -> None:
        self.confirm()
        self.assign()
        self.do(self.cur.after(self.rng.choice((0, 0, 1))), self.handler, "start_review")
        self.state = "reviewing"

    def accept(self) -> None:
        self.do(self.cur.after(self.rng.choice((0, 1, 1, 2))), self.handler, "accept")
        self.state = "handling"

    # -- the reply -------------------------------------------------------------------

    def reply(
        self,
        outcome: str,
        *,
        late: bool = False,
        reject: bool = False,
        not_before: date | None = None,
    ) -> None:
        """Draft (审核 by the head) and approve: on or before the due date, or after it when
        ``late``; ``reject`` sends the first draft back once (D-9); ``not_before`` keeps the
        approval after a given day (a reply that needed its extension)."""
        due = self.due
        earliest = self.cur.working_day(1 if self.rng.random() < 0.7 else 0)
        if not_before is not None:
            earliest = max(earliest, self.cur.working_day(1, not_before))
        if late:
            approve_day = self.cur.working_day(self.rng.randint(1, 12), max(due, self.today))
        else:
            span = self._working_days(earliest, due)
            # Replies cluster in the second half of the limit, as offices work them.
            approve_day = span[int(len(span) * self.rng.random() ** 0.6)] if span else earliest
        summary = topics.REPLY_SUMMARIES[outcome]
        if reject:
            first = self.cur.on(self._draft_day(approve_day, 0.5))
            self.do(first, self.handler, "draft_reply", outcome=outcome, summary=summary)
            again = self.cur.after(self.rng.choice((0, 1)))
            reason = self.rng.choice(
                ("答复依据引用条款不准确", "告知救济途径表述不完整", "附件材料不全")
            )
            self.do(again, self.staff.head, "reject_reply", reason=reason)
            approve_day = max(approve_day, self.cur.working_day(0))
        draft = self.cur.on(self._draft_day(approve_day, 1.0))
        self.do(draft, self.handler, "draft_reply", outcome=outcome, summary=summary)
        approve = self.cur.on(approve_day)
        self.do(approve, self.staff.head, "approve_reply", replied_on=iso(approve_day))
        self.replied_on, self.state = approve_day, "replied"

    def _working_days(self, first: date, last: date) -> list[date]:
        return working_days(self.cal, max(first, self.today), last)

    def _draft_day(self, approve_day: date, share: float) -> date:
        """A working day from today up to ``approve_day``, in the first ``share`` of the span."""
        span = self._working_days(self.today, approve_day) or [approve_day]
        return span[int(len(span) * share * self.rng.random())]

    # -- side paths (D-4 … D-7) ------------------------------------------------------

    def request_correction(self) -> date:
        """补正通知 within 7 working days of the receipt date; returns the period's last day."""
        assert self.clock is not None
        notice_due = days_limit(self.cal, self.clock.deadline.start_date or self.today, 7)
        at = self.cur.between(self.today, notice_due)
        period = self.rng.choice((10, 15, 15, 15, 20))
        items = self.rng.choice(
            (
                "请明确所需信息的名称、文号或者便于查询的其他特征性描述",
                "请补充所申请信息涉及的具体地块位置和时间范围",
                "请提供有效身份证明复印件并明确所需信息的形式",
            )
        )
        notice_on = local_date(at)
        self.do(
            at,
            self.handler,
            "request_correction",
            items=items,
            period_days=period,
            notice_on=iso(notice_on),
        )
        self.clock.pause(notice_on)
        self.state = "awaiting_correction"
        return days_limit(self.cal, notice_on, period)

    def submit_correction(self, period_due: date) -> None:
        assert self.clock is not None
        at = self.cur.between(self.cur.working_day(1), period_due)
        day = local_date(at)
        self.do(at, self.staff.clerk, "submit_correction", corrected_on=iso(day))
        self.clock.restart(day)  # the 20 working days start again (Art. 30)
        self.state = "reviewing"

    def expire(self, action: str, deadline: str, due: date) -> None:
        self.do(self.cur.expiry_after(due), SYSTEM, action, deadline=deadline)

    def start_consultation(self, party_kind: str) -> date:
        """征求意见 (Art. 32, 34): the reply clock pauses; returns the 15-day limit's last day."""
        assert self.clock is not None
        at = self.cur.after(self.rng.choice((0, 1, 2)))
        sent_on = local_date(at)
        if party_kind == "third_party":
            name = self.rng.choice((names.company_name(self.rng), "相关权利人"))
        else:
            name = f"{self.plan.county}县{self.rng.choice(topics.DEPARTMENTS).name}"
        self.do(
            at,
            self.handler,
            "start_consultation",
            party_kind=party_kind,
            party_name=name,
            sent_on=iso(sent_on),
            received_on=iso(sent_on),  # handed over the day it was sent
        )
        if self.state != "consulting":
            self.clock.pause(sent_on)
        self.state = "consulting"
        return days_limit(self.cal, sent_on, 15)

    def end_consultation(self, due: date, result: str, number: int | None = None) -> date:
        """The answer (agreed / objected) within the limit, or "no reply" noted after it."""
        if result == "no_reply":
            at = self.cur.on(self.cur.working_day(self.rng.randint(1, 3), due))
        else:
            at = self.cur.between(self.cur.working_day(1), due)
        day = local_date(at)
        payload: dict[str, Any] = {"result": result, "answered_on": iso(day)}
        if number is not None:
            payload["consultation"] = number
        self.do(at, self.handler, "end_consultation", **payload)
        return day

    def fee_notice(self) -> date:
        """信息处理费 (D-6): per request when this is the applicant's 11th+ of the month,
        otherwise per volume; the office head sends it within the reply limit."""
        assert self.clock is not None
        at = self.cur.between(self.cur.working_day(1), self.due)
        day = local_date(at)
        ordinal = self.plan.pool.ordinal_in_month(self.who, self.received_on)
        payload: dict[str, Any]
        if ordinal > 10:
            reason = f"申请人本月第 {ordinal} 件申请，超出合理范围，按件计收"
            payload = {"basis": "per_request", "reason": reason}
        else:
            pages = self.rng.randint(40, 600)
            reason = f"所需信息共 {pages} 页，数量明显超过合理范围，按量计收"
            payload = {"basis": "per_volume", "pages": pages, "reason": reason}
        self.do(at, self.staff.head, "send_fee_notice", notice_received_on=iso(day), **payload)
        self.clock.pause(day)
        self.state = "awaiting_fee"
        return days_limit(self.cal, day, 20)

    def pay(self, fee_due: date) -> None:
        assert self.clock is not None
        at = self.cur.between(self.cur.working_day(1), fee_due)
        day = local_date(at)
        self.do(at, self.staff.clerk, "record_payment", paid_on=iso(day))
        self.clock.resume(day)
        self.state = "handling"

    def extend(self) -> date:
        """延长答复期限 (Art. 33) in the last days before the limit; returns the old due date."""
        assert self.clock is not None
        due = self.due
        at = self.cur.between(self.cal.working_day_before(due, 4), due)
        days = self.rng.choice((5, 10, 15, 20, 20))
        reason = self.rng.choice(("需调档整理，涉及多年档案", "所需信息量大，需逐页区分处理"))
        self.do(
            at,
            self.staff.head,
            "extend",
            days=days,
            reason=reason,
            notified_on=iso(local_date(at)),
        )
        self.clock.extend(days)
        return due

    def set_reply_date(self) -> date:
        """Art. 35: a later reply date for a request clearly beyond a reasonable volume."""
        assert self.clock is not None
        at = self.cur.after(self.rng.choice((0, 1)))
        statutory = self.due
        later = days_limit(self.cal, statutory, self.rng.randint(10, 20))
        count = len(self.plan.pool.requests[self.who])
        reason = f"申请人近期提出申请 {count} 件，数量明显超过合理范围，另行确定答复期限"
        self.do(at, self.staff.head, "set_reply_date", due_date=iso(later), reason=reason)
        self.clock.override(later)
        return statutory

    def withdraw(self) -> None:
        at = self.cur.after(self.rng.randint(0, 3))
        reason = self.rng.choice(
            ("申请人书面申请撤回", "申请人来电表示已通过其他途径获取，申请撤回")
        )
        self.do(at, self.staff.clerk, "withdraw", withdrawn_on=iso(local_date(at)), reason=reason)
        self.state = "closed"

    # -- after the reply -------------------------------------------------------------

    def archive(self) -> None:
        self.do(self.cur.after(self.rng.randint(2, 20)), self.staff.clerk, "archive")
        self.state = "archived"

    def challenge(self, route: str, result: str) -> None:
        """行政复议 / 行政诉讼 against the reply (table 四): a pending record when the office
        learns of it, then the result when decided (same number: the later record wins)."""
        assert self.replied_on is not None
        filed = self.replied_on + timedelta(days=self.rng.randint(10, 55))
        if route == "after_reconsideration":
            decided = self._challenge("record_reconsideration", "reconsideration", "upheld", filed)
            filed = decided + timedelta(days=self.rng.randint(5, 14))
            route = "after_reconsideration"
        action = "record_reconsideration" if route == "reconsideration" else "record_litigation"
        self._challenge(action, route, result, filed)

    def _learnt(self, day: date) -> datetime:
        """When the office records a filing or a decision: a few working days after it."""
        known = self.cur.working_day(self.rng.randint(2, 8), day)
        return self.cur.on(self.cur.working_day(0, max(known, self.today)))

    def _challenge(self, action: str, route: str, result: str, filed: date) -> date:
        year = filed.year
        if action == "record_reconsideration":
            number = f"{self.plan.short}政复〔{year}〕{self.rng.randint(1, 80)}号"
            decided = filed + timedelta(days=self.rng.randint(35, 60))
        else:
            number = f"（{year}）县法院行初{self.rng.randint(1, 300)}号"
            decided = filed + timedelta(days=self.rng.randint(60, 180))
        base = {"number": number, "route": route, "filed_on": iso(filed)}
        at = self._learnt(filed)
        self.do(at, self.staff.clerk, action, result="pending", **base)
        if result != "pending":
            at = self._learnt(decided)
            self.do(at, self.staff.clerk, action, result=result, decided_on=iso(decided), **base)
        return decided
