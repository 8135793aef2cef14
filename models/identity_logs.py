"""The login log and the security log, rows in and records out (part of
``IdentityRepository``).

Apart from the accounts because these are append-only logs read by their own queries
(newest first, by agency, since an instant); they only look up an account or an agency.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from govflow.models.identity_accounts import AccountRows
from govflow.models.identity_tables import LoginAttemptRow, SecurityLogRow
from govflow.models.tables import AgencyRow, UserRow
from govflow.workflow.identity.ports import LoginAttempt, SecurityEntry


class LogRows(AccountRows):
    """The login attempts and the security entries."""

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
