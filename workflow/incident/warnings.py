"""What an incident's case page must warn of at once (SPEC I-2): a grade set after one of
its limits had already passed — grading a night's incident 重大 at 04:00 finds its
5-hour statement limit gone at 03:30. Derived from the facts each time, like the
breaches (``IncidentFacts.breaches``), never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.incident.facts import IncidentFacts, due_at


@dataclass(frozen=True)
class GradeWarning:
    """A limit of a new grade already past when the grade was set."""

    action: str  # detect | grade | regrade: the event that set the grade
    at: datetime
    grade_label: str
    label: str  # the milestone's
    due_at: datetime
    met_at: datetime | None  # met late, before the grade was set; None: not met then


def past_limits(f: IncidentFacts) -> list[GradeWarning]:
    """The limits of the grade in force that had already passed when it was set, unless
    met in time before it (nothing was missed then); earliest first."""
    if not f.grade_history:
        return []
    last = f.grade_history[-1]
    found = []
    for key in f.milestone_rules:
        d = f.deadlines[key]
        due = due_at(d)
        if due is None or d.status is DeadlineStatus.CANCELLED or due >= last["at"]:
            continue
        met = d.met_at if d.met_at is not None and d.met_at <= last["at"] else None
        if met is not None and met <= due:
            continue
        found.append(GradeWarning(last["action"], last["at"], last["label"], d.label, due, met))
    return sorted(found, key=lambda w: w.due_at)
