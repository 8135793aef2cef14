"""The HTTP API under ``/api/v1`` (SPEC W-1): one router per concept, each a thin shell
over the service layer — parse the request, call ``govflow.workflow.services``, render
with ``schemas`` (or ``govflow.presentation`` for files). Who is calling comes from one
dependency, ``auth.caller``; every refusal leaves through ``govflow.web.errors``.

May import: ``govflow.workflow.services`` and the domain's types, ``govflow.presentation``,
``govflow.web.errors``; never ``govflow.models``, SQLAlchemy or ``govflow.cli``.
"""

from __future__ import annotations

from fastapi import APIRouter

from govflow.web.api import (
    admin,
    agencies,
    audit,
    calendar,
    cases,
    documents,
    escalations,
    notices,
    reports,
    requests,
)

ROUTERS: tuple[APIRouter, ...] = (
    cases.router,
    documents.router,
    requests.router,
    escalations.router,
    reports.router,
    audit.router,
    calendar.router,
    admin.router,
    agencies.router,
    notices.router,
)
