"""API tokens for integrations (a 舆情 monitoring platform pushing incidents, the website's
form pushing requests): created by an administrator for a user or a service account with
a scope, shown once, stored as a SHA-256 digest, expiring, revocable.

A token acts as its account, within its scope: the actions it names (or every action the
account may take), the account's own agency (a supervisor's read-only token may reach the
agencies below, and only with ``include_children``), or nothing but reading; and it reads
the applicants' identity and contact data unmasked (and downloads the notices that print
them) only if issued with ``personal_data``, where its account's role would see them: the
actions a token names limit what it writes, not what it reads. The account's
standing is checked on every use: a token of a deactivated or locked account is refused
(401), and so is a token for an agency its account may no longer reach — moved to another
agency, or no longer a supervisor above it — (403: the credential is good, it may not be
used there), until the account is moved back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta

import structlog

from govflow.workflow.access import STAFF
from govflow.workflow.actors import AccountStatus, Role
from govflow.workflow.errors import InvalidInput, NotAuthenticated, NotFound
from govflow.workflow.identity import opaque
from govflow.workflow.identity.acting import agency_name
from govflow.workflow.identity.ports import Account, TokenRecord
from govflow.workflow.identity.principal import (
    Principal,
    TokenScope,
    api_channel,
    no_longer_applies,
)
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.accounts import existing_account, record, require_admin
from govflow.workflow.services.base import Services

log = structlog.get_logger(__name__)

TOKEN_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TOUCH_EVERY = timedelta(minutes=1)
REFUSED = "API 令牌无效、已过期或已吊销"


@dataclass(frozen=True)
class TokenRequest:
    name: str  # recorded as the channel of every event: api:<name>
    username: str
    actions: frozenset[str] | None = None  # None: every action the account may take
    agency: str | None = None  # default: the account's agency
    include_children: bool = False
    read_only: bool = False
    personal_data: bool = False  # reads applicants' identity and contact data unmasked
    days: int | None = None  # default: settings.token_default_days


@dataclass(frozen=True)
class IssuedToken:
    record: TokenRecord
    token: str = field(repr=False)  # shown once; only its digest is kept


def create_token(svc: Services, by: Principal, request: TokenRequest) -> IssuedToken:
    """Issue a token. A named action must be declared by some case type and allowed to one
    of the account's roles (else the token would grant nothing)."""
    if not TOKEN_NAME.match(request.name):
        raise InvalidInput(
            f"令牌名称 {request.name!r} 无效：小写字母、数字和 _ . -，至多 64 个字符",
            {"name": "只能用小写字母、数字和 _ . -，以字母或数字开头，至多 64 个字符"},
        )
    settings = svc.config.settings.identity
    # Only an absent lifetime takes the default: 0 days is a mistake to name, not a
    # request for the default 90 (``--days 0`` once issued a 90-day token).
    days = settings.token_default_days if request.days is None else request.days
    if not 1 <= days <= settings.token_max_days:
        message = f"令牌有效期应为 1–{settings.token_max_days} 天"
        raise InvalidInput(message, {"days": message})
    if request.actions is not None and not request.actions:
        # An empty list would issue a token that may do nothing; "every action" is no list.
        message = "请至少指定一个动作；不指定动作即为该账户可执行的全部动作"
        raise InvalidInput(message, {"actions": message})
    if request.read_only and request.actions:
        raise InvalidInput("只读令牌不能指定动作", {"actions": "只读令牌不能指定动作"})
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        account = existing_account(uow, request.username)
        if account.status is not AccountStatus.ACTIVE:
            raise InvalidInput(
                f"用户 {account.username} 的账户不是正常状态，不能为其创建令牌",
                {"username": "该账户不是正常状态"},
            )
        if Role.ADMIN in account.roles:
            raise InvalidInput(
                "不能为系统管理员创建令牌：账户管理只能由管理员本人操作",
                {"username": "不能为系统管理员创建令牌"},
            )
        if account.agency_code is None:
            raise InvalidInput(
                f"用户 {account.username} 不属于任何机关", {"username": "该账户不属于任何机关"}
            )
        agency = request.agency or account.agency_code
        reachable = uow.identity.agency_codes(account.agency_code, True)
        if agency != account.agency_code and not (
            request.read_only and Role.SUPERVISOR in account.roles and agency in reachable
        ):
            home = uow.repo.agency(account.agency_code).name
            message = (
                f"令牌只能用于 {account.name}（{account.username}）所属的{home}"
                "（督查的只读令牌可用于下级机关）"
            )
            raise InvalidInput(message, {"agency": message})
        if request.include_children and not request.read_only:
            message = "包含下级机关的令牌必须是只读令牌"
            raise InvalidInput(message, {"include_children": message})
        if request.personal_data and not (
            agency == account.agency_code and any(r in STAFF for r in account.roles)
        ):
            # Granting it would grant nothing (as an action the roles may not take): only
            # the staff of a case's agency see its applicants, and a supervisor's token for
            # an agency below reads there as a supervisor.
            message = (
                "只有本机关登记员、经办人或负责人在本机关使用的令牌才能读取申请人身份与联系信息"
            )
            raise InvalidInput(message, {"personal_data": message})
        if request.actions is not None:
            _check_actions(request.actions, account.roles, _declared_actions(svc))
        if uow.identity.token_named(request.name) is not None:
            raise InvalidInput(f"已有名为 {request.name} 的令牌", {"name": "该名称已被使用"})
        raw = opaque.new_api_token()
        issued = TokenRecord(
            name=request.name,
            username=account.username,
            scope=TokenScope(
                agency=agency,
                actions=request.actions,
                include_children=request.include_children,
                read_only=request.read_only,
                personal_data=request.personal_data,
            ),
            created_at=now,
            created_by=actor.username,
            expires_at=now + timedelta(days=days),
            prefix=raw[:12],
        )
        uow.identity.add_token(issued, opaque.digest(raw))
        record(
            uow,
            now,
            actor,
            SecurityAction.TOKEN_CREATED,
            account,
            token=request.name,
            **issued.scope.to_json(),
        )
        uow.commit()
    return IssuedToken(issued, raw)


