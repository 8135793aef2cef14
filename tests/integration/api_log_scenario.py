"""The HTTP API handling every kind of credential, in a process of its own with logging as
in production at debug level (``test_api_secrets`` greps what it wrote). Usage:
``python -m tests.integration.api_log_scenario DATABASE_URL SECRETS_JSON``.

Prints nothing itself: whatever reaches stdout or stderr came from govflow's logging.
The secrets it used (tokens good and bad, session ids, CSRF tokens good and forged, the
password) are written to SECRETS_JSON for the test to look for.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from starlette.testclient import TestClient

from govflow import configs
from govflow.app import build_services
from govflow.logs import configure_logging
from govflow.models.db import make_engine, migrate, session_factory
from govflow.models.org import load_org, read_org_file
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow.clock import SHANGHAI, FakeClock
from tests.api_support import ApiHarness, path, registration


def main(url: str, out: Path) -> None:
    configure_logging()
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
        session.commit()
    clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    api = ApiHarness(build_services(engine, clock), engine)
    token = api.token("wang.clerk")
    session_id, csrf = api.session("zhang.head")
    forged_token = token[:-4] + "abcd"
    forged_csrf = "forged-csrf-token-value-0123456789"
    seen = [token, session_id, csrf, forged_token, forged_csrf, "Api-test-secret-42"]
    with TestClient(api.app, raise_server_exceptions=False) as http:
        bearer = {"Authorization": f"Bearer {token}"}
        created = http.post("/api/v1/requests", json=registration(), headers=bearer).json()
        cookie = {"Cookie": f"{SESSION_COOKIE}={session_id}"}
        ref, version = created["ref"], created["version"]
        http.get(path(ref), headers=cookie)
        http.post(path(ref, "actions", "start_review"), headers={**cookie, "If-Match": '"1"'})
        http.post(
            path(ref, "actions", "start_review"),
            headers={**cookie, CSRF_HEADER: forged_csrf, "If-Match": f'"{version}"'},
        )
        http.post(
            path(ref, "actions", "start_review"),
            headers={**cookie, CSRF_HEADER: csrf, "If-Match": f'"{version}"'},
        )
        http.get("/api/v1/cases", headers={"Authorization": f"Bearer {forged_token}"})
        http.get("/api/v1/cases", headers={"Cookie": f"{SESSION_COOKIE}={forged_token}"})
        http.get(path("no-such-case"), headers=bearer)
    out.write_text(json.dumps({"secrets": seen}), "utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
