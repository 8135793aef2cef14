"""The incident's contract (``workflow.contract``): how shared code reaches this type.

The grade table in force (``configs/incident_grades.yaml``) is read once when the contract
is built; it turns a grade's Chinese name into its code in the input and gives the limits
an event records. Lists show an incident's grade and title.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.casetype import CaseType
from govflow.workflow.clock import local_date
from govflow.workflow.contract import TypeView, Workflow
from govflow.workflow.declared import Context
from govflow.workflow.incident import actions as a
from govflow.workflow.incident import rules, view
from govflow.workflow.incident.facts import FOLD_TABLE, LETTER, LETTER_LABEL, IncidentFacts
from govflow.workflow.incident.grades import GRADES_FILE, GradeTable, parse_grade_table
from govflow.workflow.policy import Settings
from govflow.workflow.search import SearchFields

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.cases import Case
    from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork
    from govflow.workflow.registry import Sources


class IncidentWorkflow(Workflow):
    def __init__(
        self, case_type: CaseType, escalation: str | None, settings: Settings, grades: GradeTable
    ) -> None:
        super().__init__(
            case_type,
            a.PAYLOADS,
            FOLD_TABLE,
            escalation=escalation,
            # the grades as the table in force names them (重大, not major)
            labels=replace(
                view.LABELS,
                values={
                    **view.LABELS.values,
                    "grade": {c: g.label for c, g in grades.grades.items()},
                },
            ),
            engine="govflow.workflow.incident",
            search=SearchFields(("title", "summary", "topic"), channel="platform"),
            # the milestones of the grade table in force, and a supervision letter's limit
            deadline_labels={
                **{key: m.label for key, m in grades.milestones.items()},
                LETTER: LETTER_LABEL,
            },
        )
        self.settings = settings
        self.grades = grades

    @property
    def payload_context(self) -> Mapping[str, Any]:
        return {"grades": self.grades}

    def new_facts(self) -> IncidentFacts:
        return IncidentFacts()

    def restore(self, state: dict[str, Any], calendar: WorkingCalendar) -> IncidentFacts:
        return IncidentFacts.from_state(state, calendar)

    def context(
        self,
        case: Case,
        now: datetime,
        calendar: WorkingCalendar,
        uow: WritingUnitOfWork,
        actor: Actor | None = None,
    ) -> Context:
        return Context(now, local_date(now), case.state or "", calendar, self.settings)

    def check(self, action: str, facts: Any, payload: Any, context: Any) -> None:
        rules.check(action, facts, payload, context)

    def possible(self, action: str, facts: Any, context: Any) -> bool:
        return rules.possible(action, facts, context)

    def derive(self, action: str, facts: Any, payload: Any, context: Any) -> dict[str, Any]:
        return rules.derive(action, facts, payload, context, self.grades)

    def view(self, case: Case, reveal: bool, uow: UnitOfWork, now: datetime) -> TypeView:
        return view.view(case.facts, now)

    def summary(self, case: Case) -> TypeView:
        return view.summary(case.facts)


def workflow(case_type: CaseType, sources: Sources, escalation: str | None) -> IncidentWorkflow:
    """The registry's hook: this type's contract, with the grade table in force."""
    where, raw = sources.data(GRADES_FILE)
    return IncidentWorkflow(case_type, escalation, sources.settings, parse_grade_table(raw, where))
