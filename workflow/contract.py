"""The contract of a case type: all that shared code may ask of a type, and nothing more.

Shared code — the services, the views, the front ends — names no case type and no action.
Whatever differs between types comes through a ``Workflow``, built once at start-up by the
registry from the type's declaration (``configs/case_types/*.yaml``) and, where the law
needs code, from the module its ``rules:`` names (``workflow.disclosure``,
``workflow.incident``); types declared in YAML alone get the generic engine
(``workflow.declared``). A ``Workflow`` supplies:

* its inputs (``payloads``, ``date_defaults``, ``payload_context``);
* its fold (``fold``): an explicit table from every declared action to the handler that
  folds the action's event into the facts, checked against the declaration at start-up;
* the context its guards read (``context``), the guards (``check``), which of them no
  input can satisfy now (``possible``), the values a field may still take on a case
  (``choices``), and what an event records besides its input (``derive``);
* the creation hook (``number_year``, ``opening_steps``, ``created``) and the upkeep of its
  own tables (``saved``);
* its view of a case (``view``, ``summary``, ``reference_deadline``), the masking of personal
  data in an event's input (``mask_payload``), the zh-CN labels of its fields (``labels``)
  and of its kinds of limits (``deadline_labels``);
* its written acts (``notice_plan``: which actions issue which notices and what fills them,
  SPEC N-1) and its case file's cover sheet (``case_file_cover``), if it has any.

The base class gives the neutral answer to each; a type overrides what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pydantic import BaseModel

from govflow.workflow.access import mask
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.casetype import CaseType
from govflow.workflow.clock import local_date, local_minute
from govflow.workflow.deadlines import Deadline
from govflow.workflow.declaration import DeclarationError
from govflow.workflow.search import CaseIndex, SearchFields, index_of

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.cases import Case
    from govflow.workflow.documents.records import DocumentRecord
    from govflow.workflow.events import CaseEvent
    from govflow.workflow.notices.issue import NoticePlan
    from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork


class Facts(Protocol):
    """What a case's events add up to; each type has its own, these parts are shared."""

    @property
    def assignee(self) -> str | None: ...

    @property
    def outcome(self) -> str | None: ...

    def computed_deadlines(self, calendar: WorkingCalendar) -> list[Deadline]: ...


Handler = Callable[[Any, Any, dict[str, Any], datetime], None]
"""A fold handler: (facts, the action's input, what the event derived, the event's instant)."""


def unchanged(facts: Any, payload: Any, derived: dict[str, Any], at: datetime) -> None:
    """The handler of an action that changes no facts: it only moves the case's state."""


@dataclass(frozen=True)
class FoldTable:
    """Which handler folds each action's event into the facts: a table, not a naming rule.

    ``payloads`` parses an event's stored input into the action's model before its handler
    sees it (None: the handler gets the stored dict). ``source`` is the file that defines
    the table, named when it does not match the declaration.
    """

    handlers: Mapping[str, Handler]
    payloads: Mapping[str, type[BaseModel]] | None
    source: str

    def apply(
        self,
        facts: Any,
        action: str,
        payload: dict[str, Any],
        derived: dict[str, Any],
        at: datetime,
        parsed: BaseModel | None = None,
    ) -> None:
        """``parsed``: the input already validated (a live action); a replay validates the
        recorded JSON instead."""
        handler = self.handlers.get(action)
        if handler is None or handler is unchanged:
            return  # an event outside the type's actions (a system event) changes no facts
        if not self.payloads:
            data: Any = payload
        elif parsed is not None:
            data = parsed
        else:
            data = self.payloads[action].model_validate(payload)
        handler(facts, data, derived, at)

    def check(self, case_type: CaseType) -> None:
        """At start-up: one handler for every declared action, and none for anything else."""
        for action in case_type.actions:
            if action not in self.handlers:
                raise DeclarationError(
                    f"{self.source}: 案件类型 {case_type.name}（{case_type.source}）的动作 "
                    f"{action!r} 没有折叠处理函数（FOLD 表中缺少该动作）"
                )
        for action in self.handlers:
            if action not in case_type.actions:
                raise DeclarationError(
                    f"{self.source}: FOLD 表中的 {action!r} 不是案件类型 {case_type.name} "
                    f"声明的动作（{case_type.source}）"
                )


class Step(NamedTuple):
    """An action taken in the same transaction as the case's creation (``open_case(then=…)``)."""

    action: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Field:
    """One labelled value of a view, as people read it: ``label：value``."""

    label: str
    value: str


