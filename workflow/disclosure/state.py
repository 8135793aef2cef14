"""``DisclosureFacts`` as plain data: what is stored on the case row with each event, and the
facts read back from it.

Apart from the fold (``facts``) because the stored shape is a format of its own (dates as
ISO text, document numbers as string keys), read whole in one place: changing it means
raising ``FACTS_FORMAT`` (``govflow.workflow.kept_facts``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.deadlines import Deadline
from govflow.workflow.disclosure.consultations import Consultation
from govflow.workflow.disclosure.editions import Editions, Limits

if TYPE_CHECKING:
    from govflow.workflow.disclosure.facts import DisclosureFacts


def to_state(facts: DisclosureFacts) -> dict[str, Any]:
    fee = None
    if facts.fee is not None:
        fee = {k: v.isoformat() if isinstance(v, date) else v for k, v in facts.fee.items()}
    return {
        "received_on": _day(facts.received_on),
        "channel": facts.channel,
        "receipt_date": _day(facts.receipt_date),
        "assignee": facts.assignee,
        "correction_notice_on": _day(facts.correction_notice_on),
        "consultations": [
            {
                "number": c.number,
                "party_kind": c.party_kind,
                "party_name": c.party_name,
                "sent_on": c.sent_on.isoformat(),
                "days": c.days,
                "received_on": _day(c.received_on),
                "answered_on": _day(c.answered_on),
                "result": c.result,
                "pauses": c.pauses,
            }
            for c in facts.consultations
        ],
        "fee": fee,
        "extension_days": facts.extension_days,
        "draft_outcome": facts.draft_outcome,
        "draft_summary": facts.draft_summary,
        "rejected_reason": facts.rejected_reason,
        "outcome": facts.outcome,
        "replied_on": _day(facts.replied_on),
        "closed_on": _day(facts.closed_on),
        "challenges": facts.challenges,
        "deliveries": {
            str(no): {k: _day(v) if isinstance(v, date) else v for k, v in d.items()}
            for no, d in facts.deliveries.items()
        },
        "edition_code": facts.edition_code,
        "limits": facts.limits.to_json() if facts.limits is not None else None,
        "deadlines": [d.to_state() for d in facts.deadlines.values()],
    }


def fields_from_state(
    state: dict[str, Any],
    calendar: WorkingCalendar | None = None,
    editions: Editions | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``DisclosureFacts`` that ``to_state`` wrote."""
    fee = state["fee"]
    if fee is not None:
        fee = {k: date.fromisoformat(v) if k in _FEE_DATES else v for k, v in fee.items()}
    deadlines = (Deadline.from_state(d, calendar) for d in state["deadlines"])
    return dict(
        received_on=_parse_day(state["received_on"]),
        channel=state["channel"],
        receipt_date=_parse_day(state["receipt_date"]),
        assignee=state["assignee"],
        correction_notice_on=_parse_day(state["correction_notice_on"]),
        consultations=[
            Consultation(
                **{
                    **c,
                    "sent_on": date.fromisoformat(c["sent_on"]),
                    "received_on": _parse_day(c["received_on"]),
                    "answered_on": _parse_day(c["answered_on"]),
                }
            )
            for c in state["consultations"]
        ],
        fee=fee,
        extension_days=state["extension_days"],
        draft_outcome=state["draft_outcome"],
        draft_summary=state["draft_summary"],
        rejected_reason=state["rejected_reason"],
        outcome=state["outcome"],
        replied_on=_parse_day(state["replied_on"]),
        closed_on=_parse_day(state["closed_on"]),
        challenges=state["challenges"],
        deliveries={
            int(no): {
                k: date.fromisoformat(v) if k in _DELIVERY_DATES and v else v for k, v in d.items()
            }
            for no, d in state["deliveries"].items()
        },
        edition_code=state["edition_code"],
        limits=Limits(**state["limits"]) if state["limits"] is not None else None,
        deadlines={d.key: d for d in deadlines},
        editions=editions if editions is not None else Editions(),
    )


_FEE_DATES = ("notice_on", "paid_on", "received_on")
_DELIVERY_DATES = ("sent_on", "delivered_on")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None
