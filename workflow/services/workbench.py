"""Which parts of the workbench a person may use (SPEC W-2's screens by role).

The pages' navigation shows a link only to those who can use what it leads to, and the
home page sends someone with no case work (an administrator only) to their own pages.
The rule lives here, not in a template: the template only loops over what this returns,
and each section's page asks the same rule (``require_section``) before it reads anything.
Case types are not named: the two "register" links follow what the person may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from govflow.workflow.actors import ROLE_LABELS, Role, ordered
from govflow.workflow.errors import NotPermitted
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


@dataclass(frozen=True)
class _Part:
    key: str
    href: str
    label: str
    roles: frozenset[Role] | None  # who may use its page (``require_section``); None: everyone
    # who the navigation offers it to, when fewer than may use it: a supervisor reads the
    # incidents of its agencies (the list narrowed by agency) but works none, so has no link
    offered: frozenset[Role] | None = None

    def offered_to(self, held: set[Role]) -> bool:
        roles = self.offered if self.offered is not None else self.roles
        return roles is None or bool(held & roles)


_PARTS: tuple[_Part, ...] = (
    _Part("queue", "/", "我的待办", CASE_WORK),
    _Part("approvals", "/approvals", "待审批", frozenset({Role.OFFICE_HEAD})),
    _Part("search", "/search", "案件查询", CASE_WORK),
    _Part("awaiting_receipt", "/awaiting-receipt", "待确认收到", CASE_WORK - {Role.SUPERVISOR}),
    _Part("incidents", "/incidents", "舆情事件", CASE_WORK, CASE_WORK - {Role.SUPERVISOR}),
    _Part("notifications", "/notifications", "通知", None),
    _Part("supervise", "/supervise", "督查看板", frozenset({Role.SUPERVISOR})),
    _Part("annual_report", "/supervise/report/annual", "年度报告", frozenset({Role.SUPERVISOR})),
    _Part("verify", "/supervise/verify", "历史校验", frozenset({Role.SUPERVISOR})),
    _Part("admin", "/admin/users", "系统管理", frozenset({Role.ADMIN})),
)
_BY_KEY = {part.key: part for part in _PARTS}


def require_section(principal: Principal, key: str) -> None:
    """The page of section ``key`` asks this first: ``NotPermitted`` for someone none of whose
    roles may use it (an administrator at 待审批 or 案件查询), by the rule that decides whether
    the navigation offers it. A page with a use case that checks its own reader (the
    supervisor's, the administrator's) needs no call."""
    part = _BY_KEY[key]
    if part.roles is None or set(principal.roles) & part.roles:
        return
    held = "、".join(ROLE_LABELS[r] for r in principal.roles)
    allowed = "、".join(ROLE_LABELS[r] for r in ordered(part.roles))
    raise NotPermitted(f"{principal.name}（{held}）不能使用「{part.label}」：仅供{allowed}使用")


def workbench(svc: Services, principal: Principal) -> Workbench:
    """The sections ``principal`` may use and their home page. Registering follows the
    case types' creation actions (``openable_case_types``), the rest the roles held; every
    page still checks its own permission when used — this only decides what is offered."""
    held = set(principal.roles)
    openable = {t.name for t in openable_case_types(svc, principal)}
    found: list[Section] = []
    for part in _PARTS:
        if part.offered_to(held):
            found.append(Section(part.key, part.href, part.label))
        if part.key == "search":  # the register links sit after search, as they always have
            if CASE_TYPE in openable:
                found.append(Section("new_request", "/requests/new", "登记申请"))
            if openable:
                found.append(Section("open_case", "/cases/new", "登记案件"))
    keys = {s.key for s in found}
    home = "/" if "queue" in keys else ("/admin/users" if "admin" in keys else "/notifications")
    return Workbench(tuple(found), home)
