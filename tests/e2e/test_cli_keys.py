"""The installation's chain key and mode, as an administrator meets them (issue 16 item 2):
production refuses to start without a key, the demo generates one and says where it is;
a history written before the key is reported as unkeyed until ``audit seal`` vouches for it;
reports refuse an agency with open findings unless ``--allow-findings``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"


def govflow(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    settings = {"GOVFLOW_NOW": "2025-09-24T10:00", "XDG_CONFIG_HOME": str(home / "config"), **env}
    environment = cli_env(f"sqlite:///{home / 'govflow.db'}", **settings)
    for name in [k for k, v in settings.items() if v == ""]:
        environment.pop(name, None)
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args], capture_output=True, text=True,
        encoding="utf-8", env=environment, cwd=home, timeout=60,
    )  # fmt: skip


def register(home: Path, **env: str) -> None:
    done = govflow(
        home, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算", **env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    done = govflow(tmp_path, "init", "--org", str(ORG), GOVFLOW_MODE="production",
                   GOVFLOW_CHAIN_KEY="")  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("错误：生产模式须配置链密钥") and "GOVFLOW_CHAIN_KEY_FILE" in line
    assert not (tmp_path / "config").exists()  # nothing generated


def test_the_demo_generates_a_key_and_says_where(tmp_path: Path) -> None:
    assert govflow(tmp_path, "init", "--org", str(ORG)).returncode == 0
    first = govflow(
        tmp_path, "audit", "verify", "--as", "system", GOVFLOW_MODE="demo", GOVFLOW_CHAIN_KEY=""
    )
    key_file = tmp_path / "config" / "govflow" / "chain.keys"
    assert first.returncode == 0 and f"已生成一个并保存在 {key_file}" in first.stderr
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    register(tmp_path, GOVFLOW_MODE="demo", GOVFLOW_CHAIN_KEY="")
    again = govflow(
        tmp_path, "audit", "verify", "--as", "system", GOVFLOW_MODE="demo", GOVFLOW_CHAIN_KEY=""
    )
    assert again.returncode == 0 and again.stderr == "", again.stderr  # the same key, reused
    with sqlite3.connect(tmp_path / "govflow.db") as conn:
        (key_id,) = {r[0] for r in conn.execute("SELECT key_id FROM events")}
    assert key_file.read_text().splitlines()[-1].startswith(f"{key_id}:")
    # Another key configured: the events do not verify under it.
    other = govflow(
        tmp_path, "audit", "verify", "--as", "system", GOVFLOW_CHAIN_KEY="kother:" + "ab" * 32
    )
    assert other.returncode == 1 and "[事件签名密钥未知]" in other.stdout


def test_rotation_keeps_old_events_verifying(tmp_path: Path) -> None:
    old, new = "k2025:" + "11" * 32, "k2026:" + "22" * 32
    assert govflow(tmp_path, "init", "--org", str(ORG), GOVFLOW_CHAIN_KEY=old).returncode == 0
    register(tmp_path, GOVFLOW_CHAIN_KEY=old)
    keys = tmp_path / "chain.keys"
    keys.write_text(f"# 轮换：新事件用末行的密钥\n{old}\n{new}\n", "utf-8")
    rotated = {"GOVFLOW_CHAIN_KEY": "", "GOVFLOW_CHAIN_KEY_FILE": str(keys)}
    acted = govflow(tmp_path, "case", "act", REF, "start_review", "--as", "li.handler", **rotated)
    assert acted.returncode == 0, acted.stderr
    assert govflow(tmp_path, "audit", "verify", "--as", "system", **rotated).returncode == 0
    with sqlite3.connect(tmp_path / "govflow.db") as conn:
        ids = [r[0] for r in conn.execute("SELECT key_id FROM events ORDER BY seq")]
    assert ids == ["k2025", "k2025", "k2026"]


def test_a_legacy_history_is_unkeyed_until_sealed_and_reports_wait(tmp_path: Path) -> None:
    assert govflow(tmp_path, "init", "--org", str(ORG)).returncode == 0
    register(tmp_path)
    with sqlite3.connect(tmp_path / "govflow.db") as conn:  # as written before migration 0007
        conn.execute("UPDATE events SET key_id = NULL, mac = NULL")
    found = govflow(tmp_path, "audit", "verify", "--as", "system")
    assert found.returncode == 1 and f"{REF} 位置 1：[事件没有校验码（MAC）]" in found.stdout, (
        found.stdout
    )
    report = ("report", "annual", "--as", "chen.supervisor", "--agency", "county", "--year", "2025")
    refused = govflow(tmp_path, *report)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("错误：示范县人民政府办公室有 1 处未核实的审计发现")
    allowed = govflow(tmp_path, *report, "--allow-findings")
    assert allowed.returncode == 0 and allowed.stdout.startswith(
        "注意：示范县人民政府办公室有 1 处"
    )

    sealed = govflow(tmp_path, "audit", "seal", "--as", "system")
    assert sealed.returncode == 0 and "封存 1 件" in sealed.stdout, sealed.stdout
    clean = govflow(tmp_path, "audit", "verify", "--as", "system")
    assert clean.returncode == 0, clean.stdout
    assert govflow(tmp_path, *report).returncode == 0  # verified clean: reports run again
    shown = govflow(tmp_path, "case", "show", REF, "--as", "zhang.head")
    assert "以链密钥封存此前的历史" in shown.stdout
