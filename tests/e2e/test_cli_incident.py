"""``govflow incident …``, ``govflow case open/act/show/list`` for any type and ``govflow
workflow diagram`` as real processes on a SQLite file, the clock pinned by ``GOVFLOW_NOW``
(SPEC I-1…I-5, X-1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办舆情〔2025〕0001号"


class Office:
    def __init__(self, home: Path) -> None:
        env = cli_env(f"sqlite:///{home / 'govflow.db'}")
        self.home, self.env = home, env

    def run(
        self, *args: str, now: str = "2025-09-30T22:40", **env: str
    ) -> subprocess.CompletedProcess[str]:
        return cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, "GOVFLOW_NOW": now, **env},
            cwd=self.home,
            timeout=60,
        )

    def ok(self, *args: str, now: str = "2025-09-30T22:40") -> str:
        proc = self.run(*args, now=now)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    office = Office(tmp_path_factory.mktemp("incident"))
    office.ok("init", "--org", str(ORG))
    return office


def test_register_regrade_show_list_and_accountability(office: Office) -> None:
    out = office.ok(
        "incident", "register", "--as", "wang.clerk",
        "--title", "网传某小学食堂使用过期食材", "--summary", "微博多条帖文配图",
        "--platform", "微博", "--link", "https://weibo.com/demo/1",
        "--detected-at", "2025-09-30T22:30", "--topic", "食品药品",
        "--lead-department", "县教育局", "--cooperating-department", "县市场监管局",
    )  # fmt: skip
    assert out.splitlines()[0] == f"已登记：{REF}（已监测发现，一般）"
    assert "回应时限：48小时，起算 2025-09-30 22:30，届满 2025-10-02 22:30" in out
    office.ok("case", "act", REF, "assess", "--as", "li.handler", now="2025-09-30T23:00")
    office.ok(
        "case",
        "act",
        REF,
        "grade",
        "--as",
        "zhang.head",
        "--set",
        "grade=一般",
        now="2025-09-30T23:10",
    )
    out = office.ok(
        "case", "act", REF, "regrade", "--as", "zhang.head",
        "--set", "grade=重大", "--set", "reason=转发激增", now="2025-10-01T04:30",
    )  # fmt: skip
    assert "发布权威信息时限：5小时，起算 2025-09-30 22:30，届满 2025-10-01 03:30，已超期" in out

    show = office.ok("case", "show", REF, "--as", "chen.supervisor", now="2025-10-01T05:00")
    assert "案件 示政办舆情〔2025〕0001号（政务舆情事件）" in show
    assert "级别：重大（2025-10-01 04:30 由“一般”调整，理由：转发激增）" in show
    assert "召开新闻发布会时限：24小时" in show and "还剩 17.5 小时" in show
    assert "问责提示：发布权威信息时限（届满 2025-10-01 03:30）已超期，尚未完成" in show
    assert "调整级别：处置中 → 处置中" in show
    data = json.loads(
        office.ok("case", "show", REF, "--as", "wang.clerk", "--json", now="2025-10-01T05:00")
    )
    assert (
        data["incident"]["grade"] == "major"
        and data["incident"]["breaches"][0]["kind"] == "overdue"
    )

    listed = office.ok("incident", "list", "--as", "chen.supervisor", now="2025-10-01T05:00")
    assert listed.startswith(
        f"{REF}　处置中　重大　网传某小学食堂使用过期食材　发布权威信息时限 届满 2025-10-01 03:30"
    )
    office.ok(
        "case", "act", REF, "publish_statement", "--as", "li.handler",
        "--set", "channel=县政府网站", "--set", "link=https://www.example.gov.cn/1",
        now="2025-10-01T05:30",
    )  # fmt: skip
    report = json.loads(
        office.ok(
            "incident", "accountability", "--as", "chen.supervisor", "--json",
            now="2025-10-01T06:00",
        )
    )  # fmt: skip
    assert [(r["ref"], r["deadline_key"], r["kind"], r["hours_late"]) for r in report] == [
        (REF, "statement", "late", 2.0)
    ]
    text = office.ok(
        "incident", "accountability", "--as", "chen.supervisor", now="2025-10-01T06:00"
    )
    assert "超期完成，超期 2.0 小时" in text and "牵头部门：县教育局" in text

    refused = office.run(
        "case", "act", REF, "archive", "--as", "li.handler", now="2025-10-01T06:00"
    )
    assert refused.returncode == 3 and "“归档”不能在“已回应”状态下执行" in refused.stderr


def test_open_any_declared_type_and_list_it(office: Office) -> None:
    out = office.ok(
        "case", "open", "online_message", "--as", "wang.clerk",
        "--set", "title=路灯不亮", "--set", "content=人民路北段路灯不亮",
        "--set", "contact_name=张三丰", "--set", "contact_phone=13800000000", "--set", "channel=website",
        now="2025-09-30T16:00",
    )  # fmt: skip
    assert out.splitlines()[0] == "已登记：示政办留言〔2025〕0001号（已登记）"
    assert "留言答复期限：3个工作日，起算 2025-09-30，届满 2025-10-11 24:00" in out
    listed = office.ok(
        "case", "list", "--as", "wang.clerk", "--type", "online_message", now="2025-10-09T09:00"
    )
    assert listed.startswith("示政办留言〔2025〕0001号　已登记　留言答复期限")
    show = office.ok("case", "show", "示政办留言〔2025〕0001号", "--as", "chen.supervisor")
    assert "渠道：政府网站" in show and "联系电话：138******00" in show  # masked for him
    assert "13800000000" not in show
    bad = office.run("case", "open", "online_message", "--as", "wang.clerk", "--set", "title=x")
    assert bad.returncode == 2 and "content" in bad.stderr
    unknown = office.run("case", "open", "parking_ticket", "--as", "wang.clerk")
    assert unknown.returncode == 4 and "未知案件类型 'parking_ticket'" in unknown.stderr


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_diagram(office: Office, fmt: str) -> None:
    out = office.ok("workflow", "diagram", "incident", "--format", fmt)
    if fmt == "mermaid":
        assert out.startswith("stateDiagram-v2") and "handling --> responded : 发布权威信息" in out
    else:
        assert (
            out.startswith("digraph incident {")
            and 'handling -> responded [label="发布权威信息' in out
        )


def test_a_malformed_declaration_stops_the_command(office: Office, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nlabel: 坏\ninitial: a\nstates: {a: 甲}\n"
        "actions:\n  go: {label: 走, roles: [clerk], transitions: [{source: a, dest: b}]}\n",
        encoding="utf-8",
    )
    proc = office.run(
        "incident", "list", "--as", "wang.clerk", GOVFLOW_CASE_TYPES_DIR=str(tmp_path)
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"错误：{bad}: actions.go.transitions[0]: 目标状态 'b' 不存在"
