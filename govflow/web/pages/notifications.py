"""The notification centre (通知): the warnings and escalations addressed to the signed-in
person, newest first, each with its case, its message and when it fired, and "确认" to
acknowledge it (an event on its case, recorded by the service layer). The link in the
navigation carries the count still waiting, loaded by htmx so every page need not ask."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.pages.cases import case_url
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import AnySession, Session, checked_form, is_htmx
from govflow.workflow import services, texts
from govflow.workflow.errors import GovflowError, NotFound

router = APIRouter(include_in_schema=False)
PATH = "/notifications"
COUNT_CAP = 99  # the link says "99+" beyond: the list itself shows the newest
LEVELS = {level: title.strip("【】") for level, title in texts.LEVEL_TITLES.items()}
CHANGED = "notifications-changed"  # the htmx event that makes the link count again


def _context(**extra: object) -> dict[str, object]:
    return {"levels": LEVELS, "case_url": case_url, **extra}


@router.get(PATH, response_class=HTMLResponse)
def notifications(request: Request, svc: Svc, session: Session) -> Response:
    reader = session.principal.as_reader()
    try:
        rows = services.my_firings(svc, reader)
    except GovflowError as exc:
        return refusal(request, str(exc), 400, session)
    return page(request, "notifications.html", _context(rows=rows), session)


@router.get(PATH + "/count", response_class=HTMLResponse)
def pending_count(request: Request, svc: Svc, session: AnySession) -> Response:
    """The "(n)" after the link: firings addressed to the reader not yet acknowledged.

    Any live session, and nothing counted while a one-time password awaits its change: the
    change-password page loads this too, and being sent to that page from it would reload
    the page for ever."""
    pending = 0
    if not session.principal.must_change_password:
        reader = session.principal.as_reader()
        pending = len(services.my_firings(svc, reader, pending_only=True, limit=COUNT_CAP + 1))
    shown = f"{COUNT_CAP}+" if pending > COUNT_CAP else str(pending)
    return page(request, "_notification_count.html", {"pending": pending, "shown": shown}, session)


@router.post(PATH + "/acknowledge", response_class=HTMLResponse)
async def acknowledge(request: Request, svc: Svc, session: Session) -> Response:
    htmx = is_htmx(request)
    try:
        submitted = await checked_form(request, session)
        key = submitted.get("key", "")
        services.acknowledge(svc, key, session.principal)
        row = services.firing(svc, session.principal.as_reader(), key)
    except GovflowError as exc:
        # The refusal goes to the alert above the table, leaving the row as it was.
        status = 404 if isinstance(exc, NotFound) else 403
        answer = refusal(request, str(exc), status, session, htmx)
        if htmx:
            answer.headers.update({"HX-Retarget": "#notify-message", "HX-Reswap": "innerHTML"})
        return answer
    if not htmx:
        return RedirectResponse(PATH, status_code=303)
    answer = page(request, "_notification_row.html", _context(row=row), session)
    answer.headers["HX-Trigger"] = CHANGED
    return answer
