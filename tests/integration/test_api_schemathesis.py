"""schemathesis against the live OpenAPI document (SPEC W-1): every operation of
``/api/v1``, on PostgreSQL behind a real uvicorn server, with a valid credential (an
office head's token; then every read again as an administrator signed in).

For each operation, data generated from the document itself: no answer is a 5xx, every
answer conforms to the schema the document gives for its status (and that status is one
the document lists), and every refusal is the one error model.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
import structlog
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from govflow.app import build_services
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow import services
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import FakeClock
from govflow.workflow.config import Config
from tests.api_support import ApiHarness, registration
from tests.principals import acting

EXAMPLES = 25  # per operation: enough to reach every parameter, short on a shared machine
ADMIN_EXAMPLES = 10  # the reads again, as an administrator
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.mark.postgres
def test_every_operation_holds_to_its_document(
    pg_engine: Engine, clock: FakeClock, calendar: WorkingCalendar, config: Config
) -> None:
    svc = build_services(pg_engine, clock, calendar, config)
    api = ApiHarness(svc, pg_engine)
    # Something to find: a request of the county, so reads of real cases happen too.
    ref = services.register_request(
        svc,
        agency_code="county",
        principal=acting(svc, "wang.clerk"),
        intake={**registration(), "received_on": "2025-09-22"},
    )
    auth = api.headers("zhang.head")
    # Log lines are captured, not rendered: the development renderer's tracebacks (with
    # every local variable) take seconds, and the answer waits for its log line.
    with structlog.testing.capture_logs(), api.served() as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 16
        answered: dict[str, set[int]] = {}

        def check(operation: Any, headers: dict[str, str], examples: int) -> None:
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def holds(case: schemathesis.Case) -> None:
                response = case.call(base_url=base, headers=headers)
                case.validate_response(response, checks=CHECKS)
                answered.setdefault(operation.path, set()).add(response.status_code)
                if response.status_code >= 400:
                    assert set(response.json()) == {"error", "message", "fields"}, (
                        case.as_curl_command(),
                        response.text[:300],
                    )

            holds()

        for operation in operations:
            check(operation, auth, EXAMPLES)
        # The office head is refused the administrator's operations (403): their answers
        # are read again as an administrator signed in, so that their 200 bodies are held to
        # the document too. Reads only: generated writes would lock and revoke at random.
        session_id, csrf = api.session(api.admin.username)
        admin = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
        answered.clear()
        for operation in operations:
            if operation.method.upper() == "GET":
                check(operation, admin, ADMIN_EXAMPLES)
        for path in ("/api/v1/users", "/api/v1/tokens", "/api/v1/agencies"):
            assert 200 in answered.get(path, set()), (path, answered.get(path))
        # Generated references seldom name a real case: the documents of one that exists
        # (its receipt, a .docx) are read too, and their 200 answers hold to the document.
        reached = set()
        for operation in operations:
            if operation.path.startswith("/api/v1/cases/{ref}/documents"):
                names = {p.name for p in operation.path_parameters}
                case = operation.Case(
                    path_parameters={"ref": ref, "no": 1} if "no" in names else {"ref": ref}
                )
                response = case.call(base_url=base, headers=auth)
                assert response.status_code == 200, (operation.path, response.text[:300])
                case.validate_response(response, checks=CHECKS)
                reached.add(operation.path)
        assert reached == {"/api/v1/cases/{ref}/documents", "/api/v1/cases/{ref}/documents/{no}"}
