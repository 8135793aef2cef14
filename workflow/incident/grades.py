"""Incident grades and their response limits, from ``configs/incident_grades.yaml`` (SPEC I-1).

The file is read once at start-up (the incident's contract asks the composition root for it).

The notices distinguish only 特别重大/重大 from all other incidents; the four grades
and their hours are data, so a revised notice is a change of that file.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from govflow.workflow.declaration import DeclarationError

RESPONSE_ACTIONS = ("publish_statement", "hold_press_conference", "follow_up")


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    met_by: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_actions(self) -> Milestone:
        unknown = [a for a in self.met_by if a not in RESPONSE_ACTIONS]
        if unknown:
            raise ValueError(f"met_by 中的动作 {unknown} 不是回应动作 {RESPONSE_ACTIONS}")
        return self


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    limits: dict[str, PositiveInt] = Field(min_length=1)


class GradeTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    milestones: dict[str, Milestone]
    grades: dict[str, Grade]
    default_grade: str
    topics: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> GradeTable:
        if self.default_grade not in self.grades:
            raise ValueError(f"default_grade {self.default_grade!r} 不是已定义的级别")
        for name, grade in self.grades.items():
            unknown = [k for k in grade.limits if k not in self.milestones]
            if unknown:
                raise ValueError(f"grades.{name}.limits 中有未定义的时限 {unknown}")
        return self

    def code(self, value: str) -> str:
        """A grade's code from its code or its Chinese name (``重大`` → ``major``)."""
        for code, grade in self.grades.items():
            if value in (code, grade.label):
                return code
        known = "、".join(f"{c}（{g.label}）" for c, g in self.grades.items())
        raise ValueError(f"未知级别 {value!r}，可选：{known}")

    def milestones_of(self, grade: str) -> dict[str, dict[str, Any]]:
        """What an event setting ``grade`` records: each milestone's label, hours and met_by."""
        return {
            key: {
                "label": self.milestones[key].label,
                "hours": hours,
                "met_by": list(self.milestones[key].met_by),
            }
            for key, hours in self.grades[grade].limits.items()
        }


GRADES_FILE = "incident_grades.yaml"


def parse_grade_table(raw: Any, where: str) -> GradeTable:
    """The grade table as the file gives it; a malformed one stops start-up naming ``where``."""
    try:
        return GradeTable.model_validate(raw)
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(x) for x in e['loc']) or '文件'}：{e['msg']}" for e in exc.errors()
        )
        raise DeclarationError(f"{where}: {problems}") from None
