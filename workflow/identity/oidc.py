"""OpenID Connect as a login provider (authorization code flow with PKCE), via Authlib.

``begin`` makes the authorization request: a random ``state`` (against cross-site
request forgery of the callback), a ``nonce`` (bound into the id_token, against replay)
and a PKCE verifier; the web layer keeps that ``PendingLogin`` until the provider sends
the browser back. ``identify`` then checks the state, exchanges the code at the token
endpoint, and validates the id_token: its signature against the provider's published
keys (JWKS), its issuer, audience (this client), expiry, issue time and nonce. The
person is named by a claim (``sub`` by default) matched to an existing account (no
self-registration: someone unknown to govflow is refused, and told so by name).

The HTTP requests go through a ``Transport`` the edge supplies, so this module does no
I/O of its own and its tests need no network but the local provider they start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import SecretStr

from govflow.workflow.clock import Clock
from govflow.workflow.identity import opaque
from govflow.workflow.identity.passwords import Verdict
from govflow.workflow.identity.ports import Account
from govflow.workflow.identity.providers import AccountKey, LoginRefused
from govflow.workflow.identity.settings import OidcSettings

ALGORITHMS = ("RS256", "ES256", "PS256")  # asymmetric only: the client secret signs nothing
LEEWAY_SECONDS = 60  # clocks of two machines in one intranet differ by seconds, not minutes


class TransportError(Exception):
    """The provider could not be reached or answered with something that is not JSON."""


class Transport(Protocol):
    def get_json(self, url: str) -> dict[str, Any]: ...

    def post_form(
        self, url: str, form: Mapping[str, str], basic_auth: tuple[str, str]
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PendingLogin:
    """What must be kept between sending the browser to the provider and its return."""

    authorization_url: str
    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)


@dataclass(frozen=True)
class OidcCallback:
    """The proof: the pending login and the query parameters the provider sent back."""

    pending: PendingLogin
    params: Mapping[str, str] = field(repr=False)


def _refused(message: str, outcome: str = "invalid_token") -> LoginRefused:
    return LoginRefused(outcome, message)


class OpenIdConnect:
    """An OIDC provider (统一身份认证平台) beside local passwords."""

    name = "oidc"
    counts_failures = False  # nothing to guess: a forged token fails its signature

    def __init__(
        self,
        settings: OidcSettings,
        client_secret: SecretStr,
        transport: Transport,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self._secret = client_secret
        self._transport = transport
        self._clock = clock
        self._metadata: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return self.settings.label

    def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once), which must name the configured issuer."""
        if self._metadata is None:
            issuer = str(self.settings.issuer).rstrip("/")
            try:
                found = self._transport.get_json(f"{issuer}/.well-known/openid-configuration")
            except TransportError:
                raise _refused("统一身份认证平台无法访问，请稍后再试", "provider_error") from None
            if str(found.get("issuer", "")).rstrip("/") != issuer:
                raise _refused("统一身份认证平台的配置与设置的 issuer 不符", "provider_error")
            self._metadata = found
        return self._metadata

    def begin(self) -> PendingLogin:
        """The authorization request to send the browser to."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = add_params_to_uri(
            self.metadata()["authorization_endpoint"],
            [
                ("response_type", "code"),
                ("client_id", self.settings.client_id),
                ("redirect_uri", str(self.settings.redirect_uri)),
                ("scope", " ".join(self.settings.scopes)),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", create_s256_code_challenge(verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return PendingLogin(url, state, nonce, verifier)

    def identify(self, proof: OidcCallback) -> AccountKey:
        params, pending = proof.params, proof.pending
        if not opaque.same(pending.state, params.get("state")):
            raise _refused("登录请求已过期或来源不明，请重新登录")
        if params.get("error"):
            code = str(params["error"])[:64]
            raise _refused(f"统一身份认证未通过（{code}）", "provider_error")
        if not params.get("code"):
            raise _refused("统一身份认证平台未返回授权码")
        claims = self._id_token_claims(self._exchange(params["code"], pending), pending)
        value = claims.get(self.settings.claim)
        if not isinstance(value, str | int) or not str(value):
            raise _refused(f"统一身份认证的凭据中没有 {self.settings.claim}")
        return AccountKey(self.settings.match, str(value))

    def verify(self, proof: OidcCallback, account: Account | None) -> Verdict:
        return Verdict(account is not None)  # identify has verified the signed token

    def unknown_account(self, key: AccountKey) -> LoginRefused:
        """The provider has proved who this is, so naming the reason leaks nothing to a
        guesser; the person (someone who left, or was never given an account) learns
        whom to ask instead of reading "用户名或密码错误" about a password they never typed."""
        return _refused(
            f"{self.settings.label}账户（{key.value[:64]}）尚未关联 govflow 账户，请联系系统管理员",
            "unknown_account",
        )

    def _exchange(self, code: str, pending: PendingLogin) -> dict[str, Any]:
        try:
            answer = self._transport.post_form(
                self.metadata()["token_endpoint"],
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": str(self.settings.redirect_uri),
                    "code_verifier": pending.code_verifier,
                    "client_id": self.settings.client_id,
                },
                (self.settings.client_id, self._secret.get_secret_value()),
            )
        except TransportError:
            raise _refused("统一身份认证平台无法访问，请稍后再试", "provider_error") from None
        if "id_token" not in answer:
            code = str(answer.get("error", "no_id_token"))[:64]
            raise _refused(f"统一身份认证平台拒绝了授权码（{code}）")
        return answer

    def _keys(self) -> KeySet:
        try:
            return KeySet.import_key_set(self._transport.get_json(self.metadata()["jwks_uri"]))  # type: ignore[arg-type]
        except TransportError:
            raise _refused("统一身份认证平台无法访问，请稍后再试", "provider_error") from None

    def _id_token_claims(self, answer: dict[str, Any], pending: PendingLogin) -> CodeIDToken:
        try:
            token = jwt.decode(str(answer["id_token"]), self._keys(), algorithms=list(ALGORITHMS))
            claims = CodeIDToken(
                token.claims,
                token.header,
                options={
                    "iss": {"essential": True, "value": self.metadata()["issuer"]},
                    "aud": {"essential": True, "value": self.settings.client_id},
                },
                params={
                    "nonce": pending.nonce,
                    "client_id": self.settings.client_id,
                    "access_token": answer.get("access_token"),
                },
            )
            claims.validate(now=int(self._clock.now().timestamp()), leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            raise _refused(f"统一身份认证的凭据无效（{_reason(exc)}）") from None
        return claims


def _reason(exc: Exception) -> str:
    """Which check failed, in words for the log reader (never the token itself)."""
    error = getattr(exc, "error", None) or type(exc).__name__
    claim = getattr(exc, "claim", None)
    return f"{error}: {claim}" if claim else str(error)
