"""Accounts, sessions, API tokens and the two logs, rows in and records out
(``govflow.workflow.identity.ports.IdentityStore``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from govflow.models.identity_tables import (
    ApiTokenRow,
    LoginAttemptRow,
    SecurityLogRow,
    SessionRow,
)
from govflow.models.tables import AgencyRow, UserRoleRow, UserRow
from govflow.workflow.actors import AccountStatus, Role, ordered
from govflow.workflow.errors import NotFound
from govflow.workflow.identity.ports import (
    Account,
    AccountKind,
    LoginAttempt,
    SecurityEntry,
    SessionRecord,
    TokenRecord,
)
from govflow.workflow.identity.principal import TokenScope

ACCOUNT_FIELDS = {"username": UserRow.username, "oidc_subject": UserRow.oidc_subject}


def _account(r: UserRow, agency_code: str | None, roles: list[Role]) -> Account:
    return Account(
        username=r.username,
        name=r.name,
        roles=ordered(roles),
        agency_code=agency_code,
        email=r.email,
        kind=AccountKind(r.kind),
        status=AccountStatus(r.status),
        password_hash=r.password_hash,
        must_change_password=r.must_change_password,
        locked_until=r.locked_until,
        failures_reset_at=r.failures_reset_at,
        oidc_subject=r.oidc_subject,
        managed_by_org=r.managed_by_org,
    )


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- agencies ------------------------------------------------------------------------

    def _agency_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        found = self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == code))
        if found is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        return found

    def agency_codes(self, code: str, include_children: bool) -> list[str]:
        """An agency's code, and with ``include_children`` every code below it."""
        rows = self.session.execute(select(AgencyRow.id, AgencyRow.code, AgencyRow.parent_id))
        by_id = {agency_id: (c, parent) for agency_id, c, parent in rows}
        root = next((i for i, (c, _) in by_id.items() if c == code), None)
        if root is None:
            raise NotFound(f"没有代码为 {code!r} 的机关")
        found = [root]
        if include_children:
            todo = [root]
            while todo:
                parent = todo.pop()
                for child, (_, its_parent) in by_id.items():
                    if its_parent == parent and child not in found:
                        found.append(child)
                        todo.append(child)
        return [by_id[i][0] for i in found]

    # -- accounts ------------------------------------------------------------------------

    def _user_row(self, username: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.username == username))

    @staticmethod
    def _joined(*lead: Any) -> Select[Any]:
        """A user with its agency's code and its roles (one row per role), in one statement;
        ``lead``: a session's or token's row joined to its user first."""
        stmt = select(*lead, UserRow, AgencyRow.code, UserRoleRow.role)
        if lead:
            stmt = stmt.join(UserRow, UserRow.id == lead[0].user_id)
        return stmt.outerjoin(AgencyRow, AgencyRow.id == UserRow.agency_id).outerjoin(
            UserRoleRow, UserRoleRow.user_id == UserRow.id
        )

    def _accounts(
        self, stmt: Select[Any], params: dict[str, Any] | None = None
    ) -> list[tuple[Any, Account]]:
        """Run a ``_joined`` statement: (its lead row or None, the account) per user, in the
        statement's order."""
        found: dict[int, tuple[Any, UserRow, str | None, list[Role]]] = {}
        for *lead, user, code, role in self.session.execute(stmt, params):
            entry = found.setdefault(user.id, (lead[0] if lead else None, user, code, []))
            if role is not None:
                entry[3].append(Role(role))
        return [(lead, _account(user, code, roles)) for lead, user, code, roles in found.values()]

    def account(self, username: str, *, for_update: bool = False) -> Account | None:
        stmt = self._joined().where(UserRow.username == username)
        if for_update:
            stmt = stmt.with_for_update(of=UserRow)
        found = self._accounts(stmt)
        return found[0][1] if found else None

    def account_by(self, field: str, value: str) -> Account | None:
        column = UserRow.email if field == "email" else ACCOUNT_FIELDS[field]
        found = self._accounts(self._joined().where(column == value))
        # The e-mail is not unique in the table: only an unambiguous match counts.
        return found[0][1] if len(found) == 1 else None

    def accounts(self, agency_codes: list[str] | None, include_inactive: bool) -> list[Account]:
        stmt = self._joined().order_by(UserRow.username)
        if agency_codes is not None:
            ids = [self._agency_id(c) for c in agency_codes]
            stmt = stmt.where(UserRow.agency_id.in_(ids))
        if not include_inactive:
            stmt = stmt.where(UserRow.status != AccountStatus.DEACTIVATED.value)
        return [account for _, account in self._accounts(stmt)]

    def add_account(self, account: Account, now: datetime) -> None:
        row = UserRow(username=account.username, created_at=now)
        self.session.add(row)
        self._write(row, account.__dict__)
        self.session.flush()
        self._set_roles(row, account.roles)

    def update_account(self, username: str, **changes: Any) -> None:
        row = self._user_row(username)
        if row is None:
            raise NotFound(f"没有用户 {username!r}")
        self._write(row, changes)
        if "roles" in changes:
            self._set_roles(row, changes["roles"])
        self.session.flush()

    def _write(self, row: UserRow, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in ("username", "roles"):
                continue
            if key == "agency_code":
                row.agency_id = self._agency_id(value)
            elif key in ("kind", "status"):
                setattr(row, key, value.value if hasattr(value, "value") else value)
            else:
                setattr(row, key, value)

    def _set_roles(self, row: UserRow, roles: Iterable[Role]) -> None:
        wanted = {Role(r).value for r in roles}
        have = {
            r.role: r
            for r in self.session.scalars(select(UserRoleRow).where(UserRoleRow.user_id == row.id))
        }
        for role, old in have.items():
            if role not in wanted:
                self.session.delete(old)
        for role in wanted - set(have):
            self.session.add(UserRoleRow(user_id=row.id, role=role))
        self.session.flush()

    def count_active_admins(self) -> int:
        stmt = (
            select(func.count())
            .select_from(UserRow)
            .join(UserRoleRow, UserRoleRow.user_id == UserRow.id)
            .where(UserRoleRow.role == Role.ADMIN.value, UserRow.status == "active")
        )
        return int(self.session.scalar(stmt) or 0)

    # -- the login log and the security log ---------------------------------------------------

    def failures_since(self, username: str, since: datetime) -> list[datetime]:
        stmt = (
            select(LoginAttemptRow.at)
            .join(UserRow, UserRow.id == LoginAttemptRow.user_id)
            .where(
                UserRow.username == username,
                LoginAttemptRow.at >= since,
                LoginAttemptRow.outcome.in_(("bad_password", "locked_now")),
            )
        )
        return list(self.session.scalars(stmt))

    def record_login(self, attempt: LoginAttempt) -> None:
        user_id = None
        if attempt.account is not None:
            user_id = self.session.scalar(
                select(UserRow.id).where(UserRow.username == attempt.account)
            )
        self.session.add(
            LoginAttemptRow(
                at=attempt.at,
                username=attempt.username[:64],
                user_id=user_id,
                agency_id=self._agency_id(attempt.agency_code),
                provider=attempt.provider,
                channel=attempt.channel[:80],
                outcome=attempt.outcome,
                remote_addr=attempt.remote_addr,
            )
        )
        self.session.flush()

    def login_log(
        self, agency_codes: list[str] | None, since: datetime | None, limit: int, offset: int = 0
    ) -> list[LoginAttempt]:
        stmt = (
            select(LoginAttemptRow, UserRow.username, AgencyRow.code)
            .outerjoin(UserRow, UserRow.id == LoginAttemptRow.user_id)
            .outerjoin(AgencyRow, AgencyRow.id == LoginAttemptRow.agency_id)
            .order_by(LoginAttemptRow.at.desc(), LoginAttemptRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if agency_codes is not None:
            stmt = stmt.where(AgencyRow.code.in_(agency_codes))
        if since is not None:
            stmt = stmt.where(LoginAttemptRow.at >= since)
        return [
            LoginAttempt(
                at=row.at,
                username=row.username,
                provider=row.provider,
                channel=row.channel,
                outcome=row.outcome,
                account=account,
                agency_code=code,
                remote_addr=row.remote_addr,
            )
            for row, account, code in self.session.execute(stmt)
        ]

    def last_logins(self, usernames: list[str]) -> dict[str, datetime]:
        """Each account's latest successful login (one grouped query over the log)."""
        if not usernames:
            return {}
        stmt = (
            select(UserRow.username, func.max(LoginAttemptRow.at))
            .join(LoginAttemptRow, LoginAttemptRow.user_id == UserRow.id)
            .where(UserRow.username.in_(usernames), LoginAttemptRow.outcome == "success")
            .group_by(UserRow.username)
        )
        return {username: at for username, at in self.session.execute(stmt)}

    def record_security(self, entry: SecurityEntry) -> None:
        self.session.add(
            SecurityLogRow(
                at=entry.at,
                actor=entry.actor,
                channel=entry.channel[:80],
                action=entry.action,
                target=entry.target[:64],
                agency_id=self._agency_id(entry.agency_code),
                detail=entry.detail,
            )
        )
        self.session.flush()

    def security_log(
        self, agency_codes: list[str] | None, since: datetime | None, limit: int
    ) -> list[SecurityEntry]:
        stmt = (
            select(SecurityLogRow, AgencyRow.code)
            .outerjoin(AgencyRow, AgencyRow.id == SecurityLogRow.agency_id)
            .order_by(SecurityLogRow.at.desc(), SecurityLogRow.id.desc())
            .limit(limit)
        )
        if agency_codes is not None:
            stmt = stmt.where(AgencyRow.code.in_(agency_codes))
        if since is not None:
            stmt = stmt.where(SecurityLogRow.at >= since)
        return [
            SecurityEntry(r.at, r.actor, r.channel, r.action, r.target, code, r.detail)
            for r, code in self.session.execute(stmt)
        ]

    # -- sessions ------------------------------------------------------------------------

    def add_session(self, record: SessionRecord) -> None:
        user_id = self.session.scalar(select(UserRow.id).where(UserRow.username == record.username))
        self.session.add(
            SessionRow(
                id_hash=record.id_hash,
                user_id=user_id,
                provider=record.provider,
                created_at=record.created_at,
                last_seen_at=record.last_seen_at,
                csrf_token=record.csrf_token,
            )
        )
        self.session.flush()

    def session_record(self, id_hash: str) -> SessionRecord | None:
        found = self.session_with_account(id_hash)
        return found[0] if found else None

    def session_with_account(self, id_hash: str) -> tuple[SessionRecord, Account] | None:
        """The session and its account in one statement: the check on every page."""
        found = self._accounts(_session_with_account(), {"id_hash": id_hash})
        if not found:
            return None
        row, account = found[0]
        record = SessionRecord(
            id_hash=row.id_hash,
            username=account.username,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            revoked_at=row.revoked_at,
            csrf_token=row.csrf_token,
            provider=row.provider,
        )
        return record, account

    def touch_session(self, id_hash: str, now: datetime) -> None:
        self.session.execute(
            update(SessionRow).where(SessionRow.id_hash == id_hash).values(last_seen_at=now)
        )

    def revoke_session(self, id_hash: str, now: datetime, reason: str) -> bool:
        result = self.session.execute(
            update(SessionRow)
            .where(SessionRow.id_hash == id_hash, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_sessions(
        self, username: str, now: datetime, reason: str, keep: str | None = None
    ) -> int:
        user_id = select(UserRow.id).where(UserRow.username == username).scalar_subquery()
        stmt = (
            update(SessionRow)
            .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
        if keep is not None:
            stmt = stmt.where(SessionRow.id_hash != keep)
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    # -- API tokens ----------------------------------------------------------------------

    def add_token(self, record: TokenRecord, token_hash: str) -> None:
        user_id = self.session.scalar(select(UserRow.id).where(UserRow.username == record.username))
        self.session.add(
            ApiTokenRow(
                name=record.name,
                token_hash=token_hash,
                prefix=record.prefix,
                user_id=user_id,
                scope=record.scope.to_json(),
                created_at=record.created_at,
                created_by=record.created_by,
                expires_at=record.expires_at,
            )
        )
        self.session.flush()

    @staticmethod
    def _token_record(row: ApiTokenRow, username: str) -> TokenRecord:
        return TokenRecord(
            name=row.name,
            username=username,
            scope=TokenScope.from_json(row.scope),
            created_at=row.created_at,
            created_by=row.created_by,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
            prefix=row.prefix,
        )

    def _token_records(self, stmt: Any) -> list[TokenRecord]:
        return [self._token_record(row, username) for row, username in self.session.execute(stmt)]

    def _tokens(self) -> Any:
        return select(ApiTokenRow, UserRow.username).join(
            UserRow, UserRow.id == ApiTokenRow.user_id
        )

    def token(self, token_hash: str) -> TokenRecord | None:
        found = self.token_with_account(token_hash)
        return found[0] if found else None

    def token_with_account(self, token_hash: str) -> tuple[TokenRecord, Account] | None:
        """The token and its account in one statement: the check on every API request."""
        found = self._accounts(_token_with_account(), {"token_hash": token_hash})
        if not found:
            return None
        row, account = found[0]
        return self._token_record(row, account.username), account

    def token_named(self, name: str) -> TokenRecord | None:
        found = self._token_records(self._tokens().where(ApiTokenRow.name == name))
        return found[0] if found else None

    def tokens(self, include_inactive: bool) -> list[TokenRecord]:
        stmt = self._tokens().order_by(ApiTokenRow.name)
        if not include_inactive:
            stmt = stmt.where(ApiTokenRow.revoked_at.is_(None))
        return self._token_records(stmt)

    def revoke_token(self, name: str, now: datetime) -> None:
        self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def touch_token(self, name: str, now: datetime) -> None:
        self.session.execute(
            update(ApiTokenRow).where(ApiTokenRow.name == name).values(last_used_at=now)
        )


# The checks every page and every API request make, built once per process (building a
# statement costs more CPU than sending it; see ``models/statements.py``).


@cache
def _session_with_account() -> Select[Any]:
    return IdentityRepository._joined(SessionRow).where(SessionRow.id_hash == bindparam("id_hash"))


@cache
def _token_with_account() -> Select[Any]:
    lead = IdentityRepository._joined(ApiTokenRow)
    return lead.where(ApiTokenRow.token_hash == bindparam("token_hash"))
