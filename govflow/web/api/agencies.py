"""Agencies (机关) for administrators: the same use cases as the ``/admin/agencies`` page
and ``govflow agency`` (``services.agency_tree``, ``services.add_agency``). An
administrator signs in (tokens are never issued to one), so an addition carries the
session's CSRF token; a refusal names each faulty field under ``fields`` with the same
keys as a malformed body's (``body.code``, …)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from govflow.web.api.auth import Caller
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.agencies import NAME_MAX, PREFIX_MAX
from govflow.workflow.errors import InvalidInput

router = APIRouter(prefix="/api/v1", tags=["机关"], responses=ERROR_RESPONSES)


class NewAgency(BaseModel):
    code: str = Field(
        max_length=64, description="机关代码：小写字母、数字、_ 和 -", examples=["town"]
    )
    name: str = Field(max_length=NAME_MAX, description="机关名称", examples=["示范镇人民政府"])
    ref_prefix: str = Field(
        max_length=PREFIX_MAX,
        description="文号前缀：本机关案件编号的开头，不得与其他机关相同",
        examples=["示镇"],
    )
    parent: str | None = Field(
        default=None, max_length=64, description="上级机关代码；空：顶级机关", examples=["county"]
    )


class Agency(BaseModel):
    code: str
    name: str
    ref_prefix: str
    parent: str | None = Field(description="上级机关代码；空：顶级机关")


class AgencyInTree(BaseModel):
    code: str
    name: str
    ref_prefix: str
    depth: int = Field(description="层级：顶级机关为 0")
    users: int = Field(description="本机关在用账户数（不含下级）")


@router.get("/agencies", response_model=list[AgencyInTree], summary="机关列表（管理员；树形）")
def list_agencies(svc: Svc, who: Caller) -> list[AgencyInTree]:
    return [
        AgencyInTree(
            code=n.code, name=n.name, ref_prefix=n.ref_prefix, depth=n.depth, users=n.users
        )
        for n in services.agency_tree(svc, who)
    ]


@router.post("/agencies", status_code=201, response_model=Agency, summary="新增机关（管理员）")
def add_agency(svc: Svc, who: Caller, body: NewAgency) -> Agency:
    new = services.NewAgency(body.code, body.name, body.ref_prefix, body.parent)
    try:
        added = services.add_agency(svc, who, new)
    except InvalidInput as exc:  # the domain's field names, as the body's are named
        raise InvalidInput(str(exc), {f"body.{k}": v for k, v in exc.fields.items()}) from None
    return Agency(
        code=added.code, name=added.name, ref_prefix=added.ref_prefix, parent=added.parent
    )
