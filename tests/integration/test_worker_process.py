"""``govflow worker`` stopped by its PID, as systemd or an operator stops it: SIGTERM to the
one process started, and no dramatiq worker process outlives it (none left holding database
sessions)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import cli_fork
from tests.backing import RedisServer
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.redis


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_no_worker_process_outlives_the_one_that_was_stopped(
    tmp_path: Path, redis_server: RedisServer, sig: signal.Signals
) -> None:
    env = cli_env(
        f"sqlite:///{tmp_path / 'govflow.db'}",
        GOVFLOW_BROKER_URL=redis_server.url(7),
    )
    cli_fork.run(
        [sys.executable, "-m", "govflow", "init", "--org", str(ROOT / "configs" / "demo_org.yaml")],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "govflow", "worker", "--processes", "2", "--threads", "1"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    below: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(descendants(worker.pid)) < 2:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "dramatiq did not start its worker processes"
            time.sleep(0.2)
        time.sleep(1.0)  # let the workers finish booting and connect
        below = descendants(worker.pid)
        os.kill(worker.pid, sig)
        worker.wait(timeout=60)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in below if alive(pid)] == []
    finally:
        if worker.poll() is None:
            worker.kill()
        for pid in below | descendants(worker.pid):  # orphans of a failed run, too
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
