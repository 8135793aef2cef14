"""People read Chinese (issue 10, "errors a person sees"): actions, roles, fields, coded values,
agencies and users by their Chinese names in every text a person reads — the success line of
``case act``, ``case show``, ``audit show``, a role refusal — from one catalogue (the case
type's declaration and labels, the organisation's names); the codes stay in ``--json``. The fee
the engine proposes is shown wherever the notice is read, and a notice of 0 yuan is refused."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"


def govflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T10:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=home, timeout=60,
    )  # fmt: skip


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def events(home: Path) -> int:
    with sqlite3.connect(home / "govflow.db") as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("office")
    ok(govflow(home, "init", "--org", str(ORG)))
    ok(govflow(
        home, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算",
    ))  # fmt: skip
    return home


def test_the_success_line_names_the_action_in_chinese(home: Path) -> None:
    out = ok(govflow(home, "case", "act", REF, "start_review", "--as", "li.handler"))
    assert out.startswith(f"{REF}：开始审核 已完成，当前状态：审核中")
    assert "start_review" not in out
    as_json = json.loads(ok(govflow(home, "case", "act", REF, "accept", "--as", "li.handler",
                                    "--json")))  # fmt: skip
    assert as_json["action"] == "accept"  # codes stay in --json


def test_a_role_refusal_names_the_roles_in_chinese(home: Path) -> None:
    before = events(home)
    done = govflow(home, "case", "act", REF, "extend", "--as", "li.handler",
                   "--set", "days=5", "--set", "reason=材料多")  # fmt: skip
    assert done.returncode == 3
    assert "经办人无权执行“延长答复期限”（可执行的角色：公开办负责人）" in done.stderr
    assert "office_head" not in done.stderr and events(home) == before


def test_a_fee_notice_of_0_yuan_is_refused_and_nothing_is_written(home: Path) -> None:
    before = events(home)
    free = govflow(home, "case", "act", REF, "send_fee_notice", "--as", "zhang.head",
                   "--set", "basis=per_request", "--set", "reason=次数多")  # fmt: skip
    assert free.returncode == 3, free.stderr
    assert free.stderr.startswith("错误：按件计收的信息处理费为 0 元")
    zero = govflow(home, "case", "act", REF, "send_fee_notice", "--as", "zhang.head",
                   "--set", "basis=per_volume", "--set", "pages=300", "--set", "amount=0",
                   "--set", "reason=页数多")  # fmt: skip
    assert zero.returncode == 2, zero.stderr
    assert zero.stderr.startswith("错误：") and "amount" in zero.stderr
    assert events(home) == before


def test_the_fee_is_shown_by_case_act_case_show_and_audit_show(home: Path) -> None:
    out = ok(govflow(home, "case", "act", REF, "send_fee_notice", "--as", "zhang.head",
                     "--set", "basis=per_volume", "--set", "pages=150",
                     "--set", "reason=页数多"))  # fmt: skip
    # 31–100 at 10 yuan, 101–150 at 20 yuan.
    assert "计收方式：按量计收" in out and "页数：150" in out
    assert "信息处理费（元）：1700" in out
    shown = ok(govflow(home, "case", "show", REF, "--as", "zhang.head"))
    assert "信息处理费：1700 元（按量计收）" in shown
    audit = ok(govflow(home, "audit", "show", REF, "--as", "chen.supervisor"))
    # Sent today (the default); the payment window waits for the delivery to be recorded.
    assert "信息处理费（元）：1700" in audit and "发出日：2025-09-24" in audit
    assert "basis" not in audit and "sent_on" not in audit and "per_volume" not in audit


def test_case_show_names_the_agency_and_people_in_chinese(home: Path) -> None:
    ok(govflow(home, "case", "act", REF, "assign", "--as", "zhang.head",
               "--set", "assignee=zhao.handler"))  # fmt: skip
    shown = ok(govflow(home, "case", "show", REF, "--as", "wang.clerk"))
    assert "所属机关：示范县人民政府办公室" in shown and "经办人：赵经办" in shown
    assert "王登记（登记员）登记申请" in shown and "张主任（公开办负责人）" in shown
    for code in ("county", "zhao.handler", "wang.clerk", "zhang.head"):
        assert code not in shown.split("可执行的动作")[0], code
    as_json = json.loads(ok(govflow(home, "case", "show", REF, "--as", "wang.clerk", "--json")))
    assert (as_json["agency"], as_json["assignee"]) == ("county", "zhao.handler")
    assert (as_json["agency_name"], as_json["assignee_name"]) == ("示范县人民政府办公室", "赵经办")


def test_a_declared_types_assignee_field_reads_as_the_persons_name(home: Path) -> None:
    opened = json.loads(ok(govflow(
        home, "case", "open", "county_mailbox", "--as", "wang.clerk", "--set", "title=路灯不亮",
        "--set", "content=东街路灯不亮", "--set", "writer=张三", "--set", "received_on=2025-09-24",
        "--set", "category=help", "--json",
    )))  # fmt: skip
    ref = opened["ref"]
    ok(govflow(home, "case", "act", ref, "assign", "--as", "zhang.head",
               "--set", "assignee=li.handler", "--set", "department=县住建局"))  # fmt: skip
    shown = ok(govflow(home, "case", "show", ref, "--as", "wang.clerk"))
    assert "承办人：李经办" in shown and "经办人：李经办" in shown and "li.handler" not in shown
    as_json = json.loads(ok(govflow(home, "case", "show", ref, "--as", "wang.clerk", "--json")))
    assert as_json["fields"]["assignee"] == "li.handler"
