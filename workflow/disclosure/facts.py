"""What a disclosure request's events add up to: ``DisclosureFacts``, a fold over the history.

The handlers (``_on_…``) are the only place that turns an action into consequences for
the deadlines (start, pause, restart, extend, meet, cancel); ``FOLD`` says which handler
folds each declared action, and the registry checks it against the declaration at
start-up. The same fold serves the live action and a full rebuild, so stored deadline
rows can always be checked against the events (SPEC T-3).

``to_state`` / ``from_state`` are the facts as plain data, stored on the case row with
each event: an action loads them and folds only its own event.

Kept elsewhere: the kinds of limit and their names (``deadline_kinds``), the consultation
record and its handlers (``consultations``, mixed in), the stored shape (``state``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.contract import FoldTable, Handler, unchanged
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline
from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure import state as stored
from govflow.workflow.disclosure.consultations import Consultation, ConsultationFold
from govflow.workflow.disclosure.deadline_kinds import (
    CORRECTION_NOTICE,
    CORRECTION_PERIOD,
    DEADLINE_LABELS,
    FEE_PAYMENT,
    REPLY,
)
from govflow.workflow.disclosure.editions import LEGACY, Edition, Editions, Limits


@dataclass
class DisclosureFacts(ConsultationFold):
    received_on: date | None = None
    channel: str | None = None
    receipt_date: date | None = None
    assignee: str | None = None
    correction_notice_on: date | None = None
    consultations: list[Consultation] = field(default_factory=list)
    fee: dict[str, Any] | None = None
    extension_days: int = 0
    draft_outcome: str | None = None
    draft_summary: str | None = None  # the draft's text, which the reply notice prints
    rejected_reason: str | None = None
    outcome: str | None = None
    replied_on: date | None = None
    closed_on: date | None = None
    challenges: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: dict[int, dict[str, Any]] = field(default_factory=dict)  # document no → 送达
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    # The edition governing the request and the limits it had when the receipt was confirmed
    # (SPEC L-1): recorded in that event, so later edits of either file move nothing.
    edition_code: str | None = None
    limits: Limits | None = None
    # The editions of the regulations this installation knows (given by the contract when the
    # facts are made): configuration, not facts, so left out of comparisons.
    editions: Editions = field(default_factory=lambda: Editions(), compare=False, repr=False)

    @property
    def edition(self) -> Edition | None:
        return self.editions.find(self.edition_code) if self.edition_code else None

    @property
    def open_consultations(self) -> list[Consultation]:
        return [c for c in self.consultations if c.open]

    def deadline(self, key: str) -> Deadline | None:
        return self.deadlines.get(key)

    def computed_deadlines(self, calendar: WorkingCalendar) -> list[Deadline]:
        return [d.compute(calendar) for d in self.deadlines.values()]

    # -- as plain data ----------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        return stored.to_state(self)

    @classmethod
    def from_state(
        cls,
        state: dict[str, Any],
        calendar: WorkingCalendar | None = None,
        editions: Editions | None = None,
    ) -> DisclosureFacts:
        return cls(**stored.fields_from_state(state, calendar, editions))

    # -- the fold (the handlers ``FOLD`` names) ---------------------------------------

    def _start(
        self,
        key: str,
        kind: str,
        label: str,
        start: date,
        days: int,
        rule: str | None = None,
        optional: bool = False,
    ) -> Deadline:
        """A working-day deadline; ``rule`` names the edition's article that sets it;
        ``optional`` marks a limit the office may use rather than one it must."""
        basis = None
        if rule is not None and self.edition is not None:
            basis = self.edition.basis(rule, days)
        deadline = Deadline(
            key,
            kind,
            label,
            Basis.WORKING_DAYS,
            days,
            start_date=start,
            legal_basis=basis,
            optional=optional,
        )
        self.deadlines[key] = deadline
        return deadline

    def _cancel_open(self, reason: str) -> None:
        for deadline in self.deadlines.values():
            deadline.cancel(reason)

    def _on_receive(self, p: a.Receive, derived: dict[str, Any], at: datetime) -> None:
        self.received_on = p.received_on
        self.channel = p.channel.value

    def _on_confirm_receipt(
        self, p: a.ConfirmReceipt, derived: dict[str, Any], at: datetime
    ) -> None:
        self.receipt_date = p.receipt_date
        # Events from before editions were recorded name no edition: they were counted by the
        # 2019 rules, and any limit they did not copy is that edition's.
        governing = self.editions.find(derived.get("edition", LEGACY))
        self.edition_code = governing.code
        recorded = {**governing.limits.to_json(), **derived}
        self.limits = Limits(**{k: recorded[k] for k in governing.limits.to_json()})
        start = date.fromisoformat(derived["clock_start"])
        self._start(REPLY, REPLY, DEADLINE_LABELS[REPLY], start, self.limits.reply_days, "reply")
        if self.limits.correction_notice_days is not None:
            # Only an unclear request needs a correction notice (D-4): a limit the office may
            # use, not one it must. Unused, it ends at its due instant; a notice is refused after.
            self._start(
                CORRECTION_NOTICE,
                CORRECTION_NOTICE,
                DEADLINE_LABELS[CORRECTION_NOTICE],
                start,
                self.limits.correction_notice_days,
                "correction_notice",
                optional=True,
            )

    def _on_assign(self, p: a.Assign, derived: dict[str, Any], at: datetime) -> None:
        self.assignee = p.assignee

    def _on_reply_on_the_spot(
        self, p: a.ReplyOnTheSpot, derived: dict[str, Any], at: datetime
    ) -> None:
        self._reply(p.outcome, local_date(at), at, "当场答复")

    def _on_request_correction(
        self, p: a.RequestCorrection, derived: dict[str, Any], at: datetime
    ) -> None:
        self.correction_notice_on = p.notice_on
        notice = self.deadlines.get(CORRECTION_NOTICE)
        if notice is not None:
            notice.meet(p.notice_on, at)
        self.deadlines[REPLY].pause(p.notice_on, "待申请人补正，补正后重新起算")
        # The period in force when the notice went out (the office's default or the notice's own).
        days = derived.get("period_days", p.period_days)
        self._start(
            CORRECTION_PERIOD,
            CORRECTION_PERIOD,
            DEADLINE_LABELS[CORRECTION_PERIOD],
            p.notice_on,
            days,
            "correction_period",
        )

    def _on_submit_correction(
        self, p: a.SubmitCorrection, derived: dict[str, Any], at: datetime
    ) -> None:
        self.deadlines[CORRECTION_PERIOD].meet(p.corrected_on, at)
        self.deadlines[REPLY].restart(p.corrected_on)

    def _on_correction_expired(self, p: a.Expire, derived: dict[str, Any], at: datetime) -> None:
        self.deadlines[CORRECTION_PERIOD].lapse(local_date(at))
        self._close("other.no_correction", local_date(at), "逾期未补正，不再处理")

    def _on_accept(self, p: a.Empty, derived: dict[str, Any], at: datetime) -> None:
        self._no_correction_needed()

    def _on_send_fee_notice(
        self, p: a.SendFeeNotice, derived: dict[str, Any], at: datetime
    ) -> None:
        sent = p.sent_on or p.notice_received_on
        assert sent is not None
        self.fee = {
            "basis": p.basis,
            "amount": derived["amount"],
            "notice_on": sent,
            "payment_days": derived["payment_days"],
        }
        if derived["pauses_reply_clock"]:
            self.deadlines[REPLY].pause(sent, "等待申请人缴纳信息处理费")
        if p.notice_received_on is not None:
            how = "当面送达" if p.sent_on is not None else None
            self._start_fee_window(p.notice_received_on, how)

    def _start_fee_window(self, received: date, how: str | None) -> None:
        assert self.fee is not None
        self.fee["received_on"] = received
        days = self.fee["payment_days"]
        deadline = self._start(
            FEE_PAYMENT, FEE_PAYMENT, DEADLINE_LABELS[FEE_PAYMENT], received, days, "fee_payment"
        )
        if how is not None:
            deadline.start_note = (
                f"自申请人收到收费通知书之日（{received.isoformat()}，{how}）的次日起计算 {days} 个"
                f"工作日；收费通知书于 {self.fee['notice_on'].isoformat()} 发出"
                "（发出日须在答复期限内）。"
            )

    def _on_record_delivery(
        self, p: a.RecordDelivery, derived: dict[str, Any], at: datetime
    ) -> None:
        self.deliveries[p.document] = {
            "method": p.method,
            "sent_on": p.sent_on,
            "delivered_on": p.delivered_on,
        }
        how = a.DELIVERY_METHODS[p.method]
        if derived.get("starts") == FEE_PAYMENT:
            self._start_fee_window(p.delivered_on, how)
        elif derived.get("starts") == "consultation":
            consultation = self.consultations[derived["consultation"] - 1]
            self._start_consultation_limit(consultation, p.delivered_on, how)

    def _on_record_payment(self, p: a.RecordPayment, derived: dict[str, Any], at: datetime) -> None:
        assert self.fee is not None
        self.fee["paid_on"] = p.paid_on
        window = self.deadlines.get(FEE_PAYMENT)
        if window is not None:  # paid before the delivery was recorded: no window to meet
            window.meet(p.paid_on, at)
        self.deadlines[REPLY].resume(p.paid_on)

    def _on_fee_expired(self, p: a.Expire, derived: dict[str, Any], at: datetime) -> None:
        self.deadlines[FEE_PAYMENT].lapse(local_date(at))
        self._close("other.no_fee", local_date(at), "逾期未缴费，不再处理")

    def _on_extend(self, p: a.Extend, derived: dict[str, Any], at: datetime) -> None:
        self.extension_days = p.days
        reply = self.deadlines[REPLY]
        after = derived.get("after_limit")
        if after is not None:
            # Approved after the limit had passed (only an imported ledger records one; live,
            # the guard refuses it): unlawful, it extends nothing (D-3), and a reply after the
            # original limit is a late reply. The event and its finding stay as recorded.
            cite = f"（{self.edition.cite('extension')}）" if self.edition is not None else ""
            reply.notes = (
                *reply.notes,
                f"延期 {p.days} 个工作日于 {local_date(at).isoformat()} 批准，晚于原答复期限 "
                f"{after}，不延长答复期限：延长须在期限届满前批准{cite}。",
            )
            return
        reply.extension_days = p.days
        if self.edition is not None and self.limits is not None:
            extension = self.edition.basis("extension", self.limits.max_extension_days)
            reply.legal_basis = f"{reply.legal_basis}；{extension}"

    def _on_set_reply_date(self, p: a.SetReplyDate, derived: dict[str, Any], at: datetime) -> None:
        reply = self.deadlines[REPLY]
        reply.override_due, reply.override_reason = p.due_date, p.reason
        if self.edition is not None:
            reply.override_basis = f"{self.edition.cite('unreasonable_volume')}，"

    def _on_draft_reply(self, p: a.DraftReply, derived: dict[str, Any], at: datetime) -> None:
        self._no_correction_needed()
        self.draft_outcome, self.rejected_reason = p.outcome, None
        self.draft_summary = p.summary

    def _on_reject_reply(self, p: a.RejectReply, derived: dict[str, Any], at: datetime) -> None:
        self.draft_outcome, self.rejected_reason = None, p.reason

    def _on_approve_reply(self, p: a.ApproveReply, derived: dict[str, Any], at: datetime) -> None:
        assert self.draft_outcome is not None
        self._reply(self.draft_outcome, p.replied_on, at, "已答复")

    def _on_withdraw(self, p: a.Withdraw, derived: dict[str, Any], at: datetime) -> None:
        self._close("other.misc", p.withdrawn_on, "申请人撤回申请")

    def _on_record_reconsideration(
        self, p: a.LegalChallenge, derived: dict[str, Any], at: datetime
    ) -> None:
        self.challenges[p.number] = p.model_dump(mode="json")

    def _reply(self, outcome: str, on: date, at: datetime, reason: str) -> None:
        self.outcome, self.replied_on = outcome, on
        self.deadlines[REPLY].meet(on, at)
        self._cancel_open(reason)

    def _close(self, outcome: str, on: date, reason: str) -> None:
        self.outcome, self.closed_on = outcome, on
        self._cancel_open(reason)

    def _no_correction_needed(self) -> None:
        notice = self.deadlines.get(CORRECTION_NOTICE)
        if notice is not None:
            notice.cancel("申请内容明确，无需补正")


F = DisclosureFacts
FOLD: dict[str, Handler] = {
    "receive": F._on_receive,
    "confirm_receipt": F._on_confirm_receipt,
    "assign": F._on_assign,
    "start_review": unchanged,
    "reply_on_the_spot": F._on_reply_on_the_spot,
    "request_correction": F._on_request_correction,
    "submit_correction": F._on_submit_correction,
    "correction_expired": F._on_correction_expired,
    "accept": F._on_accept,
    "start_consultation": F._on_start_consultation,
    "end_consultation": F._on_end_consultation,
    "consultation_expired": F._on_consultation_expired,
    "send_fee_notice": F._on_send_fee_notice,
    "request_reasons": unchanged,
    "record_delivery": F._on_record_delivery,
    "record_payment": F._on_record_payment,
    "fee_expired": F._on_fee_expired,
    "extend": F._on_extend,
    "set_reply_date": F._on_set_reply_date,
    "draft_reply": F._on_draft_reply,
    "approve_reply": F._on_approve_reply,
    "reject_reply": F._on_reject_reply,
    "withdraw": F._on_withdraw,
    "archive": unchanged,
    "record_reconsideration": F._on_record_reconsideration,
    "record_litigation": F._on_record_reconsideration,
}
"""Each declared action and the handler that folds its event (``unchanged``: state only)."""

FOLD_TABLE = FoldTable(FOLD, a.PAYLOADS, __file__)
