"""Who acts (SPEC section 1): a user with one role in one agency, or the system; and the
agencies themselves (a tree: county government → departments, towns)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    HANDLER = "handler"
    OFFICE_HEAD = "office_head"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


ROLE_LABELS = {
    Role.CLERK: "登记员",
    Role.HANDLER: "经办人",
    Role.OFFICE_HEAD: "公开办负责人",
    Role.SUPERVISOR: "督查",
    Role.SYSTEM: "系统",
}


@dataclass(frozen=True)
class Actor:
    username: str
    name: str
    role: Role
    agency_code: str | None

    @property
    def label(self) -> str:
        return f"{self.name}（{ROLE_LABELS[self.role]}）"


SYSTEM = Actor(username="system", name="系统", role=Role.SYSTEM, agency_code=None)


@dataclass(frozen=True)
class Agency:
    """An agency (机关); ``id`` is the storage's key, ``parent`` the code of the one above."""

    id: int
    code: str
    name: str
    ref_prefix: str
    parent: str | None = None
