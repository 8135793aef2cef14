"""Importing an office's ledger of past requests (issue 15 item 7), on SQLite and PostgreSQL.

A 200-row sheet, generated from a seed so that every column is exercised (both editions of
the regulations, corrections kept and missed, extensions, fees paid and unpaid, every
outcome, withdrawals, open requests, reconsiderations and lawsuits), is imported; then:
the annual reports of 2019 (trial format), 2020 and 2025 equal tables counted here by hand
from the rows; the late replies govflow lists are exactly those whose reply date is after
a limit counted here day by day on ``chinese_calendar``; every event is marked imported and
every chain verifies; a second import creates nothing. A sheet with bad rows writes nothing
and lists every problem with its line and column.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import Workbook

from govflow.presentation.import_sheet import read_sheet
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.errors import ActionNotAllowed
from govflow.workflow.imports.columns import COLUMNS
from govflow.workflow.reports.annual import COLUMN_KEYS
from govflow.workflow.services import import_requests
from tests.config import load_case, outcomes
from tests.principals import acting

chinese_calendar = pytest.importorskip("chinese_calendar")

HEAD = "zhang.head"
ONE_DAY = timedelta(days=1)
SUBKINDS = {
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_services": "法律服务机构",
    "other": "其他",
}
CHANNELS = ["当面提交", "邮寄（需签收）", "平常信函", "互联网渠道", "电子邮件", "传真"]
RESULTS = {"upheld": "维持", "corrected": "纠正", "other": "其他", "pending": "尚未审结"}
NO_2008 = {"not_processed.excessive", "other.no_fee"}
TODAY = date(2025, 12, 31)  # the day of the import


def workday(day: date) -> bool:
    return chinese_calendar.is_workday(day)


def add_days(start: date, n: int, paused: tuple[date, date] | None = None) -> date:
    """The N-th working day after ``start``, days in (paused[0], paused[1]] not counted."""
    day, left = start, n
    while left:
        day += ONE_DAY
        if workday(day) and not (paused and paused[0] < day <= paused[1]):
            left -= 1
    return day


def next_workday(day: date) -> date:
    while not workday(day):
        day += ONE_DAY
    return day


@dataclass
class Row:
    """One generated request: the cells as an office writes them, and what we expect."""

    cells: dict[str, Any] = field(default_factory=dict)
    column: str = "natural_person"
    receipt: date = date(2025, 1, 2)
    outcome: str | None = None  # D-8 code (a withdrawal is other.misc)
    result_on: date | None = None
    due: date | None = None  # the reply limit counted here
    late: bool = False


def generate(seed: int = 15, n: int = 200) -> list[Row]:
    rng = random.Random(seed)
    codes = [c for c, o in outcomes().items() if not o.system_only]
    rows = []
    for i in range(n):
        r = Row()
        # Receipts on working days from 2018 to late 2025: both sides of 2019-05-15.
        year = rng.choice([2018, 2019, 2019, 2020, 2021, 2023, 2025, 2025])
        r.receipt = next_workday(date(year, rng.randint(1, 12), rng.randint(1, 28)))
        if r.receipt > date(2025, 11, 28):
            r.receipt = date(2025, 11, 28)
        old = r.receipt < date(2019, 5, 15)
        reply_days, max_ext = (15, 15) if old else (20, 20)
        kind = rng.random()
        channel = rng.choice(CHANNELS)
        c = r.cells
        c["收到申请之日"] = r.receipt.isoformat() if i % 3 else r.receipt.strftime("%Y/%-m/%-d")
        if channel not in ("当面提交", "邮寄（需签收）"):
            c["申请送达日"] = (r.receipt - timedelta(days=rng.randint(0, 3))).isoformat()
        c["提交方式"] = channel
        if kind < 0.6:
            c["申请人类型"] = "自然人"
        else:
            r.column = rng.choice(list(SUBKINDS))
            c["申请人类型"] = "法人或其他组织"
            c["法人或其他组织类别"] = SUBKINDS[r.column]
        c["申请人姓名或名称"] = f"申请人{i:03d}"
        c["证件号码"] = f"61092619900101{i:04d}"
        contact = rng.choice(["phone", "address", "email", "all"])
        if contact in ("phone", "all"):
            c["联系电话"] = f"1380000{i:04d}"
        if contact in ("address", "all"):
            c["通讯地址"] = f"示范县人民路{i}号"
        if contact in ("email", "all"):
            c["电子邮箱"] = f"a{i}@example.cn"
        c["申请内容"] = f"第{i}号申请所需的政府信息"
        if i % 4 == 0:
            c["原登记编号"] = f"原台账-{r.receipt.year}-{i:03d}"
        if i % 5 == 0:
            c["经办人"] = "li.handler"
        start, paused = r.receipt, None
        path = rng.random()
        if path < 0.15:  # a correction notice
            notice = add_days(r.receipt, rng.randint(1, 5))
            c["补正通知日"] = notice.isoformat()
            c["补正事项"] = "请写明文件名称"
            period = rng.choice([None, 10, 15])
            if period:
                c["补正期限（工作日）"] = period
            if rng.random() < 0.7:
                corrected = add_days(notice, rng.randint(1, 8))
                c["收到补正日"] = corrected.isoformat()
                start = corrected
            else:  # never corrected: closed once the period ran out
                r.outcome, r.result_on = "other.no_correction", add_days(notice, (period or 15) + 1)
        ext_on = None
        if r.outcome is None and rng.random() < 0.15:  # an extension, before the limit
            ext = rng.randint(1, max_ext)
            ext_on = add_days(start, rng.randint(1, reply_days - 1))
            c["延长天数（工作日）"] = ext
            c["延长告知日"] = ext_on.isoformat()
            c["延长理由"] = "材料多，需调档"
        else:
            ext = 0
        fee = (
            not old and r.receipt >= date(2021, 1, 4) and r.outcome is None and rng.random() < 0.12
        )
        if fee:
            notice = add_days(start, rng.randint(1, 5))
            c["收费通知日"] = notice.isoformat()
            c["收费金额（元）"] = rng.choice([100, 200, 300])
            if rng.random() < 0.6:
                paid = add_days(notice, rng.randint(1, 10))
                c["缴费日"] = paid.isoformat()
                paused = (notice, paid)
            else:
                r.outcome, r.result_on = "other.no_fee", add_days(notice, 21)
        if r.outcome is None:
            r.due = add_days(start, reply_days + ext, paused)
            choice = rng.random()
            if choice < 0.1 and not ext and not fee:
                r.outcome, r.result_on = "other.misc", add_days(start, 2)  # withdrawn
                c["答复类型"] = "申请人撤回"
            elif choice >= 0.1:
                allowed = [x for x in codes if not (old and x in NO_2008)]
                r.outcome = rng.choice(allowed)
                offset = rng.choice([-3, -1, 0, 0, 1, 4])  # working days around the limit
                reply = r.due
                for _ in range(-offset):
                    reply -= ONE_DAY
                    while not workday(reply):
                        reply -= ONE_DAY
                if offset > 0:
                    reply = add_days(r.due, offset)
                after = [start, reply, *(d for d in (ext_on, paused and paused[1]) if d)]
                r.result_on = max(after)
                r.late = r.result_on > r.due
                c["答复类型"] = rng.choice(
                    [r.outcome, outcomes()[r.outcome].full_label.replace(" ", "")]
                )
                c["答复摘要"] = "答复内容"
        else:
            c["答复类型"] = outcomes()[r.outcome].full_label.replace(" ", "")
        if r.result_on is not None and r.result_on > TODAY:  # not settled by the ledger's end
            r.outcome, r.result_on, r.late = None, None, False
            c.pop("答复类型", None)
            c.pop("答复摘要", None)
        if r.result_on is not None:
            c["答复日期"] = r.result_on.isoformat()
        if r.result_on and r.outcome not in ("other.no_correction", "other.no_fee"):
            if rng.random() < 0.15:
                filed = r.result_on + timedelta(days=rng.randint(5, 50))
                result = rng.choice(list(RESULTS))
                decided = filed + timedelta(days=40)
                if filed <= TODAY:
                    result = "pending" if decided > TODAY else result
                    c["行政复议案号"] = f"示府复〔{filed.year}〕{i}号"
                    c["复议申请日"] = filed.isoformat()
                    c["复议结果"] = RESULTS[result]
                    if result != "pending":
                        c["复议决定日"] = decided.isoformat()
            if rng.random() < 0.1:
                filed = r.result_on + timedelta(days=rng.randint(5, 80))
                result = rng.choice(list(RESULTS))
                decided = filed + timedelta(days=60)
                if filed <= TODAY:
                    result = "pending" if decided > TODAY else result
                    c["行政诉讼案号"] = f"（{filed.year}）示行初{i}号"
                    c["起诉方式"] = rng.choice(["未经复议直接起诉", "复议后起诉"])
                    c["起诉日"] = filed.isoformat()
                    c["诉讼结果"] = RESULTS[result]
                    if result != "pending":
                        c["判决日"] = decided.isoformat()
        rows.append(r)
    return rows


def xlsx(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    headers = headers or [c.header for c in COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for cells in rows:
        sheet.append([cells.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def supervisor(flow):
    return services.identify(flow.svc, "chen.supervisor")


def build_report(flow, agency: str, year: int, include_children: bool = False):
    """The annual report as the county's supervisor pulls it."""
    return services.annual_report(
        flow.svc, supervisor(flow), agency=agency, year=year, include_children=include_children
    )


