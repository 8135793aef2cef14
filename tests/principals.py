"""Principals for tests that drive the service layer in-process: ``acting(svc, "li.handler")``
is that user through the channel ``cli:pytest``, checked (active) like ``--as`` is."""

from __future__ import annotations

from govflow.workflow.identity.principal import Principal, cli_channel
from govflow.workflow.services import Services
from govflow.workflow.services.accounts import principal_for

TEST_CHANNEL = cli_channel("pytest")


def acting(svc: Services, username: str) -> Principal:
    return principal_for(svc, username, TEST_CHANNEL)
