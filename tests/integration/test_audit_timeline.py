"""SPEC A-3 (timeline with the deadlines as they stood) and A-2 at scale (scoped verify).

One disclosure request goes through a correction, a consultation and an extension; its
timeline must show, event by event, the reply deadline that held at that moment, read at
that moment. Scoped verification must see tampering only inside its scope.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from govflow.presentation.timeline import timeline_csv, timeline_json, timeline_text
from govflow.workflow import integrity, services
from govflow.workflow.actors import SYSTEM
from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def build(flow) -> str:
    flow.checking = False
    flow.at("2025-09-22 09:30")
    ref = flow.register(intake=flow.intake())  # 1 receive, 2 confirm_receipt
    flow.act(ref, "li.handler", "start_review")  # 3
    flow.act(ref, "li.handler", "request_correction", items="请写明文号")  # 4
    flow.at("2025-09-24 10:00")
    flow.act(ref, "wang.clerk", "submit_correction")  # 5
    flow.act(ref, "li.handler", "accept")  # 6
    flow.at("2025-10-09 10:00")
    flow.act(
        ref,
        "li.handler",
        "start_consultation",
        party_kind="third_party",
        party_name="某公司",
        received_on=flow.today(),
    )
    flow.at("2025-10-13 10:00")
    flow.act(ref, "li.handler", "end_consultation", result="agreed")  # 8
    flow.act(ref, "zhang.head", "extend", days=20, reason="材料较多")  # 9
    return ref


def reader(flow, username: str):
    return services.identify(flow.svc, username)


def test_timeline_shows_deadlines_as_they_stood(flow) -> None:
    ref = build(flow)
    entries = services.case_timeline(flow.svc, reader(flow, "chen.supervisor"), ref).entries
    case = flow.case(ref)
    assert [e.seq for e in entries] == list(range(1, 10))
    reply = [{d.key: d for d in e.deadlines}.get("reply") for e in entries]

    first = entries[0]
    assert (first.actor_name, first.role_label, first.action_label) == (
        "王登记",
        "登记员",
        "登记申请",
    )
    assert (first.state_before_label, first.state_after_label) == ("—", "待确认收到")
    assert first.local_time == "2025-09-22 09:30"
    assert reply[0] is None  # nothing runs before the receipt is confirmed

    # Confirmed on 22 September: 20 working days to 24 October, all 20 left at that instant.
    assert (reply[1].due, reply[1].time_left, reply[1].working_days_left) == (
        "2025-10-24 24:00",
        "还剩 20 个工作日",
        20,
    )
    assert not reply[1].paused and not reply[1].provisional
    # Correction requested: the reply clock stops.
    assert reply[3].paused and reply[3].due_at is None and reply[3].time_left == "暂停计时"
    assert entries[3].state_after_label == "待补正"
    # Correction received on 24 September: restarted, 20 working days again.
    assert (reply[4].due, reply[4].working_days_left) == ("2025-10-28 24:00", 20)
    # Consultation: paused, with its own running deadline.
    assert reply[6].paused and reply[6].status_label == "中止计算"
    consult = {d.key: d for d in entries[6].deadlines}["consultation-1"]
    assert consult.status == "running" and consult.working_days_left == 15
    # Consultation ended on 13 October: resumed, 14 working days left then.
    assert (reply[7].due, reply[7].time_left) == ("2025-10-31 24:00", "还剩 14 个工作日")
    # Extended by 20 working days: the due date moves, the reason is shown.
    assert (reply[8].due, reply[8].working_days_left) == ("2025-11-28 24:00", 34)
    assert entries[8].reason == "材料较多"
    assert (entries[8].actor_name, entries[8].role_label) == ("张主任", "公开办负责人")
    # The current case agrees with the last step.
    now_reply = next(d for d in case.deadlines if d.key == "reply")
    assert now_reply.due_at == reply[8].due_at


def test_a_calendar_published_later_leaves_the_recorded_dates_in_the_history(flow) -> None:
    """T-4 and A-3: an office closure added after the events (here 2025-11-20) would date the
    reply a day later on today's calendar; each event still shows the date it recorded."""
    from govflow.workflow.audit import timeline
    from govflow.workflow.calendar import WorkingCalendar
    from govflow.workflow.cases import Case

    ref = build(flow)
    case = flow.case(ref)
    closed = date(2025, 11, 20)
    later = WorkingCalendar.from_schedules(
        s.with_closures({closed: "停电检修"}, "闭馆日.yaml") if s.year == 2025 else s
        for s in flow.svc.calendar.schedules
    )
    header = Case(ref=case.ref, workflow=case.workflow, agency_code=case.agency_code)
    reply = [
        {d.key: d for d in e.deadlines}.get("reply") for e in timeline(header, case.events, later)
    ]
    assert (reply[7].due, reply[8].due) == ("2025-10-31 24:00", "2025-11-28 24:00")
    assert reply[8].working_days_left == 33  # counted on today's calendar (see as_recorded)
    explained = reply[8].source.explanation
    assert "本事件记录时，该期限届满于 2025-11-28 24:00" in explained[0]
    assert "按现行安排计算应届满于 2025-12-01 24:00" in explained[1]
    # Today's calendar, unchanged: the replay and the record agree, the explanation is plain.
    same = timeline(header, case.events, flow.svc.calendar)
    plain = {d.key: d for d in same[8].deadlines}["reply"].source.explanation
    assert not any("本事件记录时" in line for line in plain)


