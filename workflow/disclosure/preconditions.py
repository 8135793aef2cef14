"""The part of each disclosure action's guards that no input changes (SPEC D-2…D-9, L-1).

A case offers its reader an action only if some input could pass ``rules.check`` now
(``possible``): its precondition holds — 当场答复 on the day of receipt, one correction
notice, one fee notice and one extension, a fee notice or another reply date only under an
edition that provides for them, a fee notice only if it can be sent on a day the fee
measures apply and within the reply limit, an extension before the reply limit passes,
要求说明理由 only of an applicant whose requests may exceed a reasonable range, an expiry
once its limit has passed (征求意见期满未答复: an open consultation's) — and, for an action
naming one of the case's documents (登记送达), one is left to name. ``rules.check``
applies the same preconditions first and the guards apply the same rule to the document
named, so the page and ``act`` never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from govflow.workflow.actors import ROLE_LABELS
from govflow.workflow.disclosure.context import CONSULTATION_LETTERS, Context
from govflow.workflow.disclosure.deadline_kinds import (
    CORRECTION_PERIOD,
    FEE_PAYMENT,
    REPLY,
    consultation_key,
)
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.lookups import (
    delivered_notice,
    due_on,
    governing_edition,
    reply_limit_passed,
)
from govflow.workflow.documents.records import DocumentRecord
from govflow.workflow.errors import ActionNotAllowed, allows
from govflow.workflow.texts import day_end


def _end(due: date | None) -> str:
    return day_end(due) if due is not None else "—"


def possible(action: str, facts: DisclosureFacts, ctx: Context) -> bool:
    """Whether some input could pass ``check`` now: the action's precondition, the part of
    its guard no input changes, holds, and an action whose input names one of the case's
    documents has one left to name (``NAMED``). A case offers only such actions."""
    precondition = PRECONDITIONS.get(action)
    if precondition is not None and not allows(precondition, facts, ctx):
        return False
    named = NAMED.get(action)
    return named is None or bool(named(facts, ctx))


def spot_now(f: DisclosureFacts, ctx: Context) -> None:
    """当场答复 at all: on the day the request was received, by the roles the edition names."""
    governing, _ = governing_edition(f)
    if f.receipt_date != ctx.today:
        raise ActionNotAllowed(
            f"当场答复只能在收到申请的当天进行（{governing.cite('on_the_spot')}）"
        )
    if ctx.role is None or ctx.role not in governing.spot_roles:
        roles = "、".join(ROLE_LABELS[r] for r in sorted(governing.spot_roles)) or "无"
        raise ActionNotAllowed(f"当场答复只能由{roles}作出")
    if not governing.spot_outcomes:
        raise ActionNotAllowed(f"{governing.short}没有无须作出决定、可当场答复的情形")


def no_correction_yet(f: DisclosureFacts, ctx: Context) -> None:
    """补正 at all: the notice is sent once (Art. 30)."""
    if f.correction_notice_on is not None:
        raise ActionNotAllowed(
            "补正通知只能一次性发出，本申请已于 "
            f"{f.correction_notice_on.isoformat()} 通知过（{f.edition.cite('correction_notice') if f.edition else '第三十条'}）"
        )


def _expired(key: str, label: str) -> Callable[[DisclosureFacts, Context], None]:
    """A system expiry at all: only once its limit has passed (the clock decides)."""

    def precondition(f: DisclosureFacts, ctx: Context) -> None:
        due = due_on(f, key, ctx)
        if due is None or ctx.today <= due:
            raise ActionNotAllowed(f"{label}尚未届满（至 {_end(due)}），不能按逾期处理")

    return precondition


def consultation_lapsed(f: DisclosureFacts, ctx: Context) -> None:
    """征求意见期满未答复 at all: an open consultation whose limit has passed (Art. 32, 34).
    The limit runs from the letter's delivery (the 2008 rules set none), so a consultation
    not yet delivered has none to pass; the guard then checks the one the expiry names."""
    consultations = f.open_consultations
    if not consultations:
        raise ActionNotAllowed("没有已届满未答复的征求意见：本申请没有进行中的征求意见")
    dues = [
        due
        for c in consultations
        if (due := due_on(f, consultation_key(c.number), ctx)) is not None
    ]
    if any(ctx.today > due for due in dues):
        return
    if dues:
        raise ActionNotAllowed(
            f"没有已届满未答复的征求意见：征求意见期限尚未届满（至 {_end(min(dues))}）"
        )
    if all(c.days is None for c in consultations):
        governing, _ = governing_edition(f)
        raise ActionNotAllowed(
            f"没有已届满未答复的征求意见：{governing.short}未规定被征求意见方的答复期限"
        )
    raise ActionNotAllowed("没有已届满未答复的征求意见：征求意见书尚未登记送达，征求意见期限未起算")


def fee_notice_now(f: DisclosureFacts, ctx: Context) -> None:
    """收费通知 at all: one per request, under an edition with the fee measures (D-6), and a
    day it may be sent. The measures apply to notices sent from their start (the edition's
    ``fees.from``; the sending date decides, not the receipt date: a request received before
    it under the 2019 regulations may be charged by a notice sent after it), and the notice
    is sent within the reply limit, never after today: so none before the start, and none for
    a request whose reply limit ran out before it."""
    if f.fee is not None:
        raise ActionNotAllowed("本申请已发出过收费通知")
    governing, _ = governing_edition(f)
    if governing.fee_measures is None or governing.fees_from is None:
        raise ActionNotAllowed(
            f"{governing.short}没有信息处理费制度（只可收取检索、复制、邮寄等成本费用），"
            "不能发出收费通知"
        )
    start = governing.fees_from
    measures = f"信息处理费按{governing.fee_measures}自 {start.isoformat()} 起收取"
    if ctx.today < start:
        raise ActionNotAllowed(f"{measures}，此前不能发出收费通知")
    due = due_on(f, REPLY, ctx)
    if due is not None and due < start:
        raise ActionNotAllowed(
            f"{measures}，本申请的答复期限已于 {due.isoformat()} 届满，"
            "收费通知须在答复期限内发出，不能发出收费通知"
        )


def volume_in_question(f: DisclosureFacts, ctx: Context) -> None:
    """要求说明理由 at all: only of an applicant whose requests may exceed a reasonable range
    (Art. 35). Reads the applicant's history: the context's, counted once per case."""
    if (
        ctx.history.this_month <= 1
        and ctx.history.this_year <= 1
        and not ctx.history.same_information
    ):
        raise ActionNotAllowed(
            "申请人本月、本年度仅此一件申请，且无相同内容的申请，不属于数量、频次明显超过合理范围"
            "（第三十五条）"
        )


def extension_now(f: DisclosureFacts, ctx: Context) -> None:
    """延期 at all: once, approved before the reply limit passes (Art. 33)."""
    governing, _ = governing_edition(f)
    if f.extension_days:
        raise ActionNotAllowed(
            f"答复期限只能延长一次，已延长 {f.extension_days} 个工作日（{governing.cite('extension')}）"
        )
    passed = reply_limit_passed(f, ctx)
    if passed is not None:
        raise ActionNotAllowed(f"答复期限已于 {passed.isoformat()} 届满，延长须在期限届满前批准")


def later_reply_date_provided(f: DisclosureFacts, ctx: Context) -> None:
    """另行确定答复期限 at all: only under an edition that provides for it (Art. 35)."""
    governing, _ = governing_edition(f)
    if not governing.unreasonable_volume:
        raise ActionNotAllowed(f"{governing.short}没有另行确定答复期限的规定，不能延迟答复")


def not_delivered_yet(f: DisclosureFacts, document: int, record: DocumentRecord) -> None:
    """A notice's delivery is recorded once, and not after the limit it starts has started."""
    if document in f.deliveries:
        done = f.deliveries[document]["delivered_on"]
        raise ActionNotAllowed(f"第 {document} 号文书已于 {done.isoformat()} 登记送达")
    if record.kind == "fee" and f.fee is not None and f.fee.get("received_on") is not None:
        raise ActionNotAllowed(
            f"收费通知书已于 {f.fee['received_on'].isoformat()} 送达，缴费期限已起算"
        )
    number = record.detail.get("consultation")
    if record.kind in CONSULTATION_LETTERS and number is not None:
        consultation = f.consultations[number - 1]
        if consultation.received_on is not None:
            raise ActionNotAllowed(
                f"第 {number} 项征求意见已于 {consultation.received_on.isoformat()} 送达，期限已起算"
            )


