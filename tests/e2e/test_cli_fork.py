"""The suite's fork server (``tests/cli_fork.py``) answers as a new interpreter would: the
same output, exit code, standard input, environment and working folder, and a command that
runs too long is killed. If it did not, every end-to-end test of the command line would be
testing something else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_fork
from tests.cli import cli_env

GOVFLOW = [sys.executable, "-m", "govflow"]


def both(*args: str | bytes, **kwargs: object) -> tuple[object, object]:
    forked = cli_fork.run([*GOVFLOW, *args], capture_output=True, **kwargs)  # type: ignore[arg-type]
    fresh = subprocess.run([*GOVFLOW, *args], capture_output=True, **kwargs)  # type: ignore[call-overload]
    return (
        (forked.returncode, forked.stdout, forked.stderr),
        (fresh.returncode, fresh.stdout, fresh.stderr),
    )


def test_output_exit_codes_and_errors_are_a_new_interpreters(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'none.db'}")
    for args in (("--help",), ("deadline", "--help"), ("nosuch",), ("case", "show")):
        forked, fresh = both(*args, env=env, cwd=tmp_path, text=True, encoding="utf-8")
        assert forked == fresh, args
    # an argument that is not UTF-8 reaches the command as the same bytes
    forked, fresh = both("case", "show", b"\xff\xfe", env=env, cwd=tmp_path)
    assert forked == fresh and b"UTF-8" in forked[2]  # type: ignore[index]


def test_environment_folder_and_input_are_the_tests(tmp_path: Path) -> None:
    """The clock pinned by the environment, files found from the working folder, and the
    standard input: all the test's, none of the fork server's."""
    env = cli_env(f"sqlite:///{tmp_path / 'office.db'}", GOVFLOW_NOW="2025-10-08T09:00")
    init = cli_fork.run([*GOVFLOW, "init"], env=env, cwd=tmp_path, text=True)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "office.db").exists()
    forked, fresh = both(
        "deadline", "--from", "2025-10-08", "--days", "20", env=env, cwd=tmp_path, text=True
    )
    assert forked == fresh
    args = ("request", "register", "--as", "wang.clerk", "--file", "-")
    forked, fresh = both(*args, env=env, cwd=tmp_path, input="channel: [不是映射\n", text=True)
    assert forked == fresh and "YAML 格式有误" in forked[2]  # type: ignore[index]


def test_a_command_past_its_timeout_is_killed(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'office.db'}")
    with pytest.raises(subprocess.TimeoutExpired):
        cli_fork.run([*GOVFLOW, "user", "add", "x"], env=env, cwd=tmp_path, timeout=0.001)