def test_masking_depends_on_the_reader_and_exports(flow) -> None:
    ref = build(flow)

    def seen_by(username: str) -> dict:
        return timeline_json(services.case_timeline(flow.svc, reader(flow, username), ref))

    clerk, supervisor = seen_by("wang.clerk"), seen_by("chen.supervisor")
    entries = services.case_timeline(flow.svc, SYSTEM, ref).entries
    system = timeline_json(services.case_timeline(flow.svc, SYSTEM, ref))
    seen = clerk["events"][0]["payload"]["applicant"]
    assert seen["id_number"] == "610926199001011234" and seen["name"] == "张三"
    for data in (supervisor, system):
        hidden = data["events"][0]["payload"]["applicant"]
        assert hidden["id_number"] != "610926199001011234" and hidden["id_number"].endswith("34")
        assert hidden["phone"] != "13800000000" and hidden["name"] != "张三"
    sup_text = timeline_text(supervisor)
    assert "610926199001011234" not in sup_text and "13800000000" not in sup_text
    assert "#9 2025-10-13 10:00　张主任（公开办负责人）　延长答复期限：办理中 → 办理中" in sup_text
    assert "理由：材料较多" in sup_text
    assert "答复期限：届满 2025-11-28 24:00，还剩 34 个工作日（计时中）" in sup_text
    assert "答复期限：中止计算，届满日待定，暂停计时" in sup_text
    assert "610926199001011234" in timeline_text(clerk)

    # JSON round-trips; CSV: BOM, one row per event × deadline (one for an event without).
    exported = json.loads(json.dumps(supervisor, ensure_ascii=False))
    assert exported["events"][8]["deadlines"][0]["due"] == "2025-11-28 24:00"
    body = timeline_csv(supervisor)
    assert body.startswith("\ufeff序号,")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == sum(max(len(e.deadlines), 1) for e in entries)
    assert "610926199001011234" not in body
    ext = [r for r in rows if r["序号"] == "9" and r["期限"] == "答复期限"]
    assert ext == [
        {
            **ext[0],
            "动作": "延长答复期限",
            "操作人": "张主任",
            "届满": "2025-11-28 24:00",
            "剩余": "还剩 34 个工作日",
            "暂停计时": "否",
            "临时期限": "否",
            "理由": "材料较多",
        }
    ]
    paused = [r for r in rows if r["序号"] == "7" and r["期限"] == "答复期限"]
    assert paused[0]["暂停计时"] == "是" and paused[0]["剩余"] == "暂停计时"


# -- scoped verification ------------------------------------------------------------------


def tamper(engine: Engine, ref: str) -> None:
    with engine.begin() as conn:
        case_id = conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar_one()
        conn.execute(
            text("UPDATE events SET actor = 'intruder' WHERE case_id = :c AND seq = 1"),
            {"c": case_id},
        )


def scoped(svc, **scope) -> tuple[int, set[str]]:
    checked, refs = 0, set()
    for _ref, findings in integrity.verify_cases(svc, SYSTEM, **scope):
        checked += 1
        refs |= {f.case_ref for f in findings}
    return checked, refs


