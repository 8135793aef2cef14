"""The HTTP API under test: the application wired on the test's own database, and the
credentials of each person of the demo organisation.

``ApiHarness.headers(username)`` is how a test presents itself as someone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Header
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from govflow.web import health
from govflow.web.api.auth import caller
from govflow.web.app import create_app
from govflow.workflow.actors import Actor
from govflow.workflow.services import Services, identify

TEST_AS = "X-Test-As"


def path(ref: str, *rest: str) -> str:
    return "/".join([f"/api/v1/cases/{quote(ref, safe='')}", *rest])


class ApiHarness:
    def __init__(self, svc: Services, engine: Engine) -> None:
        self.svc, self.engine = svc, engine
        self.app: FastAPI = create_app(svc, {"database": health.database_check(engine)})

        # TEMPORARY until identity lands on main: who is calling, by a test header.
        def as_header(x_test_as: Annotated[str | None, Header()] = None) -> Actor:
            from starlette.exceptions import HTTPException

            if not x_test_as:
                raise HTTPException(401)
            return identify(svc, x_test_as)

        self.app.dependency_overrides[caller] = as_header

    def add_people(self) -> None:
        """Besides the demo organisation: a handler of ``edu`` and a clerk of its sibling
        ``housing``, so every role of one agency and a sibling agency are at hand."""
        from govflow.models.db import session_factory
        from govflow.models.org import OrgFile, load_org

        org = OrgFile.model_validate(
            {
                "agencies": [
                    {"code": "county", "name": "示范县人民政府办公室", "ref_prefix": "示政办"},
                    {
                        "code": "edu",
                        "name": "示范县教育局",
                        "ref_prefix": "示教",
                        "parent": "county",
                    },
                    {
                        "code": "housing",
                        "name": "示范县住房和城乡建设局",
                        "ref_prefix": "示住建",
                        "parent": "county",
                    },
                ],
                "users": [
                    {
                        "username": "qian.handler",
                        "name": "钱经办",
                        "role": "handler",
                        "agency": "edu",
                    },
                    {
                        "username": "zhou.clerk",
                        "name": "周登记",
                        "role": "clerk",
                        "agency": "housing",
                    },
                ],
            }
        )
        with session_factory(self.engine)() as session:
            load_org(session, org)
            session.commit()

    def headers(self, username: str) -> dict[str, str]:
        return {TEST_AS: username}

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
        return counts, tuple(map(tuple, heads)), acks


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
