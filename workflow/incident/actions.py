"""Input of each incident action (SPEC I-1…I-5), validated before anything is written.

Instants (detected, published, held, report-by) are ISO 8601; without an offset they
are read in Asia/Shanghai. An omitted instant of a response means "when it is
recorded": the fold then uses the event's own instant, so replay gives the same result.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationInfo

from govflow.workflow.case_workers import CASE_WORKER
from govflow.workflow.declared import Instant, Payload

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Link = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$", max_length=500),
    Field(json_schema_extra={"hint": "以 http:// 或 https:// 开头的网址"}),
]


def _split(value: Any) -> Any:
    """``教育局、卫健局`` or ``教育局,卫健局`` from the command line → a list."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,，、;；]", value) if part.strip()]
    return value


def _grade(value: str, info: ValidationInfo) -> str:
    """A grade by its code or Chinese name, as the table in force says (the validation
    context's ``grades``); a recorded event's code is taken as recorded when replayed."""
    grades = (info.context or {}).get("grades")
    return grades.code(value) if grades is not None else value


MAX_DEPARTMENTS = 50
"""The most cooperating departments one incident names: a city's whole government, and
a bound, since each event is kept for good (a 100,000-name list once made a case's
every read a megabyte)."""

Departments = Annotated[
    tuple[Name, ...], Field(max_length=MAX_DEPARTMENTS), BeforeValidator(_split)
]
GradeCode = Annotated[str, StringConstraints(max_length=20), AfterValidator(_grade)]


class Detect(Payload):
    """监测发现 (I-2): the incident as found; the grade may wait for the assessment."""

    title: Name
    summary: Text
    platform: Name
    link: Link | None = None
    detected_at: Instant | None = None
    topic: Name
    lead_department: Name | None = None
    cooperating_departments: Departments = ()
    grade: GradeCode | None = None


class Note(Payload):
    note: Text | None = None


class SetGrade(Payload):
    """定级 at the assessment; the lead and cooperating departments may be settled with it."""

    grade: GradeCode
    reason: Text | None = None
    lead_department: Name | None = None
    cooperating_departments: Departments | None = None


class Regrade(Payload):
    grade: GradeCode
    reason: Text


class Assign(Payload):
    assignee: Annotated[Name, CASE_WORKER]  # offered as the agency's people who may work it


class PublishStatement(Payload):
    """发布权威信息: where (channel and link) and when."""

    channel: Name
    link: Link
    published_at: Instant | None = None
    summary: Text | None = None


class HoldPressConference(Payload):
    held_at: Instant | None = None
    venue: Name | None = None
    link: Link | None = None
    summary: Text | None = None


class FollowUp(Payload):
    """持续发布: a further release after the first response (I-2), recorded as an event."""

    channel: Name
    link: Link | None = None
    published_at: Instant | None = None
    summary: Text


class ReceiveSupervisionLetter(Payload):
    """督办函 (I-3): a higher office's letter with its own report-back instant."""

    number: Short
    sender: Short
    report_by: Instant
    received_at: Instant | None = None
    requirements: Text | None = None


class AnswerSupervisionLetter(Payload):
    number: Short
    report: Text
    answered_at: Instant | None = None


class Evaluate(Payload):
    """评估 (I-4): what the response achieved and what is to be learnt."""

    effect: Text
    lessons: Text


class Empty(Payload):
    pass


PAYLOADS: dict[str, type[Payload]] = {
    "detect": Detect,
    "assess": Note,
    "grade": SetGrade,
    "regrade": Regrade,
    "assign": Assign,
    "publish_statement": PublishStatement,
    "hold_press_conference": HoldPressConference,
    "follow_up": FollowUp,
    "receive_supervision_letter": ReceiveSupervisionLetter,
    "answer_supervision_letter": AnswerSupervisionLetter,
    "evaluate": Evaluate,
    "archive": Empty,
}

RESPONSE_TIME = {
    "publish_statement": "published_at",
    "hold_press_conference": "held_at",
    "follow_up": "published_at",
}
"""The instant field of each response; omitted, the response happened when recorded."""
