"""``govflow report timeliness`` (SPEC R-2) as real processes on a SQLite file, the clock pinned
by ``GOVFLOW_NOW``.

The office's autumn, reported at Monday 2025-11-03 10:00 for 2025-09-01…2025-10-31:
- request 1, Tuesday 09-02, never replied: due 09-29 (20 working days), overdue since;
- request 2, Friday 09-26 (due 10-30), consulted 10-09…10-15 (paused), replied 10-20 on time:
  (09-26, 10-20] holds 12 working days (09-28 is a make-up day, 10-01…10-08 holidays,
  10-11 a make-up day), less 10-10, 10-11, 10-13, 10-14, 10-15 paused = 7;
- an incident detected 09-30 22:30, never answered: its 48 h response limit ran out
  10-02 22:30, 755.5 h before the report instant.
On time 1 of 2 decided → 50.0 %; handling time 7 (mean, median, 90th percentile).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
NOW = "2025-11-03T10:00"
PERIOD = (
    "--as",
    "chen.supervisor",
    "--agency",
    "county",
    "--from",
    "2025-09-01",
    "--to",
    "2025-10-31",
)


class Office:
    def __init__(self, home: Path) -> None:
        env = cli_env(f"sqlite:///{home / 'govflow.db'}")
        self.home, self.env = home, env

    def run(self, *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
        return cli_fork.run(
            [sys.executable, "-m", "govflow", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, "GOVFLOW_NOW": now},
            cwd=self.home,
            timeout=60,
        )

    def ok(self, *args: str, now: str = NOW) -> str:
        proc = self.run(*args, now=now)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    def fails(self, code: int, *args: str) -> str:
        proc = self.run(*args)
        assert proc.returncode == code, (args, proc.returncode, proc.stdout, proc.stderr)
        errors = [line for line in proc.stderr.splitlines() if not line.startswith("{")]
        assert len(errors) == 1 and errors[0].startswith("错误："), proc.stderr
        assert proc.stdout == ""
        return errors[0]

    def register(self, now: str) -> str:
        out = self.ok(
            "request", "register", "--as", "wang.clerk", "--channel", "in_person",
            "--applicant-kind", "natural_person", "--name", "张三",
            "--id-number", "610926199001011234", "--phone", "13800000000", "--description", "2024年县级财政预算公开表",
            now=now,
        )  # fmt: skip
        found = re.search(r"示政办依申〔\d{4}〕\d{4}号", out)
        assert found, out
        return found.group(0)

    def act(self, ref: str, action: str, who: str, *sets: str, now: str) -> None:
        self.ok("case", "act", ref, action, "--as", who, *(f"--set={s}" for s in sets), now=now)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    office = Office(tmp_path_factory.mktemp("timeliness"))
    office.ok("init", "--org", str(ORG))
    office.register("2025-09-02T09:00")
    ref = office.register("2025-09-26T09:00")
    office.act(ref, "start_review", "li.handler", now="2025-09-26T10:00")
    office.act(ref, "accept", "li.handler", now="2025-09-26T10:00")
    office.act(
        ref, "start_consultation", "li.handler", "party_kind=third_party", "party_name=某公司",
        now="2025-10-09T09:00",
    )  # fmt: skip
    office.act(ref, "end_consultation", "li.handler", "result=agreed", now="2025-10-15T09:00")
    office.act(
        ref, "draft_reply", "li.handler", "outcome=disclosed", "summary=予以公开",
        now="2025-10-20T09:00",
    )  # fmt: skip
    office.act(ref, "approve_reply", "zhang.head", now="2025-10-20T10:00")
    office.ok(
        "incident", "register", "--as", "wang.clerk", "--title", "网传某小学食堂使用过期食材",
        "--summary", "微博多条帖文配图", "--platform", "微博", "--detected-at", "2025-09-30T22:30",
        "--topic", "食品药品", "--lead-department", "县教育局", now="2025-09-30T22:40",
    )  # fmt: skip
    return office


def test_text_report(office: Office) -> None:
    lines = office.ok("report", "timeliness", *PERIOD).splitlines()
    assert lines[:3] == [
        "示范县人民政府办公室 办理时效统计",
        "统计期间：2025-09-01 至 2025-10-31（北京时间，含首尾两日）",
        "统计时点：2025-11-03 10:00（北京时间；超期与剩余时间均截至此时）",
    ]
    for line in (
        "按期答复率：50.0%（按期答复 1 件 ÷ 已有结果 2 件）",
        "　按期答复 1 件；超期答复 0 件；超过答复期限尚未答复 1 件",
        "二、办理用时（本期答复 1 件；工作日，不含中止计算期间）",
        "　平均 7.0；中位数 7.0；第 90 百分位 7（最近秩法）",
        "　已超期：1 件",
        "　今日届满：0 件",
        "　　示范县人民政府办公室：1 件（依申请公开 1，政务舆情 0）",
        "　　县教育局：1 件（依申请公开 0，政务舆情 1）",
        "　　未分配：2 件（依申请公开 1，政务舆情 1）",
        "　　示政办依申〔2025〕0001号｜依申请公开｜答复期限 届满于 2025-09-29，已超期，尚未完成"
        "｜示范县人民政府办公室｜未分配",
        "五、政务舆情回应时效（本期监测发现 1 起）",
        "　回应时限（48 小时）：按时 0 起，超期完成 0 起，已超期，尚未完成 1 起，按时率 0.0%"
        "（另：计时中 0 起，调整级别后不再适用 0 起）",
        "　示政办舆情〔2025〕0001号 网传某小学食堂使用过期食材（一般）｜回应时限 届满 "
        "2025-10-02 22:30，已超期，尚未完成，超期 755.5 小时｜牵头部门：县教育局｜经办人：未指定",
    ):
        assert line in lines


def test_json_and_csv(office: Office, tmp_path: Path) -> None:
    data = json.loads(office.ok("report", "timeliness", *PERIOD, "--format", "json"))
    assert (
        office.ok("report", "timeliness", *PERIOD, "--json")
        == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    )
    assert data["replies"] == {
        "on_time": 1, "late": 0, "overdue": 1, "cancelled": 0, "decided": 2, "rate": 0.5,
    }  # fmt: skip
    assert data["handling"] == {"days": [7], "count": 1, "mean": 7.0, "median": 7.0, "p90": 7}
    assert (data["open_requests"][0]["key"], data["open_requests"][0]["count"]) == ("overdue", 1)
    assert [(b["ref"], b["kind"]) for b in data["breaches"]] == [
        ("示政办依申〔2025〕0001号", "overdue"),
        ("示政办舆情〔2025〕0001号", "overdue"),
    ]
    assert data["incidents_detected"] == 1
    assert data["accountability"][0]["hours_late"] == 755.5

    out = tmp_path / "timeliness.csv"
    assert office.ok("report", "timeliness", *PERIOD, "--format", "csv", "--output", str(out)) == (
        f"已写入：{out}\n"
    )
    body = out.read_bytes().decode("utf-8")
    assert body.startswith("\ufeff统计范围,示范县人民政府办公室,2025-09-01至2025-10-31\r\n")
    assert "依申请公开按期答复,按期答复率,50.0%\r\n" in body
    assert "办理用时（工作日）,第90百分位（最近秩法）,7\r\n" in body

    # A September report, asked the same day: the reply of 10-20 is outside it.
    sept = json.loads(
        office.ok("report", "timeliness", "--as", "chen.supervisor", "--agency", "county",
                  "--from", "2025-09-01", "--to", "2025-09-30", "--json")
    )  # fmt: skip
    assert (sept["replies"]["decided"], sept["handling"]["count"]) == (1, 0)


@pytest.mark.parametrize(
    ("code", "args", "message"),
    [
        (4, ("--agency", "nowhere", "--from", "2025-09-01", "--to", "2025-10-31"),
         "错误：没有代码为 'nowhere' 的机关，或您无权查看其案件"),
        (2, ("--agency", "county", "--from", "2025-02-30", "--to", "2025-10-31"),
         "错误：--from 不是有效日期：'2025-02-30'（应为 YYYY-MM-DD，如 2025-09-30）"),
        (2, ("--agency", "county", "--from", "2025-09-01", "--to", "十月底"),
         "错误：--to 不是有效日期：'十月底'（应为 YYYY-MM-DD，如 2025-09-30）"),
        (2, ("--agency", "county", "--from", "2025-11-01", "--to", "2025-10-31"),
         "错误：--from 2025-11-01 晚于 --to 2025-10-31"),
        (2, (*PERIOD, "--format", "xlsx"), "错误：--format 应为 text、json 或 csv，实为 'xlsx'"),
        (2, (*PERIOD, "--format", "csv", "--json"), "错误：--json 与 --format csv 不能同时使用"),
    ],
)  # fmt: skip
def test_bad_input_writes_nothing(
    office: Office, tmp_path: Path, code: int, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "report.txt"
    reader = () if "--as" in args else ("--as", "chen.supervisor")  # an option goes once
    assert (
        office.fails(code, "report", "timeliness", *reader, *args, "--output", str(out)) == message
    )
    assert not out.exists()
