"""Sessions and API tokens, rows in and records out (part of ``IdentityRepository``).

Apart from the accounts because these are the credentials checked on every page and
every API request: each is read with its account in one statement, built once per
process.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update

from govflow.models.identity_accounts import AccountRows
from govflow.models.identity_tables import ApiTokenRow, SessionRow
from govflow.models.tables import UserRow
from govflow.workflow.identity.ports import Account, SessionRecord, TokenRecord
from govflow.workflow.identity.principal import TokenScope


class AccessRows(AccountRows):
    """The sessions and the API tokens."""

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
                scope=_scope_json(record.scope),
                personal_data=record.scope.personal_data,
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
            scope=replace(TokenScope.from_json(row.scope), personal_data=row.personal_data),
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
    return AccountRows._joined(SessionRow).where(SessionRow.id_hash == bindparam("id_hash"))


@cache
def _scope_json(scope: TokenScope) -> dict[str, object]:
    """The scope as its JSON column keeps it: ``personal_data`` has a column of its own,
    the one place it is read from."""
    stored = scope.to_json()
    del stored["personal_data"]
    return stored


def _token_with_account() -> Select[Any]:
    lead = AccountRows._joined(ApiTokenRow)
    return lead.where(ApiTokenRow.token_hash == bindparam("token_hash"))
