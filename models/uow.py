"""Unit of work: one database transaction around one use case (cosmicpython style).

Implements ``govflow.workflow.ports.UnitOfWork``: the case repository (``repo``), the
escalation repository (``escalations``) and each case type's own store (``store(Port)``),
all on one session. Optimistic locking surfaces here: a case changed by someone else since
it was loaded (stale version, duplicate event sequence, a locked SQLite file) becomes
``Conflict`` and nothing of this transaction is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from govflow.models.calendar_store import SqlCalendarStore
from govflow.models.case_writes import CONFLICT_MESSAGE
from govflow.models.disclosure_register import SqlRequestRegister
from govflow.models.escalation_repo import EscalationRepository
from govflow.models.identity_repo import IdentityRepository
from govflow.models.notice_templates import SqlTemplateUploads
from govflow.models.repository import Repository
from govflow.workflow.calendar.imports import CalendarStore
from govflow.workflow.disclosure.register import (
    ImportedRequests,
    RequestRegister,
    RequestReports,
)
from govflow.workflow.errors import Conflict
from govflow.workflow.notices.uploads import TemplateUploads

T = TypeVar("T")

StoreFactory = Callable[[Session, Repository], Any]

SQL_STORES: Mapping[type, StoreFactory] = {
    RequestRegister: lambda session, repo: SqlRequestRegister(session, repo.case_row),
    RequestReports: lambda session, repo: SqlRequestRegister(session, repo.case_row),
    ImportedRequests: lambda session, repo: SqlRequestRegister(session, repo.case_row),
    CalendarStore: lambda session, repo: SqlCalendarStore(session),
    TemplateUploads: lambda session, repo: SqlTemplateUploads(session),
}
"""Each case type's store, by the port (protocol class) its code asks for; the calendar's
imported files (``CalendarStore``) and the uploaded notice templates (``TemplateUploads``)."""


class SqlUnitOfWork:
    def __init__(
        self, sessions: sessionmaker[Session], stores: Mapping[type, StoreFactory] = SQL_STORES
    ) -> None:
        self._sessions = sessions
        self._factories = stores

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.repo = Repository(self.session)
        self.escalations = EscalationRepository(self.session)
        self._stores: dict[type, Any] = {}
        self.identity = IdentityRepository(self.session)
        return self

    def store(self, port: type[T]) -> T:
        if port not in self._stores:
            self._stores[port] = self._factories[port](self.session, self.repo)
        return self._stores[port]  # type: ignore[no-any-return]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the rows it loaded
        # *without* expiring them (rollback() would expire them), so a read-only use case
        # can hand what it read to the caller after the block ends.
        self.session.close()
        # A stale version can surface at any autoflush inside the block, not only at commit.
        if isinstance(exc, CONFLICT_ERRORS) and _is_conflict(exc):
            raise Conflict(CONFLICT_MESSAGE) from exc

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()


CONFLICT_ERRORS = (StaleDataError, IntegrityError, OperationalError)


def _is_conflict(exc: BaseException) -> bool:
    """Another transaction won: stale version, duplicate key, or a lock it held."""
    if isinstance(exc, OperationalError):
        return any(t in str(exc).lower() for t in ("locked", "deadlock", "could not serialize"))
    return True
