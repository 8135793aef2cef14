"""The guards of each incident action and the data it derives (SPEC I-1…I-5).

``check`` refuses what the rules do not allow now (a response before detection or in
the future, a second 定级, an unknown letter, archiving with a letter unanswered or
without an evaluation); ``possible`` says which actions some input could pass now, what a
case's page offers; ``derive`` copies the grade's limits in force into the event,
so editing ``configs/incident_grades.yaml`` never moves an open incident's milestones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from govflow.workflow.clock import SHANGHAI
from govflow.workflow.declared import Context, Payload
from govflow.workflow.errors import ActionNotAllowed, InvalidInput, allows
from govflow.workflow.incident import actions as a
from govflow.workflow.incident.facts import IncidentFacts, Letter
from govflow.workflow.incident.grades import GradeTable


def _local(instant: datetime) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of this server's clock a reported instant may be: a monitoring platform
pushes an incident with the instant its own clock read, which may run a little ahead of
ours; refusing ``detected_at`` = "now" by a few seconds would lose the push (Kerberos
allows the same five minutes)."""


def _not_future(label: str, instant: datetime | None, ctx: Context) -> None:
    if instant is not None and instant > ctx.now + CLOCK_SKEW:
        message = f"{label} {_local(instant)} 晚于现在 {_local(ctx.now)}"
        raise InvalidInput(message, fields={label.rsplit(" ", 1)[-1]: message})


def _not_before(
    label: str, instant: datetime | None, other_label: str, other: datetime | None
) -> None:
    if instant is not None and other is not None and instant < other:
        raise InvalidInput(f"{label} {_local(instant)} 早于{other_label} {_local(other)}")


def check(action: str, facts: IncidentFacts, p: Payload, ctx: Context) -> None:
    """Raise ``ActionNotAllowed`` / ``InvalidInput`` when the action is not allowed now."""
    precondition = _PRECONDITIONS.get(action)
    if precondition is not None:
        precondition(facts, ctx)
    guard = _GUARDS.get(action)
    if guard is not None:
        guard(facts, p, ctx)


def possible(action: str, facts: IncidentFacts, ctx: Context) -> bool:
    """Whether some input could pass ``check`` now: its precondition holds, and an action
    whose input names one of the case's own things has one left to name (``_NAMED``). A
    case offers its reader only such actions (no 定级 once graded, no 调整级别 before, no
    报送 without a letter to answer)."""
    precondition = _PRECONDITIONS.get(action)
    if precondition is not None and not allows(precondition, facts, ctx):
        return False
    named = _NAMED.get(action)
    return named is None or bool(named(facts))


def _detect(f: IncidentFacts, p: a.Detect, ctx: Context) -> None:
    _not_future("监测发现时间 detected_at", p.detected_at, ctx)


def _not_graded(f: IncidentFacts, ctx: Context) -> None:
    if f.graded:
        raise ActionNotAllowed(f"已定级为“{f.grade_label}”；调整级别请用 regrade（须注明理由）")


def _graded(f: IncidentFacts, ctx: Context) -> None:
    if not f.graded:
        raise ActionNotAllowed("尚未定级：请先用 grade 定级")


def _regrade(f: IncidentFacts, p: a.Regrade, ctx: Context) -> None:
    if p.grade == f.grade:
        raise InvalidInput(f"级别未变化：已是“{f.grade_label}”")


def _response(field: str, label: str):
    def guard(f: IncidentFacts, p: Any, ctx: Context) -> None:
        instant = getattr(p, field)
        _not_future(f"{label} {field}", instant, ctx)
        _not_before(f"{label} {field}", instant, "监测发现时间", f.detected_at)

    return guard


def _receive_letter(f: IncidentFacts, p: a.ReceiveSupervisionLetter, ctx: Context) -> None:
    if f.letter(p.number) is not None:
        raise InvalidInput(f"督办函 {p.number} 已登记过")
    received = p.received_at or ctx.now
    _not_future("收函时间 received_at", p.received_at, ctx)
    # A letter about the incident cannot reach the office before the incident was detected.
    _not_before("收函时间 received_at", received, "监测发现时间", f.detected_at)
    if p.report_by <= received:
        raise InvalidInput(
            f"报告时限 report_by {_local(p.report_by)} 须晚于收函时间 {_local(received)}"
        )


def _letter_to_answer(f: IncidentFacts, number: str) -> Letter:
    """The letter 报送 names, if it may be answered: one received and not yet answered."""
    letter = f.letter(number)
    if letter is None:
        known = "、".join(x.number for x in f.letters) or "无"
        raise InvalidInput(f"没有编号为 {number} 的督办函（已收到：{known}）")
    if letter.answered_at is not None:
        raise ActionNotAllowed(f"督办函 {number} 已于 {_local(letter.answered_at)} 报送")
    return letter


def _letters_to_answer(f: IncidentFacts) -> list[str]:
    """The numbers 报送 may name now: each letter ``_letter_to_answer`` lets through (the
    time it was answered may be left to the instant it is recorded)."""
    return [x.number for x in f.letters if allows(_letter_to_answer, f, x.number)]


def _answer_letter(f: IncidentFacts, p: a.AnswerSupervisionLetter, ctx: Context) -> None:
    letter = _letter_to_answer(f, p.number)
    _not_future("报送时间 answered_at", p.answered_at, ctx)
    _not_before("报送时间 answered_at", p.answered_at, "收函时间", letter.received_at)


def _archivable(f: IncidentFacts, ctx: Context) -> None:
    if f.open_letters:
        numbers = "、".join(f"{x.number}（{x.sender}）" for x in f.open_letters)
        raise ActionNotAllowed(f"督办函 {numbers} 尚未报送办理情况，不能归档")
    if f.evaluation is None:
        raise ActionNotAllowed("尚未评估（效果、经验教训），不能归档")


_GUARDS: dict[str, Any] = {
    "detect": _detect,
    "regrade": _regrade,
    "publish_statement": _response("published_at", "发布时间"),
    "hold_press_conference": _response("held_at", "发布会时间"),
    "follow_up": _response("published_at", "发布时间"),
    "receive_supervision_letter": _receive_letter,
    "answer_supervision_letter": _answer_letter,
}

# The part of an action's guard that no input changes: ``check`` applies it first, and a
# case offers the action only while it holds (``possible``).
_PRECONDITIONS: dict[str, Callable[[IncidentFacts, Context], None]] = {
    "grade": _not_graded,
    "regrade": _graded,
    "archive": _archivable,
}

# Actions whose input names one of the case's own things (a letter by its number): the
# guard refuses a name the case holds nothing open under, with words naming it, so the
# refusal stays in the guard; the rule it applies to one name is read here for every name
# the case holds, and the action is possible only while one is left (``possible``).
_NAMED: dict[str, Callable[[IncidentFacts], list[str]]] = {
    "answer_supervision_letter": _letters_to_answer,
}


def derive(
    action: str, facts: IncidentFacts, p: Payload, ctx: Context, table: GradeTable
) -> dict[str, Any]:
    """What the event records besides the payload: the limits in force of the grade table."""
    if isinstance(p, a.Detect | a.SetGrade | a.Regrade):
        grade = p.grade or table.default_grade
        return {
            "grade": grade,
            "grade_label": table.grades[grade].label,
            "milestones": table.milestones_of(grade),
        }
    return {}


def conditions() -> dict[str, Any]:
    """No transition of the incident declaration needs a condition."""
    return {}
