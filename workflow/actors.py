"""Who acts (SPEC section 1): a user with one role in one agency, or the system."""

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