def test_scoped_verify_sees_only_its_scope(flow) -> None:
    flow.checking = False
    flow.at("2025-09-22 09:30")
    county = [flow.register(), flow.register()]
    edu = flow.register(who="liu.clerk", agency="edu")
    tamper(flow.engine, county[1])
    tamper(flow.engine, edu)

    assert scoped(flow.svc) == (3, {county[1], edu})
    assert integrity.verify_all(flow.svc, SYSTEM)[0] == 3
    assert scoped(flow.svc, case_ref=county[0]) == (1, set())
    assert scoped(flow.svc, case_ref=county[1]) == (1, {county[1]})
    assert scoped(flow.svc, agency_code="county") == (2, {county[1]})
    assert scoped(flow.svc, agency_code="county", include_children=True) == (
        3,
        {county[1], edu},
    )
    assert scoped(flow.svc, agency_code="edu") == (1, {edu})
    assert scoped(flow.svc, agency_code="housing", include_children=True) == (0, set())


# -- the command ---------------------------------------------------------------------------


def govflow(engine: Engine, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The test's database, and its own file store (the ``files`` fixture names it).
    env = cli_env(
        engine.url.render_as_string(hide_password=False),
        GOVFLOW_FILES_DIR=os.environ["GOVFLOW_FILES_DIR"],
    )
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_audit_show_and_scoped_verify_commands(flow, tmp_path: Path) -> None:
    if flow.engine.dialect.name != "sqlite":  # one database is enough for the process start
        return
    ref = build(flow)
    other = flow.register(who="liu.clerk", agency="edu")
    out = tmp_path / "timeline.csv"
    shown = govflow(flow.engine, tmp_path, "audit", "show", ref, "--as", "chen.supervisor")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"案件 {ref}（政府信息公开申请）审计时间线")
    assert "延长答复期限" in shown.stdout and "610926199001011234" not in shown.stdout
    # The rest in-process: one process start is enough for the suite to stay fast.
    from typer.testing import CliRunner

    from govflow.cli import app

    def cli(*args: str):
        url = flow.engine.url.render_as_string(hide_password=False)
        return CliRunner().invoke(app, list(args), env={"GOVFLOW_DATABASE_URL": url})

    exported = cli(
        "audit", "show", ref, "--as", "zhang.head", "--format", "csv", "--output", str(out)
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes().startswith("\ufeff序号".encode())
    as_json = cli("audit", "show", ref, "--format", "json", "--as", "wang.clerk")
    assert json.loads(as_json.stdout)["events"][0]["payload"]["applicant"]["name"] == "张三"

    tamper(flow.engine, other)
    scoped_ok = cli("audit", "verify", "--as", "chen.supervisor", "--agency", "county")
    assert (scoped_ok.exit_code, scoped_ok.stderr) == (0, "")
    assert (
        scoped_ok.stdout.strip() == "校验 1 件案件，历史记录完整，派生数据与事件一致，未发现篡改。"
    )
    tree = cli(
        "audit", "verify", "--as", "chen.supervisor", "--agency", "county", "--include-children"
    )
    assert tree.exit_code == 1
    assert tree.stdout.splitlines()[-1].startswith("校验 2 件案件，发现 1 处问题")
    assert other in tree.stdout and ref not in tree.stdout
    assert (
        cli(
            "audit", "verify", "--as", "chen.supervisor", "--case", ref, "--agency", "county"
        ).exit_code
        == 2
    )


def test_verify_reports_progress_on_stderr(flow, monkeypatch, tmp_path: Path) -> None:
    """Every PROGRESS_EVERY cases a note on stderr; stdout keeps the findings and the summary."""
    if flow.engine.dialect.name != "sqlite":
        return
    from typer.testing import CliRunner

    from govflow.cli import app
    from govflow.cli import integrity as integrity_cli

    flow.checking = False
    flow.at("2025-09-22 09:30")
    refs = [flow.register() for _ in range(3)]
    tamper(flow.engine, refs[1])
    monkeypatch.setattr(integrity_cli, "PROGRESS_EVERY", 2)
    url = flow.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        ["audit", "verify", "--as", "chen.supervisor", "--json"],
        env={"GOVFLOW_DATABASE_URL": url},
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "已校验 2 件案件，发现 1 处问题…"
    data = json.loads(result.stdout)
    assert data["cases_checked"] == 3 and data["scope"] == {}
    assert [(f["case_ref"], f["position"], f["kind"]) for f in data["findings"]] == [
        (refs[1], 1, "edited")
    ]
    missing = CliRunner().invoke(
        app,
        ["audit", "verify", "--as", "chen.supervisor", "--case", "没有的案件"],
        env={"GOVFLOW_DATABASE_URL": url},
    )
    assert missing.exit_code == 4 and "没有编号为 没有的案件 的案件" in missing.stderr