@dataclass(frozen=True)
class TypeView:
    """A type's own part of a case's view for one reader: ``fields`` for people (in order),
    ``data`` for machines (merged into the case's JSON). Personal data already masked."""

    fields: tuple[Field, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    # What people must notice at once (a grade set after its limit passed): every front
    # end shows these above the case's facts, not as one more line among them.
    warnings: tuple[str, ...] = ()


COMMON_FIELD_LABELS = {
    "reason": "理由",
    "note": "备注",
    "assignee": "经办人",
    "deadline": "期限",
    "category": "附件类别",  # a file attached (any type)
    "document": "文书序号",  # a notice regenerated, a delivery recorded
}


@dataclass(frozen=True)
class Labels:
    """zh-CN names of an action input's fields and of coded values, by field path
    (``applicant.kind``); what a history shows instead of codes."""

    fields: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # What the engine worked out and a person must see with the input (the fee it proposed,
    # which the office head approves): derived keys by label. Other derived values are the
    # engine's bookkeeping and stay in ``--json``.
    derived: Mapping[str, str] = field(default_factory=dict)

    def describe(
        self, payload: Mapping[str, Any], derived: Mapping[str, Any] | None = None
    ) -> tuple[Field, ...]:
        """The input's fields, labelled, without empty ones and ``reason`` (shown on its own);
        then the derived values people read, unless the input already gave them."""
        names = {**COMMON_FIELD_LABELS, **self.fields}
        shown = [
            Field(names.get(key, key), self.value(key, value))
            for key, value in _flatten(payload)
            if value not in (None, "") and key != "reason"
        ]
        for key, name in self.derived.items():
            value = (derived or {}).get(key)
            if value not in (None, "") and payload.get(key) in (None, ""):
                shown.append(Field(name, self.value(key, value)))
        return tuple(shown)

    def value(self, key: str, value: Any) -> str:
        """A coded value's zh-CN name (the code itself when the type names none); an instant
        as people read it, Beijing time to the minute (an input records it in UTC)."""
        named = self.values.get(key, {}).get(str(value))
        if named is not None:
            return named
        if isinstance(value, str) and _INSTANT.match(value):
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                return value
            if instant.tzinfo is not None:
                return local_minute(instant)
        return str(value)


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
"""An ISO 8601 instant, as an input's ``datetime`` field is recorded."""


def _flatten(payload: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in payload.items():
        if isinstance(value, Mapping):
            items += _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, list | tuple):
            items.append((f"{prefix}{key}", "、".join(str(v) for v in value)))
        else:
            items.append((f"{prefix}{key}", value))
    return items


def mask_paths(payload: dict[str, Any], paths: frozenset[str], prefix: str = "") -> dict[str, Any]:
    """``payload`` with the values at ``paths`` (``applicant.id_number``) masked."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out[key] = mask_paths(value, paths, f"{path}.")
        elif path in paths and value is not None:
            out[key] = mask(str(value))
        else:
            out[key] = value
    return out


class Workflow:
    """One case type's contract (see the module docstring); the registry builds one per type."""

    def __init__(
        self,
        case_type: CaseType,
        payloads: Mapping[str, type[BaseModel]],
        fold: FoldTable,
        *,
        escalation: str | None = None,
        date_defaults: Mapping[str, str] | None = None,
        labels: Labels | None = None,
        personal: frozenset[str] = frozenset(),
        reference_deadline: str | None = None,
        engine: str = "",
        notice_plan: NoticePlan | None = None,
        search: SearchFields | None = None,
        deadline_labels: Mapping[str, str] | None = None,
    ) -> None:
        self.case_type = case_type
        self.payloads = dict(payloads)
        self.fold = fold
        self.escalation = escalation  # the ladder's name in configs/escalation.yaml, if any
        self.date_defaults = dict(date_defaults or {})
        self.labels = labels or Labels()
        self.personal = personal  # input fields holding personal data, by path
        # A limit its list rows show beside the one they are sorted by (``Case.queue_deadline``),
        # whichever limit is nearest: a request's reply limit, the date the applicant was told
        # and the annual report judges, stays in sight while a correction-notice, correction
        # or consultation limit orders the row. None: the row shows its sorting limit alone.
        self.reference_deadline = reference_deadline
        self.engine = engine  # the module that runs the type, for `govflow workflow list`
        self.notice_plan = notice_plan  # its written acts (None: its actions issue no notices)
        self.search = search or SearchFields()  # what its cases are found by (``text``, channel)
        # The zh-CN name of each kind of limit its cases may run (``reply``: 答复期限), declared
        # once so the front ends can list every word a case shows (the pages' catalogue) and
        # name a ladder's limits; a deadline records its own label when it starts.
        self.deadline_labels = dict(deadline_labels or {})

    @property
    def name(self) -> str:
        return self.case_type.name

    @property
    def create(self) -> str:
        return self.case_type.create

    @property
    def payload_context(self) -> Mapping[str, Any] | None:
        """Handed to the payload models' validators (e.g. the grade table in force)."""
        return None

    # -- the rules ----------------------------------------------------------------------

    def new_facts(self) -> Any:
        raise NotImplementedError

    def apply(
        self,
        facts: Any,
        action: str,
        payload: dict[str, Any],
        derived: dict[str, Any],
        at: datetime,
        parsed: BaseModel | None = None,
    ) -> None:
        """Fold one event into the facts (the live action and a replay alike); ``parsed``,
        the live action's validated input, spares validating it a second time."""
        self.fold.apply(facts, action, payload, derived, at, parsed)

    def restore(self, state: dict[str, Any], calendar: WorkingCalendar) -> Any:
        """The facts from their plain data (what ``facts.to_state()`` wrote, stored on the case
        row with its last event); ``calendar`` explains the deadlines when they are read."""
        raise NotImplementedError

    def context(
        self,
        case: Case,
        now: datetime,
        calendar: WorkingCalendar,
        uow: WritingUnitOfWork,
        actor: Actor | None = None,
    ) -> Any:
        """What ``check`` and ``derive`` may know besides the case (read in ``uow``) and who
        acts (``actor``; some rules depend on the role)."""
        raise NotImplementedError

    def check(self, action: str, facts: Any, payload: Any, context: Any) -> None:
        """Refuse what the law does not allow now (``ActionNotAllowed`` / ``InvalidInput``)."""

    def possible(self, action: str, facts: Any, context: Any) -> bool:
        """Whether ``check`` could let the action through now with some input: the type's
        conditions that no input changes (a reply on the spot only on the day of receipt,
        one extension), and something left for an input that names one of the case's own
        things (a letter to answer). What a case offers its reader
        (``CaseDetail.allowed_actions``) leaves out the rest. Called once per offered action
        with a context of its own: what the context reads from storage is read once per
        case (kept in ``Case.memo``), not once per action."""
        return True

    def choices(self, action: str, facts: Any) -> Mapping[str, tuple[str, ...]]:
        """Where the type's rules narrow a field's declared list of values for this case
        (field path → the codes ``check`` can accept, in the declared order), so a form
        offers only those; the fields not named keep their declared list."""
        return {}

    def derive(self, action: str, facts: Any, payload: Any, context: Any) -> dict[str, Any]:
        """What the event records besides its input, so the fold needs no clock or settings."""
        return {}

    # -- creation and the type's own tables ---------------------------------------------

    def number_year(self, opened: BaseModel, now: datetime) -> int:
        """The year the case's number belongs to (the year it is opened, unless the type says)."""
        return local_date(now).year

    def opening_steps(self, opened: BaseModel, then: Sequence[Step]) -> list[Step]:
        """The actions taken at once after the creation (the caller's, and the type's own)."""
        return list(then)

    def created(self, uow: WritingUnitOfWork, case: Case, event: CaseEvent) -> None:
        """After the creation event is written: fill the type's own tables, if it has any."""

    def saved(self, uow: WritingUnitOfWork, case: Case, new_events: Sequence[CaseEvent]) -> None:
        """After every save: keep the type's own tables in step with the case."""

    # -- reading ------------------------------------------------------------------------

    def view(self, case: Case, reveal: bool, uow: UnitOfWork, now: datetime) -> TypeView:
        """The type's part of a case's view; personal data masked unless ``reveal``."""
        return TypeView()

    def summary(self, case: Case) -> TypeView:
        """What a list shows of a case besides its number, state and deadline."""
        return TypeView()

    def case_file_cover(
        self,
        case: Case,
        uow: UnitOfWork,
        versions: Sequence[DocumentRecord],
        now: datetime,
    ) -> Mapping[str, str] | None:
        """The values of the case file's cover sheet (案卷封面); None: the type has no case
        file to export."""
        return None

    def index(self, opened: Mapping[str, Any]) -> CaseIndex:
        """What a case opened with this input is found by in lists (``workflow.search``)."""
        return index_of(self.search, self.personal, opened)

    def mask_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """An event's input with the personal data masked."""
        return mask_paths(payload, self.personal) if self.personal else payload
