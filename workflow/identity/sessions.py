"""Sessions (SPEC U-1): server-side, revocable, with an idle and an absolute timeout.

A session ends ``idle`` after its last use or ``absolute`` after login, whichever comes
first, and at once when revoked (logout, logout everywhere, the account locked or
deactivated, the password changed). Its last use is written at most once a minute
(``TOUCH_EVERY``): a page that makes ten requests costs one write, and the idle timeout
is still exact to the minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from govflow.workflow.identity.settings import IdentitySettings

TOUCH_EVERY = timedelta(minutes=1)


class SessionEnd(StrEnum):
    IDLE = "idle"
    ABSOLUTE = "absolute"
    REVOKED = "revoked"


END_MESSAGES = {
    SessionEnd.IDLE: "长时间未操作，登录已失效，请重新登录",
    SessionEnd.ABSOLUTE: "登录已超过最长有效时间，请重新登录",
    SessionEnd.REVOKED: "登录已注销，请重新登录",
}


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> SessionPolicy:
        return cls(settings.session_idle, settings.session_absolute)

    def ended(
        self,
        created_at: datetime,
        last_seen_at: datetime,
        revoked_at: datetime | None,
        now: datetime,
    ) -> SessionEnd | None:
        """Why a session is over at ``now``, or ``None`` while it lasts."""
        if revoked_at is not None and revoked_at <= now:
            return SessionEnd.REVOKED
        if now >= created_at + self.absolute:
            return SessionEnd.ABSOLUTE
        if now >= last_seen_at + self.idle:
            return SessionEnd.IDLE
        return None

    def expires_at(self, created_at: datetime, last_seen_at: datetime) -> datetime:
        """When the session ends if not used again (for the cookie and the page)."""
        return min(created_at + self.absolute, last_seen_at + self.idle)

    @staticmethod
    def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= TOUCH_EVERY
