"""Agencies (a tree) and users with roles, loaded from a YAML file (SPEC section 1).

Loading is idempotent: rows are matched by agency code and username and updated,
so an office can keep its organisation file under version control and reload it.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from govflow.models.tables import AgencyRow, UserRow
from govflow.workflow.actors import Role
from govflow.workflow.errors import InvalidInput


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9_-]{1,64}$")
    name: str = Field(min_length=1)
    ref_prefix: str = Field(min_length=1, max_length=32)
    parent: str | None = None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = Field(min_length=1)
    role: Role
    agency: str
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")  # for the e-mail channel


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
        for user in self.users:
            if user.agency not in codes:
                raise ValueError(f"用户 {user.username} 所属机关 {user.agency} 未定义")
            if user.role is Role.SYSTEM:
                raise ValueError(f"用户 {user.username} 不能使用保留角色 system")
        return self


def read_org_file(path: Path) -> OrgFile:
    try:
        return OrgFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法读取：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: 不是 UTF-8 编码的文本") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InvalidInput(f"{path}: {where}YAML 格式错误（{problem}）") from None
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(x) for x in e['loc']) or '文件'}：{e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(f"{path}: {problems}") from None


def load_org(session: Session, org: OrgFile) -> tuple[int, int]:
    """Insert or update agencies (parents first) and users; returns the counts."""
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
    users = {row.username: row for row in session.scalars(select(UserRow))}
    for user in org.users:
        row = users.get(user.username) or UserRow(username=user.username)
        row.name, row.role, row.agency_id = user.name, user.role.value, by_code[user.agency].id
        row.email = user.email
        session.add(row)
    session.flush()
    return len(org.agencies), len(org.users)
