"""The security log's entries (等保 2.0: an audit of security events): who changed which
account, session or token, through which channel. Built here so the account use cases
and the organisation import write the same shape; never a password, token or session id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from govflow.workflow.actors import Actor
from govflow.workflow.identity.ports import Account, SecurityEntry


def security_entry(
    now: datetime, by: Actor, action: str, target: Account, **detail: Any
) -> SecurityEntry:
    return SecurityEntry(
        at=now,
        actor=by.username,
        channel=by.channel or "system",
        action=action,
        target=target.username,
        agency_code=target.agency_code,
        detail=detail,
    )
