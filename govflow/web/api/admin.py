"""Accounts and API tokens (SPEC U-1), for administrators: the same audited use cases as
``govflow user`` and ``govflow token``. An administrator signs in (a session; tokens are
never issued to one), so these calls carry the session's CSRF token. A password or token
made here is in the answer once and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from govflow.web.api.auth import Caller
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow.actors import AccountStatus, Role
from govflow.workflow.identity.ports import Account, AccountKind, TokenRecord
from govflow.workflow.services import accounts, tokens

router = APIRouter(prefix="/api/v1", tags=["账户与令牌"], responses=ERROR_RESPONSES)

Username = Annotated[str, Path(max_length=64, description="用户名")]
Reason = Annotated[str | None, Body(embed=True, max_length=500, description="原因")]


class User(BaseModel):
    username: str
    name: str
    roles: list[Role]
    agency: str | None
    email: str | None
    kind: AccountKind
    status: AccountStatus
    must_change_password: bool


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    name: str = Field(max_length=100)
    roles: list[Role] = Field(min_length=1)
    agency: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200)
    kind: AccountKind = AccountKind.PERSON


class AddedUser(BaseModel):
    username: str
    one_time_password: str | None = Field(description="一次性密码，仅此一次显示；首次登录须修改")


class Scope(BaseModel):
    agency: str
    actions: list[str] | None = Field(description="允许的动作；null：该账户可执行的全部动作")
    include_children: bool
    read_only: bool
    personal_data: bool = Field(
        description="true：可读取申请人身份与联系信息（本机关工作人员的令牌）；"
        "false：一律遮蔽显示，且不能下载文书"
    )


class Token(BaseModel):
    name: str
    username: str
    scope: Scope
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    prefix: str = Field(description="令牌开头几位，便于辨认")
    applies: bool = Field(
        default=True,
        description="false：账户已不属于令牌的机关（调往他处），令牌不再适用，使用时被拒绝（403）",
    )


class NewToken(BaseModel):
    name: str = Field(max_length=64, description="令牌名称，记入每个事件的办理途径 api:<名称>")
    username: str = Field(max_length=64)
    actions: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="允许的动作；不填（null）：该账户可执行的全部动作；不能为空列表",
    )
    agency: str | None = Field(default=None, max_length=64)
    include_children: bool = False
    read_only: bool = False
    personal_data: bool = Field(
        default=False,
        description="可读取申请人身份与联系信息；默认 false：案件详情、列表、检索、"
        "时间线中一律遮蔽显示，且不能下载文书",
    )
    # strict: JSON's true is not 1 day
    days: int | None = Field(default=None, ge=1, le=3660, strict=True)


class IssuedToken(Token):
    token: str = Field(description="令牌本身，仅此一次显示；系统只保存其摘要")


def _user(account: Account) -> User:
    return User(
        username=account.username,
        name=account.name,
        roles=list(account.roles),
        agency=account.agency_code,
        email=account.email,
        kind=account.kind,
        status=account.status,
        must_change_password=account.must_change_password,
    )


def _token(record: TokenRecord) -> Token:
    scope = record.scope
    return Token(
        name=record.name,
        username=record.username,
        scope=Scope(
            agency=scope.agency,
            actions=sorted(scope.actions) if scope.actions is not None else None,
            include_children=scope.include_children,
            read_only=scope.read_only,
            personal_data=scope.personal_data,
        ),
        created_at=record.created_at,
        created_by=record.created_by,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
        last_used_at=record.last_used_at,
        prefix=record.prefix,
        applies=record.applies,
    )


@router.get("/users", response_model=list[User], summary="账户列表（管理员；督查：本机关及下级）")
def list_users(
    svc: Svc,
    who: Caller,
    agency: Annotated[str | None, Query(max_length=64)] = None,
    include_children: bool = False,
    include_inactive: bool = False,
) -> list[User]:
    found = accounts.list_users(
        svc, who, agency, include_children=include_children, include_inactive=include_inactive
    )
    return [_user(a) for a in found]


@router.post("/users", status_code=201, response_model=AddedUser, summary="新增账户")
def add_user(svc: Svc, who: Caller, body: NewUser) -> AddedUser:
    new = accounts.NewAccount(
        body.username, body.name, tuple(body.roles), body.agency, body.email, body.kind
    )
    shown = accounts.add_user(svc, who, new, generate=body.kind is AccountKind.PERSON)
    return AddedUser(username=body.username, one_time_password=shown)


STATUS_CHANGES = {
    "lock": (accounts.lock_user, "锁定账户"),
    "unlock": (accounts.unlock_user, "解锁账户"),
    "deactivate": (accounts.deactivate_user, "停用账户（离职；历史记录保留姓名）"),
    "activate": (accounts.activate_user, "恢复账户"),
}


def _status_route(change: str) -> None:
    use_case, summary = STATUS_CHANGES[change]

    def route(svc: Svc, who: Caller, username: Username, reason: Reason = None) -> Response:
        use_case(svc, who, username, reason)
        return Response(status_code=204)

    router.post(
        f"/users/{{username}}/{change}",
        status_code=204,
        response_class=Response,
        summary=summary,
        operation_id=f"{change}_user",
    )(route)


for _change in STATUS_CHANGES:
    _status_route(_change)


@router.get("/tokens", response_model=list[Token], summary="API 令牌列表（不含令牌本身）")
def list_tokens(svc: Svc, who: Caller, include_inactive: bool = False) -> list[Token]:
    return [_token(t) for t in tokens.list_tokens(svc, who, include_inactive)]


@router.post("/tokens", status_code=201, response_model=IssuedToken, summary="创建 API 令牌")
def create_token(svc: Svc, who: Caller, body: NewToken) -> IssuedToken:
    issued = tokens.create_token(
        svc,
        who,
        tokens.TokenRequest(
            name=body.name,
            username=body.username,
            actions=frozenset(body.actions) if body.actions is not None else None,
            agency=body.agency,
            include_children=body.include_children,
            read_only=body.read_only,
            personal_data=body.personal_data,
            days=body.days,
        ),
    )
    return IssuedToken(**_token(issued.record).model_dump(), token=issued.token)


@router.post(
    "/tokens/{name}/revoke", status_code=204, response_class=Response, summary="吊销 API 令牌"
)
def revoke_token(svc: Svc, who: Caller, name: Annotated[str, Path(max_length=64)]) -> Response:
    tokens.revoke_token(svc, who, name)
    return Response(status_code=204)
