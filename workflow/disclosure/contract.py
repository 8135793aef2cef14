"""The disclosure request's contract (``workflow.contract``): how shared code reaches this type.

Besides its inputs, fold and guards: the editions of the regulations (``configs/editions.yaml``)
and the annual report's formats (``configs/report_formats.yaml``) are read once when the
contract is built; the applicant's earlier requests are read from the request register for
the guards (D-6 fees, D-7 volume); the number belongs to the year the request arrived; a
request handed in person or signed for by registered post has its receipt confirmed at once
(D-2, Art. 31); the register is filled at creation and kept in step at every save; lists
show the reply limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.casetype import CaseType
from govflow.workflow.clock import local_date
from govflow.workflow.contract import Step, TypeView, Workflow
from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure import derive, preconditions, rules, view
from govflow.workflow.disclosure.context import ApplicantHistory, Context, DeferredHistory
from govflow.workflow.disclosure.deadline_kinds import DEADLINE_LABELS, REPLY
from govflow.workflow.disclosure.editions import EDITIONS_FILE, Editions, parse_editions
from govflow.workflow.disclosure.facts import FOLD_TABLE, DisclosureFacts
from govflow.workflow.disclosure.notices import DisclosureNotices
from govflow.workflow.disclosure.register import CHALLENGE_ACTIONS, ROW_FACTS, RequestRegister
from govflow.workflow.outcomes import Outcome
from govflow.workflow.policy import Settings
from govflow.workflow.reports.formats import FORMATS_FILE, ReportFormats, parse_formats
from govflow.workflow.search import SearchFields

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.cases import Case
    from govflow.workflow.documents.records import DocumentRecord
    from govflow.workflow.events import CaseEvent
    from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork
    from govflow.workflow.registry import Sources

CONFIRM_RECEIPT = "confirm_receipt"
HISTORY = "applicant_history"  # the key of the applicant's history in ``Case.memo``


class DisclosureWorkflow(Workflow):
    def __init__(
        self,
        case_type: CaseType,
        escalation: str | None,
        settings: Settings,
        outcomes: Mapping[str, Outcome],
        editions: Editions,
        report_formats: ReportFormats,
    ) -> None:
        super().__init__(
            case_type,
            a.PAYLOADS,
            FOLD_TABLE,
            escalation=escalation,
            date_defaults=a.DATE_DEFAULTS,
            labels=view.labels(outcomes),
            personal=view.PERSONAL,
            reference_deadline=REPLY,
            engine="govflow.workflow.disclosure",
            notice_plan=DisclosureNotices(outcomes),
            search=SearchFields(
                ("description", "document_number", "applicant.name", "applicant.id_number"),
                channel="channel",
            ),
            deadline_labels=DEADLINE_LABELS,
        )
        self.settings = settings
        self.outcomes = outcomes
        self.editions = editions  # the editions of the regulations (SPEC L-1)
        self.report_formats = report_formats  # the annual report's formats, by year

    def new_facts(self) -> DisclosureFacts:
        return DisclosureFacts(editions=self.editions)

    def restore(self, state: dict[str, Any], calendar: WorkingCalendar) -> DisclosureFacts:
        return DisclosureFacts.from_state(state, calendar, self.editions)

    def context(
        self,
        case: Case,
        now: datetime,
        calendar: WorkingCalendar,
        uow: WritingUnitOfWork,
        actor: Actor | None = None,
    ) -> Context:
        return Context(
            now=now,
            today=local_date(now),
            state=case.state or "",
            calendar=calendar,
            policy=self.settings.disclosure,
            history=self.deferred_history(case, uow),
            role=actor.role if actor is not None else None,
            documents=case.documents,
        )

    def deferred_history(self, case: Case, uow: UnitOfWork) -> DeferredHistory:
        """The applicant's history, counted only if a rule reads it (the fee notice, D-6/D-7;
        要求说明理由): its queries are most of what an action would otherwise read besides
        the case. Kept with the case once registered, so the view and every action a page
        weighs (``possible``) share one count."""
        if case.state is None:
            return DeferredHistory(ApplicantHistory)
        kept = case.memo.get(HISTORY)
        if not isinstance(kept, DeferredHistory):
            kept = case.memo[HISTORY] = DeferredHistory(lambda: self.history(case, uow))
        return kept

    def history(self, case: Case, uow: UnitOfWork) -> ApplicantHistory:
        """The applicant's requests counted from the register (none before registration)."""
        if case.state is None:
            return ApplicantHistory()
        register = uow.store(RequestRegister)
        request = register.request(case.ref)
        if request is None:
            return ApplicantHistory()
        counts = register.applicant_counts(request.applicant_key, request.received_on, case.ref)
        same = register.same_information(request.applicant_key, request.description_key, case.ref)
        return ApplicantHistory(same_information=tuple(same), **counts)

    def check(self, action: str, facts: Any, payload: Any, context: Any) -> None:
        rules.check(action, facts, payload, context)

    def possible(self, action: str, facts: Any, context: Any) -> bool:
        return preconditions.possible(action, facts, context)

    def choices(self, action: str, facts: Any) -> Mapping[str, tuple[str, ...]]:
        return preconditions.choices(action, facts)

    def derive(self, action: str, facts: Any, payload: Any, context: Any) -> dict[str, Any]:
        return derive.derive(action, facts, payload, context)

    # -- creation and the register --------------------------------------------------------

    def number_year(self, opened: BaseModel, now: datetime) -> int:
        assert isinstance(opened, a.Receive)
        return opened.received_on.year  # the year the request arrived

    def opening_steps(self, opened: BaseModel, then: Sequence[Step]) -> list[Step]:
        """Handed in person, a request is received the day it is handed in; sent by registered
        post, the day the office signed for it (Art. 31): its receipt is confirmed at once."""
        assert isinstance(opened, a.Receive)
        steps = list(then)
        confirmed = any(step.action == CONFIRM_RECEIPT for step in steps)
        if not confirmed and opened.channel in a.RECEIPT_ON_ARRIVAL:
            receipt = {"receipt_date": opened.received_on.isoformat()}
            steps.insert(0, Step(CONFIRM_RECEIPT, receipt))
        return steps

    def created(self, uow: WritingUnitOfWork, case: Case, event: CaseEvent) -> None:
        uow.store(RequestRegister).add(case.ref, event.data["payload"], event.data["derived"])

    def saved(self, uow: WritingUnitOfWork, case: Case, new_events: Sequence[CaseEvent]) -> None:
        register = uow.store(RequestRegister)
        for event in new_events:
            if event.action in CHALLENGE_ACTIONS:
                register.add_challenge(case.ref, event.seq, event.data["payload"])
        if case.facts_changed(ROW_FACTS):  # the request's row is a projection of these
            register.update(case.ref, case.facts)

    # -- reading ----------------------------------------------------------------------------

    def view(self, case: Case, reveal: bool, uow: UnitOfWork, now: datetime) -> TypeView:
        request = uow.store(RequestRegister).request(case.ref)
        history = self.deferred_history(case, uow).loaded
        return view.view(case.facts, request, history, self.outcomes, reveal)

    def case_file_cover(
        self,
        case: Case,
        uow: UnitOfWork,
        versions: Sequence[DocumentRecord],
        now: datetime,
    ) -> Mapping[str, str]:
        plan = self.notice_plan
        assert isinstance(plan, DisclosureNotices)
        return plan.cover(case, uow, versions, now)


def workflow(case_type: CaseType, sources: Sources, escalation: str | None) -> DisclosureWorkflow:
    """The registry's hook: this type's contract, built with the configuration in force."""
    where, raw = sources.data(EDITIONS_FILE)
    editions = parse_editions(raw, where, sources.outcomes)
    where, raw = sources.data(FORMATS_FILE)
    formats = parse_formats(raw, where, sources.outcomes)
    return DisclosureWorkflow(
        case_type, escalation, sources.settings, sources.outcomes, editions, formats
    )
