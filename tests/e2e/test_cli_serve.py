"""``govflow serve`` as an operator starts it: a real uvicorn process on a free port, two
server processes sharing one database, answering health, readiness and the API document."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.backing import free_port
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_answers_health_readiness_and_the_api_document(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    subprocess.run(
        [sys.executable, "-m", "govflow", "init", "--org", str(ROOT / "configs" / "demo_org.yaml")],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "govflow", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        status, body = _get(f"{base}/readyz")
        assert status == 200, body
        assert json.loads(body)["checked"] == ["database"]
        status, body = _get(f"{base}/api/v1/openapi.json")
        assert status == 200 and json.loads(body)["openapi"].startswith("3.1")
        status, body = _get(f"{base}/api/v1/nowhere")
        assert status == 404 and json.loads(body)["error"] == "not_found"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0
