"""The case aggregate: a case's header, its events, and what they add up to.

``Case.act`` is the one way a case changes: check the action against the state
machine and the law, record one event (hash-chained), fold it into the facts and
recompute the deadlines. It does no I/O; the service layer loads and saves. A case
carries its type's contract (``workflow``, from the catalogue built at start-up), which
supplies everything that differs between types.

Facts are kept, not rebuilt (``kept_facts``, mixed in): an action ``restore``s them and
folds only its own event, whatever the length of the history. ``replay`` — folding every
event from the first — is how they are checked (the tests after every step,
``services.check_projection``) and rebuilt when none of the current format are stored.
An action's input is validated by ``case_input`` before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from govflow.workflow.actors import ROLE_LABELS, SYSTEM, Actor
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.case_input import parse_input
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.contract import Workflow
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.documents import records
from govflow.workflow.errors import ActionNotAllowed, DamagedHistory, NotPermitted
from govflow.workflow.events import GENESIS, CaseEvent, new_event
from govflow.workflow.kept_facts import KeptFacts
from govflow.workflow.search import CaseIndex

DEADLINES_RECOMPUTED = "deadlines_recomputed"
POLICY_ADOPTED = "escalation_policy_adopted"
ESCALATION_ACKNOWLEDGED = "escalation_acknowledged"
CHAIN_SEALED = "chain_sealed"
ATTACHED = "attach"
NOTICE_REGENERATED = "regenerate_notice"
SYSTEM_EVENT_LABELS = {
    DEADLINES_RECOMPUTED: "节假日安排更新，重新计算期限",
    POLICY_ADOPTED: "变更督办规则",
    ESCALATION_ACKNOWLEDGED: "确认督办提醒",
    CHAIN_SEALED: "以链密钥封存此前的历史",
    ATTACHED: "添加附件",
    NOTICE_REGENERATED: "重新生成文书（新版本）",
}
"""Events the engine records outside any type's actions; they change no facts."""
EXPLAINED_EVENTS = frozenset({ESCALATION_ACKNOWLEDGED})
"""System events whose recorded reason a case's timeline shows beside their label (which
rule of which limit was acknowledged)."""


@dataclass(frozen=True)
class CaseRecord:
    """A case as its stored row describes it, before its events are read."""

    ref: str
    case_type: str
    agency_code: str
    state: str | None = None
    assignee: str | None = None
    escalation_policy: str | None = None
    head_seq: int = 0  # the chain head: the last event's position, hash and instant
    head_hash: str = GENESIS
    head_at: datetime | None = None
    facts: str | None = None  # the facts stored with the last event (``Case.stored_facts``)


