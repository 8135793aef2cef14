"""Which parts of the workbench a person may use (SPEC W-2's screens by role).

The pages' navigation shows a link only to those who can use what it leads to, and the
home page sends someone with no case work (an administrator only) to their own pages.
The rule lives here, not in a template: the template only loops over what this returns.
Case types are not named: the two "register" links follow what the person may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from govflow.workflow.actors import Role
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services.base import Services
from govflow.workflow.services.catalogue import openable_case_types
from govflow.workflow.services.requests import CASE_TYPE

# People who work on cases: they have a queue, search and read cases of their agencies.
CASE_WORK = frozenset({Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD, Role.SUPERVISOR})


@dataclass(frozen=True)
class Section:
    key: str  # stable: the navigation's element ids and the tests use it
    href: str
    label: str


@dataclass(frozen=True)
class Workbench:
    sections: tuple[Section, ...]  # in navigation order
    home: str  # where ``/`` leads this person


# (key, href, label, the roles that use it); None: everyone signed in.
_FIXED: tuple[tuple[str, str, str, frozenset[Role] | None], ...] = (
    ("queue", "/", "我的待办", CASE_WORK),
    ("approvals", "/approvals", "待审批", frozenset({Role.OFFICE_HEAD})),
    ("search", "/search", "案件查询", CASE_WORK),
    ("awaiting_receipt", "/awaiting-receipt", "待确认收到", CASE_WORK - {Role.SUPERVISOR}),
    ("incidents", "/incidents", "舆情事件", CASE_WORK - {Role.SUPERVISOR}),
    ("notifications", "/notifications", "通知", None),
    ("supervise", "/supervise", "督查看板", frozenset({Role.SUPERVISOR})),
    ("annual_report", "/supervise/report/annual", "年度报告", frozenset({Role.SUPERVISOR})),
    ("verify", "/supervise/verify", "历史校验", frozenset({Role.SUPERVISOR})),
    ("admin", "/admin/users", "系统管理", frozenset({Role.ADMIN})),
)


def workbench(svc: Services, principal: Principal) -> Workbench:
    """The sections ``principal`` may use and their home page. Registering follows the
    case types' creation actions (``openable_case_types``), the rest the roles held; every
    page still checks its own permission when used — this only decides what is offered."""
    held = set(principal.roles)
    openable = {t.name for t in openable_case_types(svc, principal)}
    found: list[Section] = []
    for key, href, label, roles in _FIXED:
        if roles is None or held & roles:
            found.append(Section(key, href, label))
        if key == "search":  # the register links sit after search, as they always have
            if CASE_TYPE in openable:
                found.append(Section("new_request", "/requests/new", "登记申请"))
            if openable:
                found.append(Section("open_case", "/cases/new", "登记案件"))
    keys = {s.key for s in found}
    home = "/" if "queue" in keys else ("/admin/users" if "admin" in keys else "/notifications")
    return Workbench(tuple(found), home)
