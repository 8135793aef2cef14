"""``govflow serve`` as an operator starts it: a real uvicorn process on a free port, two
server processes sharing one database, answering health, readiness and the API document."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests import cli_fork
from tests.backing import free_port
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def _get(
    url: str, headers: dict[str, str] | None = None, body: dict | None = None
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_answers_health_readiness_and_the_api_document(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    cli_fork.run(
        [sys.executable, "-m", "govflow", "init", "--org", str(ROOT / "configs" / "demo_org.yaml")],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    issued = cli_fork.run(
        [sys.executable, "-m", "govflow", "token", "create", "website", "--user", "wang.clerk",
         "--as", "admin", "--json"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    bearer = {"Authorization": f"Bearer {json.loads(issued.stdout)['token']}"}
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
        for probe in ("/healthz", "/readyz"):  # as load balancers and monitors ask
            head = urllib.request.Request(f"{base}{probe}", method="HEAD")
            with urllib.request.urlopen(head, timeout=5) as answer:
                assert answer.status == 200 and answer.read() == b"", probe
                assert int(answer.headers["Content-Length"]) > 0  # as the GET's
        status, body = _get(f"{base}/api/v1/openapi.json")
        assert status == 200 and json.loads(body)["openapi"].startswith("3.1")
        status, body = _get(f"{base}/api/v1/nowhere")
        assert status == 404 and json.loads(body)["error"] == "not_found"
        # The administrator's token for the website's form: a request pushed, then listed.
        assert _get(f"{base}/api/v1/cases")[0] == 401
        intake = {
            "applicant": {"kind": "natural_person", "name": "张三",
                          "id_number": "610926199001011234", "phone": "13800000000"},
            "description": "2024年县级财政预算公开表",
            "channel": "online",
        }  # fmt: skip
        status, body = _get(f"{base}/api/v1/requests", bearer, intake)
        assert status == 201, body
        ref = json.loads(body)["ref"]
        status, body = _get(f"{base}/api/v1/cases", bearer)
        assert status == 200 and [c["ref"] for c in json.loads(body)["cases"]] == [ref]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0


def test_run_embedded_serves_the_api_beside_the_sweeper(tmp_path: Path) -> None:
    """``govflow run`` starts the same HTTP application in-process: health answers, the API
    refuses an anonymous caller with the error model, and Ctrl-C stops it all."""
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    port = free_port()
    embedded = subprocess.Popen(
        [sys.executable, "-m", "govflow", "run", "--org", str(ROOT / "configs" / "demo_org.yaml"),
         "--interval", "1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert embedded.poll() is None, embedded.stderr.read() if embedded.stderr else ""
            assert time.monotonic() < deadline, "embedded server did not start"
            time.sleep(0.2)
        status, body = _get(f"{base}/api/v1/cases")
        assert status == 401 and set(json.loads(body)) == {"error", "message", "fields"}
    finally:
        embedded.send_signal(signal.SIGINT)
        try:
            embedded.wait(timeout=30)
        except subprocess.TimeoutExpired:
            embedded.kill()
            raise
    assert embedded.returncode == 0, embedded.stderr.read() if embedded.stderr else ""


def test_a_busy_port_is_one_error_line_before_any_banner(tmp_path: Path) -> None:
    """A port someone already listens on: one ``错误`` line naming it, exit 2 (bad input), no
    banner first and no uvicorn ``[Errno 98]`` after it; ``run`` refuses before it creates
    or migrates a database."""
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    org = str(ROOT / "configs" / "demo_org.yaml")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (["serve", "--port", port], ["run", "--org", org, "--port", port]):
            proc = cli_fork.run(
                [sys.executable, "-m", "govflow", *args],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=120,
            )
            assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
            assert proc.stdout == "", args
            [line] = proc.stderr.splitlines()
            assert line.startswith(f"错误：端口 {port} 已被占用"), line
    assert not (tmp_path / "govflow.db").exists()
