"""A small OpenID Connect provider on 127.0.0.1 for the tests: discovery, JWKS, an
authorization endpoint that "logs in" whoever the test names, and a token endpoint that
checks the client's secret, the code (once), the redirect URI and PKCE, and issues an
id_token signed with its RSA key (joserfc, Authlib's JOSE library).

``tamper`` bends the next id_token (another issuer, audience, nonce, an expiry in the
past, a key the provider never published) so the tests can watch each check refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "govflow"
CLIENT_SECRET = "local-provider-secret-7f3a"
REDIRECT_URI = "http://127.0.0.1:8000/login/oidc"


@cache
def _keys() -> tuple[RSAKey, RSAKey]:
    """The provider's signing key and one it never published (made once: RSA is slow)."""
    return tuple(  # type: ignore[return-value]
        RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"}) for _ in range(2)
    )


class LocalOidcProvider:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.key, self.foreign_key = _keys()
        self.codes: dict[str, dict[str, Any]] = {}
        self.subject = "nobody"
        self.claims: dict[str, Any] = {}  # extra claims of the next login
        self.tamper: dict[str, Any] = {}
        self.redirect_uri = REDIRECT_URI  # the one client registered with this provider
        self.token_requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                provider.handle_get(self)

            def do_POST(self) -> None:
                provider.handle_post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> LocalOidcProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- endpoints ----------------------------------------------------------------------

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        path, _, query = request.path.partition("?")
        if path == "/.well-known/openid-configuration":
            issuer = self.tamper.get("discovery_issuer", self.url)
            self._json(
                request,
                200,
                {
                    "issuer": issuer,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        elif path == "/jwks":
            self._json(request, 200, {"keys": [self.key.as_dict(private=False)]})
        elif path == "/authorize":
            params = dict(urllib.parse.parse_qsl(query))
            if (
                params.get("client_id") != CLIENT_ID
                or params.get("redirect_uri") != self.redirect_uri
            ):
                self._json(request, 400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "subject": self.subject,
                "claims": dict(self.claims),
                "nonce": params.get("nonce"),
                "challenge": params.get("code_challenge"),
                "redirect_uri": params["redirect_uri"],
            }
            back = f"{params['redirect_uri']}?" + urllib.parse.urlencode(
                {"code": code, "state": params.get("state", "")}
            )
            request.send_response(302)
            request.send_header("Location", back)
            request.end_headers()
        else:
            self._json(request, 404, {"error": "not_found"})

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        self.token_requests += 1
        length = int(request.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(request.rfile.read(length).decode()))
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            self._json(request, 401, {"error": "invalid_client"})
            return
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            self._json(request, 400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["challenge"]:
            self._json(request, 400, {"error": "invalid_grant"})
            return
        now = int(self.now().timestamp())
        claims = {
            "iss": self.url,
            "sub": grant["subject"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["claims"],
        }
        for claim in ("iss", "aud", "nonce", "sub"):
            if claim in self.tamper:
                claims[claim] = self.tamper[claim]
        if "exp_offset" in self.tamper:
            claims["exp"] = now + self.tamper["exp_offset"]
        key = self.foreign_key if self.tamper.get("foreign_key") else self.key
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        self._json(
            request,
            200,
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": token},
        )

    @staticmethod
    def _json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def browser_visits(authorization_url: str) -> dict[str, str]:
    """What a browser does at the provider: follow the authorization URL (the provider logs
    the test's user in at once) and return the query of the redirect back to govflow."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorization_url, timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        location = redirect.headers["Location"]
        assert location.startswith(REDIRECT_URI + "?")
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    raise AssertionError("the provider did not redirect back")
