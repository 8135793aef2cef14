"""Use cases of account administration: add, set a password, lock, unlock, deactivate,
list; the first administrator of an installation; the principal of a trusted caller.

Every change is made by an administrator (the role ``admin``, who manages accounts and
tokens and takes no action on cases) and written to the security log in the same
transaction. Locking or deactivating an account, or setting its password, ends its
sessions at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from govflow.workflow.actors import (
    STATUS_LABELS,
    SYSTEM,
    AccountStatus,
    Actor,
    Role,
    ordered,
)
from govflow.workflow.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from govflow.workflow.identity.acting import acting_actor, active_actor
from govflow.workflow.identity.passwords import check_strength, one_time_password
from govflow.workflow.identity.ports import Account, AccountKind
from govflow.workflow.identity.principal import SYSTEM_PRINCIPAL, Principal
from govflow.workflow.identity.security import SecurityAction, security_entry
from govflow.workflow.identity.usernames import look_alike
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import Services, password_hasher

log = structlog.get_logger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # as the organisation file and an applicant's
NAME_LENGTH = 64
RESERVED = {SYSTEM.username}
BOOTSTRAP_ADMIN = "admin"


@dataclass(frozen=True)
class NewAccount:
    username: str
    name: str
    roles: tuple[Role, ...]
    agency_code: str | None
    email: str | None = None
    kind: AccountKind = AccountKind.PERSON
    oidc_subject: str | None = None


def check_account(
    username: str,
    name: str,
    roles: tuple[Role, ...],
    agency: str | None,
    email: str | None = None,
) -> None:
    """What every account must be, whoever creates it (a command, a page, the API)."""
    if not USERNAME.match(username) or username in RESERVED:
        raise InvalidInput(
            f"用户名 {username!r} 无效：只能用字母、数字和 _ . -，且不能是保留名",
            {"username": "只能用字母、数字和 _ . -（至多 64 个字符），且不能是保留名"},
        )
    if not name.strip():
        raise InvalidInput("姓名不能为空", {"name": "姓名不能为空"})
    if len(name) > NAME_LENGTH:
        problem = f"姓名不能超过 {NAME_LENGTH} 个字符"
        raise InvalidInput(problem, {"name": problem})
    if email is not None and not EMAIL.match(email):
        # Warnings go to this address (the e-mail channel): a typo would lose them silently.
        problem = f"电子邮箱 {email!r} 格式不对（应如 li@example.gov.cn）"
        raise InvalidInput(problem, {"email": problem})
    if not roles:
        raise InvalidInput(f"用户 {username} 至少要有一个角色", {"roles": "至少选择一个角色"})
    if Role.SYSTEM in roles:
        raise InvalidInput(
            f"用户 {username} 不能使用保留角色 system", {"roles": "不能使用保留角色"}
        )
    if Role.ADMIN in roles and len(roles) > 1:
        # 等保 2.0 separates system administration from the business: an administrator
        # manages accounts and acts on no case.
        raise InvalidInput(
            f"用户 {username}：系统管理员不能同时担任办件角色",
            {"roles": "系统管理员不能同时担任办件角色"},
        )
    if Role.ADMIN not in roles and agency is None:
        raise InvalidInput(f"用户 {username} 必须属于一个机关", {"agency": "请选择所属机关"})


def require_admin(uow: UnitOfWork, by: Principal, what: str = "账户和令牌") -> Actor:
    """The acting administrator, or ``NotPermitted`` naming ``what`` they may not manage."""
    if by.is_system:
        return SYSTEM
    if by.scope is not None:
        raise NotPermitted(f"API 令牌不能管理{what}")
    actor = acting_actor(uow.repo, by)
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(f"{actor.name} 不是系统管理员，不能管理{what}")
    return actor


def record(
    uow: UnitOfWork,
    now: datetime,
    by: Actor,
    action: SecurityAction,
    target: Account,
    **detail: Any,
) -> None:
    """One security-log entry (and a log line): never a password, token or session id."""
    uow.identity.record_security(security_entry(now, by, action, target, **detail))
    log.info(f"identity.{action}", actor=by.username, channel=by.channel, target=target.username)


def existing_account(uow: UnitOfWork, username: str) -> Account:
    account = uow.identity.account(username, for_update=True)
    if account is None:
        raise NotFound(f"没有用户 {username!r}")
    return account


def _new_password(svc: Services, username: str, password: str | None) -> tuple[str, str | None]:
    """The hash to store, and the password to show once when one was generated."""
    shown = None
    if password is None:
        password = shown = one_time_password()
    check_strength(password, username, svc.config.settings.identity.password_min_length)
    return password_hasher(svc).hash(password), shown


def add_user(
    svc: Services,
    by: Principal,
    new: NewAccount,
    password: str | None = None,
    *,
    generate: bool = False,
) -> str | None:
    """Create an account. With ``generate`` (and no password) a one-time password is made
    and returned, to be shown once; the user must change it at first login. A service
    account never has a password: it acts through API tokens."""
    roles = ordered(new.roles)
    check_account(new.username, new.name, roles, new.agency_code, new.email)
    if new.kind is AccountKind.SERVICE and (password or generate):
        raise InvalidInput("服务账户不能设置密码，请为其创建 API 令牌")
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        if uow.identity.account(new.username) is not None:
            raise InvalidInput(f"用户 {new.username} 已存在", {"username": "该用户名已存在"})
        alike = uow.identity.account_ignoring_case(new.username)
        if alike is not None:  # ``Wang.Clerk`` beside ``wang.clerk``: one name to a person
            raise look_alike(new.username, alike)
        if new.oidc_subject and uow.identity.account_by("oidc_subject", new.oidc_subject):
            raise InvalidInput("该统一身份认证标识已属于另一个用户")
        if new.agency_code is not None:
            uow.identity.agency_codes(new.agency_code, False)  # NotFound for an unknown agency
        hashed, shown = (None, None)
        if password is not None or generate:
            hashed, shown = _new_password(svc, new.username, password)
        account = Account(
            username=new.username,
            name=new.name.strip(),
            roles=roles,
            agency_code=new.agency_code,
            email=new.email,
            kind=new.kind,
            password_hash=hashed,
            must_change_password=shown is not None,
            oidc_subject=new.oidc_subject,
        )
        uow.identity.add_account(account, now)
        record(uow, now, actor, SecurityAction.USER_ADDED, account, roles=[r.value for r in roles])
        uow.commit()
    return shown


def set_password(
    svc: Services,
    by: Principal,
    username: str,
    password: str | None = None,
    *,
    temporary: bool = True,
) -> str | None:
    """Set (or, with no password, generate) an account's password; a temporary one must be
    changed at the next login. Ends the account's sessions. Returns a generated password."""
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        account = existing_account(uow, username)
        if account.kind is AccountKind.SERVICE:
            raise InvalidInput("服务账户不能设置密码，请为其创建 API 令牌")
        hashed, shown = _new_password(svc, username, password)
        uow.identity.update_account(
            username,
            password_hash=hashed,
            must_change_password=temporary,
            password_changed_at=now,
            locked_until=None,
            failures_reset_at=now,
        )
        ended = uow.identity.revoke_sessions(username, now, "password_set")
        record(
            uow,
            now,
            actor,
            SecurityAction.PASSWORD_SET,
            account,
            temporary=temporary,
            sessions_ended=ended,
        )
        uow.commit()
    return shown


