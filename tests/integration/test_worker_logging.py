"""The worker process logs like every other govflow process (issue 16 item 8): JSON lines on
stderr at ``GOVFLOW_LOG_LEVEL``, from dramatiq's own loggers too, secrets redacted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.backing import RedisServer
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def run_worker(redis_server: RedisServer, tmp_path: Path, level: str) -> list[str]:
    """``govflow worker`` until its worker process is ready (or 20 s), then stopped."""
    env = cli_env(
        f"sqlite:///{tmp_path / 'govflow.db'}",
        GOVFLOW_BROKER_URL=redis_server.url(5),
        GOVFLOW_LOG_LEVEL=level,
    )
    log = tmp_path / f"worker-{level}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govflow", "worker", "--processes", "1", "--threads", "1"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # A quiet worker never says it is ready: then a few seconds of its silence are read.
        deadline = time.monotonic() + (20 if level == "debug" else 5)
        while time.monotonic() < deadline and b"ready for action" not in log.read_bytes():
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    return [line for line in log.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.redis
def test_worker_writes_json_lines_at_the_configured_level(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    lines = run_worker(redis_server, tmp_path, "debug")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any("ready for action" in r["event"] for r in records), lines
    assert {r["level"] for r in records} >= {"debug", "info"}
    assert all({"event", "level", "timestamp"} <= set(r) for r in records)
    assert any(r.get("logger", "").startswith("dramatiq") for r in records)


@pytest.mark.redis
def test_worker_is_quiet_at_the_default_level(redis_server: RedisServer, tmp_path: Path) -> None:
    lines = run_worker(redis_server, tmp_path, "warning")
    for line in lines:
        assert json.loads(line)["level"] in ("warning", "error", "critical"), lines
