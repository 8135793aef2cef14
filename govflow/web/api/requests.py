"""Registering a disclosure request (登记, SPEC D-1, D-2) — the one type whose intake has a
route of its own, because its registration may confirm the receipt or reply at the desk
in the same transaction (``services.register_request``). Every other type, incidents
included, opens through ``POST /api/v1/case-types/{type}/cases``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from govflow.web.api import schemas
from govflow.web.api.auth import Caller
from govflow.web.api.cases import created
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.disclosure.actions import Applicant, Channel
from govflow.workflow.lawful import IsoDate

router = APIRouter(prefix="/api/v1", tags=["依申请公开"], responses=ERROR_RESPONSES)


class OnTheSpot(BaseModel):
    """当场答复 (Art. 33): only what needs no decision (already published: say where)."""

    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(description="答复类型代码，如 disclosed")
    summary: str = Field(max_length=4000)
    where: str | None = Field(default=None, max_length=200, description="已公开信息的公开途径")


class Registration(BaseModel):
    """A request as it arrived (D-1); the receipt date only when already confirmed (D-2)."""

    model_config = ConfigDict(extra="forbid")
    applicant: Applicant
    description: str = Field(description="所需信息的名称、文号或描述", max_length=4000)
    document_number: str | None = Field(default=None, max_length=200)
    form: Literal["paper", "electronic"] | None = None
    delivery: Literal["post", "pickup", "email", "online"] | None = None
    channel: Channel
    received_on: IsoDate | None = Field(default=None, description="申请送达日（默认今天）")
    receipt_date: IsoDate | None = Field(default=None, description="收到申请之日（已确认时）")
    on_the_spot: OnTheSpot | None = None


@router.post(
    "/requests",
    status_code=201,
    response_model=schemas.Case,
    summary="登记政府信息公开申请",
)
def register_request(svc: Svc, response: Response, who: Caller, body: Registration) -> schemas.Case:
    intake = body.model_dump(
        mode="json", exclude_none=True, exclude={"receipt_date", "on_the_spot"}
    )
    ref = services.register_request(
        svc,
        agency_code=who.agency_code or "",
        principal=who,
        intake=intake,
        receipt_date=body.receipt_date,
        on_the_spot=body.on_the_spot.model_dump(exclude_none=True) if body.on_the_spot else None,
    )
    return created(response, services.case_detail(svc, who.as_reader(), ref))
