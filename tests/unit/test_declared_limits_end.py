"""Every shipped declared case type ends its limits when its case ends (issue 14 item 3).

A limit still running on a finished case would go on warning and escalating about an
obligation that can no longer arise. For each type declared in ``configs/case_types/`` with
limits (online messages, the county head's mailbox, 双公示, normative documents, policy
interpretations, and any added later), random paths through its actions — any action, by a
role allowed to take it, refusals skipped — must leave no limit running once the case is in
a final state. No database: ``Case.act`` in memory.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.workflow.actors import Actor
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.declared import Context
from govflow.workflow.errors import GovflowError
from tests.config import calendar, config

CAL = calendar()
DECLARED = sorted(name for name, wf in config().case_types.items() if wf.case_type.deadlines)


def payload(fields: Any, now: datetime) -> dict[str, Any]:
    """A valid value for every field of an action, whatever the declaration says."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.type == "text":
            values[f.name] = "li.handler" if f.name == "assignee" else "说明"
        elif f.type == "int":
            values[f.name] = f.min if f.min is not None else 1
        elif f.type == "date":
            values[f.name] = local_date(now).isoformat()
        elif f.type == "datetime":
            values[f.name] = now.isoformat()
        else:
            values[f.name] = f.choices[0][0]
    return values


def test_the_shipped_declared_types_with_limits_are_all_here() -> None:
    assert {"online_message", "county_mailbox"} <= set(DECLARED)


@pytest.mark.parametrize("name", DECLARED)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_finished_declared_case_has_no_running_limit(name: str, data: st.DataObject) -> None:
    wf = config().case_types[name]
    ct = wf.case_type
    case = Case(ref="示政办〔2025〕0001号", workflow=wf, agency_code="county")
    case.facts = wf.new_facts()
    now = datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI)

    def act(action: str) -> bool:
        spec = ct.actions[action]
        role = data.draw(st.sampled_from(sorted(spec.roles, key=lambda r: r.value)))
        actor = Actor("someone", "某人", role, "county")
        context = Context(now, local_date(now), case.state or "", CAL, config().settings)
        try:
            case.act(action, payload(spec.fields, now), actor, now, CAL, context)
        except GovflowError:
            return False
        return True

    assert act(ct.create)
    others = sorted(a for a in ct.actions if a != ct.create)
    for _ in range(data.draw(st.integers(0, 10))):
        now += timedelta(hours=data.draw(st.integers(1, 96)))
        act(data.draw(st.sampled_from(others)))
        if case.state in ct.final:
            running = [d.key for d in case.deadlines if d.status is DeadlineStatus.RUNNING]
            assert running == [], (name, case.state, running)
