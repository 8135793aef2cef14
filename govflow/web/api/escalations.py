"""Warnings and escalations (SPEC E-1, E-2): what fired, delivered or not, and 确认."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from govflow.web.api import schemas
from govflow.web.api.auth import Caller, Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput

router = APIRouter(prefix="/api/v1/escalations", tags=["预警与督办"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[schemas.Firing], summary="已触发的预警与督办")
def firings(
    svc: Svc,
    who: Reader,
    case: Annotated[str | None, Query(max_length=64, description="只看该案件")] = None,
    mine: Annotated[
        bool, Query(description="只看发给调用者本人的（通知中心），新的在前；不能与 case 同用")
    ] = False,
    pending: Annotated[bool, Query(description="与 mine 同用：只看尚未确认的")] = False,
) -> list[schemas.Firing]:
    if (case is not None and mine) or (pending and not mine):
        raise InvalidInput(
            "mine 不能与 case 同用；pending 只能与 mine 同用",
            {"mine" if mine else "pending": "参数组合无效"},
        )
    if mine:
        rows = services.my_firings(svc, who, pending_only=pending)
    else:
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
