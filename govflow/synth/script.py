"""A planned case: who opens it when, with what, and every later step (``CaseScript``).

Scripts are plain data, made by the planner (``govflow.synth.plan``) without any I/O.
``apply_script`` plays one through the service layer with a fake clock, so a synthetic
case is written exactly as people would have written it: same guards, same events,
same deadlines. Whatever unit of work ``svc`` carries (the database, or the bulk
writer's memory), the use cases are the same, and so is the result.

Instants are aware (Asia/Shanghai); dates inside payloads are ISO strings, the form a
clerk's file or the CLI gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from govflow.workflow import services
from govflow.workflow.clock import FakeClock
from govflow.workflow.identity.principal import SYSTEM_CHANNEL
from govflow.workflow.services import Principals, Services

DISCLOSURE = "disclosure_request"
INCIDENT = "incident"
ONLINE_MESSAGE = "online_message"


@dataclass(frozen=True)
class Step:
    at: datetime  # aware instant (Asia/Shanghai tz from workflow.clock.SHANGHAI)
    actor: str  # username, or "system" for expiries
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class CaseScript:
    case_type: str  # "disclosure_request" | "incident" | "online_message"
    agency: str  # agency code
    opened_at: datetime  # when the creating user acts
    actor: str  # the creating user
    payload: dict[str, Any]  # creation payload (for disclosure requests: the intake)
    receipt_date: date | None = None  # disclosure only: passed to services.register_request
    on_the_spot: dict[str, Any] | None = None  # disclosure only: reply_on_the_spot payload
    steps: tuple[Step, ...] = ()


def apply_script(
    svc: Services, clock: FakeClock, script: CaseScript, principals: Principals | None = None
) -> str:
    """Open the case at ``opened_at`` and act out each step at its instant; returns the ref.

    Only the use cases of ``workflow.services`` are called, so any unit of work shaped
    like ``SqlUnitOfWork`` will do. A refused step raises the domain's error unchanged.
    ``principals`` (default: through the channel ``system``) names who acts.
    """
    principals = principals or Principals(svc, SYSTEM_CHANNEL)
    clock.set(script.opened_at)
    if script.case_type == DISCLOSURE:
        ref = services.register_request(
            svc,
            agency_code=script.agency,
            principal=principals(script.actor),
            intake=dict(script.payload),
            receipt_date=script.receipt_date,
            on_the_spot=dict(script.on_the_spot) if script.on_the_spot is not None else None,
        )
    else:
        ref = services.open_case(
            svc,
            case_type=script.case_type,
            agency_code=script.agency,
            principal=principals(script.actor),
            payload=dict(script.payload),
        )
    for step in script.steps:
        clock.set(step.at)
        services.act(
            svc,
            ref=ref,
            action=step.action,
            payload=dict(step.payload),
            principal=principals(step.actor),
        )
    return ref
