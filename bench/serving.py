"""``govflow serve`` as the benchmarks run it: real worker processes on a loopback port,
on the database given, errors-only logging; ready when ``/healthz`` answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx


@contextmanager
def served(database_url: str, workers: int, port: int) -> Iterator[str]:
    """The server's base URL while it runs; stopped on the way out."""
    env = {**os.environ, "GOVFLOW_DATABASE_URL": database_url, "GOVFLOW_LOG_LEVEL": "error"}
    server = subprocess.Popen(
        [sys.executable, "-m", "govflow", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
