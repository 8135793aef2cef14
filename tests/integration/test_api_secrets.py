"""API tokens, session ids, CSRF tokens and passwords sent to the HTTP API never reach a
log line, at any level (SPEC section 8, U-1), whether the credential is good or forged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli import ROOT, cli_env


def test_no_credential_sent_to_the_api_reaches_the_logs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    found = tmp_path / "secrets.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.integration.api_log_scenario", url, str(found)],
        cwd=ROOT,
        env=cli_env(url, GOVFLOW_LOG_LEVEL="debug"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    log = run.stdout + run.stderr
    events = [json.loads(line)["event"] for line in log.splitlines() if line.strip()]
    # The scenario logged what it did (so the grep below had something to read) ...
    for expected in ("identity.token_created", "identity.login", "case.registered",
                     "case.action", "identity.token_refused"):  # fmt: skip
        assert expected in events, (expected, events)
    # ... and none of the credentials it sent.
    secrets = json.loads(found.read_text("utf-8"))["secrets"]
    assert len(secrets) == 6 and all(secrets)
    assert [s for s in secrets if s in log] == []
