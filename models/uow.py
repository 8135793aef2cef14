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

from models.repository import Repository
from workflow.errors import Conflict

CONFLICT_MESSAGE = "案件已被他人修改，本次操作未保存，请重新加载后再试"


class SqlUnitOfWork:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.repo = Repository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def flush(self) -> None:
        try:
            self.session.flush()
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            self._conflict(exc)

    def commit(self) -> None:
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            self._conflict(exc)

    def _conflict(self, exc: Exception) -> None:
        self.session.rollback()
        transient = ("locked", "deadlock", "could not serialize")
        if isinstance(exc, OperationalError) and not any(t in str(exc).lower() for t in transient):
            raise exc
        raise Conflict(CONFLICT_MESSAGE) from exc
