"""``govflow generate`` as a user runs it: a fresh SQLite file, then the supervisor's tools on
what it wrote; the same seed written through the service layer gives the same reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("--seed", "7", "--agencies", "3", "--cases-per-agency", "25")
ARGS += ("--from", "2024-06-01", "--to", "2025-12-31")


def govflow(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{db}")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=db.parent,
        timeout=300,
    )


def test_generate_then_report_and_verify(tmp_path: Path) -> None:
    bulk, service = tmp_path / "bulk.db", tmp_path / "service.db"
    made = govflow(bulk, "generate", *ARGS)
    assert made.returncode == 0, made.stderr
    assert "已生成 75 件案件（种子 7，2024-06-01 至 2025-12-31，批量写入）" in made.stdout
    top = made.stdout.split("--agency ")[1].split()[0]
    assert govflow(service, "generate", *ARGS, "--service").returncode == 0

    verified = govflow(bulk, "audit", "verify", "--as", "system")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "校验 75 件案件" in verified.stdout

    report = ("report", "annual", "--as", "system", "--agency", top, "--year", "2025")
    report += ("--include-children",)
    from_bulk, from_service = govflow(bulk, *report), govflow(service, *report)
    assert from_bulk.returncode == 0, from_bulk.stderr  # 勾稽关系 holds
    assert "一、本年新收政府信息公开申请数量" in from_bulk.stdout
    assert from_bulk.stdout == from_service.stdout


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    for args, message in (
        (("--from", "2025-02-30"), "--from 不是有效日期"),
        (("--from", "2025-06-01", "--to", "2025-01-01"), "晚于 --to"),
        (("--agencies", "0"), "--agencies 须在 1–1000 之间"),
    ):
        proc = govflow(db, "generate", *args)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert proc.stderr.startswith("错误：")
    assert not db.exists()
