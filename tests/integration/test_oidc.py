"""Single sign-on through OpenID Connect, against a provider the test starts on 127.0.0.1:
the code flow with PKCE, and every check of the id_token (signature, issuer, audience,
expiry, nonce) and of the callback (state, error, a code used twice), on both databases."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text

from govflow.sso import SECRET_ENV, UrllibTransport, oidc_provider
from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.pages.login import LOGIN_TOKEN_COOKIE
from govflow.web.pages.session import CSRF_FIELD
from govflow.workflow.actors import Role
from govflow.workflow.errors import InvalidInput, NotAuthenticated
from govflow.workflow.identity.oidc import OidcCallback, OpenIdConnect
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.providers import LoginRefused
from govflow.workflow.identity.settings import OidcSettings
from govflow.workflow.services import Services, accounts, signin
from govflow.workflow.services.accounts import NewAccount
from tests.integration.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    LocalOidcProvider,
    browser_visits,
)
from tests.principals import acting
from tests.web_support import page_client

SUBJECT = "sso-4401"
UNLINKED = "统一身份认证账户（{}）尚未关联 govflow 账户，请联系系统管理员"


@pytest.fixture
def idp(clock) -> Iterator[LocalOidcProvider]:
    provider = LocalOidcProvider(clock.now).start()
    yield provider
    provider.stop()


def settings_for(idp: LocalOidcProvider, **overrides: Any) -> OidcSettings:
    return OidcSettings(issuer=idp.url, client_id=CLIENT_ID, redirect_uri=REDIRECT_URI, **overrides)  # type: ignore[arg-type]


def provider_for(idp: LocalOidcProvider, svc: Services, **overrides: Any) -> OpenIdConnect:
    return OpenIdConnect(
        settings_for(idp, **overrides), SecretStr(CLIENT_SECRET), UrllibTransport(5), svc.clock
    )


@pytest.fixture
def admin(svc: Services) -> Principal:
    accounts.bootstrap_admin(svc)
    admin = acting(svc, "admin")
    accounts.add_user(
        svc,
        admin,
        NewAccount("zhou.handler", "周经办", (Role.HANDLER,), "county", oidc_subject=SUBJECT),
    )
    return admin


def sso_login(
    svc: Services, provider: OpenIdConnect, idp: LocalOidcProvider, subject: str = SUBJECT
):
    idp.subject = subject
    pending = provider.begin()
    assert "code_challenge_method=S256" in pending.authorization_url
    params = browser_visits(pending.authorization_url)
    return signin.login(svc, provider, OidcCallback(pending, params))


def oidc_outcomes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT username, outcome FROM login_attempts WHERE provider = 'oidc' ORDER BY id")
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_person_known_to_govflow_signs_in(
    svc: Services, admin: Principal, idp: LocalOidcProvider, engine: Engine
) -> None:
    session = sso_login(svc, provider_for(idp, svc), idp)
    view = signin.authenticate_session(svc, session.session_id)
    assert (view.principal.username, view.principal.channel) == ("zhou.handler", "web")
    assert not view.principal.must_change_password
    assert oidc_outcomes(engine) == [(SUBJECT, "success")]


def test_nobody_registers_themselves(
    svc: Services, admin: Principal, idp: LocalOidcProvider, engine: Engine
) -> None:
    with pytest.raises(LoginRefused) as refused:
        sso_login(svc, provider_for(idp, svc), idp, subject="sso-stranger")
    # The provider proved who this is: they are told what is missing and whom to ask.
    assert str(refused.value) == UNLINKED.format("sso-stranger")
    assert oidc_outcomes(engine) == [("sso-stranger", "unknown_account")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sessions")).scalar_one() == 0


def test_the_login_page_names_an_unlinked_account_but_not_an_unknown_username(
    svc: Services, idp: LocalOidcProvider, engine: Engine
) -> None:
    with page_client(svc, engine, []) as client:
        client.app.state.sso = provider_for(idp, svc)  # type: ignore[attr-defined]
        idp.subject = "sso-departed"
        begun = client.get("/login/sso")
        assert begun.status_code == 303, begun.text
        params = browser_visits(begun.headers["location"])
        page = client.get("/login/oidc", params=params)
        assert page.status_code == 401  # the login form again, with the reason
        assert html.escape(UNLINKED.format("sso-departed")) in page.text
        assert SESSION_COOKIE not in page.cookies

        # A typed username proves nothing: an unknown one reads as a wrong password.
        form = client.get("/login")
        token = form.cookies[LOGIN_TOKEN_COOKIE]
        typed = client.post(
            "/login",
            data={"username": "sso-departed", "password": "x" * 12, CSRF_FIELD: token},
        )
        assert typed.status_code == 401
        assert "用户名或密码错误" in typed.text and "尚未关联" not in typed.text
    assert oidc_outcomes(engine) == [("sso-departed", "unknown_account")]


def test_a_claim_can_name_the_govflow_username(
    svc: Services, admin: Principal, idp: LocalOidcProvider
) -> None:
    provider = provider_for(idp, svc, claim="preferred_username", match="username")
    idp.claims = {"preferred_username": "li.handler"}
    session = sso_login(svc, provider, idp, subject="opaque-subject")
    assert session.principal.username == "li.handler"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"nonce": "replayed-nonce"}, "nonce"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"aud": "another-client"}, "aud"),
        ({"exp_offset": -120}, "expired"),
        ({"foreign_key": True}, "bad_signature"),
    ],
)
def test_an_id_token_failing_a_check_is_refused(
    svc: Services,
    admin: Principal,
    idp: LocalOidcProvider,
    engine: Engine,
    tamper: dict[str, Any],
    reason: str,
) -> None:
    idp.tamper = tamper
    with pytest.raises(LoginRefused, match="凭据无效") as refused:
        sso_login(svc, provider_for(idp, svc), idp)
    assert reason in str(refused.value)
    assert oidc_outcomes(engine) == [("—", "invalid_token")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sessions")).scalar_one() == 0


def test_an_expiry_within_the_leeway_is_accepted(
    svc: Services, admin: Principal, idp: LocalOidcProvider
) -> None:
    idp.tamper = {"exp_offset": -30}  # clocks a little apart
    assert sso_login(svc, provider_for(idp, svc), idp).principal.username == "zhou.handler"


def test_the_callback_must_answer_this_login(
    svc: Services, admin: Principal, idp: LocalOidcProvider
) -> None:
    provider = provider_for(idp, svc)
    idp.subject = SUBJECT
    mine, theirs = provider.begin(), provider.begin()
    params = browser_visits(theirs.authorization_url)
    with pytest.raises(LoginRefused, match="来源不明"):  # another login's state
        signin.login(svc, provider, OidcCallback(mine, params))
    assert idp.token_requests == 0  # refused before the code was spent
    with pytest.raises(LoginRefused, match="access_denied"):
        signin.login(
            svc, provider, OidcCallback(mine, {"state": mine.state, "error": "access_denied"})
        )
    signin.login(svc, provider, OidcCallback(theirs, params))
    with pytest.raises(LoginRefused, match="invalid_grant"):  # a code works once
        signin.login(svc, provider, OidcCallback(theirs, params))


def test_a_deactivated_person_cannot_sign_in(
    svc: Services, admin: Principal, idp: LocalOidcProvider
) -> None:
    accounts.deactivate_user(svc, admin, "zhou.handler")
    with pytest.raises(LoginRefused, match="已停用"):
        sso_login(svc, provider_for(idp, svc), idp)


def test_a_wrong_client_secret_or_an_impostor_issuer_is_refused(
    svc: Services, admin: Principal, idp: LocalOidcProvider
) -> None:
    wrong = OpenIdConnect(
        settings_for(idp), SecretStr("not-the-secret"), UrllibTransport(5), svc.clock
    )
    with pytest.raises(LoginRefused, match="invalid_client"):
        sso_login(svc, wrong, idp)
    idp.tamper = {"discovery_issuer": "https://sso.example.gov.cn"}
    with pytest.raises(LoginRefused, match="issuer 不符"):
        provider_for(idp, svc).begin()


def test_the_provider_comes_from_the_settings_and_the_environment(
    idp: LocalOidcProvider, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert oidc_provider(None, clock) is None
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(InvalidInput, match=SECRET_ENV):
        oidc_provider(settings_for(idp), clock)
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    provider = oidc_provider(settings_for(idp), clock)
    assert provider is not None and CLIENT_SECRET not in repr(vars(provider))
    plain = OidcSettings(
        issuer="http://sso.example.gov.cn",  # type: ignore[arg-type]
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidInput, match="https"):
        oidc_provider(plain, clock)


def test_an_unreachable_provider_is_a_clear_refusal(svc: Services, admin: Principal) -> None:
    gone = OidcSettings(
        issuer="http://127.0.0.1:9",  # type: ignore[arg-type]
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,  # type: ignore[arg-type]
    )
    provider = OpenIdConnect(gone, SecretStr(CLIENT_SECRET), UrllibTransport(2), svc.clock)
    with pytest.raises(NotAuthenticated, match="无法访问"):
        provider.begin()