@dataclass
class Case(KeptFacts):
    ref: str
    workflow: Workflow
    agency_code: str
    state: str | None = None
    assignee: str | None = None
    escalation_policy: str | None = None
    head_seq: int = 0  # the chain head: the last event's position and hash
    head_hash: str = GENESIS
    head_at: datetime | None = None  # and when it happened (the case row's updated_at)
    # The events in memory: the whole history after ``replay`` or when a view loads it,
    # otherwise only those recorded since the case was loaded (what a save writes).
    events: list[CaseEvent] = field(default_factory=list)
    facts: Any = None
    deadlines: list[Deadline] = field(default_factory=list)
    # The facts as plain data when loaded (``restore``), and the policy then: what changed
    # since is written, not more. None: unknown (created, replayed, or saved since).
    loaded_state: dict[str, Any] | None = field(default=None, repr=False)
    loaded_policy: str | None = field(default=None, repr=False)
    # The documents stored with the facts when restored (``documents`` adds the events'):
    # empty when created or replayed, as the events then hold every document.
    kept_documents: dict[int, records.DocumentRecord] = field(default_factory=dict, repr=False)
    # What the case's type read from storage about this case while it is loaded (the
    # disclosure request's applicant history), under the type's own key: the case's view
    # and the guards of every action a page weighs then read it once. A case lives in one
    # unit of work, so nothing kept here outlives the transaction it was read in.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def opened(cls, workflow: Workflow, agency_code: str, ref: str = "") -> Case:
        """A case about to be created: no events, empty facts."""
        return cls(ref=ref, workflow=workflow, agency_code=agency_code, facts=workflow.new_facts())

    @classmethod
    def of_record(cls, record: CaseRecord, workflow: Workflow) -> Case:
        """The header a stored row gives; ``replay`` adds what its events say."""
        return cls(
            ref=record.ref,
            workflow=workflow,
            agency_code=record.agency_code,
            state=record.state,
            assignee=record.assignee,
            escalation_policy=record.escalation_policy,
            head_seq=record.head_seq,
            head_hash=record.head_hash,
            head_at=record.head_at,
        )

    @property
    def case_type(self) -> str:
        return self.workflow.name

    def queue_deadline(self, now: datetime) -> Deadline | None:
        """The deadline a list row shows at ``now``: the one the list is sorted by, so that a
        row says why it stands where it stands.

        Lists are ordered by the limit that falls due first among those still running at
        ``now`` (``Deadline.is_running_at``; the repositories' ``page`` key is the same
        minimum over the stored rows). An optional limit that passed unused (a correction
        notice) no longer runs: it neither holds the case at the top nor is shown. A paused
        limit has no due instant (its days stopped counting), so it orders nothing: a case
        whose only open limits are paused sorts after every case with a running clock, with
        those that have no limit at all, and its row shows the paused limit ("暂停计时")
        rather than a blank, which would read as "no deadline".
        """
        running = [d for d in self.deadlines if d.is_running_at(now)]
        if running:
            return min(running, key=lambda d: d.due_at)  # type: ignore[arg-type, return-value]
        return next((d for d in self.deadlines if d.status is DeadlineStatus.PAUSED), None)

    def queue_instants(self) -> tuple[datetime | None, datetime | None]:
        """What ``queue_deadline`` needs, stored on the case row so a list sorts by an index
        instead of reading every deadline of every open case: the nearest due instant of
        the running obligations, and that of the running optional limits (which count only
        until it passes, so the list decides at the instant it is read). None: no such limit.
        """
        obligations: list[datetime] = []
        optional: list[datetime] = []
        for d in self.deadlines:
            if d.status is DeadlineStatus.RUNNING and d.due_at is not None:
                (optional if d.optional else obligations).append(d.due_at)
        return min(obligations, default=None), min(optional, default=None)

    @property
    def state_label(self) -> str:
        return self.workflow.case_type.state_label(self.state)

    @classmethod
    def replay(cls, header: Case, events: list[CaseEvent], calendar: WorkingCalendar) -> Case:
        """Rebuild facts and deadlines from the events alone.

        An event whose data no longer parses (edited in the database) raises
        ``DamagedHistory`` naming its position, never a validation traceback.
        """
        header.events = list(events)
        header.kept_documents = {}  # the events hold every document
        header.facts = header.workflow.new_facts()
        for event in events:
            try:
                data = event.decoded_data()
                header.workflow.apply(
                    header.facts,
                    event.action,
                    data["payload"],
                    data["derived"],
                    event.occurred_at,
                )
            except Exception as exc:  # whatever an edited row makes the fold trip over
                raise DamagedHistory(header.ref, event.seq, exc) from None
        try:
            header.deadlines = header.facts.computed_deadlines(calendar)
        except Exception as exc:
            raise DamagedHistory(header.ref, len(events), exc) from None
        if events:
            last = events[-1]
            header.head_seq, header.head_hash, header.head_at = (
                last.seq,
                last.hash,
                last.occurred_at,
            )
        return header

    @classmethod
    def rebuild(
        cls,
        ref: str,
        workflow: Workflow,
        agency_code: str,
        events: list[CaseEvent],
        calendar: WorkingCalendar,
    ) -> Case:
        """The case as its events alone imply it, its header too (state, assignee, the
        escalation policy): what ``audit verify`` compares the stored rows with."""
        case = cls.replay(cls(ref, workflow, agency_code), events, calendar)
        for event in events:
            case.state = event.state_after
            derived = event.decoded_data().get("derived") or {}
            if derived.get("escalation_policy"):
                case.escalation_policy = derived["escalation_policy"]
        case.assignee = case.facts.assignee  # as ``_record`` keeps it
        return case

    def index(self) -> CaseIndex | None:
        """What lists find the case by (``workflow.search``), when its creation event is in
        memory (the case was just opened, or replayed); None otherwise: unchanged."""
        opened = self.events[0] if self.events and self.events[0].seq == 1 else None
        return self.workflow.index(opened.data.get("payload", {})) if opened else None

    def closed_at(self, before: datetime | None) -> datetime | None:
        """When the case left its type's open states (None while in one): the event in
        memory that took it out, else ``before`` (it left earlier)."""
        open_states = self.workflow.case_type.open_states
        if self.state in open_states:
            return None
        for event in reversed(self.events):
            if event.state_before is None or event.state_before in open_states:
                if event.state_after not in open_states:
                    return event.occurred_at
        return before

    def parse(self, action: str, raw: dict[str, Any], today_iso: str) -> Any:
        """The action's input, validated (``case_input.parse_input``)."""
        return parse_input(self.workflow, action, raw, today_iso)

    def act(
        self,
        action: str,
        raw_payload: dict[str, Any],
        actor: Actor,
        now: datetime,
        calendar: WorkingCalendar,
        context: Any,
        issue: Issue | None = None,
        *,
        imported: dict[str, Any] | None = None,
        findings: list[str] | None = None,
    ) -> CaseEvent:
        """Apply one action; raises before anything changes if it is not allowed.

        ``issue`` (from the service layer) makes the written notices the action requires,
        from the case as the action left it; their records go into the event, so the chain
        holds each notice's SHA-256 (SPEC N-1).

        ``imported`` marks an event of a history kept before govflow (who imported it, from
        which file and row): it is recorded with the event, inside its hash. With ``findings``
        given, a legal guard's refusal does not stop the action: it is appended there and
        recorded in the mark — a past history is taken as it was, and its departures from the
        law are listed, not rewritten. The state machine, the roles and the input are checked
        all the same.
        """
        self._check_not_before_last_event(now)
        case_type = self.workflow.case_type
        creating = action == case_type.create  # the declaration's creation action
        spec = case_type.actions.get(action)
        if spec is not None:  # a user with several roles acts in the one the action allows
            actor = actor.acting_as(spec.roles)
        if creating:
            if self.state is not None:
                raise ActionNotAllowed("案件已登记，不能重复登记")
            if actor.role not in case_type.create_action.roles:
                raise NotPermitted(f"{ROLE_LABELS[actor.role]}无权{case_type.create_action.label}")
            next_state = case_type.initial
        else:
            assert self.state is not None
            case_type.check(self.state, action, actor.role)
        payload = self.parse(action, raw_payload, context.today.isoformat())
        try:
            self.workflow.check(action, self.facts, payload, context)
        except ActionNotAllowed as refusal:
            if findings is None:
                raise
            findings.append(str(refusal))
            imported = {**(imported or {}), "finding": str(refusal)}
        if not creating:
            next_state = case_type.next_state(self.state, action, self.facts, payload)
        derived = self.workflow.derive(action, self.facts, payload, context)
        if creating and self.escalation_policy is not None:
            derived["escalation_policy"] = self.escalation_policy  # E-1: the ladder in force
        payload_json = payload.model_dump(mode="json", exclude_none=True)
        self.workflow.apply(self.facts, action, payload_json, derived, now, payload)
        self.deadlines = self.facts.computed_deadlines(calendar)
        documents = issue(self, action, payload_json, derived) if issue is not None else []
        return self._record(
            action, payload_json, derived, actor, now, next_state, imported, documents
        )

    def record_documents(
        self,
        action: str,
        payload: dict[str, Any],
        documents: list[dict[str, Any]],
        actor: Actor,
        now: datetime,
        calendar: WorkingCalendar,
    ) -> CaseEvent:
        """An event that adds documents and changes no facts: a file attached (``ATTACHED``),
        a notice regenerated (``NOTICE_REGENERATED``: a new version; the old one stays in
        its own event)."""
        self._check_not_before_last_event(now)
        self.deadlines = self.facts.computed_deadlines(calendar)
        assert self.state is not None
        return self._record(action, payload, {}, actor, now, self.state, documents=documents)

    def _check_not_before_last_event(self, now: datetime) -> None:
        """A history runs forward: an action dated before the case's last event (a clock set
        back, a pinned ``GOVFLOW_NOW``) would let it slip past a limit that had already
        passed, and the chain would read out of order."""
        if self.head_at is not None and now < self.head_at:
            last = self.head_at.astimezone(SHANGHAI)
            raise ActionNotAllowed(
                f"操作时间 {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 早于本案最近一次记录"
                f"（{last:%Y-%m-%d %H:%M}）：案件历史只能向前记录，请检查系统时间"
            )

    def record_system_event(
        self,
        action: str,
        data: dict[str, Any],
        now: datetime,
        calendar: WorkingCalendar,
        actor: Actor | None = None,
    ) -> CaseEvent:
        """An event outside the workflow's actions that changes no facts: deadlines recomputed
        after a calendar update, another escalation policy adopted."""
        self._check_not_before_last_event(now)
        self.deadlines = self.facts.computed_deadlines(calendar)
        assert self.state is not None
        return self._record(action, {}, data, actor or SYSTEM, now, self.state)

    def _record(
        self,
        action: str,
        payload: dict[str, Any],
        derived: dict[str, Any],
        actor: Actor,
        now: datetime,
        next_state: str,
        imported: dict[str, Any] | None = None,
        documents: list[dict[str, Any]] | None = None,
    ) -> CaseEvent:
        data = _event_data(actor, payload, derived, self.deadlines)
        if imported:
            data["imported"] = imported
        if documents:
            data["documents"] = documents
        event = new_event(
            case_ref=self.ref,
            seq=self.head_seq + 1,
            occurred_at=now,
            actor=actor.username,
            actor_role=actor.role.value,
            action=action,
            state_before=self.state,
            state_after=next_state,
            data=data,
            prev_hash=self.head_hash,
        )
        self.events.append(event)
        self.head_seq, self.head_hash, self.head_at = event.seq, event.hash, now
        self.state = next_state
        self.assignee = self.facts.assignee
        return event


def _event_data(
    actor: Actor, payload: dict[str, Any], derived: dict[str, Any], deadlines: list[Deadline]
) -> dict[str, Any]:
    """What an event records besides its header. ``channel`` (SPEC U-1: web, api:<token>,
    cli:<OS user>, system) is part of the hashed content; events written before channels
    were recorded simply have none, so their hashes are unchanged."""
    data: dict[str, Any] = {
        "payload": payload,
        "derived": derived,
        "deadlines": {d.key: d.snapshot() for d in deadlines},
    }
    if actor.channel is not None:
        data["channel"] = actor.channel
    return data


Issue = Callable[[Case, str, dict[str, Any], dict[str, Any]], list[dict[str, Any]]]
"""(case after the fold, action, payload as recorded, derived) → the document records."""
