"""The disclosure request's own writing use case: registering a request (登记, SPEC D-1, D-2).

The shared ``open_case`` with the steps the request's intake may ask for at once: a receipt
date already known, a reply given at the desk. This module is about one case type, so it
names it and its actions; the shared use cases do not."""

from __future__ import annotations

from datetime import date
from typing import Any

from govflow.workflow.identity.principal import Principal
from govflow.workflow.services.base import Services
from govflow.workflow.services.cases import open_case
from govflow.workflow.services.forms import ActionForm, action_form

CASE_TYPE = "disclosure_request"


def register_request(
    svc: Services,
    *,
    agency_code: str,
    principal: Principal,
    intake: dict[str, Any],
    receipt_date: date | None = None,
    on_the_spot: dict[str, Any] | None = None,
) -> str:
    """登记 (D-1, D-2): create the case; confirm receipt at once when the date is known.

    A request handed in person is received the day it is handed in; other channels
    wait in ``received`` until the receipt is confirmed, unless ``receipt_date`` is given.
    ``on_the_spot`` (an outcome and a summary) replies at the desk (Art. 33). The number
    belongs to the year the request arrived.
    """
    then: list[tuple[str, dict[str, Any]]] = []
    if receipt_date is not None:
        then.append(("confirm_receipt", {"receipt_date": receipt_date.isoformat()}))
    if on_the_spot is not None:
        then.append(("reply_on_the_spot", on_the_spot))
    return open_case(
        svc,
        case_type=CASE_TYPE,
        agency_code=agency_code,
        principal=principal,
        payload=intake,
        then=then,
    )


def registration_form(svc: Services) -> ActionForm:
    """The form a clerk fills to register a request: the D-1 fields of its creation action."""
    workflow = svc.config.case_types.find(CASE_TYPE)
    return action_form(svc, CASE_TYPE, workflow.case_type.create)
