"""The workbench: zh-CN web pages for the people of an office (SPEC W-2), in the same
FastAPI application as the HTTP API.

Server-rendered Jinja2 templates (``govflow/web/templates``) with htmx 2 for the parts
that change in place; every asset is vendored under ``static/``, and the pages keep the
strict Content-Security-Policy (no inline script or style). A page parses the request,
calls the service layer in-process and renders what it returns: the forms are drawn
from the actions' own input models (``services.action_form``), the refusals are the
domain's messages, the masking is the reading use cases'. Who is asking comes from the
session cookie the identity use cases issued (``session``); every form and every htmx
request carries the session's CSRF token.

May import: ``govflow.workflow.services`` and the domain's types, ``govflow.presentation``,
``govflow.web.api.auth`` (the cookie and header names); never ``govflow.models``,
SQLAlchemy or ``govflow.cli``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from govflow.web.pages import (
    admin,
    admin_calendar,
    admin_catalogue,
    admin_channels,
    admin_ladders,
    admin_tokens,
    approvals,
    audit,
    cases,
    incidents,
    login,
    new_case,
    notifications,
    password,
    queue,
    receipts,
    register,
    search,
    session,
    sso,
    supervise,
    verify,
)
from govflow.web.pages.render import error_page

__all__ = ["ROUTERS", "error_page", "install"]

ROUTERS: tuple[APIRouter, ...] = (
    login.router,
    sso.router,
    password.router,
    queue.router,
    approvals.router,
    notifications.router,
    audit.router,
    new_case.router,  # before ``cases``: /cases/new is not a case number
    cases.router,
    register.router,
    search.router,
    receipts.router,
    supervise.router,
    verify.router,
    incidents.router,
    admin.router,
    admin_tokens.router,
    admin_calendar.router,
    admin_ladders.router,
    admin_catalogue.router,
    admin_channels.router,
)


def install(app: FastAPI) -> None:
    """Add the pages and their one extra refusal: no session → the login page."""
    session.install(app)
    for router in ROUTERS:
        app.include_router(router)
