"""Facts are kept, not rebuilt: the case row stores them, with the deadlines as last
computed, in the same transaction as each event (``stored_facts``), so an action
``restore``s them and folds only its own event, whatever the length of the history.

Apart from ``cases`` because storing the facts, reading them back and telling what changed
since they were loaded (what a save must write; what ``check_projection`` and ``audit
verify`` compare) is one concern of its own, beside the aggregate's actions.
``KeptFacts`` is mixed into ``Case``, which supplies the attributes it names.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.contract import Workflow
from govflow.workflow.deadlines import Deadline
from govflow.workflow.documents import records
from govflow.workflow.documents.records import DocumentRecord

if TYPE_CHECKING:
    from govflow.workflow.cases import Case
    from govflow.workflow.events import CaseEvent

FACTS_FORMAT = 5
"""The shape of stored facts. Raise it when any facts' ``to_state`` changes: facts stored in
another format are rebuilt from the events when the case is next loaded. (4: the rebuild
also writes the row's search columns of migration 0013; 5: the case's documents are kept
with the facts, and a disclosure request keeps its draft reply's summary.)"""
FORMAT_PREFIX = f'{{"format":{FACTS_FORMAT},'
"""How every stored text of the current format begins (``stored_facts``): a database finds
the rows of another format with ``NOT LIKE FORMAT_PREFIX || '%'``."""


class KeptFacts:
    """The stored-facts methods of ``Case``."""

    workflow: Workflow
    escalation_policy: str | None
    facts: Any
    deadlines: list[Deadline]
    loaded_state: dict[str, Any] | None
    loaded_policy: str | None
    events: list[CaseEvent]
    kept_documents: dict[int, DocumentRecord]

    @property
    def documents(self) -> dict[int, DocumentRecord]:
        """Each document's latest version, by its number: those stored with the facts when
        the case was restored, and those of the events in memory (the whole history after a
        replay or with a view's load, else the events recorded since it was loaded)."""
        return {**self.kept_documents, **records.current(self.events)}

    def restore(self, stored: str | None, calendar: WorkingCalendar) -> bool:
        """Facts as stored with the last event, the deadlines computed on ``calendar`` as a
        replay would compute them (a schedule published since counts: T-4). False when
        none of this format are stored: the caller replays the events instead."""
        if not stored:
            return False
        state = json.loads(stored)
        if state.get("format") != FACTS_FORMAT:
            return False
        self.loaded_state, self.loaded_policy = state["facts"], self.escalation_policy
        self.facts = self.workflow.restore(state["facts"], calendar)
        # A notice's number and the notice a delivery is for are read from these, so an
        # action that issues or delivers one reads no event either (issue 17: flat in the
        # length of the history).
        self.kept_documents = {
            int(no): DocumentRecord.from_json(raw) for no, raw in state["documents"].items()
        }
        self.deadlines = self.facts.computed_deadlines(calendar)
        return True

    def stored_facts(self) -> tuple[str, dict[str, Any]]:
        """The facts to store with the last event: the text, and the plain data it encodes."""
        facts = self.facts.to_state()
        documents = {str(no): r.to_json() for no, r in sorted(self.documents.items())}
        text = json.dumps(
            {"format": FACTS_FORMAT, "facts": facts, "documents": documents},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return text, facts

    def deadlines_changed(self) -> bool:
        """Whether the deadlines (or the ladder they are escalated by) may differ from those
        stored when the case was loaded: True unless known to be the same."""
        if self.loaded_state is None or self.loaded_policy != self.escalation_policy:
            return True
        return [d.to_state() for d in self.deadlines] != self.loaded_state.get("deadlines")

    def schedule_known(self) -> bool:
        """Whether every escalation row the case may have belongs to one of its deadlines
        under its loaded ladder: loaded, the same policy, no deadline gone since."""
        if self.loaded_state is None or self.loaded_policy != self.escalation_policy:
            return False
        keys = {d.key for d in self.deadlines}
        return all(d["key"] in keys for d in self.loaded_state.get("deadlines") or ())

    def changed_deadlines(self) -> list[Deadline] | None:
        """The deadlines that differ from those stored when the case was loaded (new ones
        included); None when nothing was loaded to compare with (every one may differ)."""
        if self.loaded_state is None:
            return None
        stored = {d["key"]: d for d in self.loaded_state.get("deadlines") or ()}
        return [d for d in self.deadlines if stored.get(d.key) != d.to_state()]

    def facts_changed(self, names: Collection[str] | None = None) -> bool:
        """Whether any fact besides the deadlines (or any of ``names``) may differ from
        those loaded."""
        if self.loaded_state is None:
            return True
        now = self.facts.to_state()
        wanted = [k for k in now if k != "deadlines"] if names is None else names
        return any(now[k] != self.loaded_state.get(k) for k in wanted)

    def facts_differences(self, other: Case) -> list[str]:
        """What differs between these facts and ``other``'s (stored against replayed): a
        deadline by its key when its stored computation differs, a fact by its name."""
        mine, theirs = self.facts.to_state(), other.facts.to_state()
        found = set()
        for name in set(mine) | set(theirs):
            if name == "deadlines":
                a = {d["key"]: d for d in mine.get(name, [])}
                b = {d["key"]: d for d in theirs.get(name, [])}
                found |= {key for key in set(a) | set(b) if a.get(key) != b.get(key)}
                if list(a) != list(b):
                    found.add("facts.deadlines.order")
            elif mine.get(name) != theirs.get(name):
                found.add(f"facts.{name}")
        if self.documents != other.documents:
            found.add("documents")
        return sorted(found)
