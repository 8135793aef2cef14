"""Where the escalation use cases used to live; they are now
``govflow.workflow.services.escalations`` (re-exported here for code written against the
old name)."""

from govflow.workflow.services.escalations import (
    FiringView,
    acknowledge,
    adopt_policy,
    firing,
    firings,
    next_due_at,
)

__all__ = ["FiringView", "acknowledge", "adopt_policy", "firing", "firings", "next_due_at"]
