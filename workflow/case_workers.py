"""Who may be named to work a case: an active account of the case's own agency holding a
role that handles cases (经办人, 公开办负责人).

An input field that names such a person carries ``CASE_WORKER`` in its model (the assignee
of 指定经办人, of 交办; a declared type's field named ``assignee``), so shared code finds it
by that mark, never by an action's name. The one rule below is read twice: by the action
that names someone (``services.act`` refuses anyone else, beside the field) and by the form
that offers the people to choose from (``services.case_forms``), so the list can never offer
someone the action would refuse.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel, Field

from govflow.workflow.actors import STATUS_LABELS, AccountStatus, Role

WORKER_ROLES = (Role.HANDLER, Role.OFFICE_HEAD)
"""The roles that handle cases: only someone holding one may be named to work one."""

CHOICES_FROM = "choices_from"
"""The JSON-schema key of a field whose choices depend on the case (read by ``inputs``)."""

PEOPLE = "case_workers"
"""Its value for a field naming a person who may work the case."""

CASE_WORKER = Field(json_schema_extra={CHOICES_FROM: PEOPLE})
"""The mark of such a field: ``assignee: Annotated[Name, CASE_WORKER]``."""


class Person(Protocol):
    """What the rule reads of an account (an ``Actor`` or an ``identity.Account``)."""

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> tuple[Role, ...]: ...

    @property
    def agency_code(self) -> str | None: ...

    @property
    def status(self) -> AccountStatus: ...


def refusal(person: Person, agency_code: str) -> str | None:
    """Why ``person`` may not be named to work a case of ``agency_code`` (None: they may)."""
    if person.agency_code != agency_code or not set(person.roles) & set(WORKER_ROLES):
        return f"{person.name} 不是本机关的经办人或负责人"
    if person.status is not AccountStatus.ACTIVE:
        return f"{person.name} 的账户{STATUS_LABELS[person.status]}，不能指定"
    return None


def unknown(username: str) -> str:
    """The refusal of a name that is no account's."""
    return f"没有用户 {username!r}"


def choice_label(name: str, username: str) -> str:
    """How a form offers a person: the Chinese name, the username people may also know."""
    return f"{name}（{username}）"


@lru_cache(maxsize=256)
def worker_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The top-level fields of an action's input model marked ``CASE_WORKER``, optional
    ones too (the mark then sits on the non-null branch); kept per model: every action asks."""
    found = []
    for name, prop in model.model_json_schema().get("properties", {}).items():
        if any(option.get(CHOICES_FROM) == PEOPLE for option in (prop, *prop.get("anyOf", ()))):
            found.append(name)
    return tuple(found)
