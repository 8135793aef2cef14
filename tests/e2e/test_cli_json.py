"""Every command that shows something takes ``--json`` (README, issue 10): a walk over the
command tree finds any that does not, and the ones added run as a script would use them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from govflow.cli import app
from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"

PROCESSES = {
    "run": "runs the office until Ctrl-C (its output is a log)",
    "sweeper": "a long-running process (structured log lines)",
    "worker": "a long-running process (structured log lines)",
    "serve": "the HTTP server (its API answers JSON)",
    "demo": "a narrated story for people, on a temporary database",
}
"""Commands that run a process rather than show a result: no ``--json``, each for its reason."""


def commands(group: Any, ctx: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf command under ``group`` by its full name (``case show``). (Typer may build
    on its own copy of click, so groups are known by what they do.)"""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        full = f"{path} {name}".strip()
        if hasattr(command, "list_commands"):
            yield from commands(command, type(ctx)(command, parent=ctx), full)
        else:
            yield full, command


def _context(root: Any) -> Any:
    return root.context_class(root)


def test_every_command_that_shows_something_takes_json() -> None:
    root = typer.main.get_command(app)
    walked = dict(commands(root, _context(root)))
    assert len(walked) > 25 and set(PROCESSES) <= set(walked)
    missing = [
        name
        for name, command in walked.items()
        if name not in PROCESSES
        and not any("--json" in getattr(p, "opts", ()) for p in command.params)
    ]
    assert missing == [], f"没有 --json 的命令：{missing}"


def govflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T10:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=home, timeout=120,
    )  # fmt: skip


def as_json(home: Path, *args: str) -> object:
    done = govflow(home, *args, "--json")
    assert done.returncode == 0, (args, done.stderr)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("office")
    init = as_json(home, "init", "--org", str(ORG))
    assert isinstance(init, dict)
    assert (init["database"], init["agencies"], init["users"]) == (
        f"sqlite:///{home / 'govflow.db'}", 3, 7,
    )  # fmt: skip
    assert init["administrator"]["username"]  # created on the first start, shown once
    done = govflow(
        home, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return home


def test_audit_show(home: Path) -> None:
    shown = as_json(home, "audit", "show", REF, "--as", "chen.supervisor")
    assert isinstance(shown, dict) and shown["ref"] == REF
    assert [e["action"] for e in shown["events"]] == ["receive", "confirm_receipt"]
    refused = govflow(home, "audit", "show", REF, "--as", "chen.supervisor", "--json",
                      "--format", "csv")  # fmt: skip
    assert refused.returncode == 2 and refused.stderr.startswith("错误：--json 与 --format csv")


def test_report_annual(home: Path) -> None:
    report = as_json(home, "report", "annual", "--as", "chen.supervisor", "--agency", "county",
                     "--year", "2025")  # fmt: skip
    assert isinstance(report, dict)
    assert (report["agency"], report["year"]) == ("示范县人民政府办公室", 2025)
    new = next(r for r in report["table3"] if r["key"] == "new")
    assert new["values"] == [1, 0, 0, 0, 0, 0, 1]
    assert [c["group"] for c in report["columns"]].count("法人或其他组织") == 5
    assert len(report["table4"]["values"]) == 15 and report["violations"] == []


def test_workflow_diagram_and_actions(home: Path) -> None:
    drawn = as_json(home, "workflow", "diagram", "disclosure_request")
    assert isinstance(drawn, dict) and drawn["diagram"].startswith("stateDiagram-v2")
    (listed,) = as_json(home, "workflow", "actions", "disclosure_request")  # type: ignore[misc]
    fee = next(a for a in listed["actions"] if a["name"] == "send_fee_notice")
    assert fee["roles"] == ["office_head"] and fee["label"] == "发出收费通知"


def test_calendar_recompute_and_keygen(home: Path) -> None:
    assert as_json(home, "calendar", "recompute") == []
    key = as_json(home, "audit", "keygen", "--id", "k2026")
    assert isinstance(key, dict) and key["key_id"] == "k2026" and len(key["line"]) == 6 + 64


def test_notices_a_document_and_the_case_file(home: Path) -> None:
    checked = as_json(home, "notices", "check")
    assert isinstance(checked, dict) and checked["templates"] >= 10
    listed = as_json(home, "case", "documents", REF, "--as", "wang.clerk")
    assert isinstance(listed, list)
    (receipt,) = listed  # the 登记回执 of the in-person request
    written = as_json(home, "case", "document", REF, str(receipt["no"]), "--as", "wang.clerk",
                      "--output", str(home / "receipt.docx"))  # fmt: skip
    assert isinstance(written, dict) and written["sha256"] == receipt["sha256"]
    assert written["bytes"] == (home / "receipt.docx").stat().st_size
    exported = as_json(home, "case", "file", REF, "--as", "wang.clerk",
                       "--output", str(home / "file.zip"))  # fmt: skip
    assert isinstance(exported, dict) and len(exported["manifest_sha256"]) == 64
