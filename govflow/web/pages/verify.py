"""The supervisor's tamper evidence on screen (SPEC A-2): chain verification over the
supervisor's agency tree, and checkpoints — the list of those taken, and taking one.

The page lists what earlier verifications found and none since cleared
(``services.supervised_findings``: where the case pages' warnings and the dashboard link).
The same use cases as ``govflow audit verify`` and ``govflow audit checkpoint``
(``services.verify_supervised``, ``checkpoint_scope``, ``checkpoint_heads``,
``record_checkpoint``) and the same file writer (``presentation.checkpoint_file``), over
the tree ``services.supervised_agency`` names: anyone but a supervisor is refused (403).
A verification records what it finds (reports refuse those agencies until a later one is
clean), so it runs on a POST with the session's CSRF token, never on a GET; so does
taking a checkpoint, whose file comes back as the download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.checkpoint_file import write_checkpoint
from govflow.web.api.wiring import Svc
from govflow.web.pages.render import page
from govflow.web.pages.session import Session, checked_form
from govflow.web.pages.supervise import download, refused
from govflow.workflow import services
from govflow.workflow.errors import GovflowError

router = APIRouter(include_in_schema=False)
JSON_LINES = "application/x-ndjson"


@router.get("/supervise/verify", response_class=HTMLResponse)
def verify_form(request: Request, svc: Svc, session: Session) -> Response:
    try:
        reader = session.principal.as_reader()
        agency = services.supervised_agency_name(svc, reader)  # people read its name
        recorded = services.supervised_findings(svc, reader)
    except GovflowError as exc:
        return refused(request, session, exc)
    context = {"agency": agency, "result": None, "recorded": recorded}
    return page(request, "supervise_verify.html", context, session)


@router.post("/supervise/verify", response_class=HTMLResponse)
async def verify(request: Request, svc: Svc, session: Session) -> Response:
    try:
        await checked_form(request, session)
        reader = session.principal.as_reader()
        result = services.verify_supervised(svc, reader)
        agency = services.supervised_agency_name(svc, reader)
    except GovflowError as exc:
        return refused(request, session, exc)
    context = {"agency": agency, "result": result, "recorded": ()}
    return page(request, "supervise_verify.html", context, session)


@router.get("/supervise/checkpoints", response_class=HTMLResponse)
def checkpoints(request: Request, svc: Svc, session: Session) -> Response:
    try:
        reader = session.principal.as_reader()
        agency = services.supervised_agency_name(svc, reader)  # people read its name
        taken = services.supervised_checkpoints(svc, reader)
    except GovflowError as exc:
        return refused(request, session, exc)
    context = {"agency": agency, "taken": taken}
    return page(request, "supervise_checkpoints.html", context, session)


@router.post("/supervise/checkpoints")
async def take_checkpoint(request: Request, svc: Svc, session: Session) -> Response:
    """Write the checkpoint of the supervisor's tree and hand the file over; the digest is
    in the response's header and on the list (to be copied down apart from the file)."""
    try:
        await checked_form(request, session)
        reader = session.principal.as_reader()
        agency = services.supervised_agency(reader)
        taken_at = svc.clock.now()
        scope = services.checkpoint_scope(svc, reader, agency, True)
        stream = services.checkpoint_heads(svc, reader, agency_code=agency, include_children=True)
        name = f"checkpoint-{agency}-{taken_at.strftime('%Y%m%dT%H%M%SZ')}.jsonl"
        # The writer refuses to overwrite and renames into place: a fresh folder each time.
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / name
            header, digest = write_checkpoint(output, stream, taken_at, scope, keyring=svc.keyring)
            body = output.read_bytes()
        services.record_checkpoint(svc, reader, header, digest)
    except GovflowError as exc:
        return refused(request, session, exc)
    response = download(body, JSON_LINES, name)
    response.headers["X-Checkpoint-Digest"] = digest
    return response
