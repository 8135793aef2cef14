"""What the identity use cases need from storage (``IdentityStore``), and the records it
hands back. ``govflow.models.identity_repo.IdentityRepository`` is the SQL implementation;
the unit of work exposes it as ``uow.identity``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from govflow.workflow.actors import AccountKind, AccountStatus, Role
from govflow.workflow.identity.principal import TokenScope


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    roles: tuple[Role, ...]
    agency_code: str | None
    email: str | None = None
    kind: AccountKind = AccountKind.PERSON
    status: AccountStatus = AccountStatus.ACTIVE
    password_hash: str | None = field(default=None, repr=False)
    must_change_password: bool = False
    locked_until: datetime | None = None  # the login lockout (lockout.py)
    failures_reset_at: datetime | None = None
    oidc_subject: str | None = None
    managed_by_org: bool = False  # listed in the organisation file: its import keeps it in step


@dataclass(frozen=True)
class LoginAttempt:
    at: datetime
    username: str  # as typed (or the provider's subject when no account matched)
    provider: str
    channel: str
    outcome: str  # see login.OUTCOMES
    account: str | None = None  # the account it concerned, when one was found
    agency_code: str | None = None
    remote_addr: str | None = None


@dataclass(frozen=True)
class SecurityEntry:
    """One change to accounts, sessions or tokens: who did what to whom (never a secret)."""

    at: datetime
    actor: str
    channel: str
    action: str
    target: str
    agency_code: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionRecord:
    id_hash: str
    username: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    csrf_token: str = field(repr=False)
    provider: str = "local"


@dataclass(frozen=True)
class TokenRecord:
    name: str
    username: str
    scope: TokenScope
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    prefix: str = ""  # the first characters, to recognise a token in a list
    # False: its account has since left the token's agency, so it is refused on use (set by
    # the lists of tokens, from the accounts as they are now; never stored).
    applies: bool = True


class IdentityStore(Protocol):
    # -- accounts ------------------------------------------------------------------------
    def account(self, username: str, *, for_update: bool = False) -> Account | None: ...
    def account_by(self, field: str, value: str) -> Account | None: ...
    # One whose username equals ``username`` ignoring case (``usernames.folded``), if any:
    # asked when an account is created, never at login (no index serves it).
    def account_ignoring_case(self, username: str) -> Account | None: ...
    def accounts(self, agency_codes: list[str] | None, include_inactive: bool) -> list[Account]: ...
    def add_account(self, account: Account, now: datetime) -> None: ...
    def update_account(self, username: str, **changes: Any) -> None: ...
    def agency_codes(self, code: str, include_children: bool) -> list[str]: ...
    def count_active_admins(self) -> int: ...

    # -- logs ------------------------------------------------------------------------------
    def failures_since(self, username: str, since: datetime) -> list[datetime]: ...
    def record_login(self, attempt: LoginAttempt) -> None: ...
    def login_log(
        self, agency_codes: list[str] | None, since: datetime | None, limit: int, offset: int = 0
    ) -> list[LoginAttempt]: ...
    def last_logins(self, usernames: list[str]) -> dict[str, datetime]: ...
    def record_security(self, entry: SecurityEntry) -> None: ...
    def security_log(
        self, agency_codes: list[str] | None, since: datetime | None, limit: int
    ) -> list[SecurityEntry]: ...

    # -- sessions ------------------------------------------------------------------------
    def add_session(self, record: SessionRecord) -> None: ...
    def session_record(self, id_hash: str) -> SessionRecord | None: ...
    def session_with_account(self, id_hash: str) -> tuple[SessionRecord, Account] | None: ...
    def touch_session(self, id_hash: str, now: datetime) -> None: ...
    def revoke_session(self, id_hash: str, now: datetime, reason: str) -> bool: ...
    def revoke_sessions(
        self, username: str, now: datetime, reason: str, keep: str | None = None
    ) -> int: ...

    # -- API tokens ------------------------------------------------------------------------
    def add_token(self, record: TokenRecord, token_hash: str) -> None: ...
    def token(self, token_hash: str) -> TokenRecord | None: ...
    def token_with_account(self, token_hash: str) -> tuple[TokenRecord, Account] | None: ...
    def token_named(self, name: str) -> TokenRecord | None: ...
    def tokens(self, include_inactive: bool) -> list[TokenRecord]: ...
    def revoke_token(self, name: str, now: datetime) -> None: ...
    def touch_token(self, name: str, now: datetime) -> None: ...
