"""Escalation policies (预警与督办升级, SPEC E-1): when a deadline's rules fire, as pure functions.

A policy is a ladder of rules per deadline kind, from ``configs/escalation.yaml`` (read once
by the composition root and parsed by ``parse_policies``).
Each case records the digest of the policy in force when it is registered, so editing
the file never silently changes the ladder of an open case. ``plan`` turns a case's
running deadlines into first firing instants; the sweeper (``workers/sweeper.py``)
stores them, fires them and schedules repeats.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import end_of_day
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline

Recipient = Literal["assignee", "office_head", "supervisor"]


class Span(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    hours: float = Field(0, ge=0)
    days: float = Field(0, ge=0)

    @property
    def delta(self) -> timedelta:
        return timedelta(hours=self.hours, days=self.days)


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    working_days_left: int | None = Field(None, ge=0)
    hours_left: float | None = Field(None, ge=0)
    elapsed: float | None = Field(None, gt=0, le=1)
    past_due: Span | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        given = [v for v in self.model_dump().values() if v is not None]
        if len(given) != 1:
            raise ValueError(
                "threshold 须且只能给出一种：working_days_left / hours_left / elapsed / past_due"
            )
        return self


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str = Field(pattern=r"^[a-z0-9_]+$")
    threshold: Threshold
    notify: tuple[Recipient, ...] = ()
    level: Literal["warning", "escalation"] = "warning"
    action: str | None = None
    repeat: Span | None = None

    @model_validator(mode="after")
    def _notify_or_act(self) -> Rule:
        if bool(self.notify) == bool(self.action):
            raise ValueError("每条规则须有 notify（通知谁）或 action（系统动作）之一")
        return self


class Policy(BaseModel):
    """The ladders of one case type, by deadline kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    case_type: str
    ladders: dict[str, tuple[Rule, ...]]

    @property
    def digest(self) -> str:
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()

    @model_validator(mode="after")
    def _unique_rules(self) -> Policy:
        # The schedule keeps one row per (deadline, rule): a second rule of the same name
        # would silently never fire.
        for kind, rules in self.ladders.items():
            names = [r.rule for r in rules]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"期限种类 {kind} 中规则名重复：{', '.join(twice)}")
        return self

    def rule(self, kind: str, name: str) -> Rule | None:
        return next((r for r in self.ladders.get(kind, ()) if r.rule == name), None)


class PolicyError(ValueError):
    """A malformed escalation policy file; the message names the file and the place."""


def parse_policies(raw: Any, where: str) -> dict[str, Policy]:
    try:
        items = list(raw["policies"].items())
    except (KeyError, TypeError, AttributeError) as exc:
        raise PolicyError(f"{where}: 须有 policies: {{案件类型: {{期限种类: [规则…]}}}}") from exc
    parsed = {}
    for case_type, ladders in items:
        try:
            parsed[case_type] = Policy(case_type=case_type, ladders=ladders)
        except ValidationError as exc:
            # Name the place as it is written in the file: policies.<case type>.<kind>.<n>…
            problems = "；".join(
                ".".join(["policies", str(case_type), *(str(x) for x in e["loc"][1:])])
                + f"：{e['msg']}"
                for e in exc.errors()
            )
            raise PolicyError(f"{where}: {problems}") from None
    return parsed


@dataclass(frozen=True)
class PlannedRule:
    deadline_key: str
    rule: str
    due_at: datetime
    first_at: datetime
    repeat: timedelta | None = None  # the rule's repeat interval, if it repeats


def threshold_at(rule: Rule, deadline: Deadline, calendar: WorkingCalendar) -> datetime:
    """The instant ``rule`` first fires for ``deadline`` (never before the deadline starts)."""
    assert deadline.due_at is not None
    start = deadline.start_at or end_of_day(deadline.start_date)  # type: ignore[arg-type]
    t = rule.threshold
    if t.past_due is not None:
        return deadline.due_at + t.past_due.delta
    if t.hours_left is not None:
        at = deadline.due_at - timedelta(hours=t.hours_left)
    elif t.elapsed is not None:
        at = start + (deadline.due_at - start) * t.elapsed
    else:
        assert t.working_days_left is not None
        if deadline.basis is Basis.HOURS or deadline.due_date is None:
            at = deadline.due_at - timedelta(days=t.working_days_left + 1)
        else:
            day = calendar.working_day_before(deadline.due_date, t.working_days_left)
            at = end_of_day(day) - timedelta(days=1)  # 00:00 of that day
    return max(at, start)


def plan(
    deadlines: list[Deadline],
    policy: Policy,
    calendar: WorkingCalendar,
    now: datetime | None = None,
) -> list[PlannedRule]:
    """First firing instants of every rule of every running deadline (running at ``now``:
    an optional limit that has passed gets no rules, so its rows stop firing)."""
    planned = []
    for deadline in deadlines:
        if deadline.status is not DeadlineStatus.RUNNING or deadline.due_at is None:
            continue
        if now is not None and not deadline.is_running_at(now):
            continue
        for rule in policy.ladders.get(deadline.kind, ()):
            planned.append(
                PlannedRule(
                    deadline.key,
                    rule.rule,
                    deadline.due_at,
                    threshold_at(rule, deadline, calendar),
                    rule.repeat.delta if rule.repeat else None,
                )
            )
    return planned


def unplanned(
    deadlines: list[Deadline], policy: Policy, planned: list[PlannedRule]
) -> list[tuple[str, str]]:
    """Every (deadline key, rule) of the case's deadlines under ``policy`` that is not
    ``planned``: the schedule rows that, if they exist, must stop firing."""
    wanted = {(p.deadline_key, p.rule) for p in planned}
    return [
        (d.key, rule.rule)
        for d in deadlines
        for rule in policy.ladders.get(d.kind, ())
        if (d.key, rule.rule) not in wanted
    ]
