"""The kinds of limit a disclosure request runs, and their zh-CN names.

Apart from the fold (``facts``) because the rules, the contract, the register and the
import of old requests name the same limits: they take the keys from here without
loading the fold.
"""

from __future__ import annotations

REPLY = "reply"
CORRECTION_NOTICE = "correction_notice"
CORRECTION_PERIOD = "correction_period"
FEE_PAYMENT = "fee_payment"
CONSULTATION = "consultation"
DEADLINE_LABELS = {
    REPLY: "答复期限",
    CORRECTION_NOTICE: "补正告知期限",
    CORRECTION_PERIOD: "补正期限",
    FEE_PAYMENT: "缴费期限",
    CONSULTATION: "征求意见期限",
}
"""Each kind of limit by its zh-CN name: the one place the fold takes them from, so the
contract can list them (``Workflow.deadline_labels``) for the pages' catalogue."""


def consultation_key(number: int) -> str:
    return f"consultation-{number}"
