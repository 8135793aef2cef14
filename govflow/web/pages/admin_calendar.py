"""The administrator's working-day calendar page (SPEC T-1, T-4): the years with an official
schedule, one year's holidays, make-up working days and closure days, the files in force,
and importing a file — the same use case as ``govflow calendar import``: the file is
checked whole (a bad one is refused, nothing written), then every open limit is
recomputed on the new calendar and the cases whose limits moved are listed.

The upload is ``multipart/form-data``, read here with the standard library's MIME parser
(the application carries no multipart package): a form of two fields, the CSRF token and
the file, checked like every other form before anything else is looked at.
"""

from __future__ import annotations

import email.policy
from email.parser import BytesParser

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.calendar import import_lines
from govflow.web.api.wiring import Svc, fresh_services
from govflow.web.i18n import _
from govflow.web.pages.admin import refusal_status
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import CSRF_FIELD, Session
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.calendar.imports import MAX_BYTES
from govflow.workflow.clock import local_date
from govflow.workflow.errors import GovflowError, InvalidInput, NotFound
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
CALENDAR = "/admin/calendar"
FILE_FIELD = "file"
ENVELOPE = 16 * 1024  # the form's own bytes around the file: boundaries, headers, token


def calendar_page(
    request: Request,
    svc: services.Services,
    session: SessionView,
    year: int | None = None,
    imported: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        services.administrator(svc, session.principal)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    years = services.calendar_years(svc)
    shown = year or _default_year(svc, years)
    try:
        days = services.calendar_year(svc, shown)
        year_error = None
    except NotFound as exc:
        days, year_error = None, str(exc)
    context = {
        "years": years,
        "shown": shown,
        "days": days,
        "year_error": year_error,
        "files": services.calendar_files(svc),
        "imported": imported,
        "error": error,
        "max_kib": MAX_BYTES // 1024,
        "file_field": FILE_FIELD,
    }
    return page(request, "admin_calendar.html", context, session, status)


def _default_year(svc: services.Services, years: list[int]) -> int:
    this_year = local_date(svc.clock.now()).year
    return this_year if this_year in years or not years else years[-1]


@router.get(CALENDAR, response_class=HTMLResponse)
def calendar_view(
    request: Request, svc: Svc, session: Session, year: int | None = None
) -> Response:
    return calendar_page(request, svc, session, year)


async def upload_of(request: Request) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """The multipart form's text fields and its one file (name, bytes); a body larger than
    a calendar file may be is refused before it is read."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidInput(_("请选择要导入的日历文件"), {FILE_FIELD: _("请选择文件")})
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_BYTES + ENVELOPE:
        message = _("日历文件不能超过 %(kib)s KiB", kib=MAX_BYTES // 1024)
        raise InvalidInput(message, {FILE_FIELD: message})
    body = await request.body()
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    upload = None
    if not message.is_multipart():
        return fields, None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            # an empty file chosen is a file: the import says it is empty (not "choose one")
            if filename and name == FILE_FIELD:
                upload = (filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], bytes(data))
        elif isinstance(name, str):
            fields[name] = bytes(data).decode("utf-8", errors="replace")
    return fields, upload


@router.post(CALENDAR, response_class=HTMLResponse)
async def import_calendar(request: Request, svc: Svc, session: Session) -> Response:
    try:
        fields, upload = await upload_of(request)
        services.check_csrf(session, fields.get(CSRF_FIELD))
    except InvalidInput as exc:
        return calendar_page(request, svc, session, error=str(exc), status=422)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session)
    try:
        if upload is None:
            raise InvalidInput(_("请选择要导入的日历文件"), {FILE_FIELD: _("请选择文件")})
        done = services.import_calendar(svc, session.principal, *upload)
    except GovflowError as exc:
        return calendar_page(request, svc, session, error=str(exc), status=refusal_status(exc))
    # This process picks the new calendar up now, not at its next periodic check.
    on_new = fresh_services(request)
    return calendar_page(request, on_new, session, done.year, imported=import_lines(done))
