"""The installation's configuration, as the service layer receives it.

Read once at start-up by the composition root (``govflow.app``) from ``configs/`` and the
directories and files the environment names, then handed to ``Services``: the domain
never opens a configuration file, reads the environment or caches a global of its own.
The working calendar travels beside it (``Services.calendar``): a calendar update swaps
it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from govflow.workflow.escalation import Policy
from govflow.workflow.outcomes import Outcome
from govflow.workflow.policy import Settings
from govflow.workflow.registry import Catalogue


@dataclass(frozen=True)
class Config:
    settings: Settings
    outcomes: Mapping[str, Outcome]  # the D-8 list, in the annual report's row order
    policies: Mapping[str, Policy]  # the escalation ladders in force, by name
    case_types: Catalogue  # every case type's contract, by name
