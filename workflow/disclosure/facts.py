"""What a disclosure request's events add up to: ``DisclosureFacts``, a fold over the history.

The handlers (``_on_…``) are the only place that turns an action into consequences for
the deadlines (start, pause, restart, extend, meet, cancel); ``FOLD`` says which handler
folds each declared action, and the registry checks it against the declaration at
start-up. The same fold serves the live action and a full rebuild, so stored deadline
rows can always be checked against the events (SPEC T-3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.contract import FoldTable, Handler, unchanged
from govflow.workflow.deadlines import Basis, Deadline
from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure.editions import LEGACY, Edition, Editions, Limits

REPLY = "reply"
CORRECTION_NOTICE = "correction_notice"
CORRECTION_PERIOD = "correction_period"
FEE_PAYMENT = "fee_payment"


def consultation_key(number: int) -> str:
    return f"consultation-{number}"


@dataclass
class Consultation:
    number: int
    party_kind: str
    party_name: str
    sent_on: date
    answered_on: date | None = None
    result: str | None = None
    pauses: bool = (
        True  # left out of the reply limit (every kind in 2019; only third parties in 2008)
    )

    @property
    def open(self) -> bool:
        return self.answered_on is None


@dataclass
class DisclosureFacts:
    received_on: date | None = None
    channel: str | None = None
    receipt_date: date | None = None
    assignee: str | None = None
    correction_notice_on: date | None = None
    consultations: list[Consultation] = field(default_factory=list)
    fee: dict[str, Any] | None = None
    extension_days: int = 0
    draft_outcome: str | None = None
    rejected_reason: str | None = None
    outcome: str | None = None
    replied_on: date | None = None
    closed_on: date | None = None
    challenges: dict[str, dict[str, Any]] = field(default_factory=dict)
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
        self._start(REPLY, REPLY, "答复期限", start, self.limits.reply_days, "reply")
        if self.limits.correction_notice_days is not None:
            # Only an unclear request needs a correction notice (D-4): a limit the office may
            # use, not one it must. Unused, it ends at its due instant; a notice is refused after.
            self._start(
                CORRECTION_NOTICE,
                CORRECTION_NOTICE,
                "补正告知期限",
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
            CORRECTION_PERIOD, CORRECTION_PERIOD, "补正期限", p.notice_on, days, "correction_period"
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

    def _on_start_consultation(
        self, p: a.StartConsultation, derived: dict[str, Any], at: datetime
    ) -> None:
        self._no_correction_needed()
        number = len(self.consultations) + 1
        pauses = derived.get("pauses_reply_clock", True)
        self.consultations.append(
            Consultation(number, p.party_kind, p.party_name, p.sent_on, pauses=pauses)
        )
        who = "第三方" if p.party_kind == "third_party" else "其他机关"
        rule = f"consultation_{p.party_kind}"
        if derived.get("consultation_days") is not None:  # the 2008 rules set the party no time
            self._start(
                consultation_key(number),
                "consultation",
                f"征求意见期限（{who}：{p.party_name}）",
                p.sent_on,
                derived["consultation_days"],
                rule,
            )
        if pauses:
            cite = f"{self.edition.cite(rule)}，" if self.edition else ""
            self.deadlines[REPLY].pause(p.sent_on, f"征求{who}意见，{cite}期间不计入答复期限")

    def _on_end_consultation(
        self, p: a.EndConsultation, derived: dict[str, Any], at: datetime
    ) -> None:
        consultation = self.consultations[derived["consultation"] - 1]
        consultation.answered_on, consultation.result = p.answered_on, p.result
        deadline = self.deadlines.get(consultation_key(consultation.number))
        if deadline is None:
            pass  # no time was set for the answer (2008 rules)
        elif p.result == "no_reply":
            # The other side's silence ends the consultation; it is no breach of the office.
            deadline.cancel(
                "第三方逾期未答复，由机关依法决定"
                if consultation.party_kind == "third_party"
                else "其他机关逾期未答复，视为同意"
            )
        else:
            deadline.meet(p.answered_on, at)
        self._resume_after_consultations()

    def _on_consultation_expired(self, p: a.Expire, derived: dict[str, Any], at: datetime) -> None:
        """15 working days without an answer (Art. 32, 34): the clock resumes after the limit."""
        consultation = self.consultations[derived["consultation"] - 1]
        ended_on = date.fromisoformat(derived["ended_on"])
        consultation.answered_on, consultation.result = ended_on, "no_reply"
        self.deadlines[consultation_key(consultation.number)].cancel(
            "第三方逾期未答复，由机关依法决定"
            if consultation.party_kind == "third_party"
            else "其他机关逾期未答复，视为同意"
        )
        self._resume_after_consultations()

    def _resume_after_consultations(self) -> None:
        """The reply clock resumes the day after the last consultation that paused it ended."""
        pausing = [c for c in self.consultations if c.pauses]
        if pausing and all(not c.open for c in pausing):
            last = max(c.answered_on for c in pausing if c.answered_on)
            self.deadlines[REPLY].resume(last)

    def _on_send_fee_notice(
        self, p: a.SendFeeNotice, derived: dict[str, Any], at: datetime
    ) -> None:
        self.fee = {
            "basis": p.basis,
            "amount": derived["amount"],
            "notice_on": p.notice_received_on,
        }
        self._start(
            FEE_PAYMENT,
            FEE_PAYMENT,
            "缴费期限",
            p.notice_received_on,
            derived["payment_days"],
            "fee_payment",
        )
        if derived["pauses_reply_clock"]:
            self.deadlines[REPLY].pause(p.notice_received_on, "等待申请人缴纳信息处理费")

    def _on_record_payment(self, p: a.RecordPayment, derived: dict[str, Any], at: datetime) -> None:
        assert self.fee is not None
        self.fee["paid_on"] = p.paid_on
        self.deadlines[FEE_PAYMENT].meet(p.paid_on, at)
        self.deadlines[REPLY].resume(p.paid_on)

    def _on_fee_expired(self, p: a.Expire, derived: dict[str, Any], at: datetime) -> None:
        self.deadlines[FEE_PAYMENT].lapse(local_date(at))
        self._close("other.no_fee", local_date(at), "逾期未缴费，不再处理")

    def _on_extend(self, p: a.Extend, derived: dict[str, Any], at: datetime) -> None:
        self.extension_days = p.days
        reply = self.deadlines[REPLY]
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
