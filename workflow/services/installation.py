"""What the administrator's screens read of the installation itself: the declared case
types (states, actions with their roles, the state diagram) and the agency tree with how
many people work in each; and adding an agency (``add_agency``), written to the security
log. The organisation file (``govflow init --org``) adds and renames agencies too; it
never removes one, so an agency added here stays when the file is imported again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import structlog

from govflow.workflow.actors import AccountStatus, Actor, Agency
from govflow.workflow.agencies import NewAgency, checked
from govflow.workflow.errors import Conflict
from govflow.workflow.identity.ports import SecurityEntry
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.inputs import ActionInfo, type_actions
from govflow.workflow.services.accounts import require_admin
from govflow.workflow.services.administration import administrator
from govflow.workflow.services.base import Services
from govflow.workflow.services.catalogue import diagram

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CaseTypeSheet:
    name: str
    label: str
    source: str  # the declaration file
    states: tuple[tuple[str, str], ...]  # (code, Chinese name), declared order
    initial: str
    open_states: frozenset[str]
    actions: tuple[ActionInfo, ...]  # the creating one first
    mermaid: str  # the state diagram as text: the page shows it, drawing needs no script


def case_type_sheets(svc: Services, by: Principal) -> list[CaseTypeSheet]:
    """Every declared case type as the administrator reviews it, in declared order."""
    administrator(svc, by)
    sheets = []
    for flow in svc.config.case_types.values():
        case_type = flow.case_type
        sheets.append(
            CaseTypeSheet(
                name=case_type.name,
                label=case_type.label,
                source=case_type.source,
                states=tuple(case_type.states.items()),
                initial=case_type.initial,
                open_states=case_type.open_states,
                actions=type_actions(flow).actions,
                mermaid=diagram(svc, case_type.name, "mermaid"),
            )
        )
    return sheets


@dataclass(frozen=True)
class AgencyNode:
    code: str
    name: str
    ref_prefix: str
    depth: int  # 0 for a top agency: the page indents by it
    users: int  # active accounts of this agency (not counting those below it)


def agency_tree(svc: Services, by: Principal) -> list[AgencyNode]:
    """The agencies, each followed by those below it (depth first, by code), with the
    number of active accounts each holds."""
    administrator(svc, by)
    with svc.uow() as uow:
        agencies = uow.repo.agencies()
        accounts = uow.identity.accounts(None, False)
    counts = Counter(
        a.agency_code for a in accounts if a.status is AccountStatus.ACTIVE and a.agency_code
    )
    children: dict[str | None, list[Agency]] = {}
    known = {a.code for a in agencies}
    for agency in sorted(agencies, key=lambda a: a.code):
        parent = agency.parent if agency.parent in known else None
        children.setdefault(parent, []).append(agency)
    found: list[AgencyNode] = []

    def walk(parent: str | None, depth: int) -> None:
        for agency in children.get(parent, ()):
            node = AgencyNode(
                agency.code, agency.name, agency.ref_prefix, depth, counts[agency.code]
            )
            found.append(node)
            walk(agency.code, depth + 1)

    walk(None, 0)
    return found


def add_agency(svc: Services, by: Principal, new: NewAgency) -> Agency:
    """Add an agency (an administrator only), checked against those there are
    (``workflow.agencies``), in the security log as ``agency_added``."""
    now = svc.clock.now()
    try:
        added, actor = _add_agency(svc, by, new, now)
    except Conflict:  # another administrator added the same code or prefix since the check
        raise Conflict(
            f"机关代码 {new.code} 或案件编号前缀 {new.ref_prefix} 刚被另一位管理员使用，"
            "本次未保存；请刷新机关列表后重试"
        ) from None
    log.info("identity.agency_added", actor=actor.username, agency=added.code)
    return added


def _add_agency(
    svc: Services, by: Principal, new: NewAgency, now: datetime
) -> tuple[Agency, Actor]:
    with svc.uow() as uow:
        actor = require_admin(uow, by, "机关")
        agency = checked(new, uow.repo.agencies())
        added = uow.repo.add_agency(agency.code, agency.name, agency.ref_prefix, agency.parent)
        detail = {"name": added.name, "ref_prefix": added.ref_prefix, "parent": added.parent}
        uow.identity.record_security(
            SecurityEntry(
                at=now,
                actor=actor.username,
                channel=actor.channel or "system",
                action=SecurityAction.AGENCY_ADDED,
                target=added.code,
                agency_code=added.code,
                detail=detail,
            )
        )
        uow.commit()
    return added, actor
