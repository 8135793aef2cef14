"""The security log and the login log (SPEC U-1; 等保 2.0: an audit of security events),
as far as their reader may see, and as a person reads them: each entry with its action's or
outcome's words and the people by name, the username beside it (李经办（li.handler）).
The entries themselves, codes and all, stay what ``--json`` exports and scripts read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from govflow.workflow.actors import SYSTEM
from govflow.workflow.identity.ports import LoginAttempt, SecurityEntry
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.providers import PROVIDER_LABELS
from govflow.workflow.identity.security import AGENCY_TARGETS, security_action_label
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.accounts import DirectoryNames, readable_agencies
from govflow.workflow.services.base import Services
from govflow.workflow.services.signin import OUTCOMES

UNKNOWN_ACCOUNT = "未知账户"


@dataclass(frozen=True)
class SecurityLine:
    """One security-log entry and its words: ``action`` 停用账户; ``actor`` and ``target``
    a person 李经办（li.handler） (the system: 系统), an agency 示范镇人民政府（town), a
    template or calendar file as recorded (``notice_template:receipt``)."""

    entry: SecurityEntry
    action: str
    actor: str
    target: str


@dataclass(frozen=True)
class LoginLine:
    """One login attempt and its words: ``who`` 李经办（li.handler）, or a name no account
    answers to as typed, marked li.hander（未知账户）; ``outcome`` 密码错误; ``method``
    本地密码."""

    attempt: LoginAttempt
    who: str
    outcome: str
    method: str


def security_log(
    svc: Services,
    reader: Principal,
    agency: str | None = None,
    *,
    since: datetime | None = None,
    include_children: bool = True,
    limit: int = 500,
) -> list[SecurityEntry]:
    """Changes to accounts, passwords, sessions and tokens, newest first, as far as the
    reader may see (an administrator all; a supervisor those of their agency tree)."""
    with svc.uow() as uow:
        return _security_entries(uow, reader, agency, include_children, since, limit)


def _security_entries(
    uow: UnitOfWork,
    reader: Principal,
    agency: str | None,
    include_children: bool,
    since: datetime | None,
    limit: int,
) -> list[SecurityEntry]:
    """The one read behind ``security_log`` and ``security_log_lines``."""
    codes = readable_agencies(uow, reader, agency, include_children)
    return uow.identity.security_log(codes, since, limit)


def security_log_lines(
    svc: Services,
    reader: Principal,
    agency: str | None = None,
    *,
    since: datetime | None = None,
    include_children: bool = True,
    limit: int = 500,
) -> list[SecurityLine]:
    """``security_log``, each entry with the words a person reads for its codes."""
    with svc.uow() as uow:
        entries = _security_entries(uow, reader, agency, include_children, since, limit)
        people = {e.actor for e in entries}
        people |= {e.target for e in entries if e.action not in AGENCY_TARGETS}
        names = _names(uow, people)
    return [
        SecurityLine(
            entry=e,
            action=security_action_label(e.action),
            actor=_person(names, e.actor),
            target=(
                f"{names.agency(e.target)}（{e.target}）"
                if e.action in AGENCY_TARGETS
                else _person(names, e.target)
            ),
        )
        for e in entries
    ]


def login_log_lines(
    svc: Services,
    reader: Principal,
    agency: str | None = None,
    *,
    since: datetime | None = None,
    include_children: bool = True,
    limit: int = 500,
) -> list[LoginLine]:
    """The login log (``signin.login_log``), each attempt with the words a person reads."""
    with svc.uow() as uow:
        codes = readable_agencies(uow, reader, agency, include_children)
        attempts = uow.identity.login_log(codes, since, limit, 0)
        people = DirectoryNames({}, uow.repo.names(a.account for a in attempts if a.account))
    return [
        LoginLine(
            attempt=a,
            who=(
                f"{a.username}（{UNKNOWN_ACCOUNT}）"
                if a.account is None
                else people.person(a.account)
            ),
            outcome=OUTCOMES.get(a.outcome, a.outcome),
            method=PROVIDER_LABELS.get(a.provider, a.provider),
        )
        for a in attempts
    ]


def _names(uow: UnitOfWork, usernames: Iterable[str]) -> DirectoryNames:
    agencies = {a.code: a.name for a in uow.repo.agencies()}
    return DirectoryNames(agencies, uow.repo.names(set(usernames) - {SYSTEM.username}))


def _person(names: DirectoryNames, username: str) -> str:
    """A person by name (username beside it); the system by its name; a file as recorded."""
    return SYSTEM.name if username == SYSTEM.username else names.person(username)
