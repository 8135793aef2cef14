"""Opaque secrets: session ids, CSRF tokens and API tokens.

Each is 256 random bits. The database keeps only the SHA-256 of a session id or a token:
someone who reads the tables cannot take over a session or call the API. A plain hash
(not argon2) is right here: the secrets are random, not chosen by people, so there is
nothing to guess, and a lookup by hash must be fast on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "gft_"  # makes a leaked token recognisable to secret scanners and people


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def same(expected: str, presented: str | None) -> bool:
    """Constant-time comparison (a CSRF token from a form or header)."""
    if not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode("utf-8", "surrogateescape"))