def _declared_actions(svc: Services) -> Iterator[tuple[str, frozenset[Role]]]:
    for flow in svc.config.case_types.values():
        for name, spec in flow.case_type.actions.items():
            yield name, spec.roles


def _check_actions(
    actions: frozenset[str],
    roles: tuple[Role, ...],
    known: Iterable[tuple[str, frozenset[Role]]],
) -> None:
    allowed: dict[str, bool] = {}
    for name, action_roles in known:
        allowed[name] = allowed.get(name, False) or bool(action_roles & set(roles))
    unknown = sorted(a for a in actions if a not in allowed)
    if unknown:
        message = f"未知动作：{'、'.join(unknown)}"
        raise InvalidInput(message, {"actions": message})
    useless = sorted(a for a in actions if not allowed[a])
    if useless:
        message = f"该账户的角色无权执行：{'、'.join(useless)}"
        raise InvalidInput(message, {"actions": message})


def revoke_token(svc: Services, by: Principal, name: str) -> None:
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = require_admin(uow, by)
        token = uow.identity.token_named(name)
        if token is None:
            raise NotFound(f"没有名为 {name} 的令牌")
        if token.revoked_at is not None:
            raise InvalidInput(f"令牌 {name} 已吊销")
        uow.identity.revoke_token(name, now)
        record(
            uow,
            now,
            actor,
            SecurityAction.TOKEN_REVOKED,
            existing_account(uow, token.username),
            token=name,
        )
        uow.commit()


def list_tokens(svc: Services, by: Principal, include_inactive: bool = False) -> list[TokenRecord]:
    """Tokens by name (never the token itself, which is not kept)."""
    now = svc.clock.now()
    with svc.uow() as uow:
        require_admin(uow, by)
        tokens = lapsed(uow, uow.identity.tokens(include_inactive=True))
    if include_inactive:
        return tokens
    return [t for t in tokens if t.revoked_at is None and t.expires_at > now]


def _applies(uow: UnitOfWork, token: TokenRecord, account: Account) -> bool:
    """Whether the token applies to its account as it is now (``TokenScope.applies``); the
    agency tree is read only for a token away from the account's own agency."""
    scope, home = token.scope, account.agency_code
    below: list[str] = []
    if home is not None and scope.agency != home and scope.may_leave_home(account.roles):
        below = uow.identity.agency_codes(home, True)
    return scope.applies(home, account.roles, below)


def lapsed(uow: UnitOfWork, found: list[TokenRecord]) -> list[TokenRecord]:
    """The tokens, each marked ``applies=False`` whose account has left its agency."""
    accounts: dict[str, Account | None] = {}
    marked = []
    for token in found:
        if token.username not in accounts:
            accounts[token.username] = uow.identity.account(token.username)
        account = accounts[token.username]
        applies = account is None or _applies(uow, token, account)
        marked.append(token if applies else replace(token, applies=False))
    return marked


def authenticate_token(svc: Services, raw: str | None) -> Principal:
    """The principal behind an ``Authorization: Bearer`` token: its account (which must be
    active) through the channel ``api:<token name>``, limited to the token's scope."""
    if not raw or not raw.startswith(opaque.TOKEN_PREFIX):
        raise NotAuthenticated(REFUSED)
    now = svc.clock.now()
    with svc.reading() as uow:
        found = uow.identity.token_with_account(opaque.digest(raw))
        if found is None or found[0].revoked_at is not None or now >= found[0].expires_at:
            log.warning("identity.token_refused", token=found[0].name if found else None)
            raise NotAuthenticated(REFUSED)
        token, account = found
        if account.status is not AccountStatus.ACTIVE:
            log.warning("identity.token_refused", token=token.name, reason="account")
            raise NotAuthenticated("API 令牌所属账户已停用或锁定")
        if not _applies(uow, token, account):
            # A valid credential that may not do this (403, as a scope's refusal), not a
            # credential gone bad (401): moving the account back makes it apply again.
            log.warning("identity.token_refused", token=token.name, reason="agency")
            raise no_longer_applies(agency_name(uow.repo, token.scope.agency))
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            uow.identity.touch_token(token.name, now)
            uow.commit()
    return Principal(
        username=account.username,
        name=account.name,
        roles=account.roles,
        agency_code=account.agency_code,
        channel=api_channel(token.name),
        scope=token.scope,
    )
