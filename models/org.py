"""Agencies (a tree) and users with roles, loaded from a YAML file (SPEC section 1).

Loading is idempotent: rows are matched by agency code and username and updated,
so an office can keep its organisation file under version control and reload it.
Nobody is deleted: a user who is no longer in the file is deactivated (their past events
keep their name), and every change to an account is written to the security log
(``govflow.workflow.identity.orgsync`` decides what changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from govflow.models.identity_repo import IdentityRepository
from govflow.models.tables import AgencyRow
from govflow.workflow.actors import SYSTEM, AccountStatus, Actor, Role, ordered
from govflow.workflow.clock import SystemClock
from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity import orgsync
from govflow.workflow.identity.orgsync import Listed
from govflow.workflow.identity.ports import Account
from govflow.workflow.identity.security import SecurityAction, security_entry
from govflow.workflow.identity.usernames import folded
from govflow.workflow.validation import file_problem, load_yaml, summary, yaml_problem


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9_-]{1,64}$")
    name: str = Field(min_length=1)
    ref_prefix: str = Field(min_length=1, max_length=32)
    parent: str | None = None


class UserIn(BaseModel):
    """A person: ``role: clerk`` or, for someone holding several, ``roles: [handler, office_head]``."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = Field(min_length=1)
    role: Role | None = None
    roles: list[Role] | None = None
    agency: str
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")  # for the e-mail channel
    oidc_subject: str | None = Field(None, min_length=1, max_length=200)  # single sign-on

    @model_validator(mode="after")
    def _one_of_role_and_roles(self) -> UserIn:
        if (self.role is None) == (not self.roles):
            raise ValueError("role（一个角色）与 roles（角色列表）须且只能填写一个")
        return self

    @property
    def all_roles(self) -> tuple[Role, ...]:
        return ordered([self.role] if self.role is not None else self.roles or [])


class OrgFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agencies: list[AgencyIn]
    users: list[UserIn] = []

    @model_validator(mode="after")
    def _references(self) -> OrgFile:
        codes = [a.code for a in self.agencies]
        if len(set(codes)) != len(codes):
            raise ValueError("机关代码重复")
        prefixes = [a.ref_prefix for a in self.agencies]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("机关文号前缀 ref_prefix 重复")
        for agency in self.agencies:
            if agency.parent is not None and agency.parent not in codes:
                raise ValueError(f"机关 {agency.code} 的上级 {agency.parent} 未定义")
        _acyclic({a.code: a.parent for a in self.agencies})
        for user in self.users:
            if user.agency not in codes:
                raise ValueError(f"用户 {user.username} 所属机关 {user.agency} 未定义")
            if Role.SYSTEM in user.all_roles or Role.ADMIN in user.all_roles:
                raise ValueError(
                    f"用户 {user.username}：组织文件不能使用 system 或 admin 角色"
                    "（系统管理员用 govflow user add 创建）"
                )
        seen: dict[str, str] = {}
        for user in self.users:  # ignoring case, as an account is created (``usernames``)
            first = seen.get(folded(user.username))
            if first is not None:
                same = "重复" if first == user.username else f"与 {first} 只差大小写"
                raise ValueError(f"用户名 {user.username} {same}")
            seen[folded(user.username)] = user.username
        subjects = [u.oidc_subject for u in self.users if u.oidc_subject]
        if len(set(subjects)) != len(subjects):
            raise ValueError("统一身份认证标识 oidc_subject 重复")
        return self


def _acyclic(parents: dict[str, str | None]) -> None:
    """Every agency reaches a top one by its parents. Checked with the file, before a
    database is created or migrated (``load_org`` would find it only while writing)."""
    for code in parents:
        seen, at = {code}, parents[code]
        while at is not None:
            if at in seen:
                raise ValueError(f"机关的上下级关系有循环（经过机关 {at}）")
            seen.add(at)
            at = parents[at]


def read_org_file(path: Path) -> OrgFile:
    """The organisation file, checked whole; anything wrong names the file, the place (line
    and column, or the field's path) and the problem, in zh-CN."""
    try:
        return OrgFile.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法读取：{file_problem(exc)}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: 不是 UTF-8 编码的文本") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: {yaml_problem(exc)}") from None
    except ValidationError as exc:
        raise InvalidInput(f"{path}: {summary(exc.errors(), root='文件')}") from None


@dataclass(frozen=True)
class OrgImport:
    agencies: int
    users: int
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0


def load_org(
    session: Session,
    org: OrgFile,
    *,
    now: datetime | None = None,
    by: Actor = SYSTEM,
    complete: bool = True,
) -> OrgImport:
    """Insert or update agencies (parents first), then bring the accounts in step with the
    file's users (``orgsync.plan``; ``complete=False`` deactivates nobody), logging each
    change as done by ``by``."""
    now = now or SystemClock().now()
    by_code: dict[str, AgencyRow] = {row.code: row for row in session.scalars(select(AgencyRow))}
    pending = list(org.agencies)
    while pending:
        progressed = False
        for agency in list(pending):
            if agency.parent is not None and agency.parent not in by_code:
                continue
            row = by_code.get(agency.code) or AgencyRow(code=agency.code)
            row.name, row.ref_prefix = agency.name, agency.ref_prefix
            row.parent_id = by_code[agency.parent].id if agency.parent else None
            session.add(row)
            session.flush()
            by_code[agency.code] = row
            pending.remove(agency)
            progressed = True
        if not progressed:
            raise InvalidInput("机关的上下级关系有循环")
    store = IdentityRepository(session)
    listed = [
        Listed(u.username, u.name, u.all_roles, u.agency, u.email, u.oidc_subject)
        for u in org.users
    ]
    changes = orgsync.plan(store.accounts(None, include_inactive=True), listed, complete=complete)
    counts = {"add": 0, "update": 0, "deactivate": 0, "reactivate": 0}
    for change in changes:
        counts[change.kind] += 1
        if change.kind == "add":
            fields = change.fields
            account = Account(username=change.username, managed_by_org=True, **fields)
            store.add_account(account, now)
        elif change.kind == "update":
            store.update_account(change.username, **change.fields)
        elif change.kind == "deactivate":
            store.update_account(change.username, status=AccountStatus.DEACTIVATED)
            store.revoke_sessions(change.username, now, "user_deactivated")
        else:
            store.update_account(change.username, status=AccountStatus.ACTIVE)
        target = store.account(change.username)
        assert target is not None
        detail = {k: _plain(v) for k, v in change.fields.items()}
        action = ORG_ACTIONS[change.kind]
        store.record_security(security_entry(now, by, action, target, source="org", **detail))
    session.flush()
    return OrgImport(
        len(org.agencies),
        len(org.users),
        counts["add"],
        counts["update"],
        counts["deactivate"],
        counts["reactivate"],
    )


ORG_ACTIONS = {
    "add": SecurityAction.USER_ADDED,
    "update": SecurityAction.USER_CHANGED,
    "deactivate": SecurityAction.USER_DEACTIVATED,
    "reactivate": SecurityAction.USER_ACTIVATED,
}


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return value
