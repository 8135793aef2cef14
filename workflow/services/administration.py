"""What the administrator's screens read, and the one account change they need that no
command had: ending all of another user's sessions (强制下线).

The writing use cases are those of ``accounts`` and ``tokens``; these read the lists a
form needs (accounts with their last login, the agencies to choose from, the accounts a
token may be issued to) in one call each, and are the administrator's alone: a supervisor,
who may read accounts and logs of their agency tree through the API, gets no
administrator's screen (``NotPermitted``, as for anyone else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govflow.workflow.actors import STATUS_LABELS, AccountStatus, Actor, Agency, Role
from govflow.workflow.identity.ports import Account, LoginAttempt, TokenRecord
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services.accounts import existing_account, record, require_admin
from govflow.workflow.services.base import Services

# The roles an administrator may give (the system's own is reserved), least senior first.
ASSIGNABLE = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD, Role.SUPERVISOR, Role.ADMIN)
LOG_PAGE_MAX = 200


@dataclass(frozen=True)
class RosterEntry:
    account: Account
    last_login: datetime | None  # the latest successful login, when there was one

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.account.status]


@dataclass(frozen=True)
class Roster:
    """Every account (deactivated ones too), and what the "new user" form chooses from."""

    users: list[RosterEntry]
    agencies: list[Agency]
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class TokenRoster:
    """Every token (revoked and expired ones too), and who a new one may be issued to:
    active accounts of an agency that are not administrators."""

    tokens: list[TokenRecord]
    holders: list[Account]
    agencies: list[Agency]
    default_days: int
    max_days: int
    now: datetime


@dataclass(frozen=True)
class LoginLogPage:
    entries: list[LoginAttempt]
    page: int  # from 1
    size: int
    has_next: bool


def administrator(svc: Services, by: Principal) -> Actor:
    """The acting administrator, or ``NotPermitted``: each administrator's screen asks first."""
    with svc.uow() as uow:
        return require_admin(uow, by)


def user_roster(svc: Services, by: Principal) -> Roster:
    """The accounts page: every account by username, with its last successful login."""
    with svc.uow() as uow:
        require_admin(uow, by)
        accounts = uow.identity.accounts(None, include_inactive=True)
        last = uow.identity.last_logins([a.username for a in accounts])
        agencies = uow.repo.agencies()
    users = [RosterEntry(a, last.get(a.username)) for a in accounts]
    return Roster(users, sorted(agencies, key=lambda a: a.code), ASSIGNABLE)


def token_roster(svc: Services, by: Principal) -> TokenRoster:
    settings = svc.config.settings.identity
    with svc.uow() as uow:
        require_admin(uow, by)
        tokens = uow.identity.tokens(include_inactive=True)
        accounts = uow.identity.accounts(None, include_inactive=False)
        agencies = uow.repo.agencies()
    holders = [
        a
        for a in accounts
        if a.status is AccountStatus.ACTIVE
        and a.agency_code is not None
        and Role.ADMIN not in a.roles
    ]
    return TokenRoster(
        tokens=tokens,
        holders=holders,
        agencies=sorted(agencies, key=lambda a: a.code),
        default_days=settings.token_default_days,
        max_days=settings.token_max_days,
        now=svc.clock.now(),
    )


def login_log_page(svc: Services, by: Principal, page: int = 1, size: int = 50) -> LoginLogPage:
    """One page of the login log, newest first (a row more is read to know if another
    page follows)."""
    page, size = max(page, 1), min(max(size, 1), LOG_PAGE_MAX)
    with svc.uow() as uow:
        require_admin(uow, by)
        rows = uow.identity.login_log(None, None, size + 1, (page - 1) * size)
    return LoginLogPage(rows[:size], page, size, len(rows) > size)


def end_sessions(svc: Services, by: Principal, username: str) -> int:
    """Force a user out (强制下线): every session of the account ends now; the account
    stays as it is (a password login opens a new session). Returns how many ended."""
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        account = existing_account(uow, username)
        ended = uow.identity.revoke_sessions(username, now, "sessions_ended")
        record(uow, now, actor, "sessions_ended", account, sessions_ended=ended)
        uow.commit()
    return ended
