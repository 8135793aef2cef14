"""The case types this installation knows: declaration (configs/case_types) + Python rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import configs
from workflow.casetype import CaseType, load_case_type
from workflow.disclosure import actions as disclosure_actions
from workflow.disclosure import rules as disclosure_rules
from workflow.disclosure.facts import DisclosureFacts


@dataclass(frozen=True)
class Workflow:
    case_type: CaseType
    payloads: dict[str, type[disclosure_actions.Payload]]
    date_defaults: dict[str, str]
    new_facts: Callable[[], Any]
    check: Callable[..., None]
    derive: Callable[..., dict[str, Any]]


def _declaration(name: str) -> Path:
    return Path(configs.__file__).parent / "case_types" / f"{name}.yaml"


@cache
def workflows() -> dict[str, Workflow]:
    disclosure = Workflow(
        case_type=load_case_type(_declaration("disclosure_request"), disclosure_rules.conditions()),
        payloads=disclosure_actions.PAYLOADS,
        date_defaults=disclosure_actions.DATE_DEFAULTS,
        new_facts=DisclosureFacts,
        check=disclosure_rules.check,
        derive=disclosure_rules.derive,
    )
    return {"disclosure_request": disclosure}


def workflow(case_type: str) -> Workflow:
    return workflows()[case_type]
