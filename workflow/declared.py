"""The generic engine: a case type declared entirely in YAML, with no Python of its own (X-1).

Fields become pydantic models (``payload_models``); the fold (``DeclaredFacts.apply``)
keeps the field values and starts, meets, cancels, pauses and resumes the declared
deadlines; ``derive`` copies the amount in force into the event that starts a
deadline, so a later settings change never moves an open case (as for disclosure).
There are no legal guards beyond field validation: law that needs code gets a rules
module instead (``rules:`` in the declaration). ``DeclaredWorkflow`` is the contract
(``workflow.contract``) every such type gets: its labels, masking and view come from the
declared fields (``personal: true`` fields are masked). A field named ``assignee`` sets
the case's assignee: it is marked ``CASE_WORKER``, so only someone who may work the case is
accepted, and a form offers them by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, create_model

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.case_workers import CASE_WORKER
from govflow.workflow.casetype import CaseType
from govflow.workflow.clock import SHANGHAI, local_date, parse_instant, to_utc
from govflow.workflow.contract import Field as Shown
from govflow.workflow.contract import FoldTable, Handler, Labels, TypeView, Workflow
from govflow.workflow.deadline_terms import Basis
from govflow.workflow.deadlines import Deadline
from govflow.workflow.declaration import DeadlineSpec, FieldSpec
from govflow.workflow.errors import InvalidInput
from govflow.workflow.payloads import Payload
from govflow.workflow.policy import Settings
from govflow.workflow.search import SearchFields

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.cases import Case
    from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork


def _instant(value: Any) -> Any:
    """An instant from the CLI or a file: ISO 8601, read in Asia/Shanghai when it has no offset."""
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except Exception:
            raise ValueError(f"不是有效的时间点：{value!r}（如 2026-02-16T22:30）") from None
    if isinstance(value, datetime):
        return to_utc(value if value.tzinfo else value.replace(tzinfo=SHANGHAI))
    return value


Instant = Annotated[datetime, BeforeValidator(_instant)]
"""A timezone-aware instant (UTC once validated); what hour-based limits count from."""


ASSIGNEE = "assignee"  # the declared field that names who works the case


def _annotation(spec: FieldSpec) -> Any:
    if spec.type == "text" and spec.name == ASSIGNEE:
        text = _annotation(replace(spec, name=""))
        return Annotated[text, CASE_WORKER]
    if spec.type == "text":
        return Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, max_length=spec.max_length or 4000
            ),
        ]
    if spec.type == "int":
        return Annotated[int, Field(ge=spec.min, le=spec.max)]
    if spec.type == "date":
        return date
    if spec.type == "datetime":
        return Instant
    return Literal[tuple(value for value, _ in spec.choices)]  # type: ignore[misc]


def payload_model(case_type: str, action: str, fields: tuple[FieldSpec, ...]) -> type[Payload]:
    """The pydantic model of one declared action's input (unknown fields are refused)."""
    definitions: dict[str, Any] = {
        f.name: (
            _annotation(f) if f.required else _annotation(f) | None,
            ... if f.required else None,
        )
        for f in fields
    }
    name = "".join(part.title() for part in f"{case_type}_{action}".split("_"))
    return create_model(name, __base__=Payload, **definitions)


def payload_models(case_type: CaseType) -> dict[str, type[Payload]]:
    return {
        name: payload_model(case_type.name, name, spec.fields)
        for name, spec in case_type.actions.items()
    }


@dataclass(frozen=True)
class Context:
    """What ``check`` and ``derive`` may know besides the case: the instant and the settings."""

    now: datetime
    today: date
    state: str
    calendar: WorkingCalendar
    settings: Settings


@dataclass
class DeclaredFacts:
    """What a declared case's events add up to: the latest field values and the deadlines."""

    case_type: CaseType = field(repr=False)
    values: dict[str, Any] = field(default_factory=dict)
    assignee: str | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    outcome: str | None = None  # no report categories for declared types

    def computed_deadlines(self, calendar: WorkingCalendar) -> list[Deadline]:
        return [d.compute(calendar) for d in self.deadlines.values()]

    def apply(
        self, action: str, payload: dict[str, Any], derived: dict[str, Any], at: datetime
    ) -> None:
        spec = self.case_type.actions.get(action)
        if spec is None:
            return  # system events (deadlines recomputed, policy adopted) change no facts
        self.values.update(payload)
        if ASSIGNEE in payload:  # a field named `assignee` names the case's assignee
            self.assignee = payload[ASSIGNEE]
        day = local_date(at)
        started = derived.get("deadlines", {})
        for d in self.case_type.deadlines:
            current = self.deadlines.get(d.key)
            if current is not None and current.is_open:
                if action in d.met_by:
                    current.meet(day, at)
                if action in d.cancelled_by:
                    current.cancel(f"已{spec.label}，不再计算")
                if action in d.paused_by:
                    current.pause(day, f"{spec.label}，期间中止计算")
                if action in d.resumed_by:
                    current.resume(day)
            if action == d.starts_on:
                start = date.fromisoformat(payload[d.starts_from]) if d.starts_from else day
                self.deadlines[d.key] = _start(d, started.get(d.key, {}), start, at)

    def to_state(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "assignee": self.assignee,
            "outcome": self.outcome,
            "deadlines": [d.to_state() for d in self.deadlines.values()],
        }

    @classmethod
    def from_state(
        cls, case_type: CaseType, state: dict[str, Any], calendar: WorkingCalendar | None = None
    ) -> DeclaredFacts:
        deadlines = (Deadline.from_state(d, calendar) for d in state["deadlines"])
        return cls(
            case_type,
            values=state["values"],
            assignee=state["assignee"],
            outcome=state["outcome"],
            deadlines={d.key: d for d in deadlines},
        )


