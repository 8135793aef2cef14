"""Who acts (SPEC section 1): a user holding one or more roles in one agency, or the system.

A user may hold several roles (a small office's head also handles cases). An action is
taken in one of them, and that one is recorded on the event: the least senior of the
user's roles that the action allows (``Actor.acting_as``), so a head who drafts a reply
drafts it as 经办人 and approves it as 公开办负责人. And the agencies themselves (a tree:
county government → departments, towns).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    HANDLER = "handler"
    OFFICE_HEAD = "office_head"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"  # manages accounts and tokens; takes no action on cases
    SYSTEM = "system"


ROLE_LABELS = {
    Role.CLERK: "登记员",
    Role.HANDLER: "经办人",
    Role.OFFICE_HEAD: "公开办负责人",
    Role.SUPERVISOR: "督查",
    Role.ADMIN: "系统管理员",
    Role.SYSTEM: "系统",
}

SENIORITY = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM)
"""Least senior first: the order ``acting_as`` picks a role in, and roles are listed in."""


class AccountStatus(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"  # by an administrator, until unlocked
    DEACTIVATED = "deactivated"  # departed; the row stays so past events keep the name


class AccountKind(StrEnum):
    PERSON = "person"
    SERVICE = "service"  # an integration: acts only through API tokens, never logs in


STATUS_LABELS = {
    AccountStatus.ACTIVE: "正常",
    AccountStatus.LOCKED: "已锁定",
    AccountStatus.DEACTIVATED: "已停用",
}


def ordered(roles: Iterable[Role]) -> tuple[Role, ...]:
    """Roles least senior first, each once."""
    held = set(roles)
    return tuple(r for r in SENIORITY if r in held)


@dataclass(frozen=True)
class Actor:
    """A user as the domain sees one action: ``role`` is the role the action is taken in;
    ``roles`` every role the user holds (empty: ``role`` alone); ``channel`` the door the
    action came through (``web``, ``api:<token>``, ``cli:<OS user>``, ``system``);
    ``reads_below`` whether a supervisor's reading reaches the agencies below
    ``agency_code`` (False only for an API token issued without ``include_children``);
    ``reads_personal_data`` whether the applicants' identity and contact data may be shown
    unmasked where the role and agency allow it (False only for an API token issued
    without ``personal_data``: ``access.may_see_personal_data``)."""

    username: str
    name: str
    role: Role
    agency_code: str | None
    roles: tuple[Role, ...] = ()
    channel: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    reads_below: bool = True
    reads_personal_data: bool = True
    kind: AccountKind = AccountKind.PERSON  # a service account is an integration, not a person

    @property
    def held_roles(self) -> tuple[Role, ...]:
        return self.roles or (self.role,)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.held_roles for r in roles)

    def acting_as(self, allowed: Iterable[Role]) -> Actor:
        """This actor in the least senior held role that ``allowed`` contains (unchanged
        when none: the caller's check then refuses, naming the role)."""
        permitted = set(allowed)
        for role in ordered(self.held_roles):
            if role in permitted:
                return self if role is self.role else replace(self, role=role)
        return self

    @property
    def label(self) -> str:
        return f"{self.name}（{ROLE_LABELS[self.role]}）"


SYSTEM = Actor(username="system", name="系统", role=Role.SYSTEM, agency_code=None, channel="system")


@dataclass(frozen=True)
class Agency:
    """An agency (机关); ``id`` is the storage's key, ``parent`` the code of the one above."""

    id: int
    code: str
    name: str
    ref_prefix: str
    parent: str | None = None
