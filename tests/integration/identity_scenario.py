"""Every identity path that handles a secret, run in a process of its own with logging at
debug level (``test_identity_secrets`` greps what it wrote). Usage:
``python -m tests.integration.identity_scenario DATABASE_URL SECRETS_JSON``.

Prints nothing itself: whatever reaches stdout or stderr came from govflow's logging.
The secrets it saw (passwords, session ids, API tokens, the OIDC client secret and
state, and apart, the CSRF tokens) are written to SECRETS_JSON for the test to look for.
"""

from __future__ import annotations

import json
import sys
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from govflow import configs
from govflow.app import build_services
from govflow.logs import configure_logging
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.org import load_org, read_org_file
from govflow.sso import UrllibTransport
from govflow.workflow import services
from govflow.workflow.actors import Role
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.errors import GovflowError
from govflow.workflow.identity.oidc import OidcCallback, OpenIdConnect
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.identity.settings import OidcSettings
from govflow.workflow.services import accounts, signin, tokens
from govflow.workflow.services.accounts import principal_for
from govflow.workflow.services.tokens import TokenRequest
from tests.integration.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    LocalOidcProvider,
    browser_visits,
)


def main(url: str, out: Path) -> None:
    configure_logging()
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
        session.commit()
    clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    svc = build_services(engine, clock)
    seen: list[str] = [CLIENT_SECRET]

    admin_name, admin_password = accounts.bootstrap_admin(svc) or ("", "")
    seen.append(admin_password)
    admin = principal_for(svc, admin_name, "cli:scenario")
    chosen = "Handler-secret-77"
    seen.append(chosen)
    accounts.set_password(svc, admin, "li.handler", chosen, temporary=False)
    generated = accounts.set_password(svc, admin, "zhang.head", None)
    seen.append(generated or "")
    local = signin.local_passwords(svc)

    for wrong in ("Typo-secret-01", "Typo-secret-02", "Typo-secret-03", "Typo-secret-04"):
        seen.append(wrong)
        with suppress(GovflowError):
            signin.login(svc, local, PasswordProof("li.handler", wrong), remote_addr="10.0.0.8")
    with suppress(GovflowError):
        signin.login(svc, local, PasswordProof("no.such.user", "Ghost-secret-05"))
    seen.append("Ghost-secret-05")

    first = signin.login(svc, local, PasswordProof("li.handler", chosen))
    second = signin.login(
        svc, local, PasswordProof("li.handler", chosen), replaces=first.session_id
    )
    seen += [first.session_id, second.session_id]
    csrf = [first.csrf_token, second.csrf_token]
    view = signin.authenticate_session(svc, second.session_id)
    with suppress(GovflowError):
        signin.check_csrf(view, "forged-csrf-token-value")
    with suppress(GovflowError):
        signin.authenticate_session(svc, first.session_id)
    changed = "Changed-secret-88"
    seen.append(changed)
    renewed = signin.change_password(svc, second.session_id, chosen, changed)
    seen.append(renewed.session_id)
    csrf.append(renewed.csrf_token)
    signin.logout_everywhere(svc, renewed.session_id)

    issued = tokens.create_token(
        svc, admin, TokenRequest(name="website", username="wang.clerk", days=30)
    )
    seen.append(issued.token)
    caller = tokens.authenticate_token(svc, issued.token)
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": "2024年县级财政预算公开表",
        "channel": "online",
    }
    services.register_request(svc, agency_code="county", principal=caller, intake=intake)
    with suppress(GovflowError):
        tokens.authenticate_token(svc, issued.token[:-3] + "xyz")
    tokens.revoke_token(svc, admin, "website")
    with suppress(GovflowError):
        tokens.authenticate_token(svc, issued.token)

    idp = LocalOidcProvider(clock.now).start()
    try:
        accounts.add_user(
            svc,
            admin,
            accounts.NewAccount(
                "zhou.handler", "周经办", (Role.HANDLER,), "county", oidc_subject="s-1"
            ),
        )
        provider = OpenIdConnect(
            OidcSettings(issuer=idp.url, client_id=CLIENT_ID, redirect_uri=REDIRECT_URI),  # type: ignore[arg-type]
            SecretStr(CLIENT_SECRET),
            UrllibTransport(5),
            clock,
        )
        idp.subject = "s-1"
        pending = provider.begin()
        params = browser_visits(pending.authorization_url)
        seen += [pending.state, pending.nonce, pending.code_verifier, params["code"]]
        session = signin.login(svc, provider, OidcCallback(pending, params))
        seen.append(session.session_id)
        idp.tamper = {"nonce": "other"}
        pending = provider.begin()
        params = browser_visits(pending.authorization_url)
        seen += [pending.state, pending.nonce, pending.code_verifier, params["code"]]
        with suppress(GovflowError):
            signin.login(svc, provider, OidcCallback(pending, params))
    finally:
        idp.stop()
    out.write_text(json.dumps({"secrets": [s for s in seen if s], "csrf": csrf}), "utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
