"""The administrator's API tokens page (an integration's credentials, SPEC U-1) and the
login log (登录日志, 等保 2.0 安全审计).

Tokens: every token with its scope and standing, a form to issue one (its secret shown
once, never again: only its digest is kept) and a revoke button per live token. The
scope's rules (the account's agency, the actions its roles allow, read-only reach below)
are ``services.create_token``'s; a refusal comes back beside its field. The login log is
``services.login_log_page``: newest first, a page at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.admin import Outcome, admin_form, admin_page, refusal_status
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.errors import GovflowError, InvalidInput
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
TOKENS = "/admin/tokens"
LOGIN_LOG = "/admin/login-log"
LOG_PAGE = 50
CHECKED = "on"
SEPARATORS = re.compile(r"[\s,，、;；]+")


def tokens_page(
    request: Request,
    svc: services.Services,
    session: SessionView,
    outcome: Outcome,
    status: int = 200,
) -> Response:
    read = partial(services.token_roster, svc, session.principal)
    return admin_page(
        request, session, "admin_tokens.html", "roster", read, status, outcome=outcome
    )


@router.get(TOKENS, response_class=HTMLResponse)
def token_list(request: Request, svc: Svc, session: Session) -> Response:
    return tokens_page(request, svc, session, Outcome())


def token_request(form: Mapping[str, str]) -> services.TokenRequest:
    """The token the form asks for; whether it may be issued is ``create_token``'s."""
    actions_text = form.get("actions", "").strip()
    actions = frozenset(SEPARATORS.split(actions_text)) - {""} if actions_text else None
    days_text = form.get("days", "").strip()
    days = None
    if days_text:
        try:
            days = int(days_text)
        except ValueError:
            raise InvalidInput(_("有效期应为整数天数"), {"days": _("请填写整数天数")}) from None
    return services.TokenRequest(
        name=form.get("name", "").strip(),
        username=form.get("username", ""),
        actions=actions or None,
        agency=form.get("agency") or None,
        include_children=form.get("include_children") == CHECKED,
        read_only=form.get("read_only") == CHECKED,
        personal_data=form.get("personal_data") == CHECKED,
        days=days,
    )


@router.post(TOKENS, response_class=HTMLResponse)
async def create_token(request: Request, svc: Svc, session: Session) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        if not form.get("username"):
            raise InvalidInput(_("请选择令牌所属账户"), {"username": _("请选择账户")})
        issued = services.create_token(svc, session.principal, token_request(form))
    except GovflowError as exc:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        outcome = Outcome(error=str(exc), values=form, errors=fields)
        return tokens_page(request, svc, session, outcome, refusal_status(exc))
    record = issued.record
    notice = _(
        "已为 %(username)s 创建令牌 %(name)s，有效期至 %(expires)s",
        username=record.username,
        name=record.name,
        expires=record.expires_at.date().isoformat(),
    )
    return tokens_page(request, svc, session, Outcome(notice=notice, secret=issued.token))


@router.post(TOKENS + "/{name}/revoke", response_class=HTMLResponse)
async def revoke_token(
    request: Request, svc: Svc, session: Session, name: Annotated[str, Path(max_length=64)]
) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        services.revoke_token(svc, session.principal, name)
    except GovflowError as exc:
        return tokens_page(request, svc, session, Outcome(error=str(exc)), refusal_status(exc))
    notice = _("已吊销令牌 %(name)s：持有它的系统从现在起无法再访问", name=name)
    return tokens_page(request, svc, session, Outcome(notice=notice))


@router.get(LOGIN_LOG, response_class=HTMLResponse)
def login_log(
    request: Request,
    svc: Svc,
    session: Session,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    try:
        found = services.login_log_page(svc, session.principal, page_no, LOG_PAGE)
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    context = {"log": found, "outcomes": services.LOGIN_OUTCOMES}
    return page(request, "admin_login_log.html", context, session)
