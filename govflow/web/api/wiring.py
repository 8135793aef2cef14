"""The application's services, as a dependency: wired once by ``create_app`` (from
``govflow.app`` in production, from the test's database in tests), handed to each route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from govflow.workflow.services import CalendarWatch, Services


def services_of(request: Request) -> Services:
    """The services, on the newest calendar (``CalendarWatch``, checked at most every
    ``calendar.check_seconds``)."""
    watch = request.app.state.calendar_watch
    assert isinstance(watch, CalendarWatch), "create_app wires the services"
    return watch.current()


def fresh_services(request: Request) -> Services:
    """The services on the newest calendar, looked up now (after an import)."""
    watch = request.app.state.calendar_watch
    assert isinstance(watch, CalendarWatch), "create_app wires the services"
    return watch.current(force=True)


Svc = Annotated[Services, Depends(services_of)]
