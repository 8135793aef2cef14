"""Issue 10, as an office meets it: a calendar added through ``GOVFLOW_CALENDAR_DIR`` lived
only in that process's environment, and a later command run without the variable wrote
the old provisional date back. Now ``govflow init`` seeds the database from the directory,
``govflow calendar import FILE --as ADMIN`` adds to it, and every later command counts on
the database's calendar, with or without the variable.

The 2027 schedule below is a test-only invention, not the State Council's notice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-12-18T10:00:00+08:00"
TEST_2027 = """\
# 仅供测试的假设安排，并非国务院办公厅通知
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-01-04, name: 测试假日}
  - {date: 2027-01-05, name: 测试假日}
makeup_workdays:
  - {date: 2027-01-09, name: 测试调休}
"""
REGISTER = [
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
    "2026年预算执行情况",
]


def govflow(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(
            GOVFLOW_DATABASE_URL=f"sqlite:///{home / 'govflow.db'}",
            GOVFLOW_FILES_DIR=str(home / "files"),
            GOVFLOW_NOW=NOW,
            **env,
        ),
        cwd=home,
        timeout=120,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc.stdout


def one_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


def files_in_force(home: Path) -> list[dict]:
    return json.loads(ok(govflow(home, "calendar", "files", "--as", "system", "--json")))


def reply_due(home: Path, ref: str) -> tuple[str, bool]:
    shown = json.loads(ok(govflow(home, "case", "show", ref, "--as", "wang.clerk", "--json")))
    reply = next(d for d in shown["deadlines"] if d["key"] == "reply")
    return reply["due_date"], reply["provisional"]


def test_a_calendar_seeded_from_the_directory_holds_for_every_later_command(
    tmp_path: Path,
) -> None:
    extra = tmp_path / "calendar"
    extra.mkdir()
    (extra / "2027.yaml").write_text(TEST_2027, encoding="utf-8")
    org = str(ROOT / "configs" / "demo_org.yaml")
    ok(govflow(tmp_path, "init", "--org", org, GOVFLOW_CALENDAR_DIR=str(extra)))
    assert [f["name"] for f in files_in_force(tmp_path)][-1] == "2027.yaml"

    ref = ok(govflow(tmp_path, *REGISTER)).split("：")[1].split("（")[0]
    # Without the variable: the database's calendar, 2027 known, nothing provisional.
    assert reply_due(tmp_path, ref) == ("2027-01-19", False)
    ok(govflow(tmp_path, "calendar", "recompute"))
    assert reply_due(tmp_path, ref) == ("2027-01-19", False)
    # init again, without the directory: the imported year stays.
    ok(govflow(tmp_path, "init"))
    assert [f["name"] for f in files_in_force(tmp_path)][-1] == "2027.yaml"


def test_an_administrator_imports_a_year_with_the_change_report(tmp_path: Path) -> None:
    org = str(ROOT / "configs" / "demo_org.yaml")
    assert "系统管理员 admin" in ok(govflow(tmp_path, "init", "--org", org))
    assert len(files_in_force(tmp_path)) == 19
    ref = ok(govflow(tmp_path, *REGISTER)).split("：")[1].split("（")[0]
    assert reply_due(tmp_path, ref) == ("2027-01-15", True)

    new = tmp_path / "2027.yaml"
    new.write_text(TEST_2027, encoding="utf-8")
    bad = tmp_path / "2028.yaml"
    bad.write_text(TEST_2027, encoding="utf-8")
    line = one_error(govflow(tmp_path, "calendar", "import", str(new), "--as", "wang.clerk"), 3)
    assert "不是系统管理员" in line
    # Refused as not an administrator before the file is read, whatever it holds.
    line = one_error(govflow(tmp_path, "calendar", "import", str(bad), "--as", "wang.clerk"), 3)
    assert "不是系统管理员" in line
    line = one_error(govflow(tmp_path, "calendar", "import", str(bad), "--as", "admin"), 2)
    assert "2028.yaml" in line and "year 为 2027" in line
    missing = tmp_path / "2029.yaml"
    assert "无法读取" in one_error(
        govflow(tmp_path, "calendar", "import", str(missing), "--as", "admin"), 2
    )
    assert len(files_in_force(tmp_path)) == 19  # nothing written
    assert reply_due(tmp_path, ref) == ("2027-01-15", True)

    out = ok(govflow(tmp_path, "calendar", "import", str(new), "--as", "admin"))
    assert "已导入日历文件 2027.yaml（年度节假日安排，2027 年" in out
    assert f"{ref} 答复期限：2027-01-15 → 2027-01-19" in out
    assert "1 件有变化" in out
    assert reply_due(tmp_path, ref) == ("2027-01-19", False)

    again = govflow(tmp_path, "calendar", "import", str(new), "--as", "admin", "--json")
    answer = json.loads(ok(again))
    assert (answer["unchanged"], answer["import_id"], answer["changed"]) == (True, None, [])
    assert "未作任何更改" in ok(govflow(tmp_path, "calendar", "import", str(new), "--as", "admin"))
    assert len(files_in_force(tmp_path)) == 20
