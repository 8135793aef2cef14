"""政务舆情事件 (SPEC section 3): the hooks ``configs/case_types/incident.yaml`` names.

The declaration holds the topology (states, actions, roles); this package holds the
inputs (``actions``), the fold that moves the hour milestones and supervision-letter
deadlines (``facts``), the guards and the grade limits in force (``rules``, ``grades``).
"""

from govflow.workflow.incident.actions import PAYLOADS
from govflow.workflow.incident.facts import IncidentFacts as Facts
from govflow.workflow.incident.rules import check, conditions, derive, validate

__all__ = ["PAYLOADS", "Facts", "check", "conditions", "derive", "validate"]
