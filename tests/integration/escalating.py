"""Helpers of the escalation tests written for issue 14 (acknowledgement, coalescing, digests,
the sweeper's guards): a Beijing clock, a sweeper with a list for a broker, a case in
handling. The older ``test_escalation.py`` keeps its own copies (it is the contract)."""

from __future__ import annotations

from datetime import datetime

from govflow.workers.sweeper import digests, sweep
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.policy import NotificationSettings

CLERK, LI, ZHAO, HEAD, SUPERVISOR = (
    "wang.clerk",
    "li.handler",
    "zhao.handler",
    "zhang.head",
    "chen.supervisor",
)
EDU_CLERK, EDU_HEAD = "liu.clerk", "sun.head"
SETTINGS = NotificationSettings()


def bj(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


def short(key: str) -> str:
    """A firing key without its case id: ``reply:head_2_days:0:0``."""
    return key.split(":", 1)[1]


class Sweeper:
    """One sweeper process: the real ``sweep`` (and digests) with a list for a broker."""

    def __init__(self, flow, settings: NotificationSettings = SETTINGS) -> None:
        self.flow, self.settings = flow, settings
        self.queue: list[int] = []

    def at(self, when: str, **kw) -> list[str]:
        self.flow.at(when)
        report = sweep(self.flow.svc, self.queue.append, self.settings, **kw)
        return [short(k) for k in report.fired]

    def digests_at(self, when: str) -> int:
        self.flow.at(when)
        return digests(self.flow.svc, self.queue.append, self.settings)


def fired(flow, ref: str | None = None) -> dict[str, services.FiringView]:
    return {short(f.key): f for f in services.firings(flow.svc, SYSTEM, ref)}


def accepted_case(flow, when: str = "2025-09-26 10:00", assignee: str | None = LI, **intake) -> str:
    """Received in person at ``when``, reviewed and accepted (no correction notice due).
    Received 2025-09-26, its reply is due 10-30 24:00 Beijing."""
    flow.at(when)
    ref = flow.register(intake=flow.intake(**intake) if intake else None)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    if assignee:
        flow.act(ref, HEAD, "assign", assignee=assignee)
    return ref


def applicant(flow, n: int) -> dict:
    return {
        "applicant": flow.person(f"申请人{n}", f"61092619900101{n:04d}"),
        "description": f"第{n}项信息",
    }
