"""A case's documents (SPEC N-1, N-2): the notices govflow issued and the files attached,
listed and downloaded — the same use cases as the case page's 文书与附件.

The list is for whoever reads the case (a supervisor above included); the file itself
carries the applicant's identity and contact data unmasked, so only the staff of the
case's own agency download it (anyone else reading the case: 403; a case out of reach:
404, as one that does not exist). A download is the stored file checked against the hash
its event recorded: a file that no longer matches is refused (409), never handed out.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Response

from govflow.web.api import schemas
from govflow.web.api.auth import Reader
from govflow.web.api.cases import Ref
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES, ErrorBody
from govflow.workflow import services
from govflow.workflow.documents.filetypes import TYPES
from govflow.workflow.documents.records import DocumentRecord

router = APIRouter(prefix="/api/v1", tags=["文书与附件"], responses=ERROR_RESPONSES)

DocumentNo = Annotated[int, Path(ge=1, le=999_999, description="文书序号（见文书列表的 no）")]
_BINARY = {"schema": {"type": "string", "format": "binary"}}
# Notices are .docx; attachments are one of the allowed file types (``filetypes.TYPES``).
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "文件本身（与历史记录的 SHA-256 核对一致）；"
        "Content-Disposition 带中文文件名（RFC 5987：filename*=UTF-8''…）",
        "content": {t.media_type: _BINARY for t in TYPES.values()},
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename*=UTF-8''<文件名，百分号编码>",
                "schema": {"type": "string"},
            }
        },
    },
    403: {
        "model": ErrorBody,
        "description": "文书载有申请人的身份与联系信息：仅本案所属机关的登记员、经办人和负责人可下载",
    },
    409: {
        "model": ErrorBody,
        "description": "文件库中的文件与历史记录的哈希不符（被替换或损坏）：拒绝输出（damaged_document）",
    },
}


def download_response(record: DocumentRecord, content: bytes) -> Response:
    """The file as a download under its own (Chinese) name; the case page answers the same."""
    disposition = f"attachment; filename*=UTF-8''{quote(record.filename, safe='')}"
    return Response(
        content, media_type=record.media_type, headers={"Content-Disposition": disposition}
    )


@router.get(
    "/cases/{ref}/documents", response_model=schemas.DocumentList, summary="案件的文书与附件"
)
def documents(svc: Svc, who: Reader, ref: Ref) -> schemas.DocumentList:
    """每件告知书和附件的最新版本（序号、名称、文号、版本、制作时间、内容类型、大小、SHA-256）。
    可查看案件者均可查看此列表；下载仅限本案所属机关的工作人员。"""
    return schemas.documents_out(services.case_detail(svc, who, ref))


@router.get(
    "/cases/{ref}/documents/{no}",
    summary="下载文书或附件（仅本案所属机关）",
    response_class=Response,
    responses=DOWNLOAD,
)
def download(svc: Svc, who: Reader, ref: Ref, no: DocumentNo) -> Response:
    """该文书的最新版本，先与其事件记录的 SHA-256 核对；不符则拒绝（409），绝不输出损坏的文件。"""
    record, content = services.read_document(svc, who, ref, no)
    return download_response(record, content)
