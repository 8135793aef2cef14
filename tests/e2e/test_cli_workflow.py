"""The ``govflow`` command as a clerk, a handler and an office head use it (SPEC D-, A-, X-).

Every call is a real ``python -m govflow`` process on a SQLite file, with the clock pinned
by ``GOVFLOW_NOW`` and moved between calls to let weeks pass. Whatever a call does,
the applicants' identity numbers and phones never appear on stderr (the logs).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = re.compile(r"示政办依申〔\d{4}〕\d{4}号")

ZHANG_ID, ZHANG_PHONE = "610926199001011234", "13800000000"
FIRM_ID, FIRM_PHONE = "91610926MA0000000X", "0917-3216549"
PERSONAL = (ZHANG_ID, ZHANG_PHONE, FIRM_ID, FIRM_PHONE)


@dataclass
class Office:
    """One disclosure office: its database, its clock, and the ``govflow`` command."""

    home: Path
    env: dict[str, str]
    now: str = "2025-09-26T09:00"

    def run(self, *args: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
        if now is not None:
            self.now = now
        proc = cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, "GOVFLOW_NOW": self.now},
            cwd=self.home,
            timeout=60,
        )
        for secret in PERSONAL:
            assert secret not in proc.stderr, f"personal data on stderr: {proc.stderr}"
        return proc

    def ok(self, *args: str, now: str | None = None) -> str:
        proc = self.run(*args, now=now)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    def fails(self, code: int, *args: str, now: str | None = None) -> str:
        """The call exits with ``code`` and says why in one line ``错误：…``; returns it."""
        proc = self.run(*args, now=now)
        assert proc.returncode == code, (args, proc.returncode, proc.stdout, proc.stderr)
        errors = [line for line in proc.stderr.splitlines() if not line.startswith("{")]
        assert len(errors) == 1 and errors[0].startswith("错误："), proc.stderr
        assert "Traceback" not in proc.stderr
        return errors[0]

    def json(self, *args: str, now: str | None = None) -> object:
        return json.loads(self.ok(*args, "--json", now=now))

    def register(self, *extra: str, now: str | None = None) -> str:
        # An option is given once (the CLI refuses a second): ``extra`` may name the channel.
        channel = () if "--channel" in extra else ("--channel", "in_person")
        out = self.ok(
            "request",
            "register",
            "--as",
            "wang.clerk",
            *channel,
            "--applicant-kind",
            "natural_person",
            "--name",
            "张三",
            "--id-number",
            ZHANG_ID,
            "--phone",
            ZHANG_PHONE,
            "--description",
            "2024年县级财政预算公开表",
            *extra,
            now=now,
        )
        match = REF.search(out)
        assert match, out
        return match.group(0)

    def act(self, ref: str, action: str, user: str, *sets: str, now: str | None = None) -> str:
        args = ["case", "act", ref, action, "--as", user]
        for s in sets:
            args += ["--set", s]
        return self.ok(*args, now=now)


def _office(tmp_path: Path, log_level: str | None = None) -> Office:
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}")
    if log_level:
        env["GOVFLOW_LOG_LEVEL"] = log_level
    office = Office(tmp_path, env)
    out = office.ok("init", "--org", str(ORG))
    assert "已导入 3 个机关、7 个用户" in out
    return office


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return _office(tmp_path)


def test_register_show_with_masking_and_list_by_time_left(office: Office, tmp_path: Path) -> None:
    # A natural person hands a request in on Friday 2025-09-26: clock starts that day.
    zhang = office.register()
    assert zhang.endswith("0001号")

    # A firm's registered letter, signed for on Monday 09-22, from a YAML file.
    request = tmp_path / "firm.yaml"
    request.write_text(
        "applicant:\n"
        "  kind: legal_person\n"
        "  subkind: commercial\n"
        "  name: 某建材有限公司\n"
        f"  id_number: {FIRM_ID}\n"
        f"  phone: {FIRM_PHONE}\n"
        "  address: 示范县建设路1号\n"
        "description: 某项目环境影响评价批复\n"
        "channel: registered_post\n"
        "received_on: 2025-09-22\n",
        encoding="utf-8",
    )
    firm = office.json(
        "request", "register", "--as", "wang.clerk", "--file", str(request),
        "--receipt-date", "2025-09-22",
    )  # fmt: skip
    assert firm["state"] == "registered"
    assert firm["request"]["applicant_subkind"] == "commercial"
    assert firm["request"]["id_number"] == FIRM_ID  # the clerk registering it sees it
    reply = next(d for d in firm["deadlines"] if d["key"] == "reply")
    # 09-23…09-26 (4), Sun 09-28 (5), 09-29, 09-30 (7), 10-09…10-11 (10), 10-13…10-17 (15),
    # 10-20…10-24 (20).
    assert reply["due_date"] == "2025-10-24"

    # An e-mail still to be confirmed with the applicant: no clock yet.
    pending = office.register("--channel", "email", "--received-on", "2025-09-25")
    assert pending.endswith("0003号")

    # The sibling agency's clerk cannot read it: the same answer as for no such case.
    outsider = office.fails(4, "case", "show", zhang, "--as", "liu.clerk")
    assert outsider == f"错误：没有编号为 {zhang} 的案件，或您无权查看"
    public = office.ok("case", "show", zhang, "--as", "chen.supervisor")  # reads, masked
    assert "答复期限" in public and "2025-10-30 24:00" in public
    assert "起算日 2025-09-26（星期五）当日不计入期限。" in public
    assert ZHANG_ID not in public and ZHANG_PHONE not in public
    assert "610*************34" in public and "138******00" in public

    clerk = office.ok("case", "show", zhang, "--as", "wang.clerk")
    assert ZHANG_ID in clerk and ZHANG_PHONE in clerk and "张三" in clerk
    assert "start_review（开始审核）" in clerk

    shown = office.json("case", "show", zhang, "--as", "chen.supervisor")  # reads, masked
    assert shown["state"] == "registered"
    assert shown["request"]["id_number"] == "610*************34"
    assert shown["request"]["id_number"] != ZHANG_ID and shown["request"]["phone"] != ZHANG_PHONE
    assert [e["action"] for e in shown["events"]] == ["receive", "confirm_receipt"]
    assert ZHANG_ID not in json.dumps(shown["events"], ensure_ascii=False)
    reply = next(d for d in shown["deadlines"] if d["key"] == "reply")
    assert (reply["due_date"], reply["status"], reply["working_days_left"]) == (
        "2025-10-30",
        "running",
        20,
    )

    # The firm's limit (10-24) is nearer than Zhang's (10-30); the unconfirmed one has none.
    listing = office.ok("case", "list", "--as", "chen.supervisor", now="2025-10-20T09:00")
    lines = listing.strip().splitlines()
    assert [REF.search(line).group(0) for line in lines] == [firm["ref"], zhang, pending]
    assert "答复期限 届满 2025-10-24 24:00" in lines[0] and "还剩 4 个工作日" in lines[0]
    assert "答复期限 届满 2025-10-30 24:00" in lines[1]
    assert "待确认收到" in lines[2]
    page = office.json("case", "list", "--as", "wang.clerk")
    rows = page["cases"]
    assert [r["ref"] for r in rows] == [firm["ref"], zhang, pending] and page["next_after"] is None
    due = [r["deadline"]["due_date"] if r["deadline"] else None for r in rows]
    assert due == ["2025-10-24", "2025-10-30", None]
    # Keyset pages: two, then one, with the cursor the first page gave.
    first = office.json("case", "list", "--as", "wang.clerk", "--limit", "2")
    assert [r["ref"] for r in first["cases"]] == [firm["ref"], zhang]
    rest = office.json("case", "list", "--as", "wang.clerk", "--after", first["next_after"])
    assert [r["ref"] for r in rest["cases"]] == [pending] and rest["next_after"] is None
    # The clerk of another agency sees none of them.
    assert office.json("case", "list", "--as", "liu.clerk")["cases"] == []
    # Words of the description find the firm's request; its name only for the office's staff.
    found = office.json("case", "list", "--as", "wang.clerk", "--text", "环境影响评价")
    assert [r["ref"] for r in found["cases"]] == [firm["ref"]]
    by_name = ("case", "list", "--text", "某建材有限公司", "--channel", "registered_post")
    assert [r["ref"] for r in office.json(*by_name, "--as", "wang.clerk")["cases"]] == [firm["ref"]]
    assert office.json(*by_name, "--as", "chen.supervisor")["cases"] == []
    bad = office.fails(2, "case", "list", "--as", "wang.clerk", "--closed-from", "2025-13-01")
    assert "--closed-from 不是有效日期" in bad


def test_a_request_moves_through_the_weeks(tmp_path: Path) -> None:
    office = _office(tmp_path, log_level="info")
    proc = office.run(
        "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三", "--id-number", ZHANG_ID,
        "--phone", ZHANG_PHONE, "--description", "关于某项目的文件",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    ref = REF.search(proc.stdout).group(0)
    logged = [json.loads(line) for line in proc.stderr.splitlines()]
    assert any(e["event"] == "case.registered" and e["case_ref"] == ref for e in logged)

    started = office.json("case", "act", ref, "start_review", "--as", "li.handler")
    assert (started["seq"], started["state_before"], started["state_after"]) == (
        3,
        "registered",
        "reviewing",
    )

    # Monday: the request is unclear; one notice, 10 working days to correct.
    out = office.act(
        ref, "request_correction", "li.handler", "items=请写明文件名称、文号", "period_days=10",
        now="2025-09-29T10:00",
    )  # fmt: skip
    assert "当前状态：待补正" in out
    assert "答复期限" in out and "中止计算" in out
    assert "补正期限：10个工作日，起算 2025-09-29，届满 2025-10-20 24:00" in out

    # After the National Day holiday the corrected request arrives: the clock restarts.
    out = office.act(ref, "submit_correction", "wang.clerk", now="2025-10-10T16:00")
    assert "当前状态：审核中" in out
    assert "答复期限：20个工作日，起算 2025-10-10，届满 2025-11-06 24:00" in out

    out = office.act(ref, "extend", "zhang.head", "days=5", "reason=需调档", now="2025-10-31T09:00")
    # 11-06 was the 20th working day; five more: 11-07, 11-10…11-13.
    assert "20个工作日（延长 5）" in out and "届满 2025-11-13 24:00" in out

    office.act(ref, "accept", "li.handler")
    office.act(ref, "draft_reply", "li.handler", "outcome=disclosed", "summary=提供电子版")
    out = office.act(ref, "approve_reply", "zhang.head", now="2025-11-03T15:00")
    assert "当前状态：已答复" in out and "已按期完成" in out
    office.act(ref, "archive", "wang.clerk")

    shown = office.ok("case", "show", ref, "--as", "zhang.head")
    assert "状态：已归档" in shown and "答复类型：（一）予以公开" in shown
    assert "#10 " in shown and "归档：已答复 → 已归档" in shown
    assert "校验 1 件案件，历史记录完整，派生数据与事件一致，未发现篡改。" in office.ok(
        "audit", "verify", "--as", "chen.supervisor"
    )


def test_errors_say_what_is_wrong_and_write_nothing(office: Office) -> None:
    ref = office.register()

    # Bad input: exit 2, one line, nothing registered, no number used up.
    assert "channel" in office.fails(
        2, "request", "register", "--as", "wang.clerk", "--channel", "pigeon",
        "--applicant-kind", "natural_person", "--name", "张三", "--id-number", ZHANG_ID,
        "--phone", ZHANG_PHONE, "--description", "x",
    )  # fmt: skip
    assert "晚于今天" in office.fails(
        2, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三", "--id-number", ZHANG_ID,
        "--phone", ZHANG_PHONE, "--description", "x", "--received-on", "2025-09-27",
    )  # fmt: skip
    assert [r["ref"] for r in office.json("case", "list", "--as", "wang.clerk")["cases"]] == [ref]

    assert "days" in office.fails(
        2, "case", "act", ref, "extend", "--as", "zhang.head", "--set", "days=many",
        "--set", "reason=x",
    )  # fmt: skip

    # Not allowed: exit 3, saying what is allowed instead.
    message = office.fails(
        3, "case", "act", ref, "extend", "--as", "li.handler", "--set", "days=5",
        "--set", "reason=x",
    )  # fmt: skip
    assert "可执行的角色：公开办负责人" in message
    message = office.fails(3, "case", "act", ref, "archive", "--as", "wang.clerk")
    assert "不能在“已登记”状态下执行" in message and "start_review（开始审核）" in message

    shown = office.json("case", "show", ref, "--as", "wang.clerk")
    assert shown["state"] == "registered" and len(shown["events"]) == 2

    # An unknown reference: exit 4.
    assert "没有编号为" in office.fails(
        4, "case", "act", "示政办依申〔2025〕9999号", "accept", "--as", "li.handler"
    )

    # The refused registrations used up no number.
    assert office.register().endswith("0002号")
