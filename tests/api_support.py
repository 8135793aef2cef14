"""The HTTP API under test: the application wired on the test's own database, and the
credentials of each person of the demo organisation.

``ApiHarness.headers(username)`` is how a test presents itself as someone: an API token
issued by an administrator with the whole reach of that person — every action, and the
applicants' data unmasked where the person's roles would see it (``personal_data``) —;
``token`` issues one with exactly the scope named (``personal_data`` only if named), as an
integration would hold one; ``session`` signs in with a password, as a person in a browser
does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from govflow.web import health
from govflow.web.app import create_app
from govflow.workflow.access import STAFF
from govflow.workflow.actors import Role
from govflow.workflow.identity.providers import PasswordProof
from govflow.workflow.services import Services, accounts, signin, tokens
from govflow.workflow.services.tokens import TokenRequest


def path(ref: str, *rest: str) -> str:
    return "/".join([f"/api/v1/cases/{quote(ref, safe='')}", *rest])


class ApiHarness:
    def __init__(self, svc: Services, engine: Engine) -> None:
        self.svc, self.engine = svc, engine
        self.app: FastAPI = create_app(svc, {"database": health.database_check(engine)})
        name, _ = accounts.bootstrap_admin(svc) or ("", "")
        self.admin = accounts.principal_for(svc, name, "cli:pytest")
        self._own: dict[str, str] = {}
        self._issued = 0

    def token(self, username: str, **scope: Any) -> str:
        """A new API token of ``username``: every action its roles allow, unless ``scope``
        (``TokenRequest``'s fields) says otherwise."""
        self._issued += 1
        name = f"t{self._issued}-{username.replace('.', '-')}"
        request = TokenRequest(name=name, username=username, days=30, **scope)
        return tokens.create_token(self.svc, self.admin, request).token

    def headers(self, username: str) -> dict[str, str]:
        """``Authorization`` with a token of ``username`` (one per user, issued once), which
        reads the applicants' data as the person would: with ``personal_data`` if the
        account is staff of an agency."""
        if username not in self._own:
            with self.svc.reading() as uow:
                account = uow.identity.account(username)
            staff = account is not None and any(r in STAFF for r in account.roles)
            self._own[username] = self.token(username, personal_data=staff)
        return {"Authorization": f"Bearer {self._own[username]}"}

    def session(self, username: str) -> tuple[str, str]:
        """A session of ``username`` signed in with a password: (session id, CSRF token)."""
        password = "Api-test-secret-42"
        accounts.set_password(self.svc, self.admin, username, password, temporary=False)
        opened = signin.login(
            self.svc, signin.local_passwords(self.svc), PasswordProof(username, password)
        )
        return opened.session_id, opened.csrf_token

    def add_people(self) -> None:
        """Besides the demo organisation: a handler of ``edu`` and a clerk of its sibling
        ``housing``, so every role of one agency and a sibling agency are at hand."""
        for username, name, role, agency in (
            ("qian.handler", "钱经办", Role.HANDLER, "edu"),
            ("zhou.clerk", "周登记", Role.CLERK, "housing"),
        ):
            accounts.add_user(
                self.svc, self.admin, accounts.NewAccount(username, name, (role,), agency)
            )

    @contextmanager
    def client(self) -> Iterator[TestClient]:
        with TestClient(self.app, raise_server_exceptions=False) as test_client:
            yield test_client

    @contextmanager
    def served(self) -> Iterator[str]:
        """The application behind a real uvicorn server on 127.0.0.1 (an ephemeral port), in
        a thread of this process; yields its base URL."""
        import threading
        import time

        import uvicorn

        server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=20)

    def footprint(self) -> tuple[Any, ...]:
        """Every row a refused request must leave as it was."""
        tables = (
            "cases",
            "events",
            "deadlines",
            "disclosure_requests",
            "firings",
            "checkpoints",
            "audit_findings",
        )
        with self.engine.connect() as conn:
            counts = tuple(
                conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables
            )
            heads = tuple(
                conn.execute(text("SELECT ref, version, head_seq, state FROM cases ORDER BY id"))
            )
            acks = conn.execute(
                text("SELECT count(*) FROM escalation_schedule WHERE acknowledged_at IS NOT NULL")
            ).scalar_one()
            people = tuple(
                conn.execute(text("SELECT username, status FROM users ORDER BY username"))
            )
            issued = tuple(
                conn.execute(text("SELECT name, revoked_at FROM api_tokens ORDER BY name"))
            )
            agencies = tuple(conn.execute(text("SELECT code FROM agencies ORDER BY code")))
        return (
            counts,
            tuple(map(tuple, heads)),
            acks,
            tuple(map(tuple, people)),
            len(issued),
            tuple(map(tuple, agencies)),
        )


def registration(**overrides: Any) -> dict[str, Any]:
    """A disclosure request handed in at the counter, as the API takes it."""
    return {
        "applicant": {
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": "2024年县级财政预算公开表",
        "channel": "in_person",
        **overrides,
    }
