"""Search across cases (案件查询): the filters of the API's list as a form, the cases found
least time left first with keyset pages, and the same search as a CSV download.

The form is a GET: a search is a link a person can bookmark or send to a colleague, and
reads nothing it may not (the list use case applies the reader's scope and masking: the
applicant is searched only by those who see it). A value that is not a date or a number
comes back beside its field in Chinese; nothing is searched then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import islice
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govflow.presentation.cases import cases_csv
from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.clock import local_date
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.search import EXPORT_LIMIT, export_cases, search_choices

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
DATES = ("opened_from", "opened_to", "due_from", "due_to", "closed_from", "closed_to")
TEXTS = ("text", "search", "case_type", "state", "agency", "assignee", "channel", "outcome")


def filters_of(params: Mapping[str, str]) -> services.CaseFilter:
    """The search a query string asks for; each unreadable value named beside its field."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name in DATES:
        raw = params.get(name, "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = _("不是有效日期：%(raw)s（应为 YYYY-MM-DD）", raw=raw)
    within = params.get("due_within", "").strip()
    if within and not (within.isascii() and within.isdigit() and int(within) <= 366):
        errors["due_within"] = _("应为 0–366 的整数（个工作日）")
    if errors:
        raise InvalidInput(_("查询条件有误：%(errors)s", errors="；".join(errors.values())), errors)
    text = {name: params.get(name, "").strip() or None for name in TEXTS}
    return services.CaseFilter(
        case_type=text["case_type"],
        agency=text["agency"],
        include_children=bool(params.get("include_children")),
        states=frozenset({text["state"]}) if text["state"] else frozenset(),
        open_only=not params.get("all_states"),
        assignee=text["assignee"],
        ref_contains=text["search"],
        outcome=text["outcome"],
        overdue=bool(params.get("overdue")),
        due_within=int(within) if within else None,
        channel=text["channel"],
        text=text["text"],
        **days,
    )


def _query(params: Mapping[str, str]) -> str:
    """The search's own query string, without the page position (for links)."""
    kept = {k: v for k, v in params.items() if k != "after" and v}
    return urlencode(kept)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, svc: Svc, session: Session) -> Response:
    reader = session.principal.as_reader()
    params = dict(request.query_params)
    context: dict[str, object] = {
        "values": params,
        "errors": {},
        "message": None,
        "found": None,
        "query": _query(params),
    }
    try:
        services.require_section(session.principal, "search")
        context["choices"] = search_choices(svc, reader)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session)
    if params:  # the form was sent (an empty one searches every case the reader may read)
        try:
            filters = filters_of(params)
            context["found"] = services.list_cases(
                svc, reader, filters, after=params.get("after") or None, limit=PAGE_SIZE
            )
        except InvalidInput as exc:
            context.update(errors=exc.fields, message=str(exc))
            return page(request, "search.html", context, session, 422)
        except GovflowError as exc:  # an agency outside the reader's scope: not found
            context["message"] = str(exc)
            return page(request, "search.html", context, session, status_of(exc))
    return page(request, "search.html", context, session)


@router.get("/search.csv")
def search_csv(request: Request, svc: Svc, session: Session) -> Response:
    reader = session.principal.as_reader()
    try:
        services.require_section(session.principal, "search")
        filters = filters_of(dict(request.query_params))
        rows = list(islice(export_cases(svc, reader, filters, EXPORT_LIMIT + 1), EXPORT_LIMIT + 1))
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    name = _("案件查询-%(day)s.csv", day=local_date(svc.clock.now()).isoformat())
    return Response(
        cases_csv(rows[:EXPORT_LIMIT], more=len(rows) > EXPORT_LIMIT),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )
