"""Identity settings (``identity:`` in ``configs/settings.yaml``): timeouts, lockout, hashing.

Defaults follow what 等保 2.0 asks of a government system (login-failure handling, session
timeouts) and the OWASP password-storage parameters for argon2id. The OIDC client secret
is never in the file: it comes from ``GOVFLOW_OIDC_CLIENT_SECRET`` at the edge.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class Argon2Parameters(BaseModel):
    """OWASP (Password Storage Cheat Sheet): argon2id, 19 MiB, 2 iterations, 1 lane."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_cost: int = Field(2, ge=1)
    memory_kib: int = Field(19456, ge=8)
    parallelism: int = Field(1, ge=1)


class OidcSettings(BaseModel):
    """An OpenID Connect provider (统一身份认证平台) beside local passwords."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: HttpUrl
    client_id: str = Field(min_length=1)
    redirect_uri: HttpUrl
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    claim: str = "sub"  # the claim naming the person, e.g. sub, preferred_username, employee_no
    match: Literal["oidc_subject", "username", "email"] = "oidc_subject"
    label: str = "统一身份认证"  # shown on the login page's button
    timeout_seconds: float = Field(10, gt=0)


class IdentitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    session_idle_minutes: int = Field(30, ge=1)
    session_absolute_hours: int = Field(12, ge=1)
    lockout_failures: int = Field(5, ge=1)
    lockout_window_minutes: int = Field(15, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    password_min_length: int = Field(10, ge=8)
    argon2: Argon2Parameters = Argon2Parameters()
    token_default_days: int = Field(90, ge=1)
    token_max_days: int = Field(365, ge=1)
    oidc: OidcSettings | None = None

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)
