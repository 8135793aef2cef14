"""依申请公开 (SPEC section 2): the hooks ``configs/case_types/disclosure_request.yaml`` names.

The declaration holds the topology; this package holds what the law needs code for:
the inputs (``actions``), the fold that moves the deadlines (``facts``), the legal
guards and the rules in force (``rules``), and the fee bands (``fees``).
"""

from govflow.workflow.disclosure.actions import DATE_DEFAULTS, PAYLOADS
from govflow.workflow.disclosure.facts import DisclosureFacts as Facts
from govflow.workflow.disclosure.rules import check, conditions, derive

__all__ = ["DATE_DEFAULTS", "PAYLOADS", "Facts", "check", "conditions", "derive"]
