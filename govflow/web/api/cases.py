"""Cases of every type: open, act, read one, list and search, the timeline (SPEC W-1).

The version of a case is the position of its last event. Reading a case returns it in the
body and as the ``ETag``; acting needs it back in ``If-Match``: if anyone acted in
between, nothing is written and the answer is 409 with the version now (``ETag``). Routes
name no case type and no action: both arrive in the path and go to the service layer as
they are.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Path, Query, Response

from govflow.presentation.timeline import timeline_csv, timeline_json
from govflow.web.api import schemas
from govflow.web.api.auth import Caller, Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput
from govflow.workflow.lawful import IsoDate

router = APIRouter(prefix="/api/v1", tags=["案件"], responses=ERROR_RESPONSES)

Fields = Annotated[
    dict[str, Any] | None,
    Body(description="该动作（或登记）的字段，见案件类型声明；无字段的动作可省略"),
]
Ref = Annotated[str, Path(max_length=64, description="案件编号，如 示政办依申〔2026〕0001号")]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The version ``If-Match`` names: ``"7"`` (``W/"7"`` and a bare ``7`` are accepted)."""
    if if_match is None or not if_match.strip():
        raise InvalidInput("办理案件须在 If-Match 中给出案件版本（读取案件时的 ETag）")
    text = if_match.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InvalidInput(f'If-Match {if_match!r} 不是案件版本（应为读取案件时的 ETag，如 "3"）')
    return int(text)


def _shown(response: Response, detail: services.CaseDetail) -> schemas.Case:
    response.headers["ETag"] = etag(detail.version)
    return schemas.case_out(detail)


def created(response: Response, detail: services.CaseDetail) -> schemas.Case:
    """201 with where the new case is read from."""
    response.headers["Location"] = f"/api/v1/cases/{quote(detail.ref, safe='')}"
    return _shown(response, detail)


@router.get("/case-types", response_model=list[schemas.CaseType], summary="案件类型")
def case_types(svc: Svc, who: Reader) -> list[schemas.CaseType]:
    return [schemas.case_type_out(t) for t in services.case_types(svc)]


@router.post(
    "/case-types/{case_type}/cases",
    status_code=201,
    response_model=schemas.Case,
    summary="登记案件（任一类型，如政务舆情事件、网民留言）",
)
def open_case(
    svc: Svc, response: Response, who: Caller, case_type: str, fields: Fields = None
) -> schemas.Case:
    ref = services.open_case(
        svc,
        case_type=case_type,
        agency_code=who.agency_code or "",
        principal=who,
        payload=fields or {},
    )
    return created(response, services.case_detail(svc, who.as_reader(), ref))


