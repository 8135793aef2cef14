"""What the administrator's screens read, and the one account change they need that no
command had: ending all of another user's sessions (强制下线).

The writing use cases are those of ``accounts`` and ``tokens``; these read the lists a
form needs (accounts with their last login, the agencies to choose from, the accounts a
token may be issued to) in one call each, and are the administrator's alone: a supervisor,
who may read accounts and logs of their agency tree through the API, gets no
administrator's screen (``NotPermitted``, as for anyone else).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from govflow.workflow import texts
from govflow.workflow.actors import STATUS_LABELS, AccountStatus, Actor, Agency, Role
from govflow.workflow.casetype import CaseType
from govflow.workflow.errors import NotPermitted
from govflow.workflow.escalation import Rule
from govflow.workflow.identity.ports import Account, LoginAttempt, TokenRecord
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.accounts import existing_account, record, require_admin
from govflow.workflow.services.base import Services
from govflow.workflow.services.tokens import lapsed

# The roles an administrator may give (the system's own is reserved), least senior first.
ASSIGNABLE = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD, Role.SUPERVISOR, Role.ADMIN)
LOG_PAGE_MAX = 200


@dataclass(frozen=True)
class RosterEntry:
    account: Account
    last_login: datetime | None  # the latest successful login, when there was one
    locked_out_until: datetime | None = None  # too many failed logins (unlocking lifts it)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.account.status]


@dataclass(frozen=True)
class Roster:
    """Every account (deactivated ones too), and what the "new user" form chooses from."""

    users: list[RosterEntry]
    agencies: list[Agency]
    roles: tuple[Role, ...]

    @property
    def agency_names(self) -> dict[str, str]:
        """Each agency's Chinese name by code: what the list shows for an account's agency."""
        return {a.code: a.name for a in self.agencies}


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
    # The Chinese name of each token's account and creator, by username (what the list
    # shows; a username no account has any more is shown as it is).
    people: dict[str, str] = field(default_factory=dict)

    @property
    def agency_names(self) -> dict[str, str]:
        """Each agency's Chinese name by code: a token's scope and a holder's agency."""
        return {a.code: a.name for a in self.agencies}


@dataclass(frozen=True)
class LoginLogPage:
    entries: list[LoginAttempt]
    page: int  # from 1
    size: int
    has_next: bool
    # Each agency's Chinese name by code: what the log's agency column shows.
    agency_names: dict[str, str] = field(default_factory=dict)


def _screen_reader(uow: UnitOfWork, by: Principal) -> Actor:
    """The administrator reading a screen; anyone else is refused in the screens' words."""
    try:
        return require_admin(uow, by)
    except NotPermitted:
        raise NotPermitted(f"{by.name} 不是系统管理员，无权使用系统管理页面") from None


def administrator(svc: Services, by: Principal) -> Actor:
    """The acting administrator, or ``NotPermitted``: each administrator's screen asks first."""
    with svc.uow() as uow:
        return _screen_reader(uow, by)


def user_roster(svc: Services, by: Principal) -> Roster:
    """The accounts page: every account by username, with its last successful login."""
    with svc.uow() as uow:
        _screen_reader(uow, by)
        accounts = uow.identity.accounts(None, include_inactive=True)
        last = uow.identity.last_logins([a.username for a in accounts])
        agencies = uow.repo.agencies()
    now = svc.clock.now()
    users = [
        RosterEntry(a, last.get(a.username), a.locked_until if _locked_out(a, now) else None)
        for a in accounts
    ]
    return Roster(users, sorted(agencies, key=lambda a: a.code), ASSIGNABLE)


def _locked_out(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def token_roster(svc: Services, by: Principal) -> TokenRoster:
    settings = svc.config.settings.identity
    with svc.uow() as uow:
        _screen_reader(uow, by)
        tokens = lapsed(uow, uow.identity.tokens(include_inactive=True))
        accounts = uow.identity.accounts(None, include_inactive=False)
        agencies = uow.repo.agencies()
        people = uow.repo.names({t.username for t in tokens} | {t.created_by for t in tokens})
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
        people=people,
    )


def login_log_page(svc: Services, by: Principal, page: int = 1, size: int = 50) -> LoginLogPage:
    """One page of the login log, newest first (a row more is read to know if another
    page follows)."""
    page, size = max(page, 1), min(max(size, 1), LOG_PAGE_MAX)
    with svc.uow() as uow:
        _screen_reader(uow, by)
        rows = uow.identity.login_log(None, None, size + 1, (page - 1) * size)
        names = {a.code: a.name for a in uow.repo.agencies()}
    return LoginLogPage(rows[:size], page, size, len(rows) > size, names)


def end_sessions(svc: Services, by: Principal, username: str) -> int:
    """Force a user out (强制下线): every session of the account ends now; the account
    stays as it is (a password login opens a new session). Returns how many ended."""
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        account = existing_account(uow, username)
        ended = uow.identity.revoke_sessions(username, now, "sessions_ended")
        record(uow, now, actor, SecurityAction.SESSIONS_ENDED, account, sessions_ended=ended)
        uow.commit()
    return ended


@dataclass(frozen=True)
class RuleView:
    name: str
    when: str  # the threshold (and repeat) in words
    level: str  # 预警 or 督办
    notifies: tuple[str, ...]  # who, in words
    action: str | None  # a system action fired instead (an expiry), by its label


@dataclass(frozen=True)
class LadderView:
    """One case type's escalation ladders in force: per deadline kind, its rules in order."""

    case_type: str
    label: str
    policy: str | None  # the policy's name in the escalation file; None: no ladder
    digest: str | None  # what each case records when registered (adopting moves it)
    kinds: tuple[tuple[str, tuple[RuleView, ...]], ...]  # (deadline label, rules)


def escalation_ladders(svc: Services, by: Principal) -> list[LadderView]:
    """The ladders in force, read-only, for the administrator: from the configuration the
    process runs with (editing the file changes new cases only; ``escalation adopt``
    moves open ones)."""
    administrator(svc, by)
    views = []
    for flow in svc.config.case_types.values():
        case_type = flow.case_type
        policy = svc.config.policies.get(flow.escalation) if flow.escalation else None
        labels = flow.deadline_labels  # a coded type's limits are named too, not only declared ones
        kinds = []
        for kind, rules in policy.ladders.items() if policy else ():
            kinds.append((labels.get(kind, kind), tuple(_rule(case_type, r) for r in rules)))
        views.append(
            LadderView(
                case_type=case_type.name,
                label=case_type.label,
                policy=flow.escalation if policy else None,
                digest=policy.digest if policy else None,
                kinds=tuple(kinds),
            )
        )
    return views


def _rule(case_type: CaseType, rule: Rule) -> RuleView:
    threshold = rule.threshold.model_dump(exclude_none=True, mode="json")
    repeat = rule.repeat.model_dump(mode="json") if rule.repeat else None
    action = None
    if rule.action is not None:
        spec = case_type.actions.get(rule.action)
        action = spec.label if spec else rule.action
    return RuleView(
        name=rule.rule,
        when=texts.rule_label(rule.level, threshold, repeat),
        level="督办" if rule.level == "escalation" else "预警",
        notifies=tuple(texts.RECIPIENT_LABELS.get(r, r) for r in rule.notify),
        action=action,
    )
