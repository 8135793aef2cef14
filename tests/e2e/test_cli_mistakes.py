"""An operator's mistakes answered in Chinese: the command line itself (click's usage errors),
a file that is missing, a directory or unreadable, a malformed or invalid YAML file, and an
option given twice. Each runs ``govflow`` as an operator does, on a SQLite file prepared
once: the exact lines on stderr, the exit code (2: bad input), nothing on stdout and nothing
written to the database."""

from __future__ import annotations

import hashlib
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


def govflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T10:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args], capture_output=True, text=True,
        encoding="utf-8", env=env, cwd=home, timeout=60,
    )  # fmt: skip


def database(home: Path) -> str:
    """What the database holds, every table's rows: the same digest means nothing written."""
    with sqlite3.connect(home / "govflow.db") as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def refused(home: Path, *args: str) -> list[str]:
    """Run a mistaken command: exit 2, nothing on stdout, nothing written; its stderr lines."""
    before = database(home)
    done = govflow(home, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert database(home) == before
    return done.stderr.splitlines()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("office")
    done = govflow(home, "init", "--org", str(ORG))
    assert done.returncode == 0, done.stderr
    return home


# -- the command line itself ---------------------------------------------------------------------

ACT = ["case", "act", "示政办依申〔2025〕0001号", "accept"]

USAGE: dict[str, tuple[list[str], list[str]]] = {
    "a missing option": (ACT, ["错误：缺少选项 --as。", "查看用法：govflow case act --help"]),
    "a missing argument": (
        ["case", "act", "X", "--as", "li.handler"],
        ["错误：缺少参数 action。", "查看用法：govflow case act --help"],
    ),
    "an unknown option": (
        [*ACT, "--as", "li.handler", "--bogus"],
        ["错误：没有选项 --bogus。", "查看用法：govflow case act --help"],
    ),
    "an unknown option close to one": (
        [*ACT, "--as", "li.handler", "--jsno"],
        ["错误：没有选项 --jsno（是否想用：--as、--json）。", "查看用法：govflow case act --help"],
    ),
    "an option without its value": (
        [*ACT, "--as"],
        ["错误：选项 --as 缺少值。", "查看用法：govflow case act --help"],
    ),
    "a flag given a value": (
        [*ACT, "--as", "li.handler", "--json=yes"],
        ["错误：选项 --json 不带值。", "查看用法：govflow case act --help"],
    ),
    "not an integer": (
        ["case", "list", "--as", "wang.clerk", "--limit", "x"],
        ['错误：--limit 的值 "x" 应为整数。', "查看用法：govflow case list --help"],
    ),
    "out of range": (
        ["demo", "--port", "0"],
        ['错误：--port 的值 "0" 不能小于 1。', "查看用法：govflow demo --help"],
    ),
    "an unknown command": (["foo"], ['错误：没有命令 "foo"。', "查看用法：govflow --help"]),
    "an unknown subcommand close to two": (
        ["audit", "checkpoint-verify"],
        [
            '错误：没有命令 "checkpoint-verify"（是否想用：checkpoint、checkpoint-check）。',
            "查看用法：govflow audit --help",
        ],
    ),
    "too many arguments": (
        ["case", "show", "X", "Y", "--as", "wang.clerk"],
        ["错误：多余的参数：Y。", "查看用法：govflow case show --help"],
    ),
    "an option given twice": (
        [*ACT, "--as", "li.handler", "--as=zhang.head"],
        ["错误：选项 --as 给了 2 次，只能给一次。", "查看用法：govflow case act --help"],
    ),
}


@pytest.mark.parametrize("case", USAGE)
def test_a_usage_error_is_said_in_chinese_with_where_to_look(home: Path, case: str) -> None:
    args, lines = USAGE[case]
    assert refused(home, *args) == lines


def test_the_same_field_set_twice_is_refused(home: Path) -> None:
    args = [*ACT, "--as", "li.handler", "--set", "days=10", "--set", "days=12"]
    assert refused(home, *args) == [
        "错误：--set 给了字段 days 两次（'10' 与 '12'）；每个字段只能给一次"
    ]


def test_an_option_meant_to_repeat_still_repeats(home: Path) -> None:
    done = govflow(home, "case", "list", "--as", "wang.clerk", "--state", "received", "--state",
                   "reviewing", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr


# -- files: missing, a directory, unreadable -----------------------------------------------------


def _file_commands(path: str) -> list[list[str]]:
    """Every command that reads a file the operator names."""
    return [
        ["init", "--org", path],
        ["calendar", "import", path, "--as", "admin"],
        ["import", "requests", path, "--as", "admin"],
        ["notices", "upload", "correction", path, "--as", "admin"],
        ["request", "register", "--as", "wang.clerk", "--file", path],
        [*ACT, "--as", "li.handler", "--file", path],
    ]


@pytest.mark.parametrize("which", range(len(_file_commands(""))))
def test_a_missing_file_is_named_and_nothing_written(home: Path, which: int) -> None:
    missing = str(home / "2030.yaml")
    assert refused(home, *_file_commands(missing)[which]) in (
        [f"错误：{missing}: 无法读取：文件不存在"],
        [f"错误：日历文件有误，未导入：{missing}: 无法读取：文件不存在"],
    )


@pytest.mark.parametrize("which", range(len(_file_commands(""))))
def test_a_directory_is_not_a_file(home: Path, which: int, tmp_path: Path) -> None:
    folder = tmp_path / "2030.yaml"
    folder.mkdir()
    (line,) = refused(home, *_file_commands(str(folder))[which])
    assert line.endswith(f"{folder}: 无法读取：这是目录，不是文件"), line


# -- YAML and validation -------------------------------------------------------------------------

BAD_INDENT = "agencies:\n  - code: county\n    name: 示范县\n   ref_prefix: 示县\n"


def test_a_malformed_organisation_file_gives_line_column_and_cause(
    home: Path, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(BAD_INDENT, encoding="utf-8")
    assert refused(home, "init", "--org", str(org)) == [
        f"错误：{org}: 第 4 行第 4 列：YAML 格式有误：缩进不一致（同一层的键或列表项应对齐）"
    ]


def test_an_invalid_organisation_file_names_each_field_in_chinese(
    home: Path, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "agency:\n  - code: county\nusers:\n  - username: li\n    name: 李\n    role: clerk\n"
        "    agency: 1\n    age: x\n",
        encoding="utf-8",
    )
    assert refused(home, "init", "--org", str(org)) == [
        f"错误：{org}: agencies：必填；users.0.agency：应为文本；users.0.age：不是可用的字段；"
        "agency：不是可用的字段"
    ]


def test_a_malformed_calendar_file_gives_line_column_and_cause(home: Path, tmp_path: Path) -> None:
    year = tmp_path / "2030.yaml"
    year.write_text("year: 2030\nholidays:\n\t- {date: 2030-01-01, name: 元旦}\n", "utf-8")
    assert refused(home, "calendar", "import", str(year), "--as", "admin") == [
        "错误：日历文件有误，未导入：2030.yaml: 第 3 行第 1 列：YAML 格式有误："
        "含有不能出现在此处的字符（如制表符：YAML 只能用空格缩进）"
    ]


def test_a_malformed_data_file_gives_line_column_and_cause(home: Path, tmp_path: Path) -> None:
    intake = tmp_path / "intake.yaml"
    intake.write_text("channel: in_person\ndescription: 预算\n applicant: x\n", "utf-8")
    assert refused(home, "request", "register", "--as", "wang.clerk", "--file", str(intake)) == [
        f"错误：{intake}: 第 3 行第 11 列：YAML 格式有误："
        "此处不能出现“键: 值”（多半是缩进不对，或值里的冒号后缺空格、缺引号）"
    ]


# -- a key given twice, a field given twice ------------------------------------------------------

TWICE: dict[str, tuple[str, str, list[str], str]] = {
    # what: (file name, text, command with {path}, the line on stderr after the file's name)
    "the organisation file": (
        "org.yaml",
        "agencies:\n  - {code: county, name: 示范县, ref_prefix: 示县}\nusers: []\nagencies: []\n",
        ["init", "--org", "{path}"],
        '第 4 行：键 "agencies" 重复（第 1 行已有）',
    ),
    "a calendar file": (
        "2030.yaml",
        "year: 2030\nholidays:\n  - {date: 2030-01-01, name: 元旦, date: 2030-01-02}\n",
        ["calendar", "import", "{path}", "--as", "admin"],
        '第 3 行：键 "date" 重复（第 3 行已有）',
    ),
    "an action's input": (
        "extend.yaml",
        "days: 10\nreason: 需调档整理\ndays: 12\n",
        [*ACT, "--as", "zhang.head", "--file", "{path}"],
        '第 3 行：键 "days" 重复（第 1 行已有）',
    ),
    "a request's intake": (
        "intake.yaml",
        "channel: in_person\napplicant:\n  kind: natural_person\n  name: 张三\n  name: 李四\n",
        ["request", "register", "--as", "wang.clerk", "--file", "{path}"],
        '第 5 行：键 "name" 重复（第 4 行已有）',
    ),
}


@pytest.mark.parametrize("what", TWICE)
def test_a_key_given_twice_in_a_file_is_refused_naming_file_line_and_key(
    home: Path, tmp_path: Path, what: str
) -> None:
    name, text, command, said = TWICE[what]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (line,) = refused(home, *(part.replace("{path}", str(path)) for part in command))
    shown = name if name == "2030.yaml" else str(path)  # a calendar is named by its file
    assert line.startswith("错误：") and line.endswith(f"{shown}: {said}"), line


@pytest.mark.parametrize(
    ("text", "given", "field"),
    [
        ("days: 10\nreason: 需调档整理\n", "days=12", "days"),
        ("applicant:\n  name: 张三\n", "applicant.name=李四", "applicant.name"),
    ],
)
def test_a_field_in_both_the_file_and_set_is_refused(
    home: Path, tmp_path: Path, text: str, given: str, field: str
) -> None:
    data = tmp_path / "input.yaml"
    data.write_text(text, encoding="utf-8")
    args = [*ACT, "--as", "zhang.head", "--file", str(data), "--set", given]
    assert refused(home, *args) == [
        f"错误：字段 {field} 在 --file 与 --set 中都给了；每个字段只能给一次"
    ]


def test_the_file_and_set_give_different_fields_together(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "message.yaml"
    data.write_text("title: 路灯不亮\ncontent: 城关镇路灯三天不亮\ncontact_name: 张三\n", "utf-8")
    done = govflow(home, "case", "open", "online_message", "--as", "wang.clerk", "--file",
                   str(data), "--set", "channel=website", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    both = govflow(home, "case", "open", "online_message", "--as", "wang.clerk", "--file",
                   str(data), "--set", "title=路灯坏了", "--set", "channel=website")  # fmt: skip
    assert both.returncode == 2 and "字段 title 在 --file 与 --set 中都给了" in both.stderr


# A registration's named option and its file give the same field: neither silently wins.
REGISTERS: dict[str, tuple[str, list[str], str]] = {
    # what: (the file, the command after --file, the field named with the option)
    "a request's applicant by --name": (
        "channel: in_person\napplicant:\n  kind: natural_person\n  name: 张三\n",
        ["request", "register", "--as", "wang.clerk", "--name", "李四"],
        "申请人（applicant.name）在 --file 与 --name",
    ),
    "a request's channel by --channel": (
        "channel: in_person\ndescription: 2024年预算\n",
        ["request", "register", "--as", "wang.clerk", "--channel", "email"],
        "渠道（channel）在 --file 与 --channel",
    ),
    "an incident's title by --title": (
        "title: 网传某小学食堂使用过期食材\nplatform: 微博\n",
        ["incident", "register", "--as", "wang.clerk", "--title", "食堂食材"],
        "标题（title）在 --file 与 --title",
    ),
    "an incident's cooperating departments": (
        "cooperating_departments: [县教育局]\n",
        ["incident", "register", "--as", "wang.clerk", "--cooperating-department", "县卫健委"],
        "配合部门（cooperating_departments）在 --file 与 --cooperating-department",
    ),
}


@pytest.mark.parametrize("what", REGISTERS)
def test_a_field_in_both_the_file_and_a_register_option_is_refused(
    home: Path, tmp_path: Path, what: str
) -> None:
    text, command, said = REGISTERS[what]
    data = tmp_path / "intake.yaml"
    data.write_text(text, encoding="utf-8")
    assert refused(home, *command, "--file", str(data)) == [
        f"错误：{said} 中都给了；每个字段只能给一次"
    ]


def test_register_options_beside_a_file_that_lacks_their_fields_are_taken(tmp_path: Path) -> None:
    office = tmp_path / "office"
    office.mkdir()
    assert govflow(office, "init", "--org", str(ORG)).returncode == 0
    data = tmp_path / "intake.yaml"
    data.write_text(
        "channel: in_person\ndescription: 2024年预算\napplicant:\n  kind: natural_person\n"
        "  id_number: '610926199001011234'\n",
        encoding="utf-8",
    )
    done = govflow(office, "request", "register", "--as", "wang.clerk", "--file", str(data),
                   "--name", "张三", "--phone", "13800000000", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)["request"]
    assert (shown["applicant_name"], shown["phone"]) == ("张三", "13800000000")
