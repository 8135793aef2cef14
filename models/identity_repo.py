"""Accounts, sessions, API tokens and the two logs, rows in and records out
(``govflow.workflow.identity.ports.IdentityStore``).

The store is one class made of its parts, each in a module of its own: accounts and
agencies (``identity_accounts``, the base the others build on), the login and security
logs (``identity_logs``), sessions and API tokens (``identity_access``).
"""

from __future__ import annotations

from govflow.models.identity_access import AccessRows
from govflow.models.identity_logs import LogRows


class IdentityRepository(LogRows, AccessRows):
    """The SQL ``IdentityStore``: ``IdentityRepository(session)``."""
