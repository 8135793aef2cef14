"""Benchmark: the action hot path against a BPMN engine and the raw database (issue 17).

Targets (transitions/s, one run, side by side; absolute figures move with the machine's load):
govflow ≥ 2.5× SpiffWorkflow and ≥ 50 % of the raw psycopg loop with 1 process; 4 processes
≥ 2.5× one; an action on a case with 1,000 events within 1.3× of one with 10; ≤ 5 statements
for a typical action; on SQLite ≥ 50 % of raw sqlite3 at the same durability.

Every contender does the same work for one transition: load the case, decide, append an
event, update the case, commit (nothing kept in memory between transitions, as a web
request or a CLI call does it):

- **govflow**: ``services.act`` through the service layer (a fresh unit of work per action)
  on a disclosure request: start_review, accept, assign, extend, draft_reply, reject_reply,
  draft_reply, approve_reply, archive (nine transitions a case; registration is not timed).
- **SpiffWorkflow** (3.x, ``pip install SpiffWorkflow``): a BPMN process of the same nine
  user tasks (a gateway loops back from the rejected reply). Per transition: SELECT the
  serialised workflow, deserialise, complete the ready task, run the engine, serialise,
  UPDATE the instance (version checked), INSERT a history row, COMMIT — psycopg, no ORM.
- **raw psycopg**: SELECT the case row, INSERT an event row (JSON of govflow's typical size,
  prev hash and hash), UPDATE the case row (version checked, a state text of govflow's
  size), COMMIT: the least a hash-chained, optimistically locked transition needs.
  *raw write-only* drops the SELECT (UPDATE + INSERT + COMMIT, pgbench's shape in the issue).
- **SQLite**: govflow on a SQLite file against the raw loop in ``sqlite3``, both WAL with
  ``synchronous=FULL`` (a commit survives a power cut).

Also measured: statements per action (SQLAlchemy cursor executions, counted per action
name), and the time of one action on a case with 10, 100 and 1,000 events.

Run (from the repository root, PostgreSQL at ``GOVFLOW_TEST_PG_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; ``pip install -e '.[bench]'``)::

    python bench/bench_actions.py                  # everything, 3 repetitions
    python bench/bench_actions.py --parts pg,sqlite --repeat 5 --cases 60

Each part runs in a schema of its own, dropped at the end. Prints one JSON document on
stdout (``--json``) or a table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START = "2025-09-22T09:00:00+08:00"  # a Monday: every action of the path is legal that day

PATH: list[tuple[str, str, dict[str, Any]]] = [
    ("start_review", "li.handler", {}),
    ("accept", "li.handler", {}),
    ("assign", "zhang.head", {"assignee": "zhao.handler"}),
    ("extend", "zhang.head", {"days": 10, "reason": "需调档整理"}),
    ("draft_reply", "zhao.handler", {"outcome": "disclosed", "summary": "予以公开"}),
    ("reject_reply", "zhang.head", {"reason": "请补充公开方式"}),
    ("draft_reply", "zhao.handler", {"outcome": "disclosed", "summary": "予以公开，附件三份"}),
    ("approve_reply", "zhang.head", {}),
    ("archive", "wang.clerk", {}),
]
EVENT_TEXT_BYTES = 700  # govflow's typical event data (payload, derived, deadline snapshots)
STATE_TEXT_BYTES = 1500  # govflow's typical stored case state


# -- plumbing --------------------------------------------------------------------------


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def new_schema() -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(psycopg_url(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(psycopg_url(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run_processes(
    target: Callable[..., dict[str, Any]], processes: int, args: tuple[Any, ...]
) -> dict[str, Any]:
    """Run ``target(barrier, index, *args)`` in ``processes`` processes started together;
    the rate is all transitions over the wall time from the first start to the last end."""
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(processes), ctx.Queue()

    def child(index: int) -> None:
        queue.put(target(barrier, index, *args))

    children = [ctx.Process(target=child, args=(i,)) for i in range(processes)]
    for p in children:
        p.start()
    results = [queue.get() for _ in children]
    for p in children:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a benchmark process failed (exit {p.exitcode})")
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    transitions = sum(r["transitions"] for r in results)
    cpu = sum(r["cpu"] for r in results)
    return {
        "transitions": transitions,
        "seconds": round(wall, 3),
        "per_second": round(transitions / wall, 1),
        "client_cpu_ms": round(1000 * cpu / transitions, 3),
    }


def _timed(barrier: Any, body: Callable[[], int]) -> dict[str, Any]:
    barrier.wait()
    cpu, start = time.process_time(), time.perf_counter()
    transitions = body()
    end = time.perf_counter()
    return {
        "start": start,
        "end": end,
        "transitions": transitions,
        "cpu": time.process_time() - cpu,
    }


# -- govflow ------------------------------------------------------------------------------


def govflow_setup(url: str) -> None:
    from govflow import configs
    from govflow.models.db import make_engine, migrate, session_factory
    from govflow.models.org import load_org, read_org_file

    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as session:
        load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
        session.commit()
    engine.dispose()


def _govflow_services(url: str, engine: Any = None) -> Any:
    from govflow.app import build_services
    from govflow.logs import configure_logging
    from govflow.models.db import make_engine
    from govflow.workflow.clock import FakeClock

    configure_logging()  # warnings only: a log line per action would be measured too
    return build_services(engine or make_engine(url), FakeClock(datetime.fromisoformat(START)))


_PRINCIPALS: dict[int, Any] = {}


def _as(svc: Any, username: str) -> Any:
    """The principal of ``username`` (looked up once per services, as a web server's session
    check would hand it over), acting through the channel ``cli:bench``."""
    from govflow.workflow import services

    if id(svc) not in _PRINCIPALS:
        _PRINCIPALS[id(svc)] = services.Principals(svc, "cli:bench")
    return _PRINCIPALS[id(svc)](username)


def _register(svc: Any, n: int) -> str:
    from govflow.workflow import services

    return services.register_request(
        svc,
        agency_code="county",
        principal=_as(svc, "wang.clerk"),
        intake={
            "applicant": {
                "kind": "natural_person",
                "name": "张三",
                "id_number": f"6109261990{n:08d}",
                "phone": "13800000000",
            },
            "description": f"2024年县级财政预算执行情况（{n}）",
            "channel": "in_person",
        },
    )


def govflow_worker(barrier: Any, index: int, url: str, cases: int) -> dict[str, Any]:
    from govflow.workflow import services

    svc = _govflow_services(url)
    refs = [_register(svc, index * 100_000 + i) for i in range(cases)]

    def body() -> int:
        for ref in refs:
            for action, who, payload in PATH:
                services.act(svc, ref=ref, action=action, payload=payload, principal=_as(svc, who))
        return len(refs) * len(PATH)

    return _timed(barrier, body)


def govflow_statements(url: str, cases: int = 3) -> dict[str, Any]:
    """Statements per action, counted at the cursor (an executemany counts once)."""
    from sqlalchemy import event

    from govflow.models.db import make_engine
    from govflow.workflow import services

    engine = make_engine(url)
    svc = _govflow_services(url, engine)
    counts: Counter[str] = Counter()
    current = {"action": ""}

    def count(*_args: Any) -> None:
        counts[current["action"]] += 1

    refs = [_register(svc, 900_000 + i) for i in range(cases)]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for ref in refs:
            for action, who, payload in PATH:
                current["action"] = action
                services.act(svc, ref=ref, action=action, payload=payload, principal=_as(svc, who))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times = Counter(action for action, _, _ in PATH)
    per_action = {a: round(counts[a] / (cases * times[a]), 2) for a in times}
    per_action["(mean over the path)"] = round(sum(counts.values()) / (cases * len(PATH)), 2)
    return per_action


def govflow_history(url: str, lengths: list[int], samples: int) -> dict[str, Any]:
    """Median time of one action (assign, alternating) on a case with n events."""
    from govflow.workflow import services

    svc = _govflow_services(url)
    result = {}
    for n in lengths:
        ref = _register(svc, 800_000 + n)  # receive + confirm_receipt: 2 events
        services.act(
            svc, ref=ref, action="start_review", payload={}, principal=_as(svc, "li.handler")
        )
        services.act(svc, ref=ref, action="accept", payload={}, principal=_as(svc, "li.handler"))
        events, who = 4, ["zhao.handler", "li.handler"]
        while events < n:
            services.act(
                svc,
                ref=ref,
                action="assign",
                payload={"assignee": who[events % 2]},
                principal=_as(svc, "zhang.head"),
            )
            events += 1
        times = []
        for i in range(samples):
            started = time.perf_counter()
            services.act(
                svc,
                ref=ref,
                action="assign",
                payload={"assignee": who[i % 2]},
                principal=_as(svc, "zhang.head"),
            )
            times.append(time.perf_counter() - started)
        result[str(n)] = round(1000 * statistics.median(times), 3)
    return result


# -- SpiffWorkflow ----------------------------------------------------------------------

SPIFF_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="request" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="start_review"/>
    <bpmn:userTask id="start_review"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start_review" targetRef="accept"/>
    <bpmn:userTask id="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="assign"/>
    <bpmn:userTask id="assign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="assign" targetRef="extend"/>
    <bpmn:userTask id="extend"/>
    <bpmn:sequenceFlow id="f4" sourceRef="extend" targetRef="draft_reply"/>
    <bpmn:userTask id="draft_reply"/>
    <bpmn:sequenceFlow id="f5" sourceRef="draft_reply" targetRef="review_reply"/>
    <bpmn:userTask id="review_reply"/>
    <bpmn:sequenceFlow id="f6" sourceRef="review_reply" targetRef="approved"/>
    <bpmn:exclusiveGateway id="approved" default="f8"/>
    <bpmn:sequenceFlow id="f7" sourceRef="approved" targetRef="archive">
      <bpmn:conditionExpression>approved == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f8" sourceRef="approved" targetRef="draft_reply"/>
    <bpmn:userTask id="archive"/>
    <bpmn:sequenceFlow id="f9" sourceRef="archive" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
SPIFF_STEPS = 9  # start_review … archive, one loop back through draft_reply


def _spiff_spec() -> Any:
    from SpiffWorkflow.bpmn.parser import BpmnParser

    with tempfile.NamedTemporaryFile("w", suffix=".bpmn", delete=False) as f:
        f.write(SPIFF_BPMN)
    parser = BpmnParser()
    parser.add_bpmn_file(f.name)
    os.unlink(f.name)
    return parser.get_spec("request")


def spiff_setup(schema: str) -> None:
    import psycopg

    with psycopg.connect(psycopg_url(schema_url(schema)), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE spiff_instance (id serial PRIMARY KEY, data json NOT NULL,"
            " version int NOT NULL, updated_at timestamptz NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE spiff_history (id bigserial PRIMARY KEY, instance_id int NOT NULL"
            " REFERENCES spiff_instance, seq int NOT NULL, task text NOT NULL, actor text,"
            " data json, occurred_at timestamptz NOT NULL, UNIQUE (instance_id, seq))"
        )


def spiff_worker(barrier: Any, index: int, schema: str, cases: int) -> dict[str, Any]:
    import psycopg
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    spec = _spiff_spec()
    serializer = BpmnWorkflowSerializer()
    conn = psycopg.connect(psycopg_url(schema_url(schema)))
    ids = []
    for _ in range(cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        row = conn.execute(
            "INSERT INTO spiff_instance (data, version, updated_at) VALUES (%s, 1, now())"
            " RETURNING id",
            (serializer.serialize_json(workflow),),
        ).fetchone()
        assert row is not None
        ids.append(row[0])
    conn.commit()

    def transition(instance_id: int, step: int) -> None:
        data, version = conn.execute(
            "SELECT data::text, version FROM spiff_instance WHERE id = %s", (instance_id,)
        ).fetchone()  # type: ignore[misc]
        workflow = serializer.deserialize_json(data)
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.data.update({"approved": step == 7, "by": "zhang.head"})
        task.run()
        workflow.do_engine_steps()
        cur = conn.execute(
            "UPDATE spiff_instance SET data = %s, version = version + 1, updated_at = now()"
            " WHERE id = %s AND version = %s",
            (serializer.serialize_json(workflow), instance_id, version),
        )
        assert cur.rowcount == 1
        conn.execute(
            "INSERT INTO spiff_history (instance_id, seq, task, actor, data, occurred_at)"
            " VALUES (%s, %s, %s, %s, %s, now())",
            (instance_id, step + 1, task.task_spec.name, "zhang.head", json.dumps(task.data)),
        )
        conn.commit()

    def body() -> int:
        for instance_id in ids:
            for step in range(SPIFF_STEPS):
                transition(instance_id, step)
        return len(ids) * SPIFF_STEPS

    result = _timed(barrier, body)
    conn.close()
    return result


# -- the raw loops ------------------------------------------------------------------------

RAW_SCHEMA = [
    "CREATE TABLE raw_case (id {serial} PRIMARY KEY, ref varchar(64) UNIQUE NOT NULL,"
    " state varchar(32) NOT NULL, version int NOT NULL, head_seq int NOT NULL,"
    " head_hash varchar(64) NOT NULL, facts text NOT NULL, updated_at {ts} NOT NULL)",
    "CREATE TABLE raw_event (id {serial} PRIMARY KEY, case_id int NOT NULL REFERENCES raw_case,"
    " seq int NOT NULL, occurred_at {ts} NOT NULL, actor varchar(64) NOT NULL,"
    " action varchar(64) NOT NULL, data {json} NOT NULL, prev_hash varchar(64) NOT NULL,"
    " hash varchar(64) NOT NULL, UNIQUE (case_id, seq))",
]


def _raw_payloads() -> tuple[str, str]:
    event = json.dumps({"payload": {"summary": "x" * (EVENT_TEXT_BYTES - 40)}, "derived": {}})
    state = json.dumps({"facts": "y" * (STATE_TEXT_BYTES - 20)})
    return event, state


def raw_setup_pg(schema: str) -> None:
    import psycopg

    with psycopg.connect(psycopg_url(schema_url(schema)), autocommit=True) as conn:
        for ddl in RAW_SCHEMA:
            conn.execute(ddl.format(serial="serial", ts="timestamptz", json="json"))


def raw_pg_worker(barrier: Any, index: int, schema: str, cases: int, read: bool) -> dict[str, Any]:
    import hashlib

    import psycopg

    event_text, state_text = _raw_payloads()
    conn = psycopg.connect(psycopg_url(schema_url(schema)))
    prefix = f"r{'r' if read else 'w'}{index}-"
    ids = []
    for i in range(cases):
        row = conn.execute(
            "INSERT INTO raw_case (ref, state, version, head_seq, head_hash, facts, updated_at)"
            " VALUES (%s, 'registered', 1, 0, %s, %s, now()) RETURNING id",
            (f"{prefix}{i}", "0" * 64, state_text),
        ).fetchone()
        assert row is not None
        ids.append((f"{prefix}{i}", row[0]))
    conn.commit()

    def body() -> int:
        for ref, case_id in ids:
            version, seq, head = 1, 0, "0" * 64
            for step in range(len(PATH)):
                if read:
                    case_id, version, seq, head, _facts = conn.execute(
                        "SELECT id, version, head_seq, head_hash, facts FROM raw_case"
                        " WHERE ref = %s",
                        (ref,),
                    ).fetchone()  # type: ignore[misc]
                new_hash = hashlib.sha256((head + event_text).encode()).hexdigest()
                conn.execute(
                    "INSERT INTO raw_event (case_id, seq, occurred_at, actor, action, data,"
                    " prev_hash, hash) VALUES (%s, %s, now(), %s, %s, %s, %s, %s)",
                    (case_id, seq + 1, "zhang.head", PATH[step][0], event_text, head, new_hash),
                )
                cur = conn.execute(
                    "UPDATE raw_case SET state = %s, version = version + 1, head_seq = %s,"
                    " head_hash = %s, facts = %s, updated_at = now()"
                    " WHERE id = %s AND version = %s",
                    (PATH[step][0], seq + 1, new_hash, state_text, case_id, version),
                )
                assert cur.rowcount == 1
                conn.commit()
                version, seq, head = version + 1, seq + 1, new_hash
        return len(ids) * len(PATH)

    result = _timed(barrier, body)
    conn.close()
    return result


def raw_sqlite(path: str, cases: int) -> dict[str, Any]:
    import hashlib
    import sqlite3

    event_text, state_text = _raw_payloads()
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for ddl in RAW_SCHEMA:
        conn.execute(ddl.format(serial="integer", ts="text", json="text"))
    ids = []
    conn.execute("BEGIN")
    for i in range(cases):
        cur = conn.execute(
            "INSERT INTO raw_case (ref, state, version, head_seq, head_hash, facts, updated_at)"
            " VALUES (?, 'registered', 1, 0, ?, ?, datetime('now'))",
            (f"s{i}", "0" * 64, state_text),
        )
        ids.append(f"s{i}")
    conn.execute("COMMIT")
    cpu, start = time.process_time(), time.perf_counter()
    for ref in ids:
        for step in range(len(PATH)):
            conn.execute("BEGIN")
            case_id, version, seq, head, _facts = conn.execute(
                "SELECT id, version, head_seq, head_hash, facts FROM raw_case WHERE ref = ?",
                (ref,),
            ).fetchone()
            new_hash = hashlib.sha256((head + event_text).encode()).hexdigest()
            conn.execute(
                "INSERT INTO raw_event (case_id, seq, occurred_at, actor, action, data,"
                " prev_hash, hash) VALUES (?, ?, datetime('now'), ?, ?, ?, ?, ?)",
                (case_id, seq + 1, "zhang.head", PATH[step][0], event_text, head, new_hash),
            )
            cur = conn.execute(
                "UPDATE raw_case SET state = ?, version = version + 1, head_seq = ?,"
                " head_hash = ?, facts = ?, updated_at = datetime('now')"
                " WHERE id = ? AND version = ?",
                (PATH[step][0], seq + 1, new_hash, state_text, case_id, version),
            )
            assert cur.rowcount == 1
            conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    conn.close()
    n = len(ids) * len(PATH)
    return {
        "transitions": n,
        "seconds": round(seconds, 3),
        "per_second": round(n / seconds, 1),
        "client_cpu_ms": round(1000 * cpu / n, 3),
        "synchronous": sync,
    }


def govflow_sqlite(path: str, cases: int) -> dict[str, Any]:
    from sqlalchemy import text

    url = f"sqlite:///{path}"
    govflow_setup(url)

    class _Barrier:
        def wait(self) -> None:
            pass

    result = govflow_worker(_Barrier(), 0, url, cases)  # type: ignore[arg-type]
    from govflow.models.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        sync = conn.execute(text("PRAGMA synchronous")).scalar_one()
        mode = conn.execute(text("PRAGMA journal_mode")).scalar_one()
    engine.dispose()
    n = result["transitions"]
    seconds = result["end"] - result["start"]
    return {
        "transitions": n,
        "seconds": round(seconds, 3),
        "per_second": round(n / seconds, 1),
        "client_cpu_ms": round(1000 * result["cpu"] / n, 3),
        "synchronous": sync,
        "journal_mode": mode,
    }


# -- the run ------------------------------------------------------------------------------


def pg_round(cases: int, processes: int, spiff_cases: int) -> dict[str, Any]:
    """One repetition of the PostgreSQL contenders, side by side, each in a fresh schema."""
    out: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    schema = new_schema()
    try:
        govflow_setup(schema_url(schema))
        out["govflow"] = run_processes(govflow_worker, processes, (schema_url(schema), cases))
        spiff_setup(schema)
        out["spiff"] = run_processes(spiff_worker, processes, (schema, spiff_cases))
        raw_setup_pg(schema)
        out["raw"] = run_processes(raw_pg_worker, processes, (schema, cases * 4, True))
        out["raw_write_only"] = run_processes(raw_pg_worker, processes, (schema, cases * 4, False))
    finally:
        drop_schema(schema)
    out["load_after"] = os.getloadavg()[0]
    return out


def sqlite_round(cases: int) -> dict[str, Any]:
    out: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        out["govflow"] = govflow_sqlite(str(Path(tmp) / "govflow.db"), cases)
        out["raw"] = raw_sqlite(str(Path(tmp) / "raw.db"), cases * 4)
    out["load_after"] = os.getloadavg()[0]
    return out


def statements_and_history(lengths: list[int], samples: int) -> dict[str, Any]:
    schema = new_schema()
    try:
        url = schema_url(schema)
        govflow_setup(url)
        return {
            "statements": govflow_statements(url),
            "history_ms": govflow_history(url, lengths, samples),
        }
    finally:
        drop_schema(schema)


def _median(rounds: list[dict[str, Any]], *keys: str) -> float:
    values = []
    for r in rounds:
        value: Any = r
        for key in keys:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="pg,sqlite,statements")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=40, help="govflow cases per process")
    parser.add_argument("--spiff-cases", type=int, default=40)
    parser.add_argument("--processes", default="1,4")
    parser.add_argument("--history", default="10,100,1000")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_at_start": os.getloadavg(),
        },
        "args": vars(args),
    }
    if "statements" in parts:
        lengths = [int(x) for x in args.history.split(",")]
        report["statements_and_history"] = statements_and_history(lengths, args.samples)
    if "pg" in parts:
        for processes in (int(x) for x in args.processes.split(",")):
            rounds = [pg_round(args.cases, processes, args.spiff_cases) for _ in range(args.repeat)]
            report[f"pg_{processes}"] = {
                "rounds": rounds,
                "median_per_second": {
                    k: _median(rounds, k, "per_second")
                    for k in ("govflow", "spiff", "raw", "raw_write_only")
                },
                "median_ratio": {
                    "govflow/spiff": round(
                        statistics.median(
                            r["govflow"]["per_second"] / r["spiff"]["per_second"] for r in rounds
                        ),
                        2,
                    ),
                    "govflow/raw": round(
                        statistics.median(
                            r["govflow"]["per_second"] / r["raw"]["per_second"] for r in rounds
                        ),
                        3,
                    ),
                    "govflow/raw_write_only": round(
                        statistics.median(
                            r["govflow"]["per_second"] / r["raw_write_only"]["per_second"]
                            for r in rounds
                        ),
                        3,
                    ),
                },
            }
    if "sqlite" in parts:
        rounds = [sqlite_round(args.cases) for _ in range(args.repeat)]
        report["sqlite"] = {
            "rounds": rounds,
            "median_ratio": {
                "govflow/raw": round(
                    statistics.median(
                        r["govflow"]["per_second"] / r["raw"]["per_second"] for r in rounds
                    ),
                    3,
                )
            },
        }
    report["machine"]["load_at_end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=1 if not args.json else None))


if __name__ == "__main__":
    main()
