"""A deadline as plain data: the snapshot every event keeps, the JSON row a projection
stores (``to_json`` / ``from_json``), and the state kept with the case's facts
(``to_state`` / ``from_state``: every field, the derived ones as last computed, dates as
ISO text, defaults left out).

Apart from ``deadlines`` because these are storage formats, read whole in one place,
while ``deadlines`` is the counting; ``DeadlineForms`` is mixed into ``Deadline``, which
supplies the fields it reads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from govflow.workflow.deadline_terms import Basis, DeadlineStatus, PauseSpan

if TYPE_CHECKING:
    from govflow.workflow.calendar import WorkingCalendar
    from govflow.workflow.deadlines import Deadline


class DeadlineForms:
    """The stored forms of ``Deadline``."""

    def snapshot(self) -> dict[str, Any]:
        """The compact form kept in every event (A-1 "deadline snapshot")."""
        return {
            "due": self.due_at.isoformat() if self.due_at else None,
            "status": self.status.value,
            "provisional": self.provisional,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "basis": self.basis.value,
            "amount": self.amount,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "start_at": self.start_at.isoformat() if self.start_at else None,
            "pauses": [p.to_json() for p in self.pauses],
            "extension_days": self.extension_days,
            "override_due": self.override_due.isoformat() if self.override_due else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "status": self.status.value,
            "provisional": self.provisional,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "cancelled_reason": self.cancelled_reason,
            "lapsed_on": self.lapsed_on.isoformat() if self.lapsed_on else None,
            "legal_basis": self.legal_basis,
            "optional": self.optional,
            "explanation": list(self.explanation),
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Deadline:
        """The deadline as ``to_json`` stored it, derived fields as stored (nothing is
        recomputed: a stored row is the projection of the events). What the JSON leaves
        out (the instant a limit was met, the start instant of a fixed limit) stays empty."""

        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        def instant(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            key=stored["key"],
            kind=stored["kind"],
            label=stored["label"],
            basis=Basis(stored["basis"]),
            amount=stored["amount"],
            start_date=day(stored.get("start_date")),
            start_at=instant(stored.get("start_at")),
            pauses=[
                PauseSpan(date.fromisoformat(p["start"]), day(p.get("end")), p.get("reason", ""))
                for p in stored.get("pauses", [])
            ],
            extension_days=stored.get("extension_days", 0),
            override_due=day(stored.get("override_due")),
            met_on=day(stored.get("met_on")),
            cancelled_reason=stored.get("cancelled_reason"),
            lapsed_on=day(stored.get("lapsed_on")),
            legal_basis=stored.get("legal_basis"),
            optional=bool(stored.get("optional")),
            due_date=day(stored.get("due_date")),
            due_at=instant(stored.get("due_at")),
            status=DeadlineStatus(stored["status"]),
            provisional=bool(stored.get("provisional")),
            stored_explanation=list(stored.get("explanation", [])),
        )

    def copy(self) -> Deadline:
        return replace(
            self,
            pauses=[replace(p) for p in self.pauses],
            calendar=None,
            stored_explanation=None,
        )

    def to_state(self) -> dict[str, Any]:
        """Every field as plain data (derived ones as last computed); defaults left out."""
        state: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "basis": self.basis.value,
            "amount": self.amount,
            "status": self.status.value,
        }
        for name in _DATES:
            value = getattr(self, name)
            if value is not None:
                state[name] = value.isoformat()
        for name in _INSTANTS:
            value = getattr(self, name)
            if value is not None:
                state[name] = value.astimezone(UTC).isoformat()
        for name in (
            "override_reason",
            "override_basis",
            "cancelled_reason",
            "legal_basis",
            "start_note",
        ):
            value = getattr(self, name)
            if value is not None:
                state[name] = value
        if self.pauses:
            state["pauses"] = [
                [p.start.isoformat(), p.end.isoformat() if p.end else None, p.reason]
                for p in self.pauses
            ]
        if self.extension_days:
            state["extension_days"] = self.extension_days
        if self.notes:
            state["notes"] = list(self.notes)
        if self.restarts:
            state["restarts"] = self.restarts
        if self.provisional:
            state["provisional"] = True
        if self.optional:
            state["optional"] = True
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any], calendar: WorkingCalendar | None = None) -> Deadline:
        """The deadline ``to_state`` wrote; ``calendar`` writes its explanation when read."""
        deadline = cls(
            state["key"],
            state["kind"],
            state["label"],
            Basis(state["basis"]),
            state["amount"],
            status=DeadlineStatus(state["status"]),
            pauses=[
                PauseSpan(
                    date.fromisoformat(start), date.fromisoformat(end) if end else None, reason
                )
                for start, end, reason in state.get("pauses", ())
            ],
            extension_days=state.get("extension_days", 0),
            restarts=state.get("restarts", 0),
            provisional=state.get("provisional", False),
            optional=state.get("optional", False),
            override_reason=state.get("override_reason"),
            override_basis=state.get("override_basis"),
            cancelled_reason=state.get("cancelled_reason"),
            legal_basis=state.get("legal_basis"),
            start_note=state.get("start_note"),
            notes=tuple(state.get("notes", ())),
            calendar=calendar,
        )
        for name in _DATES:
            value = state.get(name)
            if value is not None:
                setattr(deadline, name, date.fromisoformat(value))
        for name in _INSTANTS:
            value = state.get(name)
            if value is not None:
                setattr(deadline, name, datetime.fromisoformat(value))
        return deadline


_DATES = ("start_date", "override_due", "met_on", "lapsed_on", "due_date")
_INSTANTS = ("start_at", "met_at", "fixed_due_at", "due_at")
