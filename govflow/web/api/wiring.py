"""The application's services, as a dependency: wired once by ``create_app`` (from
``govflow.app`` in production, from the test's database in tests), handed to each route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from govflow.workflow.services import Services


def services_of(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services), "create_app wires the services"
    return found


Svc = Annotated[Services, Depends(services_of)]