@router.get("/cases", response_model=schemas.CaseList, summary="案件列表与检索")
def list_cases(
    svc: Svc,
    who: Reader,
    case_type: Annotated[str | None, Query(alias="type", description="案件类型")] = None,
    state: Annotated[list[str] | None, Query(description="状态（可重复）")] = None,
    all_states: Annotated[bool, Query(description="包括已办结的案件")] = False,
    agency: Annotated[str | None, Query(description="机关代码")] = None,
    include_children: Annotated[bool, Query(description="包括下级机关")] = False,
    assignee: Annotated[str | None, Query(description="经办人用户名")] = None,
    search: Annotated[str | None, Query(max_length=100, description="编号包含")] = None,
    outcome: Annotated[str | None, Query(max_length=64, description="答复类型代码")] = None,
    overdue: Annotated[bool, Query(description="只看最近的期限已超期的案件")] = False,
    due_within: Annotated[
        int | None, Query(ge=0, le=366, description="最近的期限在 N 个工作日内届满")
    ] = None,
    due_from: Annotated[IsoDate | None, Query(description="最近的期限届满日不早于")] = None,
    due_to: Annotated[IsoDate | None, Query(description="最近的期限届满日不晚于")] = None,
    opened_from: Annotated[IsoDate | None, Query(description="登记日不早于")] = None,
    opened_to: Annotated[IsoDate | None, Query(description="登记日不晚于")] = None,
    closed_from: Annotated[
        IsoDate | None, Query(description="办结日不早于（含已办结案件）")
    ] = None,
    closed_to: Annotated[IsoDate | None, Query(description="办结日不晚于（含已办结案件）")] = None,
    channel: Annotated[
        str | None, Query(max_length=32, description="渠道代码（申请的提交渠道、舆情的发现平台）")
    ] = None,
    text: Annotated[
        str | None,
        Query(
            max_length=services.MAX_SEARCH,
            description="申请内容、标题或申请人中含此文字（申请人仅本机关工作人员可检索）",
        ),
    ] = None,
    after: Annotated[str | None, Query(max_length=100, description="上一页的 next_after")] = None,
    limit: Annotated[int, Query(ge=1, le=services.MAX_PAGE)] = 50,
) -> schemas.CaseList:
    """剩余时间最少的在前：按各案件最近届满的计时中期限排序，每行的 deadline 即此期限；中止计算、
    尚无期限的案件在后。按 next_after 翻页（键集分页：翻页期间有新案件也不会重复）。"""
    filters = services.CaseFilter(
        case_type=case_type,
        agency=agency,
        include_children=include_children,
        states=frozenset(state or ()),
        open_only=not all_states,
        assignee=assignee,
        ref_contains=search,
        outcome=outcome,
        overdue=overdue,
        due_within=due_within,
        due_from=due_from,
        due_to=due_to,
        opened_from=opened_from,
        opened_to=opened_to,
        closed_from=closed_from,
        closed_to=closed_to,
        channel=channel,
        text=text,
    )
    page = services.list_cases(svc, who, filters, after=after, limit=limit)
    return schemas.page_out(page)


@router.get("/cases/{ref}", response_model=schemas.Case, summary="案件详情")
def case_detail(svc: Svc, response: Response, who: Reader, ref: Ref) -> schemas.Case:
    return _shown(response, services.case_detail(svc, who, ref))


@router.post(
    "/cases/{ref}/actions/{action}",
    response_model=schemas.Case,
    summary="办理：对案件执行一个动作",
    responses={
        204: {"description": "已办理（请求头 Prefer: return=minimal）：无正文，ETag 为新版本"},
        409: {"description": "案件已被他人更新：ETag 为当前版本"},
    },
)
def act(
    svc: Svc,
    response: Response,
    who: Caller,
    ref: Ref,
    action: str,
    if_match: Annotated[str | None, Header(description="读取案件时的 ETag（案件版本）")] = None,
    prefer: Annotated[
        str | None,
        Header(description="return=minimal：只回 204 与新版本的 ETag，不回案件（批量办理时更快）"),
    ] = None,
    fields: Fields = None,
) -> schemas.Case | Response:
    version = expected_version(if_match)
    payload = fields or {}
    if _minimal(prefer):  # RFC 7240: the caller does not need the case back
        event = services.act(
            svc, ref=ref, action=action, payload=payload, principal=who, expected_version=version
        )
        return Response(status_code=204, headers={"ETag": etag(event.seq)})
    detail = services.act_and_read(
        svc, ref=ref, action=action, payload=payload, principal=who, expected_version=version
    )
    return _shown(response, detail)


def _minimal(prefer: str | None) -> bool:
    preferences = (p.strip().lower() for p in (prefer or "").replace(";", ",").split(","))
    return "return=minimal" in preferences


@router.get("/cases/{ref}/timeline", response_model=schemas.Timeline, summary="案件时间线")
def timeline(svc: Svc, who: Reader, ref: Ref) -> schemas.Timeline:
    return schemas.timeline_out(services.case_timeline(svc, who, ref))


@router.get(
    "/cases/{ref}/timeline.csv",
    summary="案件时间线（CSV）",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "UTF-8（带 BOM），每事件每期限一行"}
    },
)
def timeline_as_csv(svc: Svc, who: Reader, ref: Ref) -> Response:
    found = services.case_timeline(svc, who, ref)
    return Response(
        timeline_csv(timeline_json(found)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(ref)}.csv"},
    )
