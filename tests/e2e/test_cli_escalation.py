"""``govflow sweeper``, ``escalation list / ack / digests``, ``case show`` and ``audit show``
as an office runs them (issue 14): every call a real ``python -m govflow`` process on a
SQLite file, the clock pinned by ``GOVFLOW_NOW``, the broker the suite's own Redis.

A request handed in on Friday 2025-09-26 is accepted and assigned to 李经办; its reply is due
Thursday 10-30. The sweeper runs once on Monday 11-03 at 09:00: the three warnings, and the
breach with its daily repeats of 11-01, 11-02 and 11-03 as one firing; then the day's
digests. The supervisor acknowledges the breach.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.backing import RedisServer
from tests.cli import cli_env

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"


def test_sweep_acknowledge_and_read_it_back(tmp_path: Path, redis_server: RedisServer) -> None:
    redis_server.start()
    redis_server.flush(8)
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}", GOVFLOW_BROKER_URL=redis_server.url(8))

    def govflow(*args: str, now: str, code: int = 0) -> str:
        proc = cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, "GOVFLOW_NOW": now},
            cwd=tmp_path,
            timeout=60,
        )
        assert proc.returncode == code, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        return proc.stdout if code == 0 else proc.stderr

    try:
        govflow("init", "--org", str(ORG), now="2025-09-26T09:00")
        out = govflow(
            "request", "register", "--as", "wang.clerk", "--channel", "in_person",
            "--applicant-kind", "natural_person", "--name", "张三",
            "--id-number", "610926199001011234", "--phone", "13800000000",
            "--description", "2024年县级财政预算公开表", now="2025-09-26T10:00",
        )  # fmt: skip
        ref = re.search(r"示政办依申〔2025〕\d{4}号", out).group(0)  # type: ignore[union-attr]
        govflow("case", "act", ref, "start_review", "--as", "li.handler", now="2025-09-26T11:00")
        govflow("case", "act", ref, "accept", "--as", "li.handler", now="2025-09-26T11:00")
        govflow(
            "case", "act", ref, "assign", "--as", "zhang.head", "--set", "assignee=li.handler",
            now="2025-09-26T11:00",
        )  # fmt: skip

        swept = govflow("sweeper", "--once", "--batch", "2", now="2025-11-03T09:00")
        assert swept.strip() == "触发 4 条（迟发 4），投递 4 条；每日提醒 2 条。"
        rows = json.loads(
            govflow(
                "escalation", "list", "--as", "chen.supervisor", "--json", now="2025-11-03T09:01"
            )
        )
        breach = next(r for r in rows if r["rule"] == "supervisor_breach")
        assert (breach["repeats"], breach["late"]) == (4, True)  # 10-31, 11-01, 11-02, 11-03

        assert (
            govflow("escalation", "ack", breach["key"], "--as", "chen.supervisor", now="2025-11-03T09:30")
            .strip() == f"已确认：{breach['key']}"
        )  # fmt: skip
        again = govflow(
            "escalation", "ack", breach["key"], "--as", "chen.supervisor", now="2025-11-03T09:31"
        )
        assert again.strip() == f"此前已确认过：{breach['key']}"
        refused = govflow(
            "escalation",
            "ack",
            breach["key"],
            "--as",
            "zhao.handler",
            now="2025-11-03T09:32",
            code=3,
        )
        assert "赵经办 不是该提醒的接收人，不能确认" in refused
        # The head of another office cannot even see it (as reading: not found).
        unseen = govflow(
            "escalation", "ack", breach["key"], "--as", "sun.head", now="2025-11-03T09:32", code=4
        )
        assert f"没有编号为 {breach['key']} 的提醒" in unseen

        listing = govflow(
            "escalation", "list", "--as", "zhang.head", "--case", ref, now="2025-11-03T10:00"
        )
        line = next(x for x in listing.splitlines() if "supervisor_breach" in x)
        assert "（迟发）（合并 4 次）" in line and "已确认：陈督查 2025-11-03 09:30" in line
        shown = govflow("case", "show", ref, "--as", "wang.clerk", now="2025-11-03T10:00")
        assert (
            "陈督查（督查）确认督办提醒：办理中 → 办理中（已阅答复期限「超期时督办（每日重复）」，"
            "不再重复提醒；更高一级的督办仍按期触发）"
        ) in shown
        audit = govflow("audit", "show", ref, "--as", "chen.supervisor", now="2025-11-03T10:00")
        assert "确认督办提醒" in audit

        digests = govflow(
            "escalation",
            "digests",
            "--as",
            "chen.supervisor",
            "--day",
            "2025-11-03",
            now="2025-11-03T10:00",
        )
        assert "李经办　【每日提醒】2025-11-03 您经办的案件：已超期 1 件" in digests
        assert "张主任　【每日提醒】2025-11-03 示范县人民政府办公室全部在办案件" in digests
        bad = govflow(
            "escalation",
            "digests",
            "--as",
            "chen.supervisor",
            "--day",
            "11月3日",
            now="2025-11-03T10:00",
            code=2,
        )
        assert "--day 不是有效日期" in bad
        # A robot channel without its secret stops start-up, naming the variable.
        settings = tmp_path / "robots.yaml"
        settings.write_text("notifications:\n  channels: [log, wecom]\n", encoding="utf-8")
        env["GOVFLOW_SETTINGS"] = str(settings)
        stopped = govflow("run", "--interval", "1", now="2025-11-03T10:00", code=2)
        assert "通知渠道 wecom 须设置环境变量 GOVFLOW_WECOM_KEY" in stopped
    finally:
        redis_server.flush(8)
