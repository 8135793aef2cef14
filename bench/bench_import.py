"""Benchmark: importing an office's ledger (``govflow import requests``) against its peer, the
same requests handled live through the service layer (issue 15 item 7).

Set-up: a fresh PostgreSQL schema (``GOVFLOW_TEST_PG_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``), migrated, with the demo organisation. A ledger
of ``--rows`` requests (receipts on working days from 2018 to 2025, so both editions of the
regulations; every fifth with a correction, every seventh extended, replies near their limit)
is written as .xlsx.

Measured, in the same run on the same database:

- **import**: ``workflow.services.import_requests`` on the file's bytes — parse, check,
  rehearse every row in memory, then one transaction writing every case;
- **live** (the peer): the same requests registered and answered through
  ``workflow.services`` as clerks do it, one transaction per action (register, review, accept,
  correction, extension, draft, approval), the clock moved to each action's day.

The figure is the ratio import ÷ live per request (below 1: the import is cheaper than the
work it records). Run from the repository root: ``python bench/bench_import.py [--rows 300]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402

from govflow import configs  # noqa: E402
from govflow.app import build_services, load_calendar  # noqa: E402
from govflow.logs import configure_logging  # noqa: E402
from govflow.models.db import make_engine, migrate, session_factory  # noqa: E402
from govflow.models.org import load_org, read_org_file  # noqa: E402
from govflow.presentation.import_sheet import read_sheet  # noqa: E402
from govflow.workflow import services  # noqa: E402
from govflow.workflow.calendar import WorkingCalendar  # noqa: E402
from govflow.workflow.clock import SHANGHAI, FakeClock  # noqa: E402
from govflow.workflow.identity.principal import SYSTEM_CHANNEL  # noqa: E402
from govflow.workflow.imports.columns import COLUMNS  # noqa: E402

PG_URL = os.environ.get("GOVFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def ledger(cal: WorkingCalendar, n: int) -> list[dict]:
    rows = []
    first = date(2018, 1, 2)
    span = (date(2025, 9, 30) - first).days
    for i in range(n):
        receipt = cal.next_working_day_on_or_after(first + timedelta(days=span * i // n))
        row = {
            "收到申请之日": receipt,
            "提交方式": "当面提交",
            "申请人类型": "自然人",
            "申请人姓名或名称": f"申请人{i}",
            "证件号码": f"6109261990{i:08d}",
            "联系电话": "13800000000",
            "申请内容": f"第{i}号申请所需信息",
        }
        start = receipt
        if i % 5 == 0:
            notice = cal.add_working_days(receipt, 2).due_date
            start = cal.add_working_days(notice, 3).due_date
            row |= {"补正通知日": notice, "收到补正日": start}
        if i % 7 == 0:
            row |= {"延长天数（工作日）": 10, "延长告知日": cal.add_working_days(start, 5).due_date}
        row |= {"答复类型": "予以公开", "答复日期": cal.add_working_days(start, 12).due_date}
        rows.append(row)
    return rows


def xlsx(rows: list[dict]) -> bytes:
    headers = [c.header for c in COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def live(svc: services.Services, clock: FakeClock, rows: list[dict]) -> None:
    """The same requests as clerks handle them: one transaction per action, on its day."""

    def at(day: date) -> None:
        clock.set(datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=10))

    principals = services.Principals(
        svc, SYSTEM_CHANNEL
    )  # each user looked up once, as a session would

    def act(ref: str, who: str, action: str, **payload: object) -> None:
        services.act(svc, ref=ref, action=action, payload=payload, principal=principals(who))

    for row in rows:
        at(row["收到申请之日"])
        intake = {
            "applicant": {"kind": "natural_person", "name": row["申请人姓名或名称"],
                          "id_number": row["证件号码"], "phone": "13800000000"},
            "description": row["申请内容"],
            "channel": "in_person",
        }  # fmt: skip
        ref = services.register_request(
            svc,
            agency_code="edu",
            principal=principals("liu.clerk"),
            intake=intake,
        )
        act(ref, "sun.head", "start_review")
        if "补正通知日" in row:
            at(row["补正通知日"])
            act(ref, "sun.head", "request_correction", items="请写明文件名称")
            at(row["收到补正日"])
            act(ref, "sun.head", "submit_correction")
        act(ref, "sun.head", "accept")
        if "延长告知日" in row:
            at(row["延长告知日"])
            act(ref, "sun.head", "extend", days=10, reason="材料多")
        at(row["答复日期"])
        act(ref, "sun.head", "draft_reply", outcome="disclosed", summary="予以公开")
        act(ref, "sun.head", "approve_reply")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    configure_logging()  # warnings only unless GOVFLOW_LOG_LEVEL says otherwise
    schema = f"b_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            load_org(session, read_org_file(configs.shipped("demo_org.yaml")))
            session.commit()
        cal = load_calendar()
        clock = FakeClock(datetime(2025, 12, 31, 10, tzinfo=SHANGHAI))
        svc = build_services(engine, clock, cal)
        rows = ledger(cal, args.rows)
        data = xlsx(rows)
        t0 = time.perf_counter()
        result = services.import_requests(
            svc, principal=services.principal_for(svc, "zhang.head", SYSTEM_CHANNEL),
            sheet=read_sheet(data, "台账.xlsx"),
            file_name="台账.xlsx", sha256=hashlib.sha256(data).hexdigest(),
        )  # fmt: skip
        imported = time.perf_counter() - t0
        assert not result.problems and len(result.created) == args.rows, result.problems[:3]
        t0 = time.perf_counter()
        live(svc, clock, rows)
        handled = time.perf_counter() - t0
        per_import, per_live = imported / args.rows * 1000, handled / args.rows * 1000
        print(f"rows: {args.rows}; findings listed: {len(result.findings)}")
        print(f"import  {imported:8.1f} s  {per_import:6.1f} ms/request (one transaction)")
        print(f"live    {handled:8.1f} s  {per_live:6.1f} ms/request (one transaction per action)")
        print(f"ratio import ÷ live: {per_import / per_live:.2f}")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
