"""Input that is not text, or not what a field holds (issue 16 item 5): one ``错误：`` line,
exit 2, nothing written (control characters but tab and line breaks included); text that
reaches a terminal has its control characters as visible escapes. Each case runs ``govflow`` as a clerk would, on a SQLite file."""

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
REGISTER = ["request", "register", "--as", "wang.clerk"]
APPLICANT = {
    "kind": "natural_person", "name": "张三", "id_number": "610926199001011234",
    "phone": "13800000000",
}  # fmt: skip
GOOD = {"applicant": APPLICANT, "channel": "in_person", "description": "2024年预算"}


def govflow(home: Path, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T10:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args], capture_output=True, env=env, cwd=home,
        timeout=60,
    )  # fmt: skip


def events(home: Path) -> int:
    with sqlite3.connect(home / "govflow.db") as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def one_error(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), lines
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("office")
    assert govflow(home, "init", "--org", str(ORG)).returncode == 0
    return home


def test_an_argument_that_is_not_utf8(home: Path) -> None:
    message = one_error(govflow(home, *REGISTER[:2], b"--as", b"\xff", "--channel", "in_person"))
    assert "UTF-8" in message and "--as" in message
    one_error(govflow(home, "case", "show", b"\xe7\xa4\xba\xff"))
    assert events(home) == 0


FILES: dict[str, tuple[bytes, str]] = {
    "NUL in a text field": (json.dumps({**GOOD, "description": "预算\u0000表"}).encode(), "空字符"),
    "ESC in a text field": (
        json.dumps({**GOOD, "description": "预算\u001b]0;伪造标题\u0007"}).encode(),
        "控制字符 U+001B（第 3 个字符）",
    ),
    "a lone CR in a name": (
        json.dumps({**GOOD, "applicant": {**APPLICANT, "name": "张三\r李四"}}).encode(),
        "控制字符 U+000D",
    ),
    "C1 CSI in a text field": (
        json.dumps({**GOOD, "description": "清屏\u009b31m"}).encode(),
        "控制字符 U+009B",
    ),
    "not UTF-8 (GBK)": ("applicant:\n  name: 张三\n".encode("gbk"), "UTF-8"),
    "applicant is a number": (b"applicant: 1\n", "applicant"),
    "applicant is a name": ("applicant: 张三\n".encode(), "applicant"),
    "a YAML error": (b"applicant:\n  name: [unclosed\nchannel: in_person\n", "YAML"),
    "not a mapping": (b"- a\n- b\n", "键值映射"),
    "a date that is a number": (json.dumps({**GOOD, "received_on": 0}).encode(), "应为日期"),
    "a date before the regulations": (
        json.dumps({**GOOD, "received_on": "0001-01-01"}).encode(),
        "2008-05-01",
    ),
}


@pytest.mark.parametrize("case", FILES)
def test_a_bad_file_is_one_line_and_nothing_is_written(home: Path, case: str) -> None:
    content, expected = FILES[case]
    path = home / "intake.yaml"
    path.write_bytes(content)
    message = one_error(govflow(home, *REGISTER, "--file", str(path)))
    assert expected in message, message
    assert events(home) == 0


def test_tabs_and_line_breaks_are_text(home: Path) -> None:
    path = home / "lines.json"
    description = "一、预算\t表\r\n二、决算\n"
    path.write_text(json.dumps({**GOOD, "description": description}), encoding="utf-8")
    done = govflow(home, *REGISTER, "--file", str(path))
    assert done.returncode == 0, done.stderr
    ref = done.stdout.decode().split("：")[1].split("（")[0]
    as_json = json.loads(govflow(home, "case", "show", ref, "--as", "wang.clerk", "--json").stdout)
    assert as_json["request"]["description"] == description.strip()


def test_on_a_terminal_every_control_character_is_escaped() -> None:
    import io

    from govflow.cli.common import VisibleControls

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    stream = VisibleControls(screen)
    stream.write("\r已校验 1000 件…")  # a progress line rewrites itself
    stream.write("清屏\x1b[2J\x1b]0;标题\x07\u202e反向\r覆盖\r\n")
    assert screen.getvalue() == (
        "\r已校验 1000 件…清屏\\u001b[2J\\u001b]0;标题\\u0007\\u202e反向\\u000d覆盖\r\n"
    )
