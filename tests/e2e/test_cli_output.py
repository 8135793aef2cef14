"""``--output`` is safe (issue 16 item 7): an existing file is refused unless ``--force``, a
symbolic link is never followed, and the file appears whole under its name or not at all.
Every command that writes a file goes through ``govflow.presentation.files``; these run as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govflow.presentation.files import write_output
from govflow.workflow.errors import InvalidInput
from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"


def govflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T18:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=home,
        timeout=60,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("office")
    assert govflow(home, "init", "--org", str(ORG)).returncode == 0
    done = govflow(
        home, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return home


SUPERVISOR = ("--as", "chen.supervisor")
COMMANDS = {
    "audit show": ("audit", "show", REF, *SUPERVISOR, "--format", "csv"),
    "report annual": ("report", "annual", *SUPERVISOR, "--agency", "county", "--year", "2025"),
    "report annual xlsx": (
        "report", "annual", *SUPERVISOR, "--agency", "county", "--year", "2025", "--format", "xlsx",
    ),
    "report timeliness": (
        "report", "timeliness", *SUPERVISOR, "--agency", "county",
        "--from", "2025-09-01", "--to", "2025-09-30",
    ),
    "audit checkpoint": ("audit", "checkpoint", *SUPERVISOR),
}  # fmt: skip


def refused(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), done.stderr
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_existing_file_is_kept_unless_forced(home: Path, command: str) -> None:
    target = home / f"{command.replace(' ', '-')}.out"
    target.write_text("去年的报表\n", encoding="utf-8")
    message = refused(govflow(home, *COMMANDS[command], "--output", str(target)))
    assert "已存在" in message and "--force" in message
    assert target.read_text(encoding="utf-8") == "去年的报表\n"

    forced = govflow(home, *COMMANDS[command], "--output", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes() != "去年的报表\n".encode()
    assert [p.name for p in home.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("command", ["audit show", "report annual", "audit checkpoint"])
def test_a_symbolic_link_is_never_followed(home: Path, command: str) -> None:
    precious = home / "precious.txt"
    precious.write_text("不可覆盖的内容\n", encoding="utf-8")
    link = home / f"link-{command.replace(' ', '-')}.out"
    link.symlink_to(precious)
    assert "符号链接" in refused(govflow(home, *COMMANDS[command], "--output", str(link)))
    forced = govflow(home, *COMMANDS[command], "--output", str(link), "--force")
    assert forced.returncode == 0, forced.stderr
    assert precious.read_text(encoding="utf-8") == "不可覆盖的内容\n"  # the target untouched
    assert not link.is_symlink() and link.stat().st_size > 0  # the link itself was replaced


def test_a_new_file_appears_whole_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    write_output(target, b"a,b\r\n", force=False)
    assert target.read_bytes() == b"a,b\r\n"
    with pytest.raises(InvalidInput, match="所在目录不存在"):
        write_output(tmp_path / "missing" / "x.csv", b"", force=False)
    with pytest.raises(InvalidInput, match="是目录"):
        write_output(tmp_path, b"", force=True)

    class Interrupted(Exception):
        pass

    from govflow.presentation.files import write_with

    def half(stream) -> None:  # type: ignore[no-untyped-def]
        stream.write(b"half")
        raise Interrupted

    with pytest.raises(Interrupted):
        write_with(tmp_path / "half.csv", False, half)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]
