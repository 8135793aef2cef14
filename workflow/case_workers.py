"""Who may be named to work a case: a person's active account (not a service account, which
an integration's API tokens act through) of the case's own agency, holding a role that
handles cases (经办人, 公开办负责人).

An input field that names such a person carries ``CASE_WORKER`` in its model (the assignee
of 指定经办人, of 交办; a declared type's field named ``assignee``), so shared code finds it
by that mark, never by an action's name. The one rule below is read by the action that
names someone (``services.act`` refuses anyone else, beside the field), by the ledger import
naming each row's 经办人 (``services.import_requests``: a row naming anyone else is a
problem) — both through ``assignee_refusal`` — and by the form that offers the people to
choose from (``services.case_forms``), so the list can never offer someone the action would
refuse.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel, Field

from govflow.workflow.actors import STATUS_LABELS, AccountKind, AccountStatus, Actor, Role
from govflow.workflow.errors import ActionNotAllowed, NotFound

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

    @property
    def kind(self) -> AccountKind: ...


class Accounts(Protocol):
    """Where ``assignee_refusal`` finds an account by username (the writing use cases'
    ``CaseWrites``): the account with its roles, status and kind, ``NotFound`` for no such
    account, ``ActionNotAllowed`` for one that holds no role."""

    def actor(self, username: str) -> Actor: ...


def refusal(person: Person, agency_code: str) -> str | None:
    """Why ``person`` may not be named to work a case of ``agency_code`` (None: they may)."""
    if person.kind is not AccountKind.PERSON:
        # An integration's account holds roles so its tokens may act, but nobody works a
        # case through it: warnings and digests addressed to it would reach no one.
        return f"{person.name} 是服务账户（供接口集成使用），不能指定为经办人"
    if person.agency_code != agency_code or not set(person.roles) & set(WORKER_ROLES):
        return f"{person.name} 不是本机关的经办人或负责人"
    if person.status is not AccountStatus.ACTIVE:
        return f"{person.name} 的账户{STATUS_LABELS[person.status]}，不能指定"
    return None


def unknown(username: str) -> str:
    """The refusal of a name that is no account's."""
    return f"没有用户 {username!r}"


def assignee_refusal(accounts: Accounts, username: str, agency_code: str) -> str | None:
    """Why the account named ``username`` may not be named to work a case of
    ``agency_code`` (None: it may): no such account, one holding no role, or ``refusal``'s
    reasons. What ``act`` and the ledger import both ask of a name typed or read."""
    name = username.strip()
    try:
        person = accounts.actor(name)
    except NotFound:
        return unknown(name)
    except ActionNotAllowed as exc:  # an account holding no role at all
        return str(exc)
    return refusal(person, agency_code)


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
