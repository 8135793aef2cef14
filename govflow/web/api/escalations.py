"""Warnings and escalations (SPEC E-1, E-2): what fired, delivered or not, and 确认."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from govflow.web.api import schemas
from govflow.web.api.auth import Caller, Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services

router = APIRouter(prefix="/api/v1/escalations", tags=["预警与督办"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[schemas.Firing], summary="已触发的预警与督办")
def firings(
    svc: Svc,
    who: Reader,
    case: Annotated[str | None, Query(max_length=64, description="只看该案件")] = None,
) -> list[schemas.Firing]:
    rows = services.firings(svc, who, case)
    return [schemas.firing_out(r) for r in rows]


@router.post(
    "/{key}/acknowledge",
    status_code=204,
    response_class=Response,
    summary="确认（已阅/已办）：停止该规则的重复提醒",
)
def acknowledge(svc: Svc, who: Caller, key: str) -> Response:
    services.acknowledge(svc, key, who)
    return Response(status_code=204)
