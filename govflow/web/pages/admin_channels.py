"""The administrator's notification channels (SPEC E-3): the channels the settings name,
where each sends (never a secret), and 发送测试消息 per channel — sent through the same
channel code the workers deliver with (``services.send_test_message``), so a wrong mail
server or a refusing webhook shows here, in Chinese, before a deadline warning is lost.
The channels themselves are built by the application (``create_app``), not by this page.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.pages.admin import Outcome, admin_form, admin_page, refusal_status
from govflow.web.pages.session import Session
from govflow.workflow import services
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
CHANNELS = "/admin/channels"


def channels_page(
    request: Request,
    svc: services.Services,
    session: SessionView,
    outcome: Outcome,
    status: int = 200,
    tried: str | None = None,
) -> Response:
    read = partial(services.configured_channels, svc, session.principal)
    return admin_page(
        request,
        session,
        "admin_channels.html",
        "channels",
        read,
        status,
        outcome=outcome,
        tried=tried,
    )


@router.get(CHANNELS, response_class=HTMLResponse)
def channel_list(request: Request, svc: Svc, session: Session) -> Response:
    return channels_page(request, svc, session, Outcome())


@router.post(CHANNELS + "/{name}/test", response_class=HTMLResponse)
async def send_test(
    request: Request, svc: Svc, session: Session, name: Annotated[str, Path(max_length=32)]
) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        done = services.send_test_message(
            svc, session.principal, name, request.app.state.channels, form.get("address")
        )
    except GovflowError as exc:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        outcome = Outcome(error=str(exc), values=form, errors=fields)
        return channels_page(request, svc, session, outcome, refusal_status(exc), name)
    return channels_page(request, svc, session, Outcome(notice=done), tried=name)
