"""Secrets never leak (issue 16 item 6, SPEC X-): a secret is planted in every place one can
be configured — the database URL's password, the SMTP password, the webhook URL's token, the
chain key — then the office works, the workers sweep and fail to deliver (so errors are
logged and stored), a broken settings file is read, and every line any process printed
(at log level debug) and every value in the database is searched for each secret."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.engine import make_url

from tests import cli_fork
from tests.backing import PG_URL, free_port
from tests.cli import cli_env
from tests.conftest import drop_pg_schema, pg_engine_in_fresh_schema

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"
SECRETS = {
    "database password": "PlantedDbPassw0rd",
    "smtp password": "PlantedSmtpPassw0rd",
    "webhook token": "PlantedWebhookT0ken",
    "chain key": "7a" * 16 + "5c" * 16,
}


@pytest.fixture
def schema() -> Iterator[tuple[Engine, str]]:
    engine, name = pg_engine_in_fresh_schema()
    yield engine, name
    engine.dispose()
    drop_pg_schema(name)


class Office:
    def __init__(self, home: Path, url: str, settings: Path) -> None:
        self.home, self.url, self.settings = home, url, settings
        self.output: list[str] = []

    def env(self, **extra: str) -> dict[str, str]:
        settings = {
            # A test installation: production refuses GOVFLOW_NOW, and the office's story
            # needs its clock. The chain key is still taken from the environment, as there.
            "GOVFLOW_MODE": "test",
            "GOVFLOW_CHAIN_KEY": f"kplanted:{SECRETS['chain key']}",
            "GOVFLOW_SMTP_PASSWORD": SECRETS["smtp password"],
            "GOVFLOW_SETTINGS": str(self.settings),
            "GOVFLOW_LOG_LEVEL": "debug",
            "XDG_CONFIG_HOME": str(self.home / "config"),
        }
        return cli_env(self.url, **{**settings, **extra})

    def run(self, *args: str, now: str = "2025-09-01T09:00", **extra: str) -> int:
        done = cli_fork.run(
            [sys.executable, "-m", "govflow", *args], capture_output=True, text=True,
            encoding="utf-8", env=self.env(GOVFLOW_NOW=now, **extra), cwd=self.home, timeout=90,
        )  # fmt: skip
        self.output += [done.stdout, done.stderr]
        return done.returncode

    def run_for(self, seconds: float, *args: str, now: str) -> None:
        """A long-running command (``govflow run``), stopped with Ctrl-C after a while."""
        log = self.home / "run.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "govflow", *args], stdout=out, stderr=subprocess.STDOUT,
                env=self.env(GOVFLOW_NOW=now), cwd=self.home, start_new_session=True,
            )  # fmt: skip
        time.sleep(seconds)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        self.output.append(log.read_text("utf-8", "replace"))


def database_values(engine: Engine) -> Iterator[str]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                yield from (json.dumps(v, default=str, ensure_ascii=False) for v in row)


@pytest.mark.postgres
def test_no_secret_reaches_a_log_an_error_or_the_database(
    schema: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, name = schema
    url = make_url(PG_URL).set(password=SECRETS["database password"])
    url_text = url.render_as_string(hide_password=False) + f"?options=-csearch_path%3D{name}"
    settings = tmp_path / "settings.yaml"
    nowhere = free_port()  # nothing listens: every delivery fails, and its error is kept
    settings.write_text(yaml.safe_dump({"notifications": {
        "channels": ["log", "email", "webhook"],
        "webhook_url": f"http://127.0.0.1:{nowhere}/robot/send?access_token="
                       f"{SECRETS['webhook token']}",
        "smtp_port": nowhere, "smtp_user": "govflow", "smtp_security": "none",
        "max_attempts": 2, "sweep_interval_seconds": 1, "quiet_start": "23:59",
        "quiet_end": "00:00",
    }}), "utf-8")  # fmt: skip
    office = Office(tmp_path, url_text, settings)

    assert office.run("init", "--org", str(ORG)) == 0
    assert office.run(
        "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算",
    ) == 0  # fmt: skip
    assert office.run("case", "act", REF, "start_review", "--as", "li.handler") == 0
    # A month on: the warnings and escalations fire, and every delivery fails.
    office.run_for(12, "run", "--interval", "1", now="2025-10-20T10:00")
    assert office.run("escalation", "list", "--as", "system", "--json", now="2025-10-20T10:05") == 0
    assert office.run("audit", "verify", "--as", "system", now="2025-10-20T10:05") == 0
    assert office.run("case", "show", REF, "--as", "zhang.head", now="2025-10-20T10:05") == 0

    with engine.connect() as conn:
        errors = conn.execute(
            text("SELECT last_error FROM deliveries WHERE last_error IS NOT NULL")
        )
        stored = [e for (e,) in errors]
    assert stored, "the scenario must produce failed deliveries with stored errors"
    assert all(e.startswith("webhook ***:") for e in stored if e.startswith("webhook")), stored

    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({"notifications": {
        "smtp_password": SECRETS["smtp password"], "smtp_port": "not a port",
    }}), "utf-8")  # fmt: skip
    assert office.run("audit", "verify", "--as", "system", GOVFLOW_SETTINGS=str(broken)) == 2

    everything = [*office.output, *database_values(engine)]
    assert any("***" in line for line in office.output)  # the run printed its URL, redacted
    for what, secret in SECRETS.items():
        leaks = [line for line in everything if secret in line]
        assert leaks == [], f"{what} leaked: {leaks[:3]}"
