"""The workbench's pages under test without a browser: the application on the test's own
database, and a person signed in with a password as a browser would be (the session
cookie set on the client; the CSRF token its forms carry returned)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.web import health
from govflow.web.api.auth import SESSION_COOKIE
from govflow.web.app import create_app
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.services import Services, accounts, signin

PASSWORD = "Page-test-2025"


@contextmanager
def page_client(svc: Services, engine: Engine, people: Iterable[str]) -> Iterator[TestClient]:
    """The pages over ``svc``; ``people`` (usernames, ``admin`` for the first start's
    administrator) get ``PASSWORD``. Redirects are not followed: a test sees them."""
    admin_name, _ = accounts.bootstrap_admin(svc) or ("", "")
    admin = accounts.principal_for(svc, admin_name, "cli:test")
    for username in people:
        accounts.set_password(svc, admin, username, PASSWORD, temporary=False)
    app = create_app(svc, {"database": health.database_check(engine)})
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def signed_in(client: TestClient, svc: Services, username: str) -> str:
    """Signs ``client`` in as ``username``; the session's CSRF token."""
    session = signin.login(svc, signin.local_passwords(svc), PasswordProof(username, PASSWORD))
    client.cookies.set(SESSION_COOKIE, session.session_id)
    return session.csrf_token
