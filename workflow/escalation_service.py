"""Where the escalation use cases used to live; they are now
``govflow.workflow.services.firings`` (re-exported here for code written against the
old name)."""

from govflow.workflow.services.escalations import next_due_at
from govflow.workflow.services.firings import (
    FiringView,
    acknowledge,
    adopt_policy,
    firing,
    firings,
)

__all__ = ["FiringView", "acknowledge", "adopt_policy", "firing", "firings", "next_due_at"]
