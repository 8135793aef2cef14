"""Accounts and agencies, rows in and records out: the base of ``IdentityRepository``.

Apart from ``identity_repo`` because the logs (``identity_logs``) and the sessions and
tokens (``identity_access``) build on it: they look an agency up by its code and read an
account joined with its agency and roles (``_joined`` / ``_accounts``) the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govflow.models.tables import AgencyRow, UserRoleRow, UserRow
from govflow.workflow.actors import AccountStatus, Role, ordered
from govflow.workflow.errors import NotFound
from govflow.workflow.identity.ports import Account, AccountKind
from govflow.workflow.identity.usernames import folded

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


class AccountRows:
    """Accounts and agencies (the first members of ``IdentityStore``)."""

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

    def account_ignoring_case(self, username: str) -> Account | None:
        # A scan of the accounts (no index on lower(username)): only account creation asks.
        stmt = self._joined().where(func.lower(UserRow.username) == folded(username))
        found = self._accounts(stmt.order_by(UserRow.username))
        return found[0][1] if found else None

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
