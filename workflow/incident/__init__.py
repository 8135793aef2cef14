"""政务舆情事件 (SPEC section 3): the hooks ``configs/case_types/incident.yaml`` names.

The declaration holds the topology (states, actions, roles); this package holds the inputs
(``actions``), the fold that moves the hour milestones and supervision-letter deadlines
(``facts``), the guards and the grade limits in force (``rules``, ``grades``), how an
incident reads (``view``) and its contract with shared code (``contract``). Its own use
case, the accountability list, is ``govflow.workflow.services.incidents``.

May import: the domain (``govflow.workflow``), never its services package.
"""

from govflow.workflow.incident.contract import workflow
from govflow.workflow.incident.rules import conditions

__all__ = ["conditions", "workflow"]
