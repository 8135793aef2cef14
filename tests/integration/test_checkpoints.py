"""SPEC A-2 checkpoints: what ``verify`` cannot see, a checkpoint kept elsewhere shows.

Someone with database access can cut a history *and* roll the case row's head back, delete
a whole case, or rewrite a history and recompute every hash: each chain is then whole and
``verify`` finds nothing. A checkpoint — every case's head, with a digest the supervisor
keeps outside the database — is taken first, the rows are changed with plain SQL, and
``checkpoint-check`` must name each case, position and kind; events added since the
checkpoint are no finding (the history is append-only). A checkpoint file that was edited
is refused.
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, bindparam, select, text
from typer.testing import CliRunner, Result

from govflow.cli import app
from govflow.models.integrity_tables import CheckpointRow
from govflow.presentation.checkpoint_file import read_lines, write_checkpoint
from govflow.workflow import integrity
from govflow.workflow.actors import SYSTEM
from govflow.workflow.checkpoints import CurrentHead, Head, Header, heads, line, scan, trailer
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.events import GENESIS, CaseChain, CaseEvent, new_event
from govflow.workflow.keyring import Keyring
from govflow.workflow.services.verifying import PART_BATCHES
from tests.config import config
from tests.conftest import TEST_CHAIN_KEY

NOW = "2025-09-24T18:00:00+08:00"


def build_case(flow, description: str, events: int = 6) -> str:
    """1 receive, 2 confirm_receipt, 3 start_review, 4 accept, 5 extend, 6 draft_reply."""
    flow.at("2025-09-22 09:30")
    ref = flow.register(intake=flow.intake(description=description))
    flow.act(ref, "li.handler", "start_review")
    flow.act(ref, "li.handler", "accept")
    if events == 6:
        carry_on(flow, ref)
    return ref


def carry_on(flow, ref: str) -> None:
    """Events 5 and 6."""
    flow.at("2025-09-24 10:00")
    flow.act(ref, "zhang.head", "extend", days=10, reason="材料较多")
    flow.act(ref, "li.handler", "draft_reply", outcome="disclosed", summary="予以公开")


# -- raw SQL, as an intruder would write it ------------------------------------------------


def case_id(engine: Engine, ref: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar_one()


def sql(engine: Engine, statement: str, **params: Any) -> None:
    stmt = text(statement)
    if "data" in params:
        stmt = stmt.bindparams(bindparam("data", type_=JSON))
    with engine.begin() as conn:
        conn.execute(stmt, params)


def stored_events(flow, ref: str) -> list[CaseEvent]:
    with flow.svc.uow() as uow:
        uow.repo.get(ref)
        return uow.repo.events(ref)


def set_head(flow, ref: str, seq: int, hash_: str) -> None:
    sql(
        flow.engine,
        "UPDATE cases SET head_seq = :s, head_hash = :h WHERE id = :c",
        s=seq,
        h=hash_,
        c=case_id(flow.engine, ref),
    )


def truncate_and_roll_back(flow, ref: str) -> None:
    """Delete events 5 and 6 and set the case row's head to event 4: the chain left is whole."""
    fourth = stored_events(flow, ref)[3]
    sql(
        flow.engine,
        "DELETE FROM events WHERE case_id = :c AND seq > 4",
        c=case_id(flow.engine, ref),
    )
    set_head(flow, ref, 4, fourth.hash)


def roll_back_head_only(flow, ref: str) -> None:
    set_head(flow, ref, 4, stored_events(flow, ref)[3].hash)


def delete_case(flow, ref: str) -> None:
    """Everything of the case, children first (the foreign keys are enforced)."""
    c = case_id(flow.engine, ref)
    for statement in (
        "DELETE FROM deliveries WHERE firing_id IN (SELECT id FROM firings WHERE case_id = :c)",
        "DELETE FROM firings WHERE case_id = :c",
        "DELETE FROM escalation_schedule WHERE case_id = :c",
        "DELETE FROM deadlines WHERE case_id = :c",
        "DELETE FROM events WHERE case_id = :c",
        "DELETE FROM disclosure_requests WHERE case_id = :c",
        "DELETE FROM cases WHERE id = :c",
    ):
        sql(flow.engine, statement, c=c)


