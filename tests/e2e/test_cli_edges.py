"""Bad configuration as a new user makes it: one ``错误：`` line naming the variable, file,
place and problem, exit code 2, no traceback, and nothing written — not even an empty
database file (only ``govflow init`` creates one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env, copy_home

ROOT = Path(__file__).resolve().parents[2]


def govflow(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(**env),
        cwd=home,
        timeout=120,
    )


def one_error_line(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised SQLite office, made once for the module."""
    home = tmp_path_factory.mktemp("office")
    proc = govflow(
        home,
        "init",
        "--org",
        str(ROOT / "configs" / "demo_org.yaml"),
        GOVFLOW_DATABASE_URL=f"sqlite:///{home / 'govflow.db'}",
    )
    assert proc.returncode == 0, proc.stderr
    return home


@pytest.fixture
def office(initialised: Path, tmp_path: Path) -> Path:
    """This test's own copy of it, in its own folder."""
    return copy_home(initialised, tmp_path)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("yesterday", "'yesterday'"), ("2026-02-30T10:00", "'2026-02-30T10:00'")],
)
def test_an_unreadable_pinned_clock_names_the_variable(
    office: Path, value: str, shown: str
) -> None:
    line = one_error_line(
        govflow(
            office,
            "case",
            "list",
            "--as",
            "wang.clerk",
            GOVFLOW_NOW=value,
            GOVFLOW_DATABASE_URL=f"sqlite:///{office / 'govflow.db'}",
        )
    )
    assert "GOVFLOW_NOW" in line and shown in line and "ISO 8601" in line


def test_an_unsupported_database_is_named_without_repeating_the_url(tmp_path: Path) -> None:
    line = one_error_line(
        govflow(
            tmp_path,
            "case",
            "list",
            "--as",
            "wang.clerk",
            GOVFLOW_DATABASE_URL="mysql://clerk:s3cret@db/gov",
        )
    )
    assert "GOVFLOW_DATABASE_URL" in line and "'mysql'" in line
    assert "s3cret" not in line


def test_a_missing_sqlite_file_is_not_created_by_a_command_that_then_fails(tmp_path: Path) -> None:
    target = tmp_path / "nowhere.db"
    line = one_error_line(
        govflow(
            tmp_path,
            "case",
            "list",
            "--as",
            "wang.clerk",
            GOVFLOW_DATABASE_URL=f"sqlite:///{target}",
        )
    )
    assert "govflow init" in line
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_was_never_initialised_says_so(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    line = one_error_line(
        govflow(
            tmp_path,
            "case",
            "list",
            "--as",
            "wang.clerk",
            GOVFLOW_DATABASE_URL=f"sqlite:///{other}",
        )
    )
    assert "govflow init" in line


def test_an_unreachable_postgresql_is_a_configuration_error(tmp_path: Path) -> None:
    from tests.backing import free_port

    url = f"postgresql://nobody@127.0.0.1:{free_port()}/govflow"
    line = one_error_line(
        govflow(tmp_path, "case", "list", "--as", "wang.clerk", GOVFLOW_DATABASE_URL=url)
    )
    assert "无法连接数据库" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "不存在"),
        ("disclosure:\n  reply_days: [\n", "第 3 行第 1 列：YAML 格式有误"),
        ("disclosure:\n  reply_dayz: 3\n", "disclosure.reply_dayz：不是可用的字段"),
        (
            "disclosure:\n  correction_period_days: 0\n",
            "disclosure.correction_period_days：不能小于 1",
        ),
        # A statutory limit is the edition's, not a setting (configs/editions.yaml).
        ("disclosure:\n  reply_days: 30\n", "disclosure：reply_days 是《条例》规定的法定期限"),
        ("- a list\n", "顶层应为键值映射"),
        (b"\xff\xfe bad", "不是 UTF-8 文本"),
    ],
)
def test_a_bad_settings_file_names_the_file_the_place_and_the_problem(
    office: Path, content: str | bytes | None, expected: str
) -> None:
    settings = office / "local.yaml"
    if isinstance(content, bytes):
        settings.write_bytes(content)
    elif content is not None:
        settings.write_text(content, "utf-8")
    line = one_error_line(
        govflow(
            office,
            "case",
            "list",
            "--as",
            "wang.clerk",
            GOVFLOW_SETTINGS=str(settings),
            GOVFLOW_DATABASE_URL=f"sqlite:///{office / 'govflow.db'}",
        )
    )
    assert str(settings) in line and expected in line


def test_a_pinned_clock_is_refused_in_production_and_shown_in_demo_or_test(office: Path) -> None:
    url = f"sqlite:///{office / 'govflow.db'}"
    refused = govflow(
        office, "case", "list", "--as", "wang.clerk",
        GOVFLOW_MODE="production", GOVFLOW_NOW="2025-09-24T10:00", GOVFLOW_DATABASE_URL=url,
    )  # fmt: skip
    line = one_error_line(refused)
    assert "GOVFLOW_NOW" in line and "生产模式" in line and "GOVFLOW_MODE=production" in line
    registered = govflow(
        office, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三", "--phone", "13800000000",
        "--id-number", "610926199001011234", "--description", "预算",
        GOVFLOW_MODE="production", GOVFLOW_NOW="2025-09-24T10:00", GOVFLOW_DATABASE_URL=url,
    )  # fmt: skip
    one_error_line(registered)  # nothing recorded at a pinned instant in production
    assert "示政办依申" not in govflow(office, "case", "list", "--as", "wang.clerk",
                                   GOVFLOW_DATABASE_URL=url).stdout  # fmt: skip
    for mode in ("demo", "test"):
        shown = govflow(office, "request", "register", "--as", "wang.clerk", "--channel",
                        "in_person", "--applicant-kind", "natural_person", "--name", "张三",
                        "--phone", "13800000000", "--id-number", "610926199001011234",
                        "--description", "预算", GOVFLOW_MODE=mode,
                        GOVFLOW_NOW="2025-09-24T10:00", GOVFLOW_DATABASE_URL=url)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        ref = shown.stdout.split("：")[1].split("（")[0]
        for command in (("case", "show"), ("audit", "show")):
            out = govflow(office, *command, ref, "--as", "wang.clerk", GOVFLOW_MODE=mode,
                          GOVFLOW_NOW="2025-09-26T09:00", GOVFLOW_DATABASE_URL=url).stdout  # fmt: skip
            assert out.splitlines()[0] == (
                "【演示/测试时钟】当前时间固定为 2025-09-26 09:00（北京时间，GOVFLOW_NOW）"
            ), (mode, command)
