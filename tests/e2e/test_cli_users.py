"""``govflow user …`` and ``govflow token …`` as an installation's operator uses them: the
first administrator, accounts with several roles, passwords never on the command line,
deactivation, API tokens shown once, the logs, and ``cli:<OS user>`` on every event."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import cli_fork
from tests.cli import ROOT, cli_env

ORG = ROOT / "configs" / "demo_org.yaml"
OS_USER = "opsuser"


class Operator:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            **cli_env(f"sqlite:///{home / 'govflow.db'}"),
            "GOVFLOW_NOW": "2025-09-26T09:00",
            "LOGNAME": OS_USER,
            "USER": OS_USER,
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env,
            cwd=self.home,
            input=stdin,
            timeout=60,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        proc = self.run(*args, stdin=stdin)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    def fails(self, code: int, *args: str, stdin: str | None = None) -> str:
        proc = self.run(*args, stdin=stdin)
        assert proc.returncode == code, (args, proc.returncode, proc.stdout, proc.stderr)
        errors = [line for line in proc.stderr.splitlines() if not line.startswith("{")]
        assert len(errors) == 1 and errors[0].startswith("错误："), proc.stderr
        return errors[0]


@pytest.fixture
def op(tmp_path: Path) -> Operator:
    return Operator(tmp_path)


def test_the_first_start_creates_an_administrator_once(op: Operator) -> None:
    first = op.ok("init", "--org", str(ORG))
    match = re.search(r"已创建系统管理员 admin，一次性密码：(\S+)", first)
    assert match, first
    assert "首次登录后必须修改" in first
    assert "一次性密码" not in op.ok("init")
    users = json.loads(op.ok("user", "list", "--as", "admin", "--json"))
    admin = next(u for u in users if u["username"] == "admin")
    assert admin["roles"] == ["admin"] and admin["must_change_password"]
    assert match.group(1) not in json.dumps(users)


def test_accounts_passwords_and_deactivation(op: Operator) -> None:
    op.ok("init", "--org", str(ORG))
    added = json.loads(
        op.ok(
            "user",
            "add",
            "ma.head",
            "--name",
            "马主任",
            "--role",
            "handler",
            "--role",
            "office_head",
            "--agency",
            "county",
            "--as",
            "admin",
            "--json",
        )
    )
    assert len(added["one_time_password"]) == 16
    assert "不能同时担任办件角色" in op.fails(
        2, "user", "add", "x", "--name", "某", "--role", "admin", "--role", "clerk", "--as", "admin"
    )
    assert "不是系统管理员" in op.fails(3, "user", "lock", "li.handler", "--as", "zhang.head")
    weak = op.fails(
        2, "user", "set-password", "li.handler", "--password-stdin", "--as", "admin", stdin="abc\n"
    )
    assert "密码不符合要求" in weak and "abc" not in weak
    # No terminal to type at, no --password-stdin: told so in one line, not getpass's
    # English warning and "Aborted!" with exit 1 (the code of audit findings).
    untyped = op.fails(2, "user", "set-password", "li.handler", "--as", "admin", stdin="")
    assert "终端" in untyped and "--password-stdin" in untyped
    op.ok(
        "user",
        "set-password",
        "li.handler",
        "--password-stdin",
        "--permanent",
        "--as",
        "admin",
        stdin="New-pass-2025\n",
    )
    # A user with two roles acts in the one each action needs; the CLI's channel is recorded.
    out = op.ok(
        "request",
        "register",
        "--as",
        "wang.clerk",
        "--channel",
        "in_person",
        "--applicant-kind",
        "natural_person",
        "--name",
        "张三",
        "--id-number",
        "610926199001011234",
        "--phone",
        "13800000000",
        "--description",
        "2024年县级财政预算公开表",
    )
    ref = re.search(r"示政办依申〔\d{4}〕\d{4}号", out).group(0)  # type: ignore[union-attr]
    op.ok("case", "act", ref, "start_review", "--as", "ma.head")
    op.ok(
        "case", "act", ref, "extend", "--as", "ma.head", "--set", "days=5", "--set", "reason=调档"
    )
    timeline = json.loads(
        op.ok("audit", "show", ref, "--as", "chen.supervisor", "--format", "json")
    )
    assert [(e["actor"], e["actor_role"], e["channel"]) for e in timeline["events"]] == [
        ("wang.clerk", "clerk", f"cli:{OS_USER}"),
        ("wang.clerk", "clerk", f"cli:{OS_USER}"),
        ("ma.head", "handler", f"cli:{OS_USER}"),
        ("ma.head", "office_head", f"cli:{OS_USER}"),
    ]
    assert f"经由 cli:{OS_USER}" in op.ok("audit", "show", ref, "--as", "chen.supervisor")

    op.ok("user", "deactivate", "li.handler", "--reason", "调离", "--as", "admin")
    twice = op.fails(2, "user", "deactivate", "li.handler", "--as", "admin")
    assert twice == "错误：用户 li.handler 的账户已停用"  # once 已, not 已已停用
    assert "已停用" in op.fails(3, "case", "act", ref, "accept", "--as", "li.handler")
    assert "已停用" in op.fails(3, "user", "login-log", "--as", "li.handler")
    assert "无权查看" in op.fails(3, "user", "login-log", "--as", "zhao.handler")
    listed = json.loads(op.ok("user", "list", "--as", "chen.supervisor", "--all", "--json"))
    assert {u["username"]: u["status"] for u in listed}["li.handler"] == "deactivated"
    log = json.loads(op.ok("user", "security-log", "--as", "admin", "--json"))
    assert {(e["action"], e["target"], e["actor"], e["channel"]) for e in log} >= {
        ("user_deactivated", "li.handler", "admin", f"cli:{OS_USER}"),
        ("password_set", "li.handler", "admin", f"cli:{OS_USER}"),
        ("user_added", "ma.head", "admin", f"cli:{OS_USER}"),
    }
    assert "New-pass-2025" not in json.dumps(log)


def test_api_tokens_are_shown_once_and_revoked(op: Operator) -> None:
    op.ok("init", "--org", str(ORG))
    issued = json.loads(
        op.ok(
            "token",
            "create",
            "website",
            "--user",
            "wang.clerk",
            "--action",
            "receive",
            "--days",
            "30",
            "--as",
            "admin",
            "--json",
        )
    )
    token = issued["token"]
    assert token.startswith("gft_") and issued["scope"]["actions"] == ["receive"]
    assert issued["scope"]["personal_data"] is False  # never unless asked (issue 11)
    listing = op.ok("token", "list", "--as", "admin")
    assert "website" in listing and token not in listing and issued["prefix"] in listing
    assert "未知动作" in op.fails(
        2, "token", "create", "x", "--user", "wang.clerk", "--action", "fly", "--as", "admin"
    )
    op.ok("token", "revoke", "website", "--as", "admin")
    assert "已吊销" in op.fails(2, "token", "revoke", "website", "--as", "admin")
    assert op.fails(4, "token", "revoke", "nope", "--as", "admin") == "错误：没有名为 nope 的令牌"
    assert json.loads(op.ok("token", "list", "--as", "admin", "--json")) == []
    (revoked,) = json.loads(op.ok("token", "list", "--all", "--as", "admin", "--json"))
    assert revoked["revoked_at"] is not None
    assert token not in (op.home / "govflow.db").read_bytes().decode("latin-1")


def test_the_lists_name_people_agencies_and_roles(op: Operator) -> None:
    """Names to read, codes to type back beside them (issues 11, 12)."""
    op.ok("init", "--org", str(ORG))
    county = "示范县人民政府办公室（county）"
    created = op.ok("token", "create", "website", "--user", "wang.clerk", "--as", "admin")
    assert created.startswith(
        f"已创建令牌 website（代表 王登记（wang.clerk），{county}，全部动作，"
    )
    (line,) = [x for x in op.ok("token", "list", "--as", "admin").splitlines() if "website" in x]
    assert f"王登记（wang.clerk）　{county}，全部动作，申请人身份与联系信息遮蔽　有效" in line
    users = op.ok("user", "list", "--as", "chen.supervisor").splitlines()
    assert f"li.handler　李经办　经办人　{county}　正常" in users
    added = op.ok("user", "add", "ma.head", "--name", "马主任", "--role", "handler",
                  "--role", "office_head", "--agency", "county", "--as", "admin")  # fmt: skip
    assert added.startswith("已新增用户 ma.head（马主任，经办人、公开办负责人）。")
    unknown = op.fails(2, "user", "add", "x", "--name", "某", "--role", "boss", "--as", "admin")
    assert unknown.startswith("错误：未知角色：boss；可选：clerk（登记员）、handler（经办人）")
    assert "system" not in unknown


def test_status_changes_and_the_security_log_name_people_and_actions(op: Operator) -> None:
    """The commands name the person and say what was done in words; ``--json`` keeps the
    codes scripts read (issues 11, 12)."""
    op.ok("init", "--org", str(ORG))
    said = [
        op.ok("user", command, "li.handler", "--as", "admin").strip()
        for command in ("lock", "unlock", "deactivate", "activate")
    ]
    assert said == [
        "已锁定：李经办（li.handler）。",
        "已解锁：李经办（li.handler）。",
        "已停用：李经办（li.handler）。",
        "已恢复：李经办（li.handler）。",
    ]
    assert json.loads(op.ok("user", "lock", "li.handler", "--as", "admin", "--json")) == {
        "username": "li.handler",
        "done": "lock",
        "sessions_ended": 0,
    }
    op.ok("agency", "add", "town", "示范镇人民政府", "--ref-prefix", "示镇", "--as", "admin")

    lines = op.ok("user", "security-log", "--as", "admin").splitlines()
    admin = f"系统管理员（admin），经由 cli:{OS_USER}"
    for words in ("锁定账户", "解锁账户", "停用账户", "恢复账户"):
        assert any(f"{admin}　{words}　李经办（li.handler）" in x for x in lines), (words, lines)
    assert any(f"{admin}　新增机关　示范镇人民政府（town）" in x for x in lines), lines
    assert any("系统，经由 system　创建首个系统管理员　系统管理员（admin）" in x for x in lines)
    assert any("　新增用户　王登记（wang.clerk）" in x for x in lines), lines
    assert any("　导入日历文件　calendar:" in x for x in lines), lines
    # No action is shown by its code (user_locked, agency_added, calendar_imported, …).
    assert not [x for x in lines if re.search(r"　[a-z]+_[a-z_]+　", x)], lines

    log = json.loads(op.ok("user", "security-log", "--as", "admin", "--json"))
    assert {(e["action"], e["target"], e["actor"]) for e in log} >= {
        ("user_locked", "li.handler", "admin"),
        ("user_unlocked", "li.handler", "admin"),
        ("user_deactivated", "li.handler", "admin"),
        ("user_activated", "li.handler", "admin"),
        ("agency_added", "town", "admin"),
        ("admin_bootstrapped", "admin", "system"),
    }


def test_the_login_log_names_the_account_and_marks_an_unknown_name(op: Operator) -> None:
    """An attempt on an account shows its person; a name no account answers to is shown as
    typed, marked 未知账户; ``--json`` keeps what was recorded (issues 11, 12)."""
    from contextlib import suppress

    from govflow.app import build_services, open_engine
    from govflow.workflow.errors import GovflowError
    from govflow.workflow.identity.providers import PasswordProof
    from govflow.workflow.services import local_passwords, login

    op.ok("init", "--org", str(ORG))
    password = "Handler-secret-77"
    op.ok("user", "set-password", "li.handler", "--password-stdin", "--permanent",
          "--as", "admin", stdin=password + "\n")  # fmt: skip
    engine = open_engine(f"sqlite:///{op.home / 'govflow.db'}")
    try:
        svc = build_services(engine)
        local = local_passwords(svc)
        with suppress(GovflowError):
            login(svc, local, PasswordProof("li.hander", "Typo-secret-01"), remote_addr="10.0.0.8")
        with suppress(GovflowError):
            login(svc, local, PasswordProof("li.handler", "Typo-secret-02"))
        login(svc, local, PasswordProof("li.handler", password))
    finally:
        engine.dispose()

    lines = op.ok("user", "login-log", "--as", "admin").splitlines()
    assert [x.split("　", 1)[1] for x in lines[:3]] == [
        "李经办（li.handler）　登录成功　本地密码",
        "李经办（li.handler）　密码错误　本地密码",
        "li.hander（未知账户）　无此账户　本地密码　来自 10.0.0.8",
    ]
    assert lines[-1] == "共 3 条。"
    # A supervisor of the county sees the attempts on its accounts, by name.
    county = op.ok("user", "login-log", "--as", "chen.supervisor").splitlines()
    assert any("李经办（li.handler）　登录成功" in x for x in county), county
    log = json.loads(op.ok("user", "login-log", "--as", "admin", "--json"))
    assert [(e["username"], e["account"], e["outcome"], e["provider"]) for e in log] == [
        ("li.handler", "li.handler", "success", "local"),
        ("li.handler", "li.handler", "bad_password", "local"),
        ("li.hander", None, "unknown_account", "local"),
    ]


def test_a_token_reads_applicants_data_only_if_issued_with_personal_data(
    op: Operator,
) -> None:
    """Issue 11: ``--personal-data`` issues it, the lists show it, and a supervisor, who
    sees applicants masked anyway, is refused it with nothing written."""
    op.ok("init", "--org", str(ORG))
    created = op.ok(
        "token", "create", "ledger", "--user", "wang.clerk", "--personal-data", "--as", "admin"
    )
    assert "全部动作，可读取申请人身份与联系信息，有效至" in created
    (line,) = [x for x in op.ok("token", "list", "--as", "admin").splitlines() if "ledger" in x]
    assert "，全部动作，可读取申请人身份与联系信息　有效" in line
    (listed,) = json.loads(op.ok("token", "list", "--as", "admin", "--json"))
    assert listed["scope"]["personal_data"] is True
    refused = op.fails(2, "token", "create", "sup", "--user", "chen.supervisor", "--read-only",
                       "--personal-data", "--as", "admin")  # fmt: skip
    assert refused.startswith("错误：只有本机关登记员、经办人或负责人") and "sup" not in op.ok(
        "token", "list", "--as", "admin"
    )


def test_re_importing_the_organisation_deactivates_who_left(op: Operator) -> None:
    op.ok("init", "--org", str(ORG))
    org = yaml.safe_load(ORG.read_text("utf-8"))
    org["users"] = [u for u in org["users"] if u["username"] != "zhao.handler"]
    org["users"].append(
        {"username": "qian.handler", "name": "钱经办", "roles": ["handler"], "agency": "edu"}
    )
    smaller = op.home / "org.yaml"
    smaller.write_text(yaml.safe_dump(org, allow_unicode=True), "utf-8")
    out = op.ok("init", "--org", str(smaller))
    assert "新增 1，变更 0，停用 1，恢复 0" in out
    assert "已停用" in op.fails(3, "case", "show", "x", "--as", "zhao.handler")
    assert "恢复 1" in op.ok("init", "--org", str(ORG))


def test_the_token_list_says_a_token_no_longer_applies_once_its_account_moved(
    op: Operator,
) -> None:
    op.ok("init", "--org", str(ORG))
    op.ok("token", "create", "website", "--user", "wang.clerk", "--as", "admin")
    assert "不再适用" not in op.ok("token", "list", "--as", "admin")
    org = yaml.safe_load(ORG.read_text("utf-8"))
    for user in org["users"]:
        if user["username"] == "wang.clerk":
            user["agency"] = "edu"  # transferred: the token was issued for county
    moved = op.home / "org.yaml"
    moved.write_text(yaml.safe_dump(org, allow_unicode=True), "utf-8")
    assert "变更 1" in op.ok("init", "--org", str(moved))
    assert "不再适用：账户已不属于该机关" in op.ok("token", "list", "--as", "admin")
    (listed,) = json.loads(op.ok("token", "list", "--as", "admin", "--json"))
    assert listed["applies"] is False


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("cycle", "机关的上下级关系有循环"),
        ("self", "机关的上下级关系有循环"),
        ("duplicate", "机关代码重复"),
    ],
)
def test_a_faulty_organisation_file_leaves_no_database(op: Operator, fault: str, said: str) -> None:
    """The file is read and checked whole before a database is created or migrated: a
    refused ``init`` leaves nothing behind (no govflow.db with a calendar seeded in it)."""
    org = yaml.safe_load(ORG.read_text("utf-8"))
    county, edu = org["agencies"][0], org["agencies"][1]
    if fault == "cycle":
        county["parent"] = edu["code"]  # county → edu → county
    elif fault == "self":
        edu["parent"] = edu["code"]
    else:
        org["agencies"].append({**edu, "ref_prefix": "示重"})
    faulty = op.home / "org.yaml"
    faulty.write_text(yaml.safe_dump(org, allow_unicode=True), "utf-8")
    line = op.fails(2, "init", "--org", str(faulty))
    assert said in line and "Value error" not in line, line
    assert not (op.home / "govflow.db").exists()