def run_import(flow, data: bytes, name: str = "台账.xlsx"):
    return import_requests(
        flow.svc,
        principal=acting(flow.svc, HEAD),
        sheet=read_sheet(data, name),
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def by_hand(rows: list[Row], year: int) -> dict[str, tuple[int, ...]]:
    """Table 三 of ``year`` counted from the rows themselves, keyed like the report's rows."""
    cols = list(COLUMN_KEYS[:6])
    table: dict[str, Counter[str]] = {}

    def add(key: str, column: str) -> None:
        table.setdefault(key, Counter())[column] += 1

    for r in rows:
        result_year = r.result_on.year if r.result_on else None
        if r.receipt.year == year:
            add("new", r.column)
        if r.receipt.year < year and (result_year is None or result_year >= year):
            add("carried_in", r.column)
        if result_year == year:
            key = r.outcome
            if year == 2019 and key.startswith("other."):
                key = "other"  # the trial format's one 其他处理 row
            add(key, r.column)
            add("total", r.column)
        if r.receipt.year <= year and (result_year is None or result_year > year):
            add("carried_out", r.column)
    return {
        key: (*(counts[c] for c in cols), sum(counts.values())) for key, counts in table.items()
    }


def numbers(report) -> dict[str, tuple[int, ...]]:
    return {r.key: r.values for r in report.rows if r.values is not None and any(r.values)}


def test_a_200_row_ledger_counts_in_the_reports_as_cases_handled_in_govflow(flow) -> None:
    flow.checking = False
    flow.at("2025-12-31 10:00")
    rows = generate()
    used = {h for r in rows for h in r.cells}
    assert used == {c.header for c in COLUMNS}, "every column is exercised"
    assert {r.outcome for r in rows} >= set(outcomes())
    data = xlsx([r.cells for r in rows])
    result = run_import(flow, data)
    assert result.problems == []
    assert len(result.created) == 200 and result.skipped == []

    # Late replies: exactly the rows whose reply date is after the limit counted here.
    late_lines = {f.line for f in result.findings if "计为超期答复" in f.message}
    assert late_lines == {i + 2 for i, r in enumerate(rows) if r.late}
    assert late_lines  # the ledger has late replies, and govflow says so

    # The annual reports, against tables counted by hand from the rows.
    for year in (2019, 2020, 2025):
        report = build_report(flow, "county", year, include_children=False)
        assert report.violations == []
        assert numbers(report) == by_hand(rows, year), year
    assert build_report(flow, "county", 2019, False).format_name == "国办公开办函〔2019〕60号"
    # Table 四: each reconsideration and lawsuit once, in the year it was filed.
    filed = Counter(
        date.fromisoformat(r.cells[k]).year
        for r in rows
        for k in ("复议申请日", "起诉日")
        if k in r.cells
    )
    for year in (2019, 2020, 2025):
        table4 = build_report(flow, "county", year, False).table4
        assert table4[4] + table4[9] + table4[14] == filed[year]

    # The timeliness report counts them as it counts requests handled in govflow: a reply
    # limit met on time in the period of the reply, a late one in the period of its due day.
    replies = [r for r in rows if r.outcome and r.due and r.cells.get("答复类型") != "申请人撤回"]
    replies = [r for r in replies if not r.outcome.startswith("other.no_")]
    for year in (2019, 2025):
        figures = services.timeliness_report(
            flow.svc, supervisor(flow), agency="county", start=date(year, 1, 1),
            end=date(year, 12, 31),
        )  # fmt: skip
        on_time = sum(1 for r in replies if not r.late and r.result_on.year == year)
        late = sum(1 for r in replies if r.late and r.due.year == year)
        assert (figures.replies.on_time, figures.replies.late) == (on_time, late), year

    # Every event is marked imported; every chain verifies; the projection is the events'.
    sha = hashlib.sha256(data).hexdigest()
    line, ref = result.created[7]
    case = load_case(flow.svc, ref)
    marks = [e.data["imported"] for e in case.events]
    assert all(m["by"] == HEAD and m["sha256"] == sha and m["line"] == line for m in marks)
    assert all(m["file"] == "台账.xlsx" for m in marks)
    checked, findings = services.verify_all(flow.svc, SYSTEM)
    assert (checked, findings) == (200, [])
    for _, ref in result.created[::20]:
        assert services.check_projection(flow.svc, ref) == []

    # The same file again: nothing is created twice.
    before = flow.footprint()
    again = run_import(flow, data)
    assert again.created == [] and len(again.skipped) == 200
    assert dict(again.skipped) == dict(result.created)
    assert flow.footprint() == before


def test_a_sheet_with_bad_rows_writes_nothing_and_lists_every_problem(flow) -> None:
    flow.at("2025-12-31 10:00")
    good = generate(n=3)
    bad_rows = [r.cells for r in good]
    bad_rows += [
        {**good[0].cells, "证件号码": "X", "收到申请之日": "2025-02-30"},  # line 5
        {**good[1].cells, "收到申请之日": "2008-04-01", "提交方式": "信鸽"},  # line 6
        {**good[2].cells, "答复类型": "已办结", "答复日期": "2026-01-05"},  # line 7
        {**good[0].cells, "证件号码": "610926199001019999", "申请人类型": "法人或其他组织"},  # 8
        {**good[1].cells, "证件号码": "610926199001018888", "延长天数（工作日）": 5},  # line 9
        {**good[2].cells, "证件号码": "610926199001017777", "经办人": "liu.clerk"},  # line 10
    ]
    before = flow.footprint()
    result = run_import(flow, xlsx(bad_rows))
    assert result.created == [] and flow.footprint() == before
    listed = {(p.line, p.column) for p in result.problems}
    assert (5, "收到申请之日") in listed  # 2025-02-30 is no date
    assert (6, "收到申请之日") in listed and (6, "提交方式") in listed  # before 2008-05-01; unknown
    assert (7, "答复类型") in listed and (7, "答复日期") in listed  # unknown outcome; future date
    assert (8, "法人或其他组织类别") in listed or (
        8,
        "",
    ) in listed  # an organisation needs its kind
    assert (9, "延长天数（工作日）") in listed  # needs the day it was notified
    assert (10, "经办人") in listed  # not a handler of this office
    texts = [str(p) for p in result.problems]
    assert "第 5 行【收到申请之日】不是有效日期：'2025-02-30'" in texts[0] or any(
        t.startswith("第 5 行【收到申请之日】不是有效日期") for t in texts
    )
    assert any("早于《条例》施行之日 2008-05-01" in t for t in texts)
    assert any("晚于今天 2025-12-31" in t for t in texts)
    assert all(p.line >= 5 for p in result.problems)  # the good rows have none
    # A missing required column is named, and only an office head may import.
    headers = [c.header for c in COLUMNS if c.header != "申请内容"]
    missing = run_import(flow, xlsx([good[0].cells], headers))
    assert [(p.line, p.column) for p in missing.problems] == [(1, "申请内容")]
    with pytest.raises(ActionNotAllowed, match="公开办负责人"):
        import_requests(flow.svc, principal=acting(flow.svc, "li.handler"), sheet=read_sheet(xlsx([]), "x.xlsx"),
                        file_name="x.xlsx", sha256="0")  # fmt: skip
    assert flow.footprint() == before


def test_a_row_the_rules_cannot_follow_is_a_problem_and_a_past_departure_a_finding(flow) -> None:
    flow.at("2025-12-31 10:00")
    base = {
        "收到申请之日": "2025-03-03",
        "提交方式": "当面提交",
        "申请人类型": "自然人",
        "申请人姓名或名称": "张三",
        "证件号码": "610926199001011234",
        "联系电话": "13800000000",
        "申请内容": "2024年预算",
    }
    # A reconsideration filed before the reply: no reply to reconsider yet.
    early = {**base, "答复类型": "予以公开", "答复日期": "2025-03-20", "行政复议案号": "复1",
             "复议申请日": "2025-03-10", "复议结果": "尚未审结"}  # fmt: skip
    result = run_import(flow, xlsx([early]))
    assert [(p.line, p.column) for p in result.problems] == [(2, "复议申请日")]
    # An extension granted after the limit passed (20 working days from 03-03: 03-31):
    # recorded as it happened, listed, and kept on the event.
    late_extension = {**base, "延长天数（工作日）": 10, "延长告知日": "2025-04-02",
                      "答复类型": "予以公开", "答复日期": "2025-04-10"}  # fmt: skip
    result = run_import(flow, xlsx([late_extension]))
    assert result.problems == []
    assert any("延长须在期限届满前批准" in f.message for f in result.findings)
    ((_, ref),) = result.created
    extend = next(e for e in load_case(flow.svc, ref).events if e.action == "extend")
    assert "延长须在期限届满前批准" in extend.data["imported"]["finding"]
