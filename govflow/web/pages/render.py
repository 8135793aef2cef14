"""Rendering a page: one Jinja2 environment, autoescaping everything a person typed.

Every template extends ``base.html`` (navigation, the signed-in person, the CSRF token in
a ``<meta>`` the htmx glue sends back as a header). A refusal renders ``error.html`` (or,
for an htmx request, the ``_error.html`` fragment) with the domain's Chinese message, so a
failing partial update shows why instead of a blank.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from govflow.presentation.urgency import urgency
from govflow.web import i18n
from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.api.wiring import services_of
from govflow.workflow.actors import ROLE_LABELS
from govflow.workflow.clock import local_minute
from govflow.workflow.errors import GovflowError
from govflow.workflow.services import signin, workbench
from govflow.workflow.services.signin import SessionView

TEMPLATES = Path(str(files("govflow.web").joinpath("templates")))

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
    # The templates are package data: they change with a new install, not while a process
    # runs. Checking each file's mtime on every render was 8 % of a busy server's time.
    auto_reload=False,
    # Every template kept in a plain dict: Jinja's bounded cache takes a lock on every
    # lookup, and an ``{% include %}`` inside a list's loop looks a template up for each row —
    # under 20 people at once, server threads spent 43 % of their samples queued on that
    # lock (py-spy). The templates are a fixed set of package files.
    cache_size=-1,
)
# Every word of a template goes through ``_()``/``{% trans %}``: the catalogue in force for
# the request (``govflow.web.i18n``); newstyle fills ``%(name)s`` after translating.
# (The extension adds ``install_gettext_callables`` at run time: type checkers do not see it.)
ENV.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
ENV.globals["urgency"] = urgency
ENV.globals["html_lang"] = i18n.html_lang
ENV.filters["local"] = local_minute  # instants are stored in UTC; people read Beijing time
# A domain word (a declared label: state, action, field, limit …) in the locale in force; the
# domain and the events keep zh-CN, only the page translates (``i18n.word``, issue 12).
ENV.filters["word"] = i18n.word


class _RoleLabels(Mapping[Any, str]):
    """The domain's role labels, translated as a template reads them."""

    def __getitem__(self, role: Any) -> str:
        return i18n._(ROLE_LABELS[role])

    def __iter__(self) -> Iterator[Any]:
        return iter(ROLE_LABELS)

    def __len__(self) -> int:
        return len(ROLE_LABELS)


ENV.globals["role_labels"] = _RoleLabels()


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    session: SessionView | None = None,
    status: int = 200,
) -> HTMLResponse:
    # The navigation offers what this person may use; the service layer decides which.
    nav = workbench(services_of(request), session.principal).sections if session else ()
    html = ENV.get_template(template).render(
        {"request": request, "session": session, "nav": nav, **context}
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def refusal(
    request: Request,
    message: str,
    status: int,
    session: SessionView | None = None,
    htmx: bool = False,
) -> HTMLResponse:
    """The domain's refusal as a page, or as the fragment an htmx target shows."""
    template = "_error.html" if htmx else "error.html"
    return page(request, template, {"message": message, "status": status}, session, status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A page's address that failed before the page ran (``errors.install``): the error
    page, with the navigation of whoever is signed in so they can go on from there."""
    try:
        session: SessionView | None = signin.authenticate_session(
            services_of(request), request.cookies.get(SESSION_COOKIE)
        )
    except GovflowError:  # signed out, expired: the page without navigation
        session = None
    return refusal(request, message, status, session)
