"""Unit of work: one database transaction around one use case (cosmicpython style).

Optimistic locking surfaces here: a case changed by someone else since it was
loaded (stale version, duplicate event sequence, a locked SQLite file) becomes
``Conflict`` and nothing of this transaction is written.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from govflow.models.escalation_repo import EscalationRepository
from govflow.models.reference import ReferenceCache, cache_for
from govflow.models.repository import CONFLICT_MESSAGE, Repository
from govflow.workflow.errors import Conflict


class SqlUnitOfWork:
    """``cache``: the process's reference data of this database (``models.reference``),
    shared by every unit of work on it unless one is given."""

    def __init__(
        self, sessions: sessionmaker[Session], cache: ReferenceCache | None = None
    ) -> None:
        self._sessions = sessions
        self._cache = cache

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        cache = self._cache if self._cache is not None else cache_for(self.session.get_bind())
        self.repo = Repository(self.session, cache)
        self.escalations = EscalationRepository(self.session, cache)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the rows it loaded
        # *without* expiring them (rollback() would expire them), so a read-only use case
        # (``get_case``) can hand its rows to the caller after the block ends.
        self.session.close()
        # A stale version can surface at any autoflush inside the block, not only at commit.
        if isinstance(exc, CONFLICT_ERRORS) and _is_conflict(exc):
            raise Conflict(CONFLICT_MESSAGE) from exc

    def single_write(self) -> None:
        """The use case writes with one statement (an action: ``case_writes``), which is
        atomic by itself: on PostgreSQL it then runs outside a transaction, saving the
        BEGIN and COMMIT round trips. Call before the first statement; SQLite, whose
        writes are several statements, keeps its transaction."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            self.repo.saves_left = 1

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
