"""Reference data kept per process: agencies, users (as actors) and escalation policies.

Every action needs the acting user, the agency of its case and the escalation policy the
case follows. Fetching and validating them each time was a fifth of an action's cost, and
they seldom change: a policy never (it is stored under the digest of its body), agencies
and users when the organisation file is reloaded or an account changes.

Invalidation is explicit and crosses processes: database triggers add one to
``reference_data.generation`` on every change to ``agencies`` or ``users`` (migration
0007), and the statement that loads a case reads that number at no extra round trip. A
unit of work consults the cache only once it has seen the current generation (a case
loaded, or one small query); a cache that sees the number move starts over. So no
process acts on a role or an agency another process has changed since, even for a
moment.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from govflow.workflow.actors import Actor
from govflow.workflow.escalation import Policy


@dataclass(frozen=True)
class Agency:
    """An agency as the use cases need it (the row's columns, no session attached)."""

    id: int
    code: str
    name: str
    ref_prefix: str
    parent_id: int | None


@dataclass
class _Generation:
    """Everything cached under one generation number; replaced whole when it moves."""

    number: int | None
    actors: dict[str, Actor] = field(default_factory=dict)
    agencies: dict[str, Agency] | None = None  # all of them, by code, once read
    codes: dict[int, str] = field(default_factory=dict)


class ReferenceCache:
    """Agencies, actors and policies of one database, shared by the units of work of one
    process (threads included: entries are replaced, never edited in place)."""

    def __init__(self) -> None:
        self._current = _Generation(None)
        self._lock = threading.Lock()
        self.policies: dict[str, Policy] = {}  # by digest: a digest's body never changes
        self.stored_policies: set[str] = set()  # digests known to be in this database

    @property
    def generation(self) -> int | None:
        return self._current.number

    def observe(self, number: int) -> None:
        """The generation a statement of this transaction read: forget anything older."""
        if number != self._current.number:
            with self._lock:
                if number != self._current.number:
                    self._current = _Generation(number)

    def actor(self, username: str) -> Actor | None:
        return self._current.actors.get(username)

    def remember_actor(self, number: int, actor: Actor) -> None:
        current = self._current
        if current.number == number:  # read under the generation in force: still true
            current.actors[actor.username] = actor

    def agencies(self) -> dict[str, Agency] | None:
        return self._current.agencies

    def agency_code(self, agency_id: int) -> str | None:
        return self._current.codes.get(agency_id)

    def remember_agencies(self, number: int, agencies: list[Agency]) -> None:
        current = self._current
        if current.number == number:
            current.codes = {a.id: a.code for a in agencies}
            current.agencies = {a.code: a for a in agencies}


_caches: weakref.WeakKeyDictionary[Any, ReferenceCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(engine: Any) -> ReferenceCache:
    """The one cache of this process for the database behind ``engine``."""
    with _caches_lock:
        found = _caches.get(engine)
        if found is None:
            found = _caches[engine] = ReferenceCache()
        return found
