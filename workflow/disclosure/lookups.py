"""What a disclosure action's guards (``rules``) and its derived data (``derive``) both
look up on the facts: a limit's due day on the calendar, the edition governing the request,
whether an extension approved today comes after the reply limit, and which consultation or
notice a payload names (refused when it names none).

Apart from ``rules`` because ``derive`` needs these and not the guards: both read the
facts through the same few functions, so a guard and the event it lets through agree.
"""

from __future__ import annotations

from datetime import date

from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure.context import Context
from govflow.workflow.disclosure.deadline_kinds import REPLY
from govflow.workflow.disclosure.editions import Edition, Limits
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.documents.records import NOTICE, DocumentRecord
from govflow.workflow.errors import ActionNotAllowed, InvalidInput


def due_on(facts: DisclosureFacts, key: str, ctx: Context) -> date | None:
    deadline = facts.deadline(key)
    if deadline is None:
        return None
    return deadline.copy().compute(ctx.calendar).due_date


def reply_limit_passed(facts: DisclosureFacts, ctx: Context) -> date | None:
    """The reply limit, when it passed before today (None: it runs, or the clock is paused).

    An extension approved after it is refused (``preconditions.extension_now``); an imported
    ledger's is recorded with the limit it came after (``derive``), and extends nothing."""
    due = due_on(facts, REPLY, ctx)
    return due if due is not None and ctx.today > due else None


def governing_edition(f: DisclosureFacts) -> tuple[Edition, Limits]:
    """The edition and limits recorded at registration (every action after it has them)."""
    if f.edition is None or f.limits is None:
        raise ActionNotAllowed("尚未确认收到申请，不能办理此项")
    return f.edition, f.limits


def pick_consultation(f: DisclosureFacts, p: a.EndConsultation) -> int:
    open_numbers = [c.number for c in f.open_consultations]
    if p.consultation is None:
        if len(open_numbers) != 1:
            raise InvalidInput(
                f"有多项征求意见在进行中（{open_numbers}），请用 consultation 指明哪一项"
            )
        return open_numbers[0]
    if p.consultation not in open_numbers:
        raise InvalidInput(
            f"第 {p.consultation} 项征求意见不存在或已结束；进行中的：{open_numbers}"
        )
    return p.consultation


def expired_consultation(f: DisclosureFacts, p: a.Expire) -> int:
    prefix = "consultation-"
    if (
        p.deadline is None
        or not p.deadline.startswith(prefix)
        or not p.deadline[len(prefix) :].isdigit()
    ):
        raise InvalidInput("须用 deadline 指明到期的征求意见（如 consultation-1）")
    number = int(p.deadline[len(prefix) :])
    if number not in [c.number for c in f.open_consultations]:
        raise ActionNotAllowed(f"第 {number} 项征求意见不存在或已结束")
    return number


def delivered_notice(f: DisclosureFacts, document: int, ctx: Context) -> DocumentRecord:
    """The notice a delivery names by its number (refused: none, or an attachment)."""
    record = ctx.documents.get(document)
    if record is None:
        known = "、".join(str(n) for n in sorted(ctx.documents)) or "无"
        raise InvalidInput(f"本案没有第 {document} 号文书（现有：{known}）")
    if record.type != NOTICE:
        raise InvalidInput(f"第 {document} 号是附件，不是本机关发出的告知书，无需登记送达")
    return record
