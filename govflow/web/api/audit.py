"""Tamper evidence (SPEC A-2): verify the chains in scope, and export a checkpoint of the
chain heads to keep elsewhere (the file ``govflow audit checkpoint`` writes)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from govflow.presentation.checkpoint_file import write_checkpoint
from govflow.web.api.auth import Reader
from govflow.web.api.wiring import Svc
from govflow.web.errors import ERROR_RESPONSES
from govflow.workflow import services

router = APIRouter(prefix="/api/v1/audit", tags=["校验"], responses=ERROR_RESPONSES)


class Finding(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    case_ref: str
    position: int
    kind: str
    message: str
    table: str | None
    column: str | None


class Verification(BaseModel):
    checked: int
    findings: list[Finding]


Agency = Annotated[str | None, Query(max_length=64, description="机关代码（默认：可查看的全部）")]
Children = Annotated[bool, Query(description="包括下级机关")]


@router.post("/verify", response_model=Verification, summary="校验哈希链与派生数据")
def verify(
    svc: Svc,
    who: Reader,
    case: Annotated[str | None, Query(max_length=64, description="只校验该案件")] = None,
    agency: Agency = None,
    include_children: Children = False,
) -> Verification:
    checked, findings = 0, []
    for _ref, found in services.verify_cases(
        svc,
        who,
        case_ref=case,
        agency_code=agency,
        include_children=include_children,
    ):
        checked += 1
        findings += [Finding.model_validate(f) for f in found]
    return Verification(checked=checked, findings=findings)


@router.post(
    "/checkpoints",
    response_class=Response,
    summary="导出检查点（各案件链头），另行保存",
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "检查点文件"}},
)
def checkpoint(
    svc: Svc, who: Reader, agency: Agency = None, include_children: Children = False
) -> Response:
    scope = services.checkpoint_scope(svc, who, agency, include_children)
    heads = services.checkpoint_heads(
        svc, who, agency_code=agency, include_children=include_children
    )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "checkpoint.jsonl"
        header, digest = write_checkpoint(
            target, heads, svc.clock.now(), scope, keyring=svc.keyring
        )
        body = target.read_bytes()
    services.record_checkpoint(svc, who, header, digest)
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": "attachment; filename=checkpoint.jsonl",
            "X-Checkpoint-Digest": digest,
        },
    )
