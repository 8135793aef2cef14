"""Who a rule tells, and what the message says (zh-CN, SPEC E-3).

A message names the case, the limit, the time left or overdue, and where to act.
It never carries the applicant's personal data: only the case reference, the limit
and the staff involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govflow.models.escalation_repo import EscalationRepository
from govflow.models.tables import CaseRow, UserRow
from govflow.workflow.actors import AccountStatus
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation import Rule

LEVEL_TITLES = {"warning": "【预警】", "escalation": "【督办】"}


@dataclass(frozen=True)
class Recipient:
    username: str
    name: str
    email: str | None


def recipients(repo: EscalationRepository, case_row: CaseRow, rule: Rule) -> list[Recipient]:
    """Resolve the rule's roles to people, once each, in a stable order."""
    found: dict[str, UserRow] = {}
    for who in rule.notify:
        for user in _resolve(repo, case_row, who):
            found.setdefault(user.username, user)
    return [Recipient(u.username, u.name, u.email) for u in found.values()]


def _resolve(repo: EscalationRepository, case_row: CaseRow, who: str) -> list[UserRow]:
    if who == "assignee":
        user = repo.user(case_row.assignee) if case_row.assignee else None
        # Nobody assigned yet, or the assignee has left or is locked out: the office head
        # answers for the case.
        if user is not None and user.status == AccountStatus.ACTIVE.value:
            return [user]
        return repo.staff(case_row.agency_id, "office_head")
    if who == "office_head":
        return repo.staff(case_row.agency_id, "office_head")
    agency = repo.agency(case_row.agency_id)
    parent_supervisors = repo.staff(agency.parent_id, "supervisor") if agency.parent_id else []
    return parent_supervisors or repo.staff(case_row.agency_id, "supervisor")


def _local(instant: datetime) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def compose(
    case: Case,
    deadline: Deadline,
    rule: Rule,
    calendar: WorkingCalendar,
    now: datetime,
    threshold_at: datetime,
    late: bool,
    link: str,
    assignee_name: str | None,
) -> tuple[str, str]:
    """The subject and the body of a notification."""
    assert deadline.due_at is not None
    due = (
        f"{deadline.due_date.isoformat()} 24:00"
        if deadline.due_date is not None
        else _local(deadline.due_at)
    )
    verb = "已于" if now >= deadline.due_at else "将于"
    left = deadline.time_left(calendar, now)
    subject = f"{LEVEL_TITLES[rule.level]}{case.ref} {deadline.label}{left}"
    body = (
        f"{case.ref}（{case.workflow.case_type.label}）{deadline.label}{verb} {due}（北京时间）届满，"
        f"{left}。当前状态：{case.state_label}；经办人：{assignee_name or '未指定'}。"
        f"办理入口：{link.format(ref=case.ref)}"
    )
    if late:
        # Late because the sweeper was down, or because the limit moved into the past
        # (a raised grade): either way, say when it was due.
        body += f"（本提醒原定 {_local(threshold_at)} 发出，迟发。）"
    return subject, body
