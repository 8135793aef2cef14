"""``audit verify --jobs N`` (issue 17 item 6): worker processes over disjoint case-id ranges
give what one process gives — the same cases, in the same order, the same findings, the
same findings recorded — on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from govflow.workflow import integrity
from govflow.workflow.actors import SYSTEM
from tests import cli_fork
from tests.cli import cli_env

CASES = 23  # with batches of 1, ranges of 10 ids: three ranges, the last one short


def _tamper(flow, refs: list[str]) -> dict[str, set[str]]:
    """One kind of tampering in each range: first, middle (a boundary case) and last."""
    kinds = {refs[0]: {"edited"}, refs[10]: {"deleted", "broken_link"}, refs[-1]: {"derived"}}
    with flow.engine.begin() as conn:
        ids = {r: conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": r}).scalar()
               for r in kinds}  # fmt: skip
        conn.execute(text("UPDATE events SET actor = 'x' WHERE case_id = :c"), {"c": ids[refs[0]]})
        conn.execute(
            text("DELETE FROM events WHERE case_id = :c AND seq = 2"), {"c": ids[refs[10]]}
        )
        conn.execute(text("UPDATE cases SET state = 'x' WHERE id = :c"), {"c": ids[refs[-1]]})
    return kinds


def _recorded(flow) -> list[tuple[str, int, str, bool]]:
    with flow.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT case_ref, position, kind, cleared_at IS NULL FROM audit_findings"
                " ORDER BY case_ref, position, kind"
            )
        )
        return [tuple(r) for r in rows]


def test_worker_processes_find_what_one_process_finds(flow) -> None:
    flow.checking = False
    flow.at("2025-09-22 09:30")
    refs = []
    for i in range(CASES):
        refs.append(flow.register(intake=flow.intake(description=f"第{i}号")))
        if i % 5 == 0:
            flow.act(refs[-1], "li.handler", "start_review")
    kinds = _tamper(flow, refs)

    one = list(integrity.verify_cases(flow.svc, SYSTEM, batch=1, jobs=1))
    recorded_by_one = _recorded(flow)
    many = list(integrity.verify_cases(flow.svc, SYSTEM, batch=1, jobs=2))
    assert [ref for ref, _ in one] == refs
    assert many == one
    assert {ref: {f.kind for f in found} for ref, found in one if found} == kinds
    assert _recorded(flow) == recorded_by_one  # nothing cleared, nothing added twice
    assert {(r[0], r[2]) for r in recorded_by_one} == {(r, k) for r in kinds for k in kinds[r]}

    # A repaired case's finding is cleared by the workers as by one process.
    with flow.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'registered' WHERE ref = :r"), {"r": refs[-1]})
    assert dict(integrity.verify_cases(flow.svc, SYSTEM, batch=1, jobs=3))[refs[-1]] == []
    assert [r for r in _recorded(flow) if r[0] == refs[-1]] == [
        (refs[-1], r[1], "derived", False) for r in recorded_by_one if r[0] == refs[-1]
    ]


def test_an_agency_s_cases_in_worker_processes(flow) -> None:
    flow.checking = False
    flow.at("2025-09-22 09:30")
    county = [flow.register() for _ in range(12)]
    flow.register(who="liu.clerk", agency="edu")
    county.append(flow.register())
    result = list(integrity.verify_cases(flow.svc, SYSTEM, agency_code="county", batch=1, jobs=2))
    assert result == [(ref, []) for ref in county]


def _audit_verify(flow, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    engine = flow.engine
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        url = f"{url}?options=-csearch_path%3D{schema}"
    env = cli_env(url, GOVFLOW_FILES_DIR=os.environ["GOVFLOW_FILES_DIR"])
    return cli_fork.run(
        [sys.executable, "-m", "govflow", "audit", "verify", "--as", "chen.supervisor", *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_the_command_s_jobs_option(flow, tmp_path: Path) -> None:
    if flow.engine.dialect.name != "sqlite":
        return  # one process start fewer: the option is parsed the same on both
    flow.checking = False
    flow.at("2025-09-22 09:30")
    flow.register()
    bad = _audit_verify(flow, tmp_path, "--jobs", "0")
    assert bad.returncode == 2
    assert "--jobs 应为 1 至 64 之间的整数" in bad.stderr
    good = _audit_verify(flow, tmp_path, "--jobs", "2")
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.startswith("校验 1 件案件")