def _start(spec: DeadlineSpec, recorded: dict[str, Any], day: date, at: datetime) -> Deadline:
    """A deadline as its starting event recorded it (amount, basis, label in force then);
    ``day`` is the action's day, or the date the user entered when it counts from a field."""
    basis = Basis(recorded.get("basis", spec.basis))
    amount = int(recorded.get("amount", spec.amount or 0))
    label = str(recorded.get("label", spec.label))
    if basis is Basis.HOURS:
        return Deadline(spec.key, spec.key, label, basis, amount, start_at=at)
    return Deadline(spec.key, spec.key, label, basis, amount, start_date=day)


def amount_in_force(case_type: CaseType, spec: DeadlineSpec, settings: Settings) -> int:
    """The setting named by ``amount_setting`` if set, else the declared ``amount``."""
    if spec.amount_setting is not None:
        value = settings.case_type_amount(case_type.name, spec.amount_setting)
        if value is not None:
            return value
    assert spec.amount is not None  # the registry refuses a declaration where neither is known
    return spec.amount


def check(action: str, facts: DeclaredFacts, payload: Payload, ctx: Context) -> None:
    """No legal guards beyond the fields' validation, and one the engine owes every type: a
    date a limit counts from (``starts_from``) is a day that has passed, on the calendar."""
    for d in facts.case_type.deadlines:
        if d.starts_on != action or d.starts_from is None:
            continue
        day = getattr(payload, d.starts_from)
        label = next(
            f.label for f in facts.case_type.actions[action].fields if f.name == d.starts_from
        )
        if day > ctx.today:
            raise InvalidInput(f"{label} {day.isoformat()} 晚于今天 {ctx.today.isoformat()}")
        if day < ctx.calendar.first_day:
            raise InvalidInput(
                f"{label} {day.isoformat()} 早于工作日历起点 {ctx.calendar.first_day.isoformat()}"
            )


def derive(action: str, facts: DeclaredFacts, payload: Payload, ctx: Context) -> dict[str, Any]:
    """Record the amounts in force for each deadline this action starts."""
    started = {
        d.key: {
            "amount": amount_in_force(facts.case_type, d, ctx.settings),
            "basis": d.basis,
            "label": d.label,
        }
        for d in facts.case_type.deadlines
        if d.starts_on == action
    }
    return {"deadlines": started} if started else {}


def fold_table(case_type: CaseType) -> FoldTable:
    """Every declared action folds alike: its fields kept, the deadlines it names moved."""

    def handler(action: str) -> Handler:
        def fold(facts: DeclaredFacts, payload: Any, derived: dict[str, Any], at: datetime) -> None:
            facts.apply(action, payload, derived, at)

        return fold

    return FoldTable({name: handler(name) for name in case_type.actions}, None, __file__)


def labels(case_type: CaseType) -> Labels:
    specs = [f for spec in case_type.actions.values() for f in spec.fields]
    return Labels(
        fields={f.name: f.label for f in specs},
        values={f.name: dict(f.choices) for f in specs if f.choices},
    )


class DeclaredWorkflow(Workflow):
    """The contract of a type declared in YAML alone, run by this generic engine."""

    def __init__(self, case_type: CaseType, escalation: str | None, settings: Settings) -> None:
        personal = frozenset(
            f.name for spec in case_type.actions.values() for f in spec.fields if f.personal
        )
        super().__init__(
            case_type,
            payload_models(case_type),
            fold_table(case_type),
            escalation=escalation,
            labels=labels(case_type),
            personal=personal,
            deadline_labels={d.key: d.label for d in case_type.deadlines},
            engine=__name__,
            # a declared type is found by the text fields it is registered with
            search=SearchFields(
                tuple(f.name for f in case_type.create_action.fields if f.type == "text")
            ),
        )
        self.settings = settings

    def new_facts(self) -> DeclaredFacts:
        return DeclaredFacts(self.case_type)

    def restore(self, state: dict[str, Any], calendar: WorkingCalendar) -> DeclaredFacts:
        return DeclaredFacts.from_state(self.case_type, state, calendar)

    def context(
        self,
        case: Case,
        now: datetime,
        calendar: WorkingCalendar,
        uow: WritingUnitOfWork,
        actor: Actor | None = None,
    ) -> Context:
        return Context(now, local_date(now), case.state or "", calendar, self.settings)

    def check(self, action: str, facts: DeclaredFacts, payload: Payload, context: Context) -> None:
        check(action, facts, payload, context)

    def derive(
        self, action: str, facts: DeclaredFacts, payload: Payload, context: Context
    ) -> dict[str, Any]:
        return derive(action, facts, payload, context)

    def view(self, case: Case, reveal: bool, uow: UnitOfWork, now: datetime) -> TypeView:
        values = dict(case.facts.values)
        if not reveal:
            values = self.mask_payload(values)
        shown = dict(values)
        if shown.get("assignee"):  # a person by their Chinese name; the username stays in JSON
            user = str(shown["assignee"])
            shown["assignee"] = uow.repo.names([user]).get(user, user)
        return TypeView(self._fields(shown), {"fields": values})

    def _fields(self, values: dict[str, Any]) -> tuple[Shown, ...]:
        """Declared fields in the order of the declaration, choices by their Chinese names."""
        shown: list[Shown] = []
        seen: set[str] = set()
        for spec in self.case_type.actions.values():
            for f in spec.fields:
                if f.name in values and f.name not in seen:
                    seen.add(f.name)
                    shown.append(
                        Shown(f.label, str(dict(f.choices).get(values[f.name], values[f.name])))
                    )
        return tuple(shown)
