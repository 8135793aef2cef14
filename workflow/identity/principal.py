"""The principal: who is calling, with what roles, in which agency, through which channel.

Every front end turns its credentials into a ``Principal`` (a session cookie, an API
token, the operator's ``--as`` on the command line) and hands it to the service layer,
which checks it again against the account inside its own transaction and records the
user and the channel on every event it writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Protocol

from govflow.workflow.actors import SYSTEM, AccountStatus, Actor, Role, ordered
from govflow.workflow.errors import NotPermitted

WEB = "web"
SYSTEM_CHANNEL = "system"


def api_channel(token_name: str) -> str:
    return f"api:{token_name}"


def cli_channel(os_user: str) -> str:
    return f"cli:{os_user}"


NO_LONGER_APPLIES = "不再适用：账户已不属于该机关"
"""What a list of tokens says of one whose account has left the token's agency."""


def no_longer_applies(agency_name: str | None) -> NotPermitted:
    """The refusal of a token whose account may no longer reach the token's agency, named
    by its Chinese name where the caller could look it up (a person reads it, not a code)."""
    which = f"（{agency_name}）" if agency_name else ""
    return NotPermitted(
        f"此令牌{NO_LONGER_APPLIES}{which}，不能再用于该机关的任何读取或办理；"
        "请系统管理员为账户现属机关另行签发令牌"
    )


class ScopeWords(Protocol):
    """What a token's refusal names instead of codes: an agency by its Chinese name, an
    action by its label. The service layer supplies them (``acting.ScopeNames``, from the
    unit of work it holds), looked up only when it refuses."""

    def agency(self, code: str) -> str: ...

    def action(self, name: str) -> str: ...


@dataclass(frozen=True)
class TokenScope:
    """What an API token may do: which actions (``None``: every action its user may take),
    in which agency (and, for reading, the agencies below it if ``include_children``), or
    nothing but read; and whether it reads the applicants' identity and contact data
    unmasked where its account would (``personal_data``, never by default: a token's
    actions limit what it writes, not what it reads, so an integration that only pushes
    requests would otherwise read every applicant of its agency)."""

    agency: str
    actions: frozenset[str] | None = None
    include_children: bool = False
    read_only: bool = False
    personal_data: bool = False

    def allows(self, action: str, agency_code: str) -> bool:
        """Whether the scope allows ``action`` on a case of ``agency_code``."""
        return (
            not self.read_only
            and agency_code == self.agency
            and (self.actions is None or action in self.actions)
        )

    def check_write(self, action: str, agency_code: str, names: ScopeWords) -> None:
        """Refuse, in words the integration's operator understands, a write outside the scope."""
        if self.read_only:
            raise NotPermitted("此令牌为只读令牌，不能办理案件")
        if agency_code != self.agency:
            raise NotPermitted(
                f"此令牌只能用于{names.agency(self.agency)}，"
                f"不能办理{names.agency(agency_code)}的案件"
            )
        if self.actions is not None and action not in self.actions:
            raise NotPermitted(f"此令牌无权执行动作{names.action(action)}")

    def may_leave_home(self, roles: Collection[Role]) -> bool:
        """Whether this token may be for an agency other than its account's: a supervisor's
        read-only token (for an agency below theirs: ``applies`` checks the tree)."""
        return self.read_only and Role.SUPERVISOR in roles

    def applies(
        self, agency_code: str | None, roles: Collection[Role], below: Collection[str]
    ) -> bool:
        """Whether the token still applies to its account as the account is now (its agency
        and roles, read again on every use), as an administrator could issue it today: for
        the account's own agency, or, a supervisor's read-only token, for an agency among
        ``below`` (the account's agency and those under it). A token of an account moved to
        another agency, or no longer a supervisor, applies nowhere until it is moved back."""
        if agency_code is None:
            return False
        if self.agency == agency_code:
            return True
        return self.may_leave_home(roles) and self.agency in below

    def to_json(self) -> dict[str, object]:
        return {
            "agency": self.agency,
            "actions": sorted(self.actions) if self.actions is not None else None,
            "include_children": self.include_children,
            "read_only": self.read_only,
            "personal_data": self.personal_data,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> TokenScope:
        actions = data.get("actions")
        return cls(
            agency=str(data["agency"]),
            actions=frozenset(actions) if isinstance(actions, list) else None,  # type: ignore[arg-type]
            include_children=bool(data.get("include_children")),
            read_only=bool(data.get("read_only")),
            personal_data=bool(data.get("personal_data")),
        )


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``roles`` and ``agency_code`` are as of authentication;
    the service layer acts on the account as it is when the action is taken."""

    username: str
    name: str
    roles: tuple[Role, ...]
    agency_code: str | None
    channel: str
    scope: TokenScope | None = None  # API tokens only
    must_change_password: bool = False  # a session of a one-time password: change it first

    @property
    def is_system(self) -> bool:
        return self.username == SYSTEM.username

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def as_actor(self) -> Actor:
        """The domain's actor for this principal (the least senior role first)."""
        if self.is_system:
            return SYSTEM
        held = ordered(self.roles)
        return Actor(
            self.username,
            self.name,
            held[0],
            self.agency_code,
            roles=held,
            channel=self.channel,
            status=AccountStatus.ACTIVE,
        )

    def as_reader(self) -> Actor:
        """The actor whose read scope this principal has (``reading_as``): an API token reads
        only in the agency it was issued for, and below it only if issued with
        ``include_children``, never the whole reach of its account; ``authenticate_token``
        has already refused one whose account no longer reaches its agency through the tree."""
        return reading_as(self.as_actor(), self.scope)


def reading_as(actor: Actor, scope: TokenScope | None) -> Actor:
    """``actor`` narrowed to a token's ``scope`` (unchanged without one): what the token may
    read, and the reach a write through it checks before anything else. A token for an
    agency other than its account's that is not a supervisor's read-only one (its account
    has moved since) reads nothing (``NotPermitted``). ``Principal.as_reader`` applies it to
    the account as authenticated; a use case that reads the account again in its own
    transaction (``acting_actor``) applies it to that. The token's ``personal_data`` goes
    with it (``Actor.reads_personal_data``), which ``access.may_see_personal_data`` asks."""
    if scope is None:
        return actor
    narrowed = replace(
        actor, reads_below=scope.include_children, reads_personal_data=scope.personal_data
    )
    if scope.agency == actor.agency_code:
        return narrowed
    if not scope.may_leave_home(actor.held_roles):
        # Unreachable but for a race: ``authenticate_token`` refused such a token, by name.
        raise no_longer_applies(None)
    # A supervisor's token for an agency below reads there as the supervisor, never as
    # that agency's staff because the account also holds a staff role at home (which
    # would unmask the applicants' data and hand out their files).
    supervising = (Role.SUPERVISOR,)
    return replace(narrowed, agency_code=scope.agency, role=Role.SUPERVISOR, roles=supervising)


SYSTEM_PRINCIPAL = Principal(
    username=SYSTEM.username,
    name=SYSTEM.name,
    roles=(Role.SYSTEM,),
    agency_code=None,
    channel=SYSTEM_CHANNEL,
)
