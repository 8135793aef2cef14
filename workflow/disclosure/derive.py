"""What a disclosure event records besides its payload (SPEC D-2…D-9): the edition and
limits in force at receipt, the effective clock start, a consultation's days, the fee
proposal, which limit a delivery starts, the reply limit an extension came after (only an
imported ledger's: live, the guard refuses one). Computed once, when the action is taken,
so the fold never needs the clock or the settings again."""

from __future__ import annotations

from typing import Any

from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure import fees
from govflow.workflow.disclosure.context import (
    CONSULTATION_LETTERS,
    Context,
    applicant_key,
    description_key,
)
from govflow.workflow.disclosure.deadline_kinds import FEE_PAYMENT
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.lookups import (
    delivered_notice,
    due_on,
    expired_consultation,
    governing_edition,
    pick_consultation,
    reply_limit_passed,
)


def derive(action: str, facts: DisclosureFacts, p: a.Payload, ctx: Context) -> dict[str, Any]:
    """What the event records besides the payload: the rules in force and computed values."""
    policy = ctx.policy
    if isinstance(p, a.Receive):
        return {
            "applicant_key": applicant_key(p.applicant),
            "description_key": description_key(p.description),
        }
    if isinstance(p, a.ConfirmReceipt):
        start = p.receipt_date
        if policy.non_working_receipt_moves_to_next_working_day:
            start = ctx.calendar.next_working_day_on_or_after(start)
        governing = facts.editions.on(p.receipt_date)
        return {
            "clock_start": start.isoformat(),
            "edition": governing.code,
            **governing.limits.to_json(),
        }
    if isinstance(p, a.RequestCorrection):
        return {"period_days": p.period_days or policy.correction_period_days}
    if isinstance(p, a.StartConsultation):
        governing, limits = governing_edition(facts)
        # ``from_delivery``: the other side's limit counts from the letter's receipt (events
        # recorded before that rule was kept counted from sending, and still replay so).
        return {
            "consultation_days": limits.consultation_days,
            "pauses_reply_clock": governing.pauses(p.party_kind),
            "from_delivery": True,
        }
    if isinstance(p, a.Extend):
        # Approved after the reply limit passed: live, the guard refuses it; an imported
        # ledger's is recorded as it happened, with the limit it came after, so that the
        # fold leaves the limit where it was (D-3: an unlawful extension extends nothing) —
        # decided here, once, so no later calendar moves a lawful extension's dates.
        passed = reply_limit_passed(facts, ctx)
        return {"after_limit": passed.isoformat()} if passed is not None else {}
    if isinstance(p, a.RequestReasons):
        return {"this_month": ctx.history.this_month, "this_year": ctx.history.this_year}
    if isinstance(p, a.RecordDelivery):
        return _delivery_effect(facts, p, ctx)
    if isinstance(p, a.EndConsultation):
        return {"consultation": pick_consultation(facts, p)}
    if action == "consultation_expired":
        assert isinstance(p, a.Expire)
        number = expired_consultation(facts, p)
        return {
            "consultation": number,
            "ended_on": str(due_on(facts, f"consultation-{number}", ctx)),
        }
    if isinstance(p, a.SendFeeNotice):
        proposal = fees.proposal(ctx.history.ordinal_in_month, p.pages)
        proposed = proposal[p.basis]
        return {
            "proposal": proposal,
            "amount": p.amount if p.amount is not None else proposed,
            "payment_days": governing_edition(facts)[1].fee_payment_days,
            "pauses_reply_clock": policy.fee_pauses_reply_clock,
        }
    return {}


def _delivery_effect(facts: DisclosureFacts, p: a.RecordDelivery, ctx: Context) -> dict[str, Any]:
    """Which limit the delivery starts: the fee window, a consultee's 15 days, or none."""
    record = delivered_notice(facts, p.document, ctx)
    effect: dict[str, Any] = {"kind": record.kind, "number": record.number}
    if record.kind == "fee" and facts.fee is not None and "paid_on" not in facts.fee:
        effect["starts"] = FEE_PAYMENT
    number = record.detail.get("consultation")
    if record.kind in CONSULTATION_LETTERS and number is not None:
        if facts.consultations[number - 1].open:
            effect.update(starts="consultation", consultation=number)
    return effect
