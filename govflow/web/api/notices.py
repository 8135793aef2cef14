"""Notice templates per agency (issue 13 item 1), for administrators: upload one (the body
as it is, or the ``file`` field of a multipart form), list them, remove one (the agency's
notices go back to the default). The same audited use cases as ``govflow notices upload``;
a template that fails the check is refused naming the file and the place, nothing stored.
"""

from __future__ import annotations

from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from govflow.web.api.auth import Caller
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow.errors import InvalidInput
from govflow.workflow.notices.uploads import UploadedTemplate
from govflow.workflow.services import templates

router = APIRouter(prefix="/api/v1/notices", tags=["告知书模板"], responses=ERROR_RESPONSES)

Kind = Annotated[str, Path(max_length=64, description="告知书种类，如 correction")]
AgencyCode = Annotated[
    str | None, Query(max_length=64, description="机关代码；不填：全部机关（本系统默认）")
]
DOCX_BODY = {
    "requestBody": {
        "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string", "format": "binary"}
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
        "required": True,
    }
}


class NoticeTemplate(BaseModel):
    id: int
    agency: str | None
    kind: str
    sha256: str
    size: int
    filename: str | None
    uploaded_by: str
    uploaded_at: datetime
    active: bool
    removed_by: str | None
    removed_at: datetime | None


def _out(u: UploadedTemplate) -> NoticeTemplate:
    return NoticeTemplate(
        id=u.id,
        agency=u.agency_code,
        kind=u.kind,
        sha256=u.sha256,
        size=u.size,
        filename=u.filename,
        uploaded_by=u.uploaded_by,
        uploaded_at=u.uploaded_at,
        active=u.active,
        removed_by=u.removed_by,
        removed_at=u.removed_at,
    )


def _file(content_type: str, body: bytes) -> tuple[bytes, str | None]:
    """The .docx of a multipart form's ``file`` field (its name too), or the body itself."""
    if not content_type.lower().startswith("multipart/form-data"):
        return body, None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return (payload if isinstance(payload, bytes) else b""), part.get_filename()
    raise InvalidInput("表单中没有 file 字段（告知书模板 .docx）")


@router.put(
    "/templates/{kind}",
    response_model=NoticeTemplate,
    summary="上传告知书模板（管理员；检查通过后生效）",
    openapi_extra=DOCX_BODY,
)
async def upload(
    request: Request, svc: Svc, who: Caller, kind: Kind, agency: AgencyCode = None
) -> NoticeTemplate:
    body = await request.body()
    content, filename = _file(request.headers.get("content-type", ""), body)
    filename = filename or request.headers.get("x-filename")
    upload = templates.TemplateUpload(kind, content, agency, filename)
    # The check reads the .docx and the use case writes: off the event loop.
    return _out(await run_in_threadpool(templates.upload_template, svc, who, upload))


@router.get("/templates", response_model=list[NoticeTemplate], summary="已上传的告知书模板")
def listing(svc: Svc, who: Caller, include_inactive: bool = False) -> list[NoticeTemplate]:
    return [_out(u) for u in templates.list_templates(svc, who, include_inactive)]


@router.delete(
    "/templates/{kind}",
    status_code=204,
    response_class=Response,
    summary="删除上传的模板，恢复默认模板",
)
def remove(svc: Svc, who: Caller, kind: Kind, agency: AgencyCode = None) -> Response:
    templates.remove_template(svc, who, kind, agency)
    return Response(status_code=204)
