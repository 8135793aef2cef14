"""The legal guards of each disclosure action and the data it derives (SPEC D-2…D-9, L-1).

``check`` refuses an action the law does not allow now, saying why; ``derive``
(``disclosure.derive``) computes what the event must carry so that the fold never needs
the clock or the settings again (the edition and limits in force, the effective clock
start, the fee proposal). Every limit a guard applies is the one the case recorded when its
receipt was confirmed (``DisclosureFacts.limits``), from the edition governing it; what the
guards and ``derive`` both look up on the facts is in ``disclosure.lookups``; the part of
each guard that no input changes, which ``check`` applies first and a case's page reads to
offer only what may succeed, is in ``disclosure.preconditions``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from govflow.workflow import lawful
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure import fees, preconditions
from govflow.workflow.disclosure.context import Context
from govflow.workflow.disclosure.deadline_kinds import (
    CORRECTION_NOTICE,
    CORRECTION_PERIOD,
    FEE_PAYMENT,
    REPLY,
)
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.lookups import (
    delivered_notice,
    due_on,
    expired_consultation,
    governing_edition,
    pick_consultation,
)
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.texts import day_end


def _end(due: date | None) -> str:
    return day_end(due) if due is not None else "—"


def _not_future(field: str, day: date, ctx: Context) -> None:
    lawful.not_future(field, day, ctx.today)


_not_before = lawful.not_before


def _counted_from(f: DisclosureFacts) -> tuple[str, date | None]:
    """The day the request counts from (收到申请之日 once confirmed, else the day it arrived):
    the annual report counts it new in that year, so no result may be dated before it."""
    if f.receipt_date is not None:
        return "收到申请之日", f.receipt_date
    return "申请送达日", f.received_on


def _valid_outcome(code: str, f: DisclosureFacts) -> None:
    known = f.editions.outcomes
    if code not in known:
        raise InvalidInput(f"未知答复类型 {code!r}。可选：{', '.join(known)}")
    if known[code].system_only:
        raise InvalidInput(f"答复类型 {code}（{known[code].full_label}）只能由系统在期限届满时记录")
    governing, _ = governing_edition(f)
    if code not in governing.outcomes:
        raise InvalidInput(
            f"答复类型 {code}（{known[code].full_label}）不适用于{governing.short}管辖的申请"
        )


def check(action: str, facts: DisclosureFacts, p: a.Payload, ctx: Context) -> None:
    """Raise ``ActionNotAllowed`` / ``InvalidInput`` when the law forbids the action now.
    A date in the future is refused first, as it always was; then what the input itself may
    be whenever it is given (``_INPUTS``); then the action's precondition (what no input
    changes), then the rest of its guard."""
    for name in (*a.DATE_DEFAULTS.values(), "sent_on", "received_on", "notice_received_on"):
        value = getattr(p, name, None)
        if isinstance(value, date):
            _not_future(name, value, ctx)
    given = _INPUTS.get(action)
    if given is not None:
        given(facts, p, ctx)
    precondition = preconditions.PRECONDITIONS.get(action)
    if precondition is not None:
        precondition(facts, ctx)
    guard = _GUARDS.get(action)
    if guard is not None:
        guard(facts, p, ctx)


def _confirm_receipt(f: DisclosureFacts, p: a.ConfirmReceipt, ctx: Context) -> None:
    _not_before("receipt_date", p.receipt_date, "申请送达日", f.received_on)
    f.editions.on(p.receipt_date)  # a receipt before the first edition has no rules to follow


def _reply_on_the_spot(f: DisclosureFacts, p: a.ReplyOnTheSpot, ctx: Context) -> None:
    """当场答复 (``preconditions.spot_now`` first): only what needs no decision. A refusal,
    a partial disclosure or "cannot provide" is a decision: review and approval (D-9)."""
    governing, _ = governing_edition(f)
    _valid_outcome(p.outcome, f)
    spot = governing.spot_outcomes.get(p.outcome)
    if spot is None:
        allowed = "；".join(f"{s.code}（{s.says}）" for s in governing.spot_outcomes.values())
        label = f.editions.outcomes[p.outcome].full_label
        raise ActionNotAllowed(
            f"答复类型 {p.outcome}（{label}）须经审核并由负责人审批后答复（先受理、提交答复稿），"
            f"不能当场答复。当场只能答复无须作出决定的情形：{allowed or '无'}"
        )
    if spot.needs_where and not p.where:
        # Beside the field on a form; the command line reads the field's name in the message.
        raise InvalidInput(
            f"{spot.says}：须在 where 中写明已公开的途径（如网站栏目、文号）",
            {"where": "须写明已公开的途径（如网站栏目、文号）"},
        )


def _request_correction(f: DisclosureFacts, p: a.RequestCorrection, ctx: Context) -> None:
    """(``preconditions.no_correction_yet`` first.)"""
    _not_before("notice_on", p.notice_on, "收到申请之日", f.receipt_date)
    governing, limits = governing_edition(f)
    if limits.correction_notice_days is None:
        return  # the 2008 rules set no time limit for the notice
    due = due_on(f, CORRECTION_NOTICE, ctx)
    if due is None or p.notice_on > due:
        raise ActionNotAllowed(
            f"补正通知须在收到申请之日起 {limits.correction_notice_days} 个工作日内发出"
            f"（截至 {due}；{governing.cite('correction_notice')}），已超过，不能再要求补正"
        )


def _submit_correction(f: DisclosureFacts, p: a.SubmitCorrection, ctx: Context) -> None:
    _not_before("corrected_on", p.corrected_on, "补正通知日", f.correction_notice_on)
    due = due_on(f, CORRECTION_PERIOD, ctx)
    if due is not None and p.corrected_on > due and p.good_reason is None:
        raise ActionNotAllowed(
            f"补正期限已于 {due.isoformat()} 届满；逾期补正须注明正当理由（good_reason）"
        )


def _start_consultation(f: DisclosureFacts, p: a.StartConsultation, ctx: Context) -> None:
    """征求意见 pauses the reply limit (Art. 32), so it must start while the limit runs:
    a consultation sent after the limit passed would hide the breach behind a pause."""
    _not_before("sent_on", p.sent_on, "答复期限起算日", f.deadlines[REPLY].start_date)
    due = due_on(f, REPLY, ctx)
    if due is not None and p.sent_on > due:
        raise ActionNotAllowed(
            f"答复期限已于 {due.isoformat()} 届满，征求意见不能再中止计算；请尽快答复"
        )
    _not_before("送达日", p.received_on or p.sent_on, "发出日", p.sent_on)


def _end_consultation(f: DisclosureFacts, p: a.EndConsultation, ctx: Context) -> None:
    number = pick_consultation(f, p)
    consultation = f.consultations[number - 1]
    _not_before("answered_on", p.answered_on, "征求意见日", consultation.sent_on)
    if p.result == "no_reply":
        due = due_on(f, f"consultation-{number}", ctx)
        if consultation.received_on is None:
            raise ActionNotAllowed(
                "征求意见尚未登记送达，期限未起算，不能按逾期未答复处理（先登记送达 record_delivery）"
            )
        if due is not None and p.answered_on <= due:
            raise ActionNotAllowed(
                f"征求意见期限至 {due.isoformat()} 才届满，届满前不能按未答复处理"
            )


def _consultation_expired(f: DisclosureFacts, p: a.Expire, ctx: Context) -> None:
    """(``preconditions.consultation_lapsed`` first: some open consultation has lapsed.)
    The one the expiry names must be open and its own limit passed."""
    number = expired_consultation(f, p)
    due = due_on(f, f"consultation-{number}", ctx)
    if due is None or ctx.today <= due:
        raise ActionNotAllowed(f"征求意见期限尚未届满（至 {_end(due)}）")


def _send_fee_notice(f: DisclosureFacts, p: a.SendFeeNotice, ctx: Context) -> None:
    """(``preconditions.fee_notice_now`` first.) The notice must be *sent* within the reply
    limit (D-6); its receipt may come later."""
    sent = p.sent_on or p.notice_received_on
    if sent is None:
        raise InvalidInput("须填写收费通知的发出日 sent_on")
    _not_before("sent_on", sent, *_counted_from(f))
    governing, _ = governing_edition(f)
    assert governing.fees_from is not None  # ``preconditions.fee_notice_now``
    if sent < governing.fees_from:
        raise ActionNotAllowed(
            f"信息处理费按{governing.fee_measures}自 {governing.fees_from.isoformat()} 起收取，"
            f"收费通知发出日 {sent.isoformat()} 早于该日"
        )
    due = due_on(f, REPLY, ctx)
    if due is None or sent > due:
        raise ActionNotAllowed(f"收费通知须在答复期限内发出（答复期限至 {due}）")
    if p.amount is None and not fees.proposal(ctx.history.ordinal_in_month, p.pages)[p.basis]:
        basis = "按件计收" if p.basis == "per_request" else f"按量计收（{p.pages} 页）"
        raise ActionNotAllowed(
            f"{basis}的信息处理费为 0 元，不收费，不能发出收费通知"
            "（国办函〔2020〕109号：每月前 10 件、每件 30 页以内免收）"
        )
    if p.notice_received_on is not None:
        _not_before("申请人收到收费通知之日", p.notice_received_on, "发出日", sent)


def _record_delivery(f: DisclosureFacts, p: a.RecordDelivery, ctx: Context) -> None:
    record = delivered_notice(f, p.document, ctx)
    issued = record.occurred_at.astimezone(SHANGHAI).date()
    _not_before("发出日", p.sent_on or issued, "文书制作日", issued)
    _not_before("送达日", p.delivered_on, "发出日", p.sent_on or issued)
    preconditions.not_delivered_yet(f, p.document, record)


def _record_payment(f: DisclosureFacts, p: a.RecordPayment, ctx: Context) -> None:
    assert f.fee is not None
    _not_before("paid_on", p.paid_on, "收费通知日", f.fee["notice_on"])
    due = due_on(f, FEE_PAYMENT, ctx)
    if due is not None and p.paid_on > due:
        raise ActionNotAllowed(f"缴费期限已于 {due.isoformat()} 届满，应按逾期未缴费处理")


def _extension_given(f: DisclosureFacts, p: a.Extend, ctx: Context) -> None:
    """An extension's input: notified after the day the request counts from, and no longer
    than the edition allows (D-3, L-1). Checked before ``preconditions.extension_now``."""
    _not_before("notified_on", p.notified_on, *_counted_from(f))
    governing, limits = governing_edition(f)
    if p.days > limits.max_extension_days:
        raise InvalidInput(
            f"延长期限最长不得超过 {limits.max_extension_days} 个工作日（{governing.cite('extension')}）"
        )


def _set_reply_date(f: DisclosureFacts, p: a.SetReplyDate, ctx: Context) -> None:
    """(``preconditions.later_reply_date_provided`` first.)"""
    if p.due_date <= ctx.today:
        raise InvalidInput("另行确定的答复期限须晚于今天")
    reply = f.deadlines[REPLY].copy()
    # While the clock is paused the statutory date is not known yet; it is at least the
    # date the limit would reach if counting resumed today.
    reply.resume(ctx.today)
    due = reply.compute(ctx.calendar).due_date
    if due is not None and p.due_date <= due:
        raise InvalidInput(f"另行确定的答复期限须晚于法定期限 {due.isoformat()}")


def _draft_reply(f: DisclosureFacts, p: a.DraftReply, ctx: Context) -> None:
    _valid_outcome(p.outcome, f)
    if ctx.state == "reviewing" and not p.outcome.startswith("not_processed."):
        raise ActionNotAllowed(
            "审核阶段只能直接答复“不予处理”类（not_processed.*）；其他答复须先受理办理"
        )


def _approve_reply(f: DisclosureFacts, p: a.ApproveReply, ctx: Context) -> None:
    _not_before("replied_on", p.replied_on, *_counted_from(f))


def _withdraw(f: DisclosureFacts, p: a.Withdraw, ctx: Context) -> None:
    _not_before("withdrawn_on", p.withdrawn_on, *_counted_from(f))


def _challenge(f: DisclosureFacts, p: a.LegalChallenge, ctx: Context) -> None:
    _not_future("filed_on", p.filed_on, ctx)
    if f.replied_on is not None:
        _not_before("filed_on", p.filed_on, "答复日", f.replied_on)
    elif f.closed_on is not None:
        _not_before("filed_on", p.filed_on, "办结日", f.closed_on)
    if p.decided_on is not None:
        _not_future("decided_on", p.decided_on, ctx)
    if p.decided_on is not None and p.decided_on < p.filed_on:
        raise lawful.refused(
            "decided_on",
            f"审结日 decided_on {p.decided_on.isoformat()} 早于复议或起诉日 filed_on "
            f"{p.filed_on.isoformat()}",
        )
    if p.result != "pending" and p.decided_on is None:
        raise InvalidInput("已审结的须填写审结日 decided_on")


_GUARDS: dict[str, Any] = {
    "confirm_receipt": _confirm_receipt,
    "reply_on_the_spot": _reply_on_the_spot,
    "request_correction": _request_correction,
    "submit_correction": _submit_correction,
    "start_consultation": _start_consultation,
    "end_consultation": _end_consultation,
    "consultation_expired": _consultation_expired,
    "send_fee_notice": _send_fee_notice,
    "record_delivery": _record_delivery,
    "record_payment": _record_payment,
    "set_reply_date": _set_reply_date,
    "draft_reply": _draft_reply,
    "approve_reply": _approve_reply,
    "withdraw": _withdraw,
    "record_reconsideration": _challenge,
    "record_litigation": _challenge,
}


# What an action's input may be whatever the case's state and dates, checked before its
# precondition: a ledger's import records a precondition's refusal (an extension after the
# reply limit passed) as a finding and goes on (``Case.act``'s ``findings``), so an input
# checked only after it would be let through unseen — a 30-day extension counted into the
# reply limit. Checked first, it is a problem on its row however late the step was.
_INPUTS: dict[str, Any] = {
    "extend": _extension_given,
}


def conditions() -> dict[str, Any]:
    """Named conditions the declaration's transitions may use: (facts, payload) -> bool."""

    def last_open_consultation(facts: DisclosureFacts, p: a.Payload) -> bool:
        return len(facts.open_consultations) <= 1

    def outcome_not_processed(facts: DisclosureFacts, p: a.Payload) -> bool:
        return getattr(p, "outcome", "").startswith("not_processed.")

    return {
        "last_open_consultation": last_open_consultation,
        "outcome_not_processed": outcome_not_processed,
    }
