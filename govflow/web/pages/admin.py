"""The administrator's accounts page (系统管理 · 用户, SPEC U-1): every account with its
status and last login, a form to add one (its one-time password shown once), and per
account: lock, unlock, deactivate, restore, reset the password (a new one-time password,
shown once) and force logout.

Every rule is the service layer's: the accounts use cases decide and write the security
log; ``services.user_roster`` is the administrator's alone, so anyone else gets its
refusal as a 403 page. Each change is a POST with the session's CSRF token; the answer is
the same page with a Chinese line saying what happened, or the refusal (beside its field
when the service names one; nothing is written).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from govflow.web.api.wiring import Svc
from govflow.web.i18n import _
from govflow.web.pages.render import page, refusal
from govflow.web.pages.session import Session, checked_form
from govflow.web.pages.supervise import status_of
from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.errors import GovflowError, InvalidInput, NotFound
from govflow.workflow.identity.ports import AccountKind
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services.signin import SessionView

router = APIRouter(include_in_schema=False)
USERS = "/admin/users"
ROLE_FIELD = "role_"  # one checkbox per role: role_clerk, role_handler, …
Username = Annotated[str, Path(max_length=64)]


@dataclass(frozen=True)
class Outcome:
    """What the last request did, for the line above the list (and the form's errors)."""

    notice: str | None = None
    secret: str | None = None  # a one-time password, shown this once
    secret_for: str | None = None
    error: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)


def refusal_status(exc: GovflowError) -> int:
    """As the API maps them, but a form's bad input is 422 (the form comes back)."""
    return 422 if isinstance(exc, InvalidInput) else status_of(exc)


def admin_page(
    request: Request,
    session: SessionView,
    template: str,
    name: str,
    read: Callable[[], object],
    status: int = 200,
    **context: object,
) -> Response:
    """An administrator's page: what ``read`` returns (its use case checks the reader is an
    administrator) as ``name`` beside ``context``, or the use case's refusal."""
    try:
        found = read()
    except GovflowError as exc:
        return refusal(request, str(exc), status_of(exc), session)
    return page(request, template, {name: found, **context}, session, status)


def users_page(
    request: Request,
    svc: services.Services,
    session: SessionView,
    outcome: Outcome,
    status: int = 200,
) -> Response:
    read = partial(services.user_roster, svc, session.principal)
    return admin_page(
        request,
        session,
        "admin_users.html",
        "roster",
        read,
        status,
        outcome=outcome,
        role_field=ROLE_FIELD,
    )


@router.get(USERS, response_class=HTMLResponse)
def user_list(request: Request, svc: Svc, session: Session) -> Response:
    return users_page(request, svc, session, Outcome())


async def admin_form(request: Request, session: SessionView) -> dict[str, str] | Response:
    """The checked form, or the CSRF refusal as a 403 page."""
    try:
        return await checked_form(request, session)
    except GovflowError as exc:
        return refusal(request, str(exc), 403, session)


def new_account(form: Mapping[str, str]) -> services.NewAccount:
    """The account the form describes; what it must be is ``add_user``'s to check."""
    roles: list[Role] = []
    for role in Role:
        if form.get(ROLE_FIELD + role.value) == "on":
            roles.append(role)
    try:
        kind = AccountKind(form.get("kind", AccountKind.PERSON.value))
    except ValueError:
        raise InvalidInput(_("账户类型无效"), {"kind": _("请选择账户类型")}) from None
    return services.NewAccount(
        username=form.get("username", "").strip(),
        name=form.get("name", ""),
        roles=tuple(roles),
        agency_code=form.get("agency") or None,
        email=form.get("email") or None,
        kind=kind,
    )


@router.post(USERS, response_class=HTMLResponse)
async def add_user(request: Request, svc: Svc, session: Session) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        new = new_account(form)
        shown = services.add_user(
            svc, session.principal, new, generate=new.kind is AccountKind.PERSON
        )
    except GovflowError as exc:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        outcome = Outcome(error=str(exc), values=form, errors=fields)
        return users_page(request, svc, session, outcome, refusal_status(exc))
    notice = _("已新增用户 %(username)s（%(name)s）", username=new.username, name=new.name.strip())
    if shown is None:
        notice += _("。服务账户不能登录，请为其创建 API 令牌")
    return users_page(
        request, svc, session, Outcome(notice=notice, secret=shown, secret_for=new.username)
    )


def _ended(n: int) -> str:
    return _("，已结束其 %(n)s 个会话", n=n) if n else ""


Change = Callable[[services.Services, Principal, str], Outcome]


def _lock(svc: services.Services, by: Principal, username: str) -> Outcome:
    return Outcome(
        notice=_(
            "已锁定用户 %(username)s%(ended)s",
            username=username,
            ended=_ended(services.lock_user(svc, by, username)),
        )
    )


def _unlock(svc: services.Services, by: Principal, username: str) -> Outcome:
    services.unlock_user(svc, by, username)
    return Outcome(notice=_("已解锁用户 %(username)s，其可重新登录", username=username))


def _deactivate(svc: services.Services, by: Principal, username: str) -> Outcome:
    ended = services.deactivate_user(svc, by, username)
    return Outcome(
        notice=_(
            "已停用用户 %(username)s（历史记录保留其姓名）%(ended)s",
            username=username,
            ended=_ended(ended),
        )
    )


def _activate(svc: services.Services, by: Principal, username: str) -> Outcome:
    services.activate_user(svc, by, username)
    return Outcome(notice=_("已恢复用户 %(username)s", username=username))


def _reset(svc: services.Services, by: Principal, username: str) -> Outcome:
    shown = services.set_password(svc, by, username)
    return Outcome(
        notice=_(
            "已重置用户 %(username)s 的密码，其全部会话已结束；首次登录须修改密码",
            username=username,
        ),
        secret=shown,
        secret_for=username,
    )


def _logout(svc: services.Services, by: Principal, username: str) -> Outcome:
    ended = services.end_sessions(svc, by, username)
    return Outcome(
        notice=_(
            "已强制用户 %(username)s 下线：结束 %(ended)s 个会话", username=username, ended=ended
        )
    )


CHANGES: dict[str, Change] = {
    "lock": _lock,
    "unlock": _unlock,
    "deactivate": _deactivate,
    "activate": _activate,
    "password": _reset,
    "logout": _logout,
}


@router.post(USERS + "/{username}/{change}", response_class=HTMLResponse)
async def change_user(
    request: Request, svc: Svc, session: Session, username: Username, change: str
) -> Response:
    form = await admin_form(request, session)
    if isinstance(form, Response):
        return form
    try:
        do = CHANGES.get(change)
        if do is None:
            raise NotFound(_("未知的账户操作 %(change)s", change=repr(change)))
        outcome = do(svc, session.principal, username)
    except GovflowError as exc:
        return users_page(request, svc, session, Outcome(error=str(exc)), refusal_status(exc))
    return users_page(request, svc, session, outcome)
