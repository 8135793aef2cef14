"""The disclosure request's own writing use case: registering a request (登记, SPEC D-1, D-2).

The shared ``open_case`` with the steps the request's intake may ask for at once: a receipt
date already known, a reply given at the desk. This module is about one case type, so it
names it and its actions; the shared use cases do not."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from govflow.workflow.access import may_see_personal_data
from govflow.workflow.clock import local_date
from govflow.workflow.disclosure.context import applicant_key_of, description_key
from govflow.workflow.disclosure.register import ApplicantPreview, RequestRegister
from govflow.workflow.errors import NotPermitted
from govflow.workflow.identity.acting import acting_actor
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


def applicant_preview(
    svc: Services, principal: Principal, intake: Mapping[str, Any]
) -> ApplicantPreview | None:
    """What the registration form shows before saving (D-7, Art. 36(6)): the applicant's
    requests this month and this year and the agency's earlier requests of the applicant
    for the same information. None until the applicant's kind and ID number and the
    description are typed. Only the staff of an agency, who see applicants unmasked, ask."""
    applicant = intake.get("applicant")
    applicant = applicant if isinstance(applicant, Mapping) else {}
    kind, id_number = applicant.get("kind"), applicant.get("id_number")
    description = intake.get("description")
    if not (isinstance(kind, str) and kind and isinstance(id_number, str) and id_number.strip()):
        return None
    if not (isinstance(description, str) and description.strip()):
        return None
    try:
        received = date.fromisoformat(str(intake.get("received_on") or "").strip())
    except ValueError:  # not typed yet, or not a date: the registration says so on saving
        received = local_date(svc.clock.now())
    with svc.uow() as uow:
        actor = acting_actor(uow.repo, principal)
        if actor.agency_code is None or not may_see_personal_data(actor, actor.agency_code):
            raise NotPermitted(f"{actor.name} 不是本机关的工作人员，不能查看申请人的申请记录")
        agency = uow.repo.agency(actor.agency_code)
        return uow.store(RequestRegister).applicant_preview(
            applicant_key_of(kind, id_number), description_key(description), received, agency.id
        )