def rewrite_from(seq: int) -> Callable[[Any, str], None]:
    """Edit event ``seq`` and recompute its hash, every later link and the case row's head:
    a forgery ``verify`` cannot see."""

    def rewrite(flow, ref: str) -> None:
        events = stored_events(flow, ref)
        prev = events[seq - 2].hash if seq > 1 else GENESIS
        for event in events[seq - 1 :]:
            data = event.data
            if event.seq == seq:
                data = {**data, "payload": {**data["payload"], "note": "事后补记"}}
            fields = {
                k: v
                for k, v in event.__dict__.items()
                if k not in ("data", "hash", "key_id", "mac", "data_text")
            }
            forged = new_event(**{**fields, "data": data, "prev_hash": prev})
            sql(
                flow.engine,
                "UPDATE events SET data = :data, prev_hash = :prev, hash = :hash"
                " WHERE case_id = :c AND seq = :seq",
                data=forged.data,
                prev=forged.prev_hash,
                hash=forged.hash,
                c=case_id(flow.engine, ref),
                seq=event.seq,
            )
            prev = forged.hash
        set_head(flow, ref, events[-1].seq, prev)

    return rewrite


# -- running the commands in-process, on either database -----------------------------------


def database_url(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{url}?options=-csearch_path%3D{schema}"


def govflow(url: str, *args: str) -> Result:
    """A ``govflow audit …`` command as the county's supervisor runs it."""
    env = {"GOVFLOW_DATABASE_URL": url, "GOVFLOW_NOW": NOW}
    return CliRunner().invoke(app, [*args, "--as", "chen.supervisor"], env=env)


def take(flow, path: Path, *scope: str) -> str:
    """``govflow audit checkpoint``; returns the digest it printed."""
    done = govflow(database_url(flow.engine), "audit", "checkpoint", "--output", str(path), *scope)
    assert done.exit_code == 0, done.output
    return done.stdout.split("摘要（SHA-256）：", 1)[1].split()[0]


def check(flow, path: Path, batch: int) -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    header = scan(read_lines(path)).header
    recorded = heads(read_lines(path))
    for head, findings in integrity.check_checkpoint(flow.svc, SYSTEM, header, recorded, batch):
        for f in findings:
            assert f.case_ref == head.ref and f.message
            found.setdefault(f.case_ref, []).append((f.position, f.kind))
    return found


# -- the attacks ----------------------------------------------------------------------------

Tamper = Callable[[Any, str], None] | None
# name, events at the checkpoint, tamper, findings of verify, findings of checkpoint-check.
# Since issue 16 verify sees more of them too: rewritten events lack a valid MAC, and a cut
# history no longer matches the rows derived from it; a whole case deleted it cannot see.
F3_6 = [(3, "forged"), (4, "forged"), (5, "forged"), (6, "forged")]
ATTACKS: list[tuple[str, int, Tamper, list[tuple[int, str]], list[tuple[int, str]]]] = [
    ("untouched", 6, None, [], []),
    ("moved on since the checkpoint", 4, None, [], []),
    (
        "last events deleted, head rolled back",
        6,
        truncate_and_roll_back,
        [(4, "derived")],
        [(5, "truncated")],
    ),
    (
        "head rolled back, events kept",
        6,
        roll_back_head_only,
        [(5, "inserted"), (6, "inserted")],
        [(5, "head_rolled_back")],
    ),
    ("whole case deleted", 6, delete_case, [], [(1, "case_missing")]),
    ("rewritten and rehashed", 6, rewrite_from(3), F3_6, [(6, "rewritten")]),
    ("rewritten before the recorded head", 4, rewrite_from(3), F3_6, [(4, "rewritten")]),
    # The limit of a checkpoint: what was appended after it, it cannot vouch for (the MACs can).
    (
        "rewritten after the recorded head",
        4,
        rewrite_from(5),
        [(5, "forged"), (6, "forged"), (5, "damaged")],
        [],
    ),
]


def test_each_attack_verify_cannot_see_is_found_by_the_checkpoint(flow, tmp_path: Path) -> None:
    flow.checking = False
    refs = {name: build_case(flow, f"第{i}号", n) for i, (name, n, *_) in enumerate(ATTACKS)}
    path = tmp_path / "checkpoint.jsonl"
    take(flow, path)
    recorded = list(heads(read_lines(path)))
    assert [h.ref for h in recorded] == list(refs.values())
    for batch in (1, 2, 3):  # the heads are read a batch at a time too
        assert list(integrity.checkpoint_heads(flow.svc, SYSTEM, batch=batch)) == recorded
    for name, events, *_ in ATTACKS:
        if events == 4:  # the history goes on after the checkpoint
            carry_on(flow, refs[name])
    assert integrity.verify_all(flow.svc, SYSTEM) == (len(ATTACKS), [])
    assert check(flow, path, 1000) == {}

    for name, _, tamper, _, _ in ATTACKS:
        if tamper is not None:
            tamper(flow, refs[name])

    checked, findings = integrity.verify_all(flow.svc, SYSTEM)
    assert checked == len(ATTACKS) - 1  # the deleted case is simply not there
    by_verify: dict[str, list[tuple[int, str]]] = {}
    for f in findings:
        if (f.position, f.kind) not in by_verify.get(f.case_ref, []):  # one per derived table
            by_verify.setdefault(f.case_ref, []).append((f.position, f.kind))
    assert by_verify == {refs[name]: found for name, _, _, found, _ in ATTACKS if found}
    expected = {refs[name]: found for name, *_, found in ATTACKS if found}
    for batch in (1, 2, 3, 1000):  # the attacked cases at the edges of batches and inside
        assert check(flow, path, batch) == expected, batch


def test_checkpoint_round_trip_and_scope(flow, tmp_path: Path) -> None:
    flow.checking = False
    county = [build_case(flow, "第一件", 4), build_case(flow, "第二件")]
    flow.at("2025-09-22 10:00")
    edu = flow.register(who="liu.clerk", agency="edu")
    url = database_url(flow.engine)
    whole, part = tmp_path / "all.jsonl.gz", tmp_path / "county.jsonl"
    digest = take(flow, whole)
    assert take(flow, part, "--agency", "county") != digest

    with gzip.open(whole, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert json.loads(lines[0]) == {
        "format": "govflow-checkpoint",
        "version": 1,
        "taken_at": "2025-09-24T10:00:00.000000+00:00",
        "scope": {},
        "cases": 3,
    }
    assert [json.loads(x)["ref"] for x in lines[1:-1]] == [*county, edu]
    trailer = json.loads(lines[-1])  # signed with the suite's chain key (issue 16)
    assert (trailer["digest"], trailer["key_id"], len(trailer["mac"])) == (digest, "ktest", 64)
    assert [h.ref for h in heads(read_lines(part))] == county
    with flow.engine.connect() as conn:
        recorded = conn.execute(
            select(CheckpointRow.scope, CheckpointRow.cases, CheckpointRow.digest).order_by(
                CheckpointRow.id
            )
        ).all()
    assert [tuple(r) for r in recorded] == [
        ({}, 3, digest),
        ({"agency": "county", "include_children": False}, 2, recorded[1][2]),
    ]

    carry_on(flow, county[0])  # cases move on and new ones come: no finding
    build_case(flow, "第三件")
    ok = govflow(url, "audit", "checkpoint-check", str(whole), "--digest", digest.upper())
    assert (ok.exit_code, ok.stderr) == (0, ""), ok.output
    assert ok.stdout.splitlines()[0].startswith("检查点：2025-09-24 18:00:00（北京时间）导出")
    assert ok.stdout.splitlines()[-1] == (
        "核对检查点中的 3 件案件，均与数据库一致：没有案件被删除，没有历史被截短或改写。"
    )

    truncate_and_roll_back(flow, county[1])
    # The chain left is whole, but the rows derived from the cut events no longer match it.
    assert govflow(url, "audit", "verify").exit_code == 1
    caught = govflow(url, "audit", "checkpoint-check", str(part), "--json")
    assert caught.exit_code == 1
    data = json.loads(caught.stdout)
    assert data["cases_checked"] == 2 and data["checkpoint"]["scope"] == {
        "agency": "county",
        "include_children": False,
    }
    assert [(f["case_ref"], f["position"], f["kind"]) for f in data["findings"]] == [
        (county[1], 5, "truncated")
    ]


# -- the file itself ----------------------------------------------------------------------------


def sample_file(path: Path, count: int = 5) -> str:
    stream = [Head(f"示政办依申〔2025〕{i:04d}号", i, f"{i:064x}") for i in range(1, count + 1)]
    taken_at = datetime(2025, 9, 24, 10, tzinfo=UTC)
    return write_checkpoint(path, stream, taken_at, {})[1]


def refuse(path: Path, *args: str) -> Result:
    return govflow(
        f"sqlite:///{path.parent / 'never-opened.db'}",
        "audit",
        "checkpoint-check",
        str(path),
        *args,
    )


def test_an_edited_checkpoint_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    digest = sample_file(path)
    lines = path.read_text("utf-8").splitlines()
    assert scan(read_lines(path)).tampered() is None
    assert scan(read_lines(path)).computed == digest

    def variant(name: str, new_lines: list[str]) -> Path:
        edited = tmp_path / name
        edited.write_text("\n".join(new_lines) + "\n", "utf-8")
        return edited

    head3 = json.loads(lines[3])
    lowered = line({**head3, "head_seq": head3["head_seq"] - 1})
    for edited in (
        variant("head.jsonl", [*lines[:3], lowered, *lines[4:]]),
        variant("dropped.jsonl", [*lines[:3], *lines[4:]]),
        variant("time.jsonl", [lines[0].replace("2025-09-24", "2025-09-23"), *lines[1:]]),
    ):
        result = refuse(edited)
        assert result.exit_code == 1, edited
        assert (
            result.stderr.startswith(f"错误：{edited}: 检查点文件不可信")
            and "被改动过" in result.stderr
        )

    # A forger who also recomputes the file's digest is caught by the digest kept elsewhere.
    forged = scan([*lines[:3], lowered, *lines[4:-1], line(trailer("0" * 64))]).computed
    forgery = variant("forged.jsonl", [*lines[:3], lowered, *lines[4:-1], line(trailer(forged))])
    assert scan(read_lines(forgery)).tampered() is None
    result = refuse(forgery, "--digest", digest)
    assert result.exit_code == 1 and "与另行保存的摘要" in result.stderr

    header = json.loads(lines[0])
    recount = [line({**header, "cases": 4}), *lines[1:-1]]
    recounted = scan([*recount, line(trailer("0" * 64))]).computed
    result = refuse(variant("count.jsonl", [*recount, line(trailer(recounted))]))
    assert result.exit_code == 1 and "文件头记载 4 件案件，实有 5 行" in result.stderr

    # Reflowed bytes with the same content still check: lines are re-canonicalised.
    spaced = [json.dumps(json.loads(x), indent=None) for x in lines]
    assert scan(read_lines(variant("crlf.jsonl", [s + "\r" for s in spaced]))).computed == digest
    assert sample_file(tmp_path / "cp.jsonl.gz") == digest  # compressed: the same content
    with gzip.open(tmp_path / "cp.jsonl.gz", "rt", encoding="utf-8") as f:
        assert f.read().splitlines() == lines


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "文件不存在"),
        ("", (), "文件为空"),
        ('{"a": 1}\n', (), "不是检查点文件头"),
        ("not json\n", (), "第 1 行不是 JSON"),
        ("sample", ("--digest", "abc"), "--digest 应为 64 位十六进制数"),
        ("cut", (), "缺少末行的摘要"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, content, args, message) -> None:
    path = tmp_path / "cp.jsonl"
    if content in ("sample", "cut"):
        sample_file(path)
        if content == "cut":
            path.write_text("".join(path.read_text("utf-8").splitlines(True)[:-1]), "utf-8")
    elif content is not None:
        path.write_text(content, "utf-8")
    result = refuse(path, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


# -- constant memory ------------------------------------------------------------------------------


class FakeRepo:
    """As many cases as asked, made up a batch at a time (no database)."""

    def __init__(self, cases: int) -> None:
        self.cases = cases

    def chain_batch(
        self, after: int | None, limit: int, _ref: Any = None, _ids: Any = None, upto: Any = None
    ) -> list[CaseChain]:
        first = (after or 0) + 1
        last = min(first + limit, self.cases + 1, (upto or self.cases) + 1)
        return [
            CaseChain(i, f"R{i}", 0, GENESIS, [], "disclosure_request", 1, 1, {})
            for i in range(first, last)
        ]

    def case_id_span(self, _ids: Any) -> tuple[int | None, int | None]:
        return (1, self.cases) if self.cases else (None, None)

    def derived_rows(self, chains: list[CaseChain]) -> dict[int, None]:
        return {c.case_id: None for c in chains}

    def agencies_by_id(self) -> dict[int, tuple[str, str]]:
        return {1: ("county", "示政办")}

    def policies_by_digest(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def differences(*_: Any) -> list[Any]:
        return []

    def sync_findings(self, *_: Any) -> None:
        pass

    def agencies(self) -> list[Any]:
        return []

    def current_heads(self, recorded: list[Head]) -> dict[str, CurrentHead]:
        return {h.ref: CurrentHead(h.head_seq, (h.head_hash,)) for h in recorded}


def slowly(items: Iterator[Any], batch: int, pause: float) -> Iterator[Any]:
    """``items`` as they come, waiting ``pause`` seconds after each worker's range of them."""
    part = batch * PART_BATCHES  # the cases a worker checks in one range
    for i, item in enumerate(items, start=1):
        yield item
        if pause and i % part == 0:
            time.sleep(pause)


def peak_bytes(cases: int, jobs: int = 1, pause: float = 0.0, batch: int = 500) -> int:
    """The parent's peak traced memory while it verifies ``cases`` (and, with one process,
    checks a checkpoint of them); ``pause``: seconds the consumer waits at each worker's
    range, so the workers are always ahead and only the parent's bound limits what waits."""
    uow = SimpleNamespace(repo=FakeRepo(cases))
    uow.commit = lambda: None
    svc: Any = SimpleNamespace(
        uow=lambda: nullcontext(uow),
        keyring=Keyring.parse(TEST_CHAIN_KEY, "test"),
        calendar=None,
        config=config(),
        files=None,  # no file store: verify checks the chains alone
        clock=FakeClock(datetime(2025, 9, 24, tzinfo=SHANGHAI)),
    )
    recorded = (Head(f"R{i}", i, "h") for i in range(cases))
    tracemalloc.start()
    try:
        verified = integrity.verify_cases(svc, SYSTEM, batch=batch, jobs=jobs)
        in_order = (ref == f"R{i}" for i, (ref, _) in enumerate(slowly(verified, batch, pause), 1))
        assert sum(1 for ok in in_order if ok) == cases  # every case once, in id order
        if jobs > 1:
            return tracemalloc.get_traced_memory()[1]
        header = Header(datetime(2025, 9, 24, tzinfo=UTC), {}, cases)
        assert (
            sum(1 for _ in integrity.check_checkpoint(svc, SYSTEM, header, recorded, 500)) == cases
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_verify_and_check_stream_in_constant_memory() -> None:
    small, large = peak_bytes(2_000), peak_bytes(40_000)
    assert large < small * 1.5, (small, large)


def test_verify_in_worker_processes_streams_in_constant_memory() -> None:
    """With workers, the parent holds at most ``2 × jobs`` ranges' results at once (and
    hands on every case once, in id order). Ranges of 500 cases, and a consumer that waits
    0.1 s at each: slower than the workers even on a loaded machine, so both runs reach the
    bound; were every range asked for at once, the run of 80 would hold about four times
    what the run of 20 holds."""
    small = peak_bytes(20 * 500, jobs=2, pause=0.1, batch=50)
    large = peak_bytes(80 * 500, jobs=2, pause=0.1, batch=50)
    assert large < small * 1.5, (small, large)
