"""Use cases of signing in: log in (through any provider), the session on every request,
CSRF, log out, log out everywhere, change one's password, and reading the login log.

A login always opens a new session with a new random id (a session id planted before
login is worth nothing after it: no fixation) and revokes the one it replaces. The
database keeps only the id's SHA-256. Every attempt is written to the login log, good or
bad, with its outcome and never the password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import structlog

from govflow.workflow.actors import AccountStatus
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import ActionNotAllowed, NotAuthenticated, NotPermitted
from govflow.workflow.identity import opaque
from govflow.workflow.identity.lockout import LockoutPolicy
from govflow.workflow.identity.passwords import check_strength
from govflow.workflow.identity.ports import (
    Account,
    AccountKind,
    LoginAttempt,
    SecurityEntry,
    SessionRecord,
)
from govflow.workflow.identity.principal import WEB, Principal
from govflow.workflow.identity.providers import (
    LocalPasswords,
    LoginProvider,
    LoginRefused,
)
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.identity.sessions import END_MESSAGES, SessionEnd, SessionPolicy
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.accounts import readable_agencies
from govflow.workflow.services.base import Services, password_hasher

log = structlog.get_logger(__name__)
ProofT = TypeVar("ProofT")

OUTCOMES = {
    "success": "登录成功",
    "bad_password": "密码错误",
    "locked_now": "密码错误，连续失败次数过多，账户已锁定",
    "lockout": "账户因连续登录失败暂时锁定，已拒绝",
    "unknown_account": "无此账户",
    "locked": "账户已被管理员锁定",
    "deactivated": "账户已停用",
    "service_account": "服务账户不能登录",
    "malformed": "未填写用户名或密码",
    "invalid_token": "身份认证平台的凭据无效",
}


@dataclass(frozen=True)
class SessionView:
    """A live session: who, the CSRF token its forms carry, and when it ends if unused."""

    principal: Principal
    csrf_token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True)
class NewSession(SessionView):
    session_id: str = field(default="", repr=False)  # for the cookie; shown nowhere else


def local_passwords(svc: Services) -> LocalPasswords:
    return LocalPasswords(password_hasher(svc))


def _principal(account: Account, channel: str) -> Principal:
    return Principal(
        username=account.username,
        name=account.name,
        roles=account.roles,
        agency_code=account.agency_code,
        channel=channel,
        must_change_password=account.must_change_password,
    )


def _open_session(
    svc: Services,
    uow: UnitOfWork,
    account: Account,
    provider: str,
    now: datetime,
    replaces: str | None,
) -> NewSession:
    if replaces:
        uow.identity.revoke_session(opaque.digest(replaces), now, "replaced_at_login")
    raw, csrf = opaque.new_secret(), opaque.new_secret()
    uow.identity.add_session(
        SessionRecord(opaque.digest(raw), account.username, now, now, None, csrf, provider)
    )
    policy = SessionPolicy.from_settings(svc.config.settings.identity)
    return NewSession(
        principal=_principal(account, WEB),
        csrf_token=csrf,
        expires_at=policy.expires_at(now, now),
        session_id=raw,
    )


def login(
    svc: Services,
    provider: LoginProvider[ProofT],
    proof: ProofT,
    *,
    remote_addr: str | None = None,
    replaces: str | None = None,
) -> NewSession:
    """Log in through ``provider``; ``replaces`` is the session id the browser had before
    (revoked). Raises ``LoginRefused`` (→ 401) with a message for the person, after
    writing the attempt to the login log."""
    now = svc.clock.now()
    lockout = LockoutPolicy.from_settings(svc.config.settings.identity)
    with svc.uow() as uow:
        attempt = _Attempt(uow, now, provider.name, remote_addr)
        try:
            key = provider.identify(proof)
        except LoginRefused as refused:
            attempt.write(_typed_name(proof), refused.outcome, None)
            uow.commit()
            raise
        if key.field == "username":  # the row is locked: concurrent failures count exactly
            account = uow.identity.account(key.value, for_update=True)
        else:
            account = uow.identity.account_by(key.field, key.value)
        if account is None:
            provider.verify(proof, None)  # the same time as a wrong password
            attempt.write(key.value, "unknown_account", None)
            uow.commit()
            raise provider.unknown_account(key)
        if lockout.is_locked(account.locked_until, now):
            attempt.write(key.value, "lockout", account)
            uow.commit()
            until = account.locked_until.astimezone(SHANGHAI).strftime("%H:%M")  # type: ignore[union-attr]
            raise LoginRefused(
                "lockout", f"连续登录失败次数过多，账户已暂时锁定，请于 {until} 后再试"
            )
        verdict = provider.verify(proof, account)
        if not verdict.ok:
            outcome = _failed(uow, lockout, account, now) if provider.counts_failures else None
            attempt.write(key.value, outcome or "bad_password", account)
            uow.commit()
            raise LoginRefused(outcome or "bad_password")
        # The proof is good: only now say why an account may not log in, so a guesser
        # learns nothing about accounts whose password they do not know.
        refusal = _refusal(account)
        if refusal is not None:
            attempt.write(key.value, refusal[0], account)
            uow.commit()
            raise LoginRefused(*refusal)
        changes: dict[str, Any] = {"failures_reset_at": now, "locked_until": None}
        if verdict.new_hash is not None:  # the hashing parameters changed since it was set
            changes["password_hash"] = verdict.new_hash
        uow.identity.update_account(account.username, **changes)
        session = _open_session(svc, uow, account, provider.name, now, replaces)
        attempt.write(key.value, "success", account)
        uow.commit()
    return session


def _failed(uow: UnitOfWork, lockout: LockoutPolicy, account: Account, now: datetime) -> str:
    """A wrong password: lock the account if it is one too many; returns the outcome."""
    since = lockout.count_from(now, account.failures_reset_at)
    failures = [*uow.identity.failures_since(account.username, since), now]
    until = lockout.lock_after(failures, now, account.failures_reset_at)
    if until is None:
        return "bad_password"
    uow.identity.update_account(account.username, locked_until=until, failures_reset_at=now)
    return "locked_now"


def _refusal(account: Account) -> tuple[str, str] | None:
    if account.status is AccountStatus.DEACTIVATED:
        return "deactivated", "账户已停用，不能登录"
    if account.status is AccountStatus.LOCKED:
        return "locked", "账户已被管理员锁定，请联系系统管理员"
    if account.kind is AccountKind.SERVICE:
        return "service_account", "服务账户不能登录，只能通过 API 令牌访问"
    return None


def _typed_name(proof: object) -> str:
    return str(getattr(proof, "username", "") or "")[:64] or "—"


@dataclass
class _Attempt:
    uow: UnitOfWork
    now: datetime
    provider: str
    remote_addr: str | None

    def write(self, username: str, outcome: str, account: Account | None) -> None:
        self.uow.identity.record_login(
            LoginAttempt(
                at=self.now,
                username=username,
                provider=self.provider,
                channel=WEB,
                outcome=outcome,
                account=account.username if account else None,
                agency_code=account.agency_code if account else None,
                remote_addr=self.remote_addr,
            )
        )
        log_at = log.info if outcome == "success" else log.warning
        log_at("identity.login", outcome=outcome, provider=self.provider, username=username)


def authenticate_session(svc: Services, session_id: str | None) -> SessionView:
    """The session behind a cookie, on every request: refused when unknown, revoked, idle
    too long, past its absolute limit, or its account no longer active. Touched at most
    once a minute."""
    if not session_id:
        raise NotAuthenticated("请先登录")
    now = svc.clock.now()
    policy = SessionPolicy.from_settings(svc.config.settings.identity)
    id_hash = opaque.digest(session_id)
    with svc.reading() as uow:
        found = uow.identity.session_with_account(id_hash)
        if found is None:
            raise NotAuthenticated("请先登录")
        record, account = found
        ended = policy.ended(record.created_at, record.last_seen_at, record.revoked_at, now)
        if ended is not None:
            if ended is not SessionEnd.REVOKED:
                uow.identity.revoke_session(id_hash, now, ended.value)
                uow.commit()
            raise NotAuthenticated(END_MESSAGES[ended])
        if account.status is not AccountStatus.ACTIVE:
            uow.identity.revoke_session(id_hash, now, "account_inactive")
            uow.commit()
            raise NotAuthenticated("账户已停用或锁定，请联系系统管理员")
        last_seen = record.last_seen_at
        if policy.needs_touch(last_seen, now):
            uow.identity.touch_session(id_hash, now)
            uow.commit()
            last_seen = now
    return SessionView(
        principal=_principal(account, WEB),
        csrf_token=record.csrf_token,
        expires_at=policy.expires_at(record.created_at, last_seen),
    )


def check_csrf(session: SessionView, presented: str | None) -> None:
    """A state-changing request made with the session cookie must carry the session's CSRF
    token (a form field or header); compared in constant time."""
    if not opaque.same(session.csrf_token, presented):
        raise NotPermitted("页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试")


def logout(svc: Services, session_id: str) -> None:
    now = svc.clock.now()
    with svc.uow() as uow:
        record = uow.identity.session_record(opaque.digest(session_id))
        if record is not None and uow.identity.revoke_session(record.id_hash, now, "logout"):
            _log_self(uow, now, record.username, SecurityAction.LOGOUT, 1)
            uow.commit()


def logout_everywhere(svc: Services, session_id: str) -> int:
    """End every session of the session's user (this one too); returns how many ended."""
    view = authenticate_session(svc, session_id)
    now = svc.clock.now()
    with svc.uow() as uow:
        ended = uow.identity.revoke_sessions(view.principal.username, now, "logout_everywhere")
        _log_self(uow, now, view.principal.username, SecurityAction.LOGOUT_EVERYWHERE, ended)
        uow.commit()
    return ended


