"""The persistence layer and the bulk writer implement the service layer's ports.

``govflow.workflow.ports`` and ``escalation_ports`` (and a type's own,
``disclosure.register``) declare, as ``typing.Protocol``, what the use cases need from storage. Each implementation must have
every member with the same parameters: a use case run against the bulk writer's memory
must find the same methods as against the database.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from govflow.models.bulk import (
    BulkEscalations,
    BulkRepository,
    BulkRequestRegister,
    BulkUnitOfWork,
)
from govflow.models.disclosure_register import SqlRequestRegister
from govflow.models.escalation_repo import EscalationRepository as SqlEscalations
from govflow.models.identity_repo import IdentityRepository
from govflow.models.repository import Repository
from govflow.models.uow import SqlUnitOfWork
from govflow.workflow import escalation_ports, ports
from govflow.workflow.disclosure.register import RequestRegister, RequestReports
from govflow.workflow.identity.ports import IdentityStore

LIFECYCLE = ("__enter__", "__exit__")


def members(protocol: type) -> dict[str, Any]:
    """The protocol's methods (its own and those of the protocols it extends)."""
    found: dict[str, Any] = {}
    for cls in reversed(protocol.__mro__):
        if cls is object or not getattr(cls, "_is_protocol", False):
            continue
        for name, value in vars(cls).items():
            if (name.startswith("_") and name not in LIFECYCLE) or not callable(value):
                continue
            found[name] = value
    return found


def parameters(function: Any) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p != "self"]


def mismatches(implementation: type, protocol: type) -> list[str]:
    found = []
    for name, declared in members(protocol).items():
        actual = getattr(implementation, name, None)
        if actual is None:
            found.append(f"{implementation.__name__} has no {name}")
        elif name not in LIFECYCLE and parameters(actual) != parameters(declared):
            found.append(
                f"{implementation.__name__}.{name}{parameters(actual)} ≠ {parameters(declared)}"
            )
    return found


@pytest.mark.parametrize(
    ("implementation", "protocol"),
    [
        (Repository, ports.CaseRepository),
        (SqlEscalations, escalation_ports.EscalationRepository),
        (SqlUnitOfWork, ports.UnitOfWork),
        (IdentityRepository, IdentityStore),
        (SqlRequestRegister, RequestRegister),
        (SqlRequestRegister, RequestReports),
        (BulkRepository, ports.CaseWrites),
        (BulkEscalations, escalation_ports.EscalationPlans),
        (BulkUnitOfWork, ports.WritingUnitOfWork),
        (BulkRequestRegister, RequestRegister),
    ],
    ids=lambda v: v.__name__,
)
def test_each_implementation_has_every_member_of_its_port(implementation, protocol) -> None:
    assert mismatches(implementation, protocol) == []


def test_a_missing_or_different_member_is_reported() -> None:
    class Partial:
        def actor(self, username: str) -> Any: ...

        def agency(self, name: str) -> Any: ...  # the parameter is ``code``

    found = mismatches(Partial, ports.CaseWrites)
    assert "Partial has no save" in found
    assert "Partial.agency['name'] ≠ ['code']" in found
