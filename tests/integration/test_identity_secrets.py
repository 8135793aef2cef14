"""Passwords, session ids, CSRF and API tokens and the OIDC client secret never reach a
log line, at any level, nor the database as they are (SPEC X-, U-1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from govflow.models.db import make_engine
from tests.cli import ROOT, cli_env


def test_no_secret_reaches_the_logs_or_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secrets.db'}"
    found = tmp_path / "secrets.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.integration.identity_scenario", url, str(found)],
        cwd=ROOT,
        env=cli_env(url, GOVFLOW_LOG_LEVEL="debug"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    log = run.stdout + run.stderr
    lines = [line for line in log.splitlines() if line.strip()]
    # The scenario logged what it did (so the grep below had something to read) ...
    events = [json.loads(line)["event"] for line in lines]
    for expected in (
        "identity.login",
        "identity.password_set",
        "identity.token_created",
        "identity.token_refused",
        "identity.logout_everywhere",
        "case.registered",
    ):
        assert expected in events, expected
    outcomes = {json.loads(line).get("outcome") for line in lines}
    assert {"success", "bad_password", "unknown_account", "invalid_token"} <= outcomes
    # ... and none of the secrets it handled.
    handled = json.loads(found.read_text("utf-8"))
    secrets, csrf = handled["secrets"], handled["csrf"]
    assert len(secrets) >= 20 and len(csrf) == 3
    leaked = [s for s in secrets + csrf if s in log]
    assert leaked == []
    engine = make_engine(url)
    with engine.connect() as conn:
        dump = "\n".join(
            repr(conn.execute(text(f"SELECT * FROM {table}")).all())
            for table in (
                "users",
                "sessions",
                "api_tokens",
                "login_attempts",
                "security_log",
                "events",
            )
        )
    engine.dispose()
    # Only CSRF tokens are kept as they are (pages embed them; useless without the cookie).
    assert [s for s in secrets if s in dump] == []