def change_password(svc: Services, session_id: str, current: str, new: str) -> NewSession:
    """Change one's own password (and a one-time password at first login): the current one
    is checked (a wrong one counts towards the lockout), every session ends, and a new
    session replaces this one."""
    view = authenticate_session(svc, session_id)
    username = view.principal.username
    check_strength(new, username, svc.config.settings.identity.password_min_length)
    if new == current:
        raise ActionNotAllowed("新密码不能与原密码相同")
    now = svc.clock.now()
    lockout = LockoutPolicy.from_settings(svc.config.settings.identity)
    hasher = password_hasher(svc)
    with svc.uow() as uow:
        account = uow.identity.account(username, for_update=True)
        attempt = _Attempt(uow, now, "local", None)
        if lockout.is_locked(account.locked_until, now):
            attempt.write(username, "lockout", account)
            uow.commit()
            raise NotAuthenticated("连续登录失败次数过多，账户已暂时锁定，请稍后再试")
        if not hasher.verify(account.password_hash, current).ok:
            attempt.write(username, _failed(uow, lockout, account, now), account)
            uow.commit()
            raise NotAuthenticated("原密码错误")
        uow.identity.update_account(
            username,
            password_hash=hasher.hash(new),
            must_change_password=False,
            password_changed_at=now,
        )
        uow.identity.revoke_sessions(username, now, "password_changed")
        account = uow.identity.account(username)
        session = _open_session(svc, uow, account, "local", now, None)
        _log_self(uow, now, username, SecurityAction.PASSWORD_CHANGED, None)
        uow.commit()
    return session


def _log_self(
    uow: UnitOfWork, now: datetime, username: str, action: SecurityAction, ended: int | None
) -> None:
    account = uow.identity.account(username)
    detail = {} if ended is None else {"sessions_ended": ended}
    uow.identity.record_security(
        SecurityEntry(
            now, username, WEB, action, username, account.agency_code if account else None, detail
        )
    )
    log.info(f"identity.{action}", actor=username)


def login_log(
    svc: Services,
    reader: Principal,
    agency: str | None = None,
    *,
    since: datetime | None = None,
    include_children: bool = True,
    limit: int = 500,
    offset: int = 0,
) -> list[LoginAttempt]:
    """The login log, newest first (``offset`` skips that many: the pages of a screen): an
    administrator reads all of it; a supervisor the attempts on the accounts of their agency
    and the agencies below it (attempts on unknown names, which belong to no agency, only
    the administrator)."""
    with svc.uow() as uow:
        codes = readable_agencies(uow, reader, agency, include_children)
        return uow.identity.login_log(codes, since, limit, max(offset, 0))