def _change_status(
    svc: Services,
    by: Principal,
    username: str,
    to: AccountStatus,
    action: SecurityAction,
    reason: str | None,
) -> int:
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        account = existing_account(uow, username)
        if account.status is to and to is not AccountStatus.ACTIVE:
            raise InvalidInput(f"用户 {username} 的账户{STATUS_LABELS[to]}")
        if (
            to is not AccountStatus.ACTIVE
            and Role.ADMIN in account.roles
            and account.status is AccountStatus.ACTIVE
            and uow.identity.count_active_admins() <= 1
        ):
            raise ActionNotAllowed("不能锁定或停用最后一个系统管理员")
        changes: dict[str, Any] = {"status": to}
        if to is AccountStatus.ACTIVE:  # unlocking also lifts a lockout after failed logins
            changes.update(locked_until=None, failures_reset_at=now)
        uow.identity.update_account(username, **changes)
        ended = 0
        if to is not AccountStatus.ACTIVE:
            ended = uow.identity.revoke_sessions(username, now, action)
        record(uow, now, actor, action, account, reason=reason, sessions_ended=ended)
        uow.commit()
    return ended


def lock_user(svc: Services, by: Principal, username: str, reason: str | None = None) -> int:
    """Lock an account until an administrator unlocks it; returns the sessions ended."""
    return _change_status(
        svc, by, username, AccountStatus.LOCKED, SecurityAction.USER_LOCKED, reason
    )


def unlock_user(svc: Services, by: Principal, username: str, reason: str | None = None) -> None:
    """Unlock an account locked by an administrator or by failed logins."""
    _change_status(svc, by, username, AccountStatus.ACTIVE, SecurityAction.USER_UNLOCKED, reason)


def deactivate_user(svc: Services, by: Principal, username: str, reason: str | None = None) -> int:
    """A departed user: can no longer log in or act; past events keep the name."""
    return _change_status(
        svc, by, username, AccountStatus.DEACTIVATED, SecurityAction.USER_DEACTIVATED, reason
    )