def _notices_to_deliver(f: DisclosureFacts, ctx: Context) -> list[int]:
    """The documents 登记送达 may name now: each notice its guard lets through whatever the
    days typed (a notice delivered today, as sent)."""

    def deliverable(document: int) -> None:
        not_delivered_yet(f, document, delivered_notice(f, document, ctx))

    return [n for n in sorted(ctx.documents) if allows(deliverable, n)]


# The part of an action's guard that no input changes: ``rules.check`` applies it first,
# and a case offers the action only while it holds (``possible``).
PRECONDITIONS: dict[str, Callable[[DisclosureFacts, Context], None]] = {
    "reply_on_the_spot": spot_now,
    "request_correction": no_correction_yet,
    "correction_expired": _expired(CORRECTION_PERIOD, "补正期限"),
    "consultation_expired": consultation_lapsed,
    "send_fee_notice": fee_notice_now,
    "request_reasons": volume_in_question,
    "fee_expired": _expired(FEE_PAYMENT, "缴费期限"),
    "extend": extension_now,
    "set_reply_date": later_reply_date_provided,
}


# Actions that give the reply's outcome (``outcome``): the outcomes they may give are the
# governing edition's a person may choose (an expiry's are recorded by the system alone),
# and on the spot only those that need no decision (the edition's ``on_the_spot``).
REPLY_OUTCOMES = {"draft_reply": False, "reply_on_the_spot": True}


def choices(action: str, facts: DisclosureFacts) -> dict[str, tuple[str, ...]]:
    """The outcomes a reply may give on this case, as ``rules.check`` judges them (D-8,
    D-9), so the form offers no outcome that is always refused; before the receipt is
    confirmed no edition governs yet and the list is left as declared."""
    on_the_spot = REPLY_OUTCOMES.get(action)
    governing = facts.edition
    if on_the_spot is None or governing is None:
        return {}
    known = facts.editions.outcomes
    codes = tuple(
        code
        for code in governing.outcomes
        if code in known
        and not known[code].system_only
        and (not on_the_spot or code in governing.spot_outcomes)
    )
    return {"outcome": codes}


# Actions whose input names one of the case's documents: the guard refuses a number with
# words naming it, so the refusal stays there; the rule it applies to one number is read
# here for every document the case holds, and the action is possible only while one is left.
NAMED: dict[str, Callable[[DisclosureFacts, Context], list[int]]] = {
    "record_delivery": _notices_to_deliver,
}
