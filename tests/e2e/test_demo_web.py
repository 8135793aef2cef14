"""``govflow demo --web``: the demo's autumn written into the installation's own database,
the demo people's one-time passwords printed, then the office served like ``govflow run``;
a second run adds nothing."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests import cli_fork
from tests.backing import free_port
from tests.cli import cli_env

DEMO_PEOPLE = (
    "wang.clerk",
    "li.handler",
    "zhao.handler",
    "zhang.head",
    "chen.supervisor",
    "liu.clerk",
    "sun.head",
)


def _govflow(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> str:
    proc = cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        input=stdin,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _case_refs(env: dict[str, str], cwd: Path) -> list[str]:
    listed = json.loads(
        _govflow(env, cwd, "case", "list", "--as", "system", "--all", "--limit", "200", "--json")
    )
    return [c["ref"] for c in listed["cases"]]


def test_demo_web_fills_once_prints_passwords_and_serves_the_pages(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    out = _govflow(env, tmp_path, "demo", "--web", "--no-serve")
    assert "正在填充演示数据" in out
    for username in DEMO_PEOPLE:  # each with a one-time password beside the name
        assert re.search(rf"^  {re.escape(username)}（[^）]+）：\S{{12,}}$", out, re.M), username
    refs = _case_refs(env, tmp_path)
    assert len(refs) == 7 and "示政办依申〔2025〕0001号" in refs  # six requests, one incident
    # The head chooses a password of their own: a second run must not reset it.
    _govflow(
        env,
        tmp_path,
        "user",
        "set-password",
        "zhang.head",
        "--as",
        "admin",
        "--password-stdin",
        "--permanent",
        stdin="Autumn-office-2025\n",
    )

    port = free_port()
    served = subprocess.Popen(
        [sys.executable, "-m", "govflow", "demo", "--web", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                login = opener.open(f"{base}/login", timeout=5).read().decode()
                break
            except (OSError, urllib.error.URLError):
                assert served.poll() is None, served.stderr.read() if served.stderr else ""
                assert time.monotonic() < deadline, "the demo's server did not start"
                time.sleep(0.3)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token is not None
        form = {"username": "zhang.head", "password": "Autumn-office-2025"}
        form["csrf_token"] = token.group(1)
        answer = opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30)
        assert answer.url == f"{base}/"  # straight to the queue: no password change asked
        search = opener.open(f"{base}/search?all_states=1", timeout=30).read().decode()
        assert "示政办依申〔2025〕0003号" in search  # the demo's cases are on the pages
    finally:
        served.send_signal(signal.SIGINT)
        try:
            stdout, stderr = served.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            served.kill()
            raise
    assert served.returncode == 0, stderr
    assert "数据库中已有案件，不再重复填充演示数据" in stdout
    assert "正在填充演示数据" not in stdout
    assert "  zhang.head（" not in stdout  # kept the password they chose
    assert "  li.handler（" in stdout  # still on a one-time password: a new one
    assert "govflow 单机运行中" in stdout  # the same start-up as ``govflow run``
    assert _case_refs(env, tmp_path) == refs  # nothing duplicated


def test_demo_web_refuses_a_production_installation(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}", GOVFLOW_MODE="production")
    proc = cli_fork.run(
        [sys.executable, "-m", "govflow", "demo", "--web", "--no-serve"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "只能在演示或测试安装中使用" in proc.stderr
    assert not (tmp_path / "govflow.db").exists()  # refused before anything was written
