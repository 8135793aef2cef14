"""What importing the organisation file changes in the accounts, decided without I/O.

The file lists the people of each agency with their roles. Importing it again keeps the
accounts in step and never deletes one: a person added is created, a person changed is
updated, a person no longer listed is deactivated (their past events keep their name),
and a person listed again is reactivated. Accounts the file never managed — the
administrators and service accounts made with ``govflow user add`` — are left alone,
and an account locked by an administrator stays locked. A person whose username differs
from an existing account's only in case is refused (``usernames``), naming that account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from govflow.workflow.actors import AccountStatus, Role, ordered
from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity.ports import Account, AccountKind
from govflow.workflow.identity.usernames import folded, look_alike


@dataclass(frozen=True)
class Listed:
    """A person as the organisation file lists them."""

    username: str
    name: str
    roles: tuple[Role, ...]
    agency_code: str
    email: str | None = None
    oidc_subject: str | None = None


@dataclass(frozen=True)
class Change:
    kind: Literal["add", "update", "deactivate", "reactivate"]
    username: str
    fields: dict[str, Any] = field(default_factory=dict)


COMPARED = ("name", "roles", "agency_code", "email", "oidc_subject")


def plan(
    existing: Sequence[Account], listed: Sequence[Listed], *, complete: bool = True
) -> list[Change]:
    """The changes, in a stable order: the file's people first, then those who left.
    ``complete``: the file lists everybody (an office's own file), so whoever the file
    managed and is not in it has left; a file adding people only (synthetic data) says
    nothing about the others."""
    by_name = {a.username: a for a in existing}
    by_fold: dict[str, Account] = {}
    for known in sorted(existing, key=lambda a: a.username):
        by_fold.setdefault(folded(known.username), known)
    changes: list[Change] = []
    for person in listed:
        wanted = {
            "name": person.name,
            "roles": ordered(person.roles),
            "agency_code": person.agency_code,
            "email": person.email,
            "oidc_subject": person.oidc_subject,
        }
        account = by_name.get(person.username)
        if account is None:
            alike = by_fold.get(folded(person.username))
            if alike is not None:  # as ``add_user`` refuses it: one name to a person
                raise look_alike(person.username, alike)
            changes.append(Change("add", person.username, wanted))
            continue
        if Role.ADMIN in account.roles or account.kind is AccountKind.SERVICE:
            raise InvalidInput(
                f"用户 {person.username} 是系统管理员或服务账户，不能由组织文件管理，请改用其他用户名"
            )
        differ = {k: v for k, v in wanted.items() if getattr(account, k) != v}
        if not account.managed_by_org:
            differ["managed_by_org"] = True
        if differ:
            changes.append(Change("update", person.username, differ))
        if account.status is AccountStatus.DEACTIVATED:
            changes.append(Change("reactivate", person.username))
    names = {p.username for p in listed}
    for account in existing if complete else ():
        if (
            account.managed_by_org
            and account.username not in names
            and account.status is not AccountStatus.DEACTIVATED
        ):
            changes.append(Change("deactivate", account.username))
    return changes
