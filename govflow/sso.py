"""The edge of single sign-on: HTTP to the OpenID Connect provider (standard library only),
and the provider built from the settings and the environment.

The client secret is read from ``GOVFLOW_OIDC_CLIENT_SECRET`` or the file named by
``GOVFLOW_OIDC_CLIENT_SECRET_FILE`` (never from the settings file, kept with the code) and
held as a ``SecretStr``: it is in no log line, error or ``repr``. The issuer must be ``https://``, except on the loopback addresses
(a test provider, or a provider on the same machine).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from govflow.app import secret_from_env
from govflow.logs import register_secrets
from govflow.workflow.clock import Clock
from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity.oidc import OpenIdConnect, TransportError
from govflow.workflow.identity.settings import OidcSettings

SECRET_ENV = "GOVFLOW_OIDC_CLIENT_SECRET"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_ANSWER = 1 << 20  # a discovery document, key set or token answer is a few KiB


class UrllibTransport:
    """JSON over HTTPS with a timeout; any failure is a ``TransportError`` without detail
    that could carry a secret (the token endpoint's request holds the client secret)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def get_json(self, url: str) -> dict[str, Any]:
        return self._send(urllib.request.Request(url, headers={"Accept": "application/json"}))

    def post_form(
        self, url: str, form: Mapping[str, str], basic_auth: tuple[str, str]
    ) -> dict[str, Any]:
        user, password = (urllib.parse.quote(part, safe="") for part in basic_auth)
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {credentials}",
            },
            method="POST",
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_ANSWER)
        except urllib.error.HTTPError as exc:  # an OAuth error answer is JSON too (400, 401)
            body = exc.read(MAX_ANSWER)
        except (OSError, ValueError) as exc:
            raise TransportError(type(exc).__name__) from None
        try:
            found = json.loads(body)
        except ValueError:
            raise TransportError("not JSON") from None
        if not isinstance(found, dict):
            raise TransportError("not a JSON object")
        return found


def oidc_provider(settings: OidcSettings | None, clock: Clock) -> OpenIdConnect | None:
    """The configured OIDC provider, or ``None`` when single sign-on is not configured."""
    if settings is None:
        return None
    issuer = urllib.parse.urlsplit(str(settings.issuer))
    if issuer.scheme != "https" and issuer.hostname not in LOOPBACK:
        raise InvalidInput("identity.oidc.issuer 必须使用 https://（本机地址除外）")
    secret = secret_from_env(SECRET_ENV)  # or a file named by GOVFLOW_OIDC_CLIENT_SECRET_FILE
    if not secret:
        raise InvalidInput(f"已配置统一身份认证，但未设置环境变量 {SECRET_ENV}（客户端密钥）")
    register_secrets([secret])  # redacted from every log line, whatever logs it
    return OpenIdConnect(
        settings, SecretStr(secret), UrllibTransport(settings.timeout_seconds), clock
    )
