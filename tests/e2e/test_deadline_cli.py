"""``govflow deadline`` end to end: the fixed output contract and the error contract.

Runs the real ``python -m govflow`` when the package has a ``__main__``; until then,
the command registered on a bare Typer app (the same function, minus process start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from govflow.cli import deadline as deadline_cli
from tests import cli_fork

ROOT = Path(__file__).resolve().parents[2]
USE_SUBPROCESS = (ROOT / "govflow" / "__main__.py").exists()


def _runner_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A group, so that ``deadline`` is addressed by name as in the real CLI."""

    deadline_cli.register(app)
    return app


def run(*args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``govflow deadline ARGS``, shipped calendar only."""
    env = {k: v for k, v in os.environ.items() if k != "GOVFLOW_CALENDAR_DIR"}
    if USE_SUBPROCESS:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        proc = cli_fork.run(
            [sys.executable, "-m", "govflow", "deadline", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
            timeout=60,
        )
        return proc.returncode, proc.stdout, proc.stderr
    result = CliRunner().invoke(
        _runner_app(), ["deadline", *args], env={"GOVFLOW_CALENDAR_DIR": None}
    )
    return result.exit_code, result.stdout, result.stderr


def test_working_days_spec_example() -> None:
    code, out, err = run("--from", "2025-09-26", "--working-days", "20")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "2025-10-30"
    assert lines[1] == "起算日 2025-09-26（星期五）当日不计入期限。"
    assert "2025-09-28（星期日）调休上班日（国庆节、中秋节），计入。" in lines
    assert "2025-10-01（星期三）至 2025-10-08（星期三）国庆节、中秋节假期，不计。" in lines
    assert lines[-1] == "第 20 个工作日为 2025-10-30（星期四），期限至该日 24:00（北京时间）届满。"


def test_working_days_with_pause() -> None:
    code, out, _ = run(
        "--from", "2025-09-26", "--working-days", "20", "--pause", "2025-10-09:2025-10-15"
    )
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "2025-11-06"
    assert "2025-10-10 至 2025-10-15 中止计算（暂停），不计。" in lines


def test_hours_run_through_night_and_holiday() -> None:
    code, out, err = run("--from", "2026-02-16T22:30:00+08:00", "--hours", "5")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "2026-02-17T03:30:00+08:00"
    assert lines[1] == (
        "自 2026-02-16 22:30（北京时间）起连续计算 5 小时，夜间、周末、节假日照常计算。"
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-02-16T14:30:00Z", "2026-02-17T03:30:00+08:00"),  # any offset is accepted
        ("2026-02-16T22:30:00", "2026-02-17T03:30:00+08:00"),  # none means Asia/Shanghai
        ("2026-02-16", "2026-02-16T05:00:00+08:00"),  # a date means 00:00 Asia/Shanghai
    ],
)
def test_hours_input_forms(start: str, expected: str) -> None:
    code, out, _ = run("--from", start, "--hours", "5")
    assert code == 0
    assert out.splitlines()[0] == expected


def test_instant_with_working_days_uses_shanghai_date() -> None:
    # 2025-09-25 18:00 UTC is 2025-09-26 02:00 in Shanghai: day D is 09-26
    _, out, _ = run("--from", "2025-09-25T18:00:00Z", "--working-days", "20")
    assert out.splitlines()[0] == "2025-10-30"


def test_json_working_days() -> None:
    code, out, err = run(
        "--from", "2025-09-26", "--working-days", "20", "--pause", "2025-10-09:2025-10-15", "--json"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["due"] == "2025-11-06"
    assert data["basis"] == "working_days"
    assert data["start"] == "2025-09-26"
    assert data["amount"] == 20
    assert data["pauses"] == [{"start": "2025-10-09", "end": "2025-10-15"}]
    assert data["provisional"] is False
    assert data["explanation"][0] == "起算日 2025-09-26（星期五）当日不计入期限。"
    assert "国庆节" in out  # ensure_ascii=False: Chinese as is


def test_json_hours_and_provisional() -> None:
    data = json.loads(run("--from", "2026-02-16T22:30:00+08:00", "--hours", "5", "--json")[1])
    assert (data["due"], data["basis"], data["amount"]) == ("2026-02-17T03:30:00+08:00", "hours", 5)
    assert data["start"] == "2026-02-16T22:30:00+08:00"
    assert data["pauses"] == [] and data["provisional"] is False
    late = json.loads(run("--from", "2026-12-20", "--working-days", "20", "--json")[1])
    assert (late["due"], late["provisional"]) == ("2027-01-15", True)
    assert any("2027 年节假日安排尚未公布" in line for line in late["explanation"])


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--from", "2025-02-30", "--working-days", "5"], "2025-02-30"),
        (["--from", "not-a-date", "--hours", "5"], "not-a-date"),
        (["--from", "2025-02-03", "--working-days", "0"], "--working-days"),
        (["--from", "2025-02-03", "--working-days", "-3"], "--working-days"),
        (["--from", "2025-02-03", "--hours", "0"], "--hours"),
        (["--from", "2025-02-03", "--working-days", "abc"], "--working-days"),
        (
            ["--from", "2025-02-03", "--working-days", "3", "--pause", "2025-02-06:2025-02-05"],
            "早于",
        ),
        (["--from", "2025-02-03", "--working-days", "3", "--pause", "2025-02-06"], "--pause"),
        (["--from", "2025-02-03", "--working-days", "3", "--hours", "4"], "只能"),
        (["--from", "2025-02-03"], "只能"),
        (["--from", "2025-02-03", "--hours", "4", "--pause", "2025-02-04:2025-02-05"], "--pause"),
        (["--from", "2007-12-31", "--working-days", "3"], "2008-01-01"),
        (["--from", "2007-12-31T12:00:00+08:00", "--hours", "3"], "2008-01-01"),
        (["--working-days", "3"], "--from"),
    ],
)
def test_bad_input_one_line_exit_2(args: list[str], complaint: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("错误：")
    assert complaint in lines[0]


def _expected(start: date, n: int) -> date:
    """The N-th working day strictly after ``start``, per chinese_calendar.

    ``find_workday(k, d)`` first moves to the first working day on or after ``d`` and
    then k working days further, so the N-th day strictly after D is
    ``find_workday(N - 1, D + 1)``.
    """
    chinese_calendar = pytest.importorskip("chinese_calendar")
    return chinese_calendar.find_workday(n - 1, start + timedelta(days=1))


@pytest.mark.parametrize(
    ("start", "n"),
    [
        ("2008-09-26", 15),
        ("2012-09-28", 15),
        ("2015-09-02", 15),
        ("2019-04-30", 15),
        ("2020-01-17", 20),
        ("2020-09-30", 7),
        ("2021-09-17", 3),
        ("2022-04-01", 20),
        ("2023-09-28", 10),
        ("2024-02-08", 20),
        ("2026-02-13", 15),
    ],
)
def test_other_dates_agree_with_chinese_calendar(start: str, n: int) -> None:
    code, out, _ = run("--from", start, "--working-days", str(n))
    assert code == 0
    assert out.splitlines()[0] == _expected(date.fromisoformat(start), n).isoformat()


def test_the_calculator_imports_neither_sqlalchemy_nor_the_logging_library(tmp_path: Path) -> None:
    # A clerk at the counter waits for the answer: SQLAlchemy with the tables and structlog
    # with rich take longer to import than the whole answer should (issue 17: 0.3 s). The
    # database's calendar is read with its own driver (models/calendar_direct.py).
    probe = (
        "import sys\n"
        "from govflow.cli import main\n"
        "sys.argv = ['govflow', 'deadline', '--from', '2026-09-30', '--working-days', '20']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'structlog', 'rich') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["GOVFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'govflow.db'}"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert "2026-11-03" in proc.stdout, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
