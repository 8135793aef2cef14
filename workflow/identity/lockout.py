"""Login protection (等保 2.0 登录失败处理): after ``failures`` failed logins within
``window``, the account is locked for ``duration``.

Failures are counted from the later of the window's start and the account's last reset
(a successful login, an administrator's unlock, the start of the last lockout): a lockout
that has run out does not count its failures again. Attempts while locked are refused
without checking the password and are not counted, so a lockout cannot be extended by
someone who keeps guessing; it only blocks new logins, never a session already open (or
anyone could lock any colleague out of their work by typing wrong passwords).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from govflow.workflow.identity.settings import IdentitySettings


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int = 5
    window: timedelta = timedelta(minutes=15)
    duration: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> LockoutPolicy:
        return cls(
            settings.lockout_failures,
            timedelta(minutes=settings.lockout_window_minutes),
            timedelta(minutes=settings.lockout_minutes),
        )

    def count_from(self, now: datetime, reset_at: datetime | None) -> datetime:
        """The earliest instant a failure that counts can have (``lock_after`` also drops
        those made at the reset's instant itself: they came before it)."""
        start = now - self.window
        return max(start, reset_at) if reset_at is not None else start

    def lock_after(
        self, failures: Sequence[datetime], now: datetime, reset_at: datetime | None
    ) -> datetime | None:
        """Given the failed attempts so far (this one included), when the account is locked
        until; ``None`` while under the limit."""
        start = now - self.window
        recent = [
            at for at in failures if start <= at <= now and (reset_at is None or at > reset_at)
        ]
        return now + self.duration if len(recent) >= self.failures else None

    @staticmethod
    def is_locked(locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and now < locked_until
