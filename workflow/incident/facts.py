"""What an incident's events add up to: ``IncidentFacts``, a fold over the history (SPEC I-1…I-5).

Milestones (statement 5 h, press conference 24 h, response 48 h) are hour deadlines
counted from the detection instant; which ones run depends on the grade, and each is
met by the earliest recorded response that counts for it, whatever the state. A grade
set or changed replaces the milestones, recomputed from the original detection time:
a milestone the new grade no longer has is cancelled, and one already past its limit
stays running and overdue (a breach shown at once, escalated by the next sweep).
Supervision letters add deadlines due at their report-back instant. ``FOLD`` says which
handler folds each declared action; the registry checks it against the declaration.

``to_state`` / ``from_state`` are the facts as plain data, stored on the case row with
each event: an action loads them and folds only its own event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import local_date
from govflow.workflow.contract import FoldTable, Handler, unchanged
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.incident import actions as a

LETTER = "supervision_letter"
LETTER_LABEL = "督办函报告时限"
NO_LONGER_APPLIES = "调整级别后不再适用"


def letter_key(ordinal: int) -> str:
    return f"{LETTER}-{ordinal}"


@dataclass
class Response:
    action: str
    at: datetime
    channel: str | None = None
    link: str | None = None
    summary: str | None = None


@dataclass
class Letter:
    ordinal: int
    number: str
    sender: str
    received_at: datetime
    report_by: datetime
    answered_at: datetime | None = None
    report: str | None = None

    @property
    def key(self) -> str:
        return letter_key(self.ordinal)


@dataclass(frozen=True)
class Breach:
    """One breached limit for the accountability list (I-4; 通报批评 / 约谈, seed 004 item 30)."""

    deadline_key: str
    label: str
    due_at: datetime
    met_at: datetime | None
    kind: str  # late (met after the limit) | lapsed (never met, closed) | overdue (still open)
    lead_department: str | None
    handler: str | None


@dataclass
class IncidentFacts:
    title: str | None = None
    summary: str | None = None
    platform: str | None = None
    link: str | None = None
    topic: str | None = None
    detected_at: datetime | None = None
    cooperating_departments: tuple[str, ...] = ()
    departments: list[tuple[datetime, str]] = field(default_factory=list)
    assignments: list[tuple[datetime, str]] = field(default_factory=list)
    grade: str | None = None
    grade_label: str | None = None
    graded: bool = False  # set at assessment (定级); until then timed as the default grade
    grade_history: list[dict[str, Any]] = field(default_factory=list)
    milestone_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    evaluation: dict[str, Any] | None = None
    archived_at: datetime | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    outcome: str | None = None  # no report category: incidents are not in the annual report

    @property
    def assignee(self) -> str | None:
        return self.assignments[-1][1] if self.assignments else None

    @property
    def lead_department(self) -> str | None:
        return self.departments[-1][1] if self.departments else None

    @property
    def open_letters(self) -> list[Letter]:
        return [x for x in self.letters if x.answered_at is None]

    def letter(self, number: str) -> Letter | None:
        return next((x for x in self.letters if x.number == number), None)

    def computed_deadlines(self, calendar: WorkingCalendar) -> list[Deadline]:
        return [d.compute(calendar) for d in self.deadlines.values()]

    # -- as plain data -------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        evaluation = None
        if self.evaluation is not None:
            evaluation = {**self.evaluation, "at": _instant(self.evaluation["at"])}
        return {
            "title": self.title,
            "summary": self.summary,
            "platform": self.platform,
            "link": self.link,
            "topic": self.topic,
            "detected_at": _instant(self.detected_at),
            "cooperating_departments": list(self.cooperating_departments),
            "departments": [[_instant(at), name] for at, name in self.departments],
            "assignments": [[_instant(at), name] for at, name in self.assignments],
            "grade": self.grade,
            "grade_label": self.grade_label,
            "graded": self.graded,
            "grade_history": [{**h, "at": _instant(h["at"])} for h in self.grade_history],
            "milestone_rules": self.milestone_rules,
            "responses": [
                [r.action, _instant(r.at), r.channel, r.link, r.summary] for r in self.responses
            ],
            "letters": [
                [
                    x.ordinal,
                    x.number,
                    x.sender,
                    _instant(x.received_at),
                    _instant(x.report_by),
                    _instant(x.answered_at),
                    x.report,
                ]
                for x in self.letters
            ],
            "evaluation": evaluation,
            "archived_at": _instant(self.archived_at),
            "outcome": self.outcome,
            "deadlines": [d.to_state() for d in self.deadlines.values()],
        }

    @classmethod
    def from_state(
        cls, state: dict[str, Any], calendar: WorkingCalendar | None = None
    ) -> IncidentFacts:
        evaluation = state["evaluation"]
        if evaluation is not None:
            evaluation = {**evaluation, "at": _parse(evaluation["at"])}
        deadlines = (Deadline.from_state(d, calendar) for d in state["deadlines"])
        return cls(
            title=state["title"],
            summary=state["summary"],
            platform=state["platform"],
            link=state["link"],
            topic=state["topic"],
            detected_at=_parse(state["detected_at"]),
            cooperating_departments=tuple(state["cooperating_departments"]),
            departments=[(_at(at), name) for at, name in state["departments"]],
            assignments=[(_at(at), name) for at, name in state["assignments"]],
            grade=state["grade"],
            grade_label=state["grade_label"],
            graded=state["graded"],
            grade_history=[{**h, "at": _at(h["at"])} for h in state["grade_history"]],
            milestone_rules=state["milestone_rules"],
            responses=[
                Response(action, _at(at), channel, link, summary)
                for action, at, channel, link, summary in state["responses"]
            ],
            letters=[
                Letter(n, number, sender, _at(received), _at(report_by), _parse(answered), report)
                for n, number, sender, received, report_by, answered, report in state["letters"]
            ],
            evaluation=evaluation,
            archived_at=_parse(state["archived_at"]),
            outcome=state["outcome"],
            deadlines={d.key: d for d in deadlines},
        )

    # -- the fold (the handlers ``FOLD`` names) -------------------------------------------

    def _on_detect(self, p: a.Detect, derived: dict[str, Any], at: datetime) -> None:
        self.title, self.summary, self.platform, self.link = p.title, p.summary, p.platform, p.link
        self.topic, self.detected_at = p.topic, p.detected_at or at
        self.cooperating_departments = p.cooperating_departments
        if p.lead_department:
            self.departments.append((at, p.lead_department))
        self._set_grade("detect", derived, at, None)

    def _on_grade(self, p: a.SetGrade, derived: dict[str, Any], at: datetime) -> None:
        self.graded = True
        if p.lead_department:
            self.departments.append((at, p.lead_department))
        if p.cooperating_departments is not None:
            self.cooperating_departments = p.cooperating_departments
        self._set_grade("grade", derived, at, p.reason)

    def _on_regrade(self, p: a.Regrade, derived: dict[str, Any], at: datetime) -> None:
        self._set_grade("regrade", derived, at, p.reason)

    def _on_assign(self, p: a.Assign, derived: dict[str, Any], at: datetime) -> None:
        self.assignments.append((at, p.assignee))

    def _on_publish_statement(
        self, p: a.PublishStatement, derived: dict[str, Any], at: datetime
    ) -> None:
        self._respond(
            Response("publish_statement", p.published_at or at, p.channel, p.link, p.summary)
        )

    def _on_hold_press_conference(
        self, p: a.HoldPressConference, derived: dict[str, Any], at: datetime
    ) -> None:
        self._respond(
            Response("hold_press_conference", p.held_at or at, p.venue, p.link, p.summary)
        )

    def _on_follow_up(self, p: a.FollowUp, derived: dict[str, Any], at: datetime) -> None:
        self._respond(Response("follow_up", p.published_at or at, p.channel, p.link, p.summary))

    def _on_receive_supervision_letter(
        self, p: a.ReceiveSupervisionLetter, derived: dict[str, Any], at: datetime
    ) -> None:
        letter = Letter(len(self.letters) + 1, p.number, p.sender, p.received_at or at, p.report_by)
        self.letters.append(letter)
        self.deadlines[letter.key] = Deadline(
            letter.key,
            LETTER,
            f"{LETTER_LABEL}（{p.sender} {p.number}）",
            Basis.FIXED,
            0,
            start_at=letter.received_at,
            fixed_due_at=p.report_by,
        )

    def _on_answer_supervision_letter(
        self, p: a.AnswerSupervisionLetter, derived: dict[str, Any], at: datetime
    ) -> None:
        letter = self.letter(p.number)
        assert letter is not None  # the guard refused an unknown number
        letter.answered_at, letter.report = p.answered_at or at, p.report
        self.deadlines[letter.key].meet(local_date(letter.answered_at), letter.answered_at)

    def _on_evaluate(self, p: a.Evaluate, derived: dict[str, Any], at: datetime) -> None:
        self.evaluation = {"effect": p.effect, "lessons": p.lessons, "at": at}

    def _on_archive(self, p: a.Empty, derived: dict[str, Any], at: datetime) -> None:
        """A milestone still open is a breach if its limit has passed, else no longer needed."""
        self.archived_at = at
        for d in self.deadlines.values():
            due = due_at(d)
            if d.is_open and due is not None and due < at:
                d.lapse(local_date(at))
            else:
                d.cancel("事件已评估归档，不再需要")

    # -- helpers -------------------------------------------------------------------------

    def _set_grade(
        self, action: str, derived: dict[str, Any], at: datetime, reason: str | None
    ) -> None:
        """Replace the milestones with those of the grade the event recorded."""
        self.grade, self.grade_label = derived["grade"], derived["grade_label"]
        self.grade_history.append(
            {
                "action": action,
                "at": at,
                "grade": self.grade,
                "label": self.grade_label,
                "reason": reason,
            }
        )
        milestones: dict[str, dict[str, Any]] = derived["milestones"]
        for key in self.milestone_rules:
            if key not in milestones:
                self.deadlines[key].cancel(NO_LONGER_APPLIES)
        assert self.detected_at is not None
        # Shortest limit first (the event's JSON has its keys sorted; the live fold must agree).
        for key, rule in sorted(milestones.items(), key=lambda m: (m[1]["hours"], m[0])):
            deadline = Deadline(
                key, key, rule["label"], Basis.HOURS, rule["hours"], start_at=self.detected_at
            )
            self.deadlines[key] = deadline
        self.milestone_rules = milestones
        self._settle()

    def _respond(self, response: Response) -> None:
        self.responses.append(response)
        self._settle()

    def _settle(self) -> None:
        """Each milestone is met at the earliest response that counts for it, late or not."""
        for key, rule in self.milestone_rules.items():
            deadline = self.deadlines[key]
            times = [r.at for r in self.responses if r.action in rule["met_by"]]
            if times and deadline.cancelled_reason is None and deadline.lapsed_on is None:
                first = min(times)
                deadline.meet(local_date(first), first)

    def breaches(self, now: datetime) -> list[Breach]:
        """Every limit breached by ``now``, with who led and who handled at the breach (I-4)."""
        found = []
        for d in self.deadlines.values():
            due = due_at(d)
            if due is None or d.status is DeadlineStatus.CANCELLED:
                continue
            if d.status is DeadlineStatus.BREACHED:
                kind = "lapsed" if d.lapsed_on is not None else "late"
            elif d.status is DeadlineStatus.RUNNING and now > due:
                kind = "overdue"
            else:
                continue
            found.append(
                Breach(
                    d.key,
                    d.label,
                    due,
                    d.met_at if kind == "late" else None,
                    kind,
                    # No department named yet at the breach: the one that took the lead answers.
                    _as_of(self.departments, due) or self.lead_department,
                    _as_of(self.assignments, due),
                )
            )
        return sorted(found, key=lambda b: b.due_at)


def due_at(d: Deadline) -> datetime | None:
    """Hour and fixed deadlines need no calendar: their due instant straight from the events."""
    if d.basis is Basis.HOURS and d.start_at is not None:
        return d.start_at + timedelta(hours=d.amount)
    if d.basis is Basis.FIXED:
        return d.fixed_due_at
    return d.due_at


def _as_of(history: list[tuple[datetime, str]], instant: datetime) -> str | None:
    """The value in force at ``instant`` (the last change at or before it)."""
    current = None
    for at, value in history:
        if at <= instant:
            current = value
    return current


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


F = IncidentFacts
FOLD: dict[str, Handler] = {
    "detect": F._on_detect,
    "assess": unchanged,
    "grade": F._on_grade,
    "regrade": F._on_regrade,
    "assign": F._on_assign,
    "publish_statement": F._on_publish_statement,
    "hold_press_conference": F._on_hold_press_conference,
    "follow_up": F._on_follow_up,
    "receive_supervision_letter": F._on_receive_supervision_letter,
    "answer_supervision_letter": F._on_answer_supervision_letter,
    "evaluate": F._on_evaluate,
    "archive": F._on_archive,
}
"""Each declared action and the handler that folds its event (``unchanged``: state only)."""

FOLD_TABLE = FoldTable(FOLD, a.PAYLOADS, __file__)
