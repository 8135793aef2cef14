"""From a principal to the actor of one action, inside the action's transaction.

The account is read again where the action is written (the service layer reads it
anyway, in one statement): an account locked or deactivated since its session opened or
its token was issued acts no more, the roles are those it holds now, and a token for an
agency the account has since left acts nowhere. The channel the
principal came through goes onto the actor, and from there onto the event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from govflow.workflow.actors import STATUS_LABELS, SYSTEM, AccountStatus, Actor, Agency
from govflow.workflow.errors import NotFound, NotPermitted
from govflow.workflow.identity.principal import Principal, no_longer_applies


class AgencyLookup(Protocol):
    def agency(self, code: str) -> Agency: ...


class ActorLookup(AgencyLookup, Protocol):
    def actor(self, username: str) -> Actor: ...


def agency_name(repo: AgencyLookup, code: str) -> str:
    """An agency's Chinese name for a refusal; its code only if no agency has it."""
    try:
        return repo.agency(code).name
    except NotFound:
        return code


@dataclass(frozen=True)
class ScopeNames:
    """The words of a token's refusal (``ScopeWords``): agencies named from the unit of
    work's repository, the action by its label where the caller knows it."""

    repo: AgencyLookup
    label: str | None = None

    def agency(self, code: str) -> str:
        return agency_name(self.repo, code)

    def action(self, name: str) -> str:
        # The code stays beside the label: a token's actions are issued by their codes.
        return f"“{self.label}”（{name}）" if self.label else name


def active_actor(repo: ActorLookup, username: str) -> Actor:
    """The user named, refused when the account is locked or deactivated."""
    actor = repo.actor(username)
    if actor.status is not AccountStatus.ACTIVE:
        raise NotPermitted(f"{actor.name} 的账户{STATUS_LABELS[actor.status]}，不能办理")
    return actor


def acting_actor(repo: ActorLookup, principal: Principal) -> Actor:
    """The actor for ``principal``, refused when the account may not act now."""
    if principal.is_system:
        return replace(SYSTEM, channel=principal.channel)
    actor = active_actor(repo, principal.username)
    if principal.must_change_password:
        raise NotPermitted("请先修改初始密码，再办理案件")
    scope = principal.scope
    # The account as it is now, not as it was when the token was issued or the request
    # authenticated: a token for an agency its account has left acts there no more (a
    # supervisor's read-only token, the one kind issued for another agency, writes nothing).
    if scope is not None and scope.agency != actor.agency_code:
        if not scope.may_leave_home(actor.held_roles):
            raise no_longer_applies(agency_name(repo, scope.agency))
    # Whatever a use case shows the actor of a write (the applicant's history, a notice to
    # download) is masked as for its reading: a token issued without ``personal_data``.
    personal = scope is None or scope.personal_data
    return replace(actor, channel=principal.channel, reads_personal_data=personal)


def check_scope(
    principal: Principal,
    action: str,
    agency_code: str,
    repo: AgencyLookup,
    label: str | None = None,
) -> None:
    """An API token acts only within its scope (actions, agency, read-only); a refusal names
    the agencies from ``repo`` and the action by ``label``."""
    if principal.scope is not None:
        principal.scope.check_write(action, agency_code, ScopeNames(repo, label))