def activate_user(svc: Services, by: Principal, username: str, reason: str | None = None) -> None:
    _change_status(svc, by, username, AccountStatus.ACTIVE, SecurityAction.USER_ACTIVATED, reason)


def list_users(
    svc: Services,
    by: Principal,
    agency: str | None = None,
    *,
    include_children: bool = False,
    include_inactive: bool = False,
) -> list[Account]:
    """Accounts, for an administrator (all) or a supervisor (their agency and below)."""
    with svc.uow() as uow:
        codes = readable_agencies(uow, by, agency, include_children)
        return uow.identity.accounts(codes, include_inactive)


@dataclass(frozen=True)
class DirectoryNames:
    """What a list of accounts or tokens shows for the codes it keeps: each agency's name
    by code, the people it names by username (one no longer known: as it was recorded)."""

    agencies: dict[str, str]
    people: dict[str, str]

    def agency(self, code: str | None) -> str:
        return "—" if code is None else self.agencies.get(code, code)

    def person(self, username: str) -> str:
        name = self.people.get(username)
        return f"{name}（{username}）" if name else username


def directory_names(svc: Services, by: Principal, usernames: Iterable[str] = ()) -> DirectoryNames:
    """The organisation's names (no personal data) for an active account's lists."""
    with svc.uow() as uow:
        acting_actor(uow.repo, by)
        agencies = {a.code: a.name for a in uow.repo.agencies()}
        return DirectoryNames(agencies, uow.repo.names(usernames))


def readable_agencies(
    uow: UnitOfWork, reader: Principal, agency: str | None, children: bool
) -> list[str] | None:
    """The agencies whose accounts and logs ``reader`` may see (``None``: all of them, for
    an administrator, or the system itself — a trusted in-process caller such as the demo —;
    a supervisor sees their agency and those below it)."""
    actor = acting_actor(uow.repo, reader)
    codes = None if agency is None else uow.identity.agency_codes(agency, children)
    if reader.is_system or actor.has_role(Role.ADMIN):
        return codes
    if not actor.has_role(Role.SUPERVISOR) or actor.agency_code is None:
        raise NotPermitted(f"{actor.name} 不是系统管理员或督查，无权查看")
    # Through an API token, the token's reach (its agency, those below only if it says so),
    # as for the cases; its agency is within the account's (``authenticate_token``).
    root, below = actor.agency_code, True
    if reader.scope is not None:
        root, below = reader.scope.agency, reader.scope.include_children
    mine = uow.identity.agency_codes(root, below)
    return mine if codes is None else [c for c in codes if c in mine]


def bootstrap_admin(svc: Services) -> tuple[str, str] | None:
    """First start: when no active administrator exists, create one with a one-time
    password, returned to be printed once (never logged). Also the way back in for whoever
    holds the database credentials if every administrator was locked out."""
    now = svc.clock.now()
    with svc.uow() as uow:
        if uow.identity.count_active_admins() > 0:
            return None
        username = BOOTSTRAP_ADMIN
        n = 1
        while uow.identity.account_ignoring_case(username) is not None:
            n += 1
            username = f"{BOOTSTRAP_ADMIN}{n}"
        password = one_time_password()
        account = Account(
            username=username,
            name="系统管理员",
            roles=(Role.ADMIN,),
            agency_code=None,
            password_hash=password_hasher(svc).hash(password),
            must_change_password=True,
        )
        uow.identity.add_account(account, now)
        record(uow, now, SYSTEM, SecurityAction.ADMIN_BOOTSTRAPPED, account)
        uow.commit()
    return username, password


def principal_for(svc: Services, username: str, channel: str) -> Principal:
    """The principal of a caller trusted to name the user: the command line (``--as``, for
    whoever holds the database credentials) and in-process tools. ``system`` is the system."""
    if username == SYSTEM.username:
        return Principal(SYSTEM.username, SYSTEM.name, SYSTEM_PRINCIPAL.roles, None, channel)
    with svc.uow() as uow:
        actor = active_actor(uow.repo, username)
    return Principal(actor.username, actor.name, actor.held_roles, actor.agency_code, channel)


class Principals:
    """Principals of a trusted in-process caller (the synthetic-data writers, the demo,
    tests), each user looked up once: ``principals("li.handler")``."""

    def __init__(self, svc: Services, channel: str) -> None:
        self._svc, self._channel = svc, channel
        self._known: dict[str, Principal] = {}

    def __call__(self, username: str) -> Principal:
        found = self._known.get(username)
        if found is None:
            found = self._known[username] = principal_for(self._svc, username, self._channel)
        return found
