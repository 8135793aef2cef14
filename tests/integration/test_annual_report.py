"""Annual report (SPEC R-1) for a small scripted year driven through the services, on SQLite
and PostgreSQL: both must give the hand-worked tables below; the .xlsx is read back.

The year (2025, county government office, with the education bureau below it):
- 2024-12-30 a person hands in a request (receipt that day); replied 2025-01-06 予以公开
  → carried into 2025, a 2025 result; a reconsideration (pending, then upheld) and a
  lawsuit after reconsideration (corrected) are filed against it in 2025;
- 2024-12-30 a company's letter arrives; receipt is never confirmed → counted by its
  received day, carried into 2025 and out of it;
- 2025-03-03 a research institute, answered on the spot 部分公开;
- 2025-04-01 a public-interest group, 不予处理/重复申请 on 04-02; sued directly (pending);
- 2025-05-06 a law firm, withdrawn 05-07 → 其他处理/其他;
- 2025-06-03 an "other" organisation asked to correct, never does → closed 逾期不补正;
- 2025-07-01 (education bureau) a person answered on the spot 无法提供/不掌握;
- 2025-12-29 a person, still open at the year's end → carried to 2026.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govflow.presentation.annual import to_csv, to_markdown, to_xlsx
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput
from tests import cli_fork

CLERK, LI, HEAD = "wang.clerk", "li.handler", "zhang.head"
EDU_CLERK = "liu.clerk"
EDU_HEAD = "sun.head"


def org(flow, name: str, id_number: str, subkind: str) -> dict:
    return {
        "kind": "legal_person",
        "subkind": subkind,
        "name": name,
        "id_number": id_number,
        "phone": "02900000000",
    }


def script_year(flow) -> None:
    flow.checking = False  # the paths are tested elsewhere; keep this one fast
    flow.at("2024-12-30 09:00")
    first = flow.register()
    flow.register(
        intake=flow.intake(
            applicant=org(flow, "某建材有限公司", "91610000MA6T000001", "commercial"),
            channel="letter",
            received_on="2024-12-30",
        )
    )
    flow.act(first, LI, "start_review")
    flow.act(first, LI, "accept")
    flow.at("2025-01-06 10:00")
    flow.act(first, LI, "draft_reply", outcome="disclosed", summary="予以公开")
    flow.act(first, HEAD, "approve_reply")

    flow.at("2025-03-03 10:00")
    partial = flow.register(
        intake=flow.intake(applicant=org(flow, "某研究院", "12610000MA6T000002", "research"))
    )
    # A partial disclosure is a decision: reviewed and approved, not given on the spot.
    flow.act(partial, LI, "start_review")
    flow.act(partial, LI, "accept")
    flow.act(partial, LI, "draft_reply", outcome="partially_disclosed", summary="区分处理后公开")
    flow.act(partial, HEAD, "approve_reply")

    flow.at("2025-04-01 10:00")
    dup = flow.register(
        intake=flow.intake(
            applicant=org(flow, "某公益协会", "51610000MA6T000003", "public_interest")
        )
    )
    flow.act(dup, LI, "start_review")
    flow.act(dup, LI, "draft_reply", outcome="not_processed.duplicate", summary="重复申请")
    flow.at("2025-04-02 10:00")
    flow.act(dup, HEAD, "approve_reply")
    flow.at("2025-04-03 10:00")
    flow.act(
        dup, CLERK, "record_litigation", number="(2025)示行初1号", route="direct",
        result="pending", filed_on="2025-04-03",
    )  # fmt: skip
    flow.act(
        first, CLERK, "record_reconsideration", number="示府复〔2025〕1号",
        result="pending", filed_on="2025-02-10",
    )  # fmt: skip
    flow.act(
        first, CLERK, "record_reconsideration", number="示府复〔2025〕1号",
        result="upheld", filed_on="2025-02-10", decided_on="2025-04-01",
    )  # fmt: skip
    flow.act(
        first, CLERK, "record_litigation", number="(2025)示行初2号",
        route="after_reconsideration", result="corrected", filed_on="2025-04-02",
        decided_on="2025-04-03",
    )  # fmt: skip

    flow.at("2025-05-06 10:00")
    law = flow.register(
        intake=flow.intake(
            applicant=org(flow, "某律师事务所", "31610000MA6T000004", "legal_services")
        )
    )
    flow.at("2025-05-07 10:00")
    flow.act(law, CLERK, "withdraw", reason="申请人撤回")

    flow.at("2025-06-03 10:00")
    unclear = flow.register(
        intake=flow.intake(applicant=org(flow, "某村民委员会", "54610000MA6T000005", "other"))
    )
    flow.act(unclear, LI, "start_review")
    flow.act(unclear, LI, "request_correction", items="请写明所需信息名称")
    flow.at("2025-07-01 10:00")
    not_held = flow.register(who=EDU_CLERK, agency="edu")
    flow.act(not_held, EDU_HEAD, "start_review")
    flow.act(not_held, EDU_HEAD, "accept")
    flow.act(not_held, EDU_HEAD, "draft_reply", outcome="unavailable.not_held", summary="不掌握")
    flow.act(not_held, EDU_HEAD, "approve_reply")

    flow.at("2025-07-15 10:00")
    flow.act(unclear, "system", "correction_expired")

    flow.at("2025-12-29 10:00")
    flow.register(intake=flow.intake(applicant=flow.person("李四", "610926199202020202")))


# columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
COUNTY_2025 = {
    "new": (1, 0, 1, 1, 1, 1, 5),
    "carried_in": (1, 1, 0, 0, 0, 0, 2),
    "disclosed": (1, 0, 0, 0, 0, 0, 1),
    "partially_disclosed": (0, 0, 1, 0, 0, 0, 1),
    "not_processed.duplicate": (0, 0, 0, 1, 0, 0, 1),
    "other.misc": (0, 0, 0, 0, 1, 0, 1),
    "other.no_correction": (0, 0, 0, 0, 0, 1, 1),
    "total": (1, 0, 1, 1, 1, 1, 5),
    "carried_out": (1, 1, 0, 0, 0, 0, 2),
}
# 行政复议 (维持, 纠正, 其他, 尚未审结, 总计), 直接起诉 (same), 复议后起诉 (same)
TABLE_4 = (1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1)


def build_report(flow, agency: str, year: int, include_children: bool):
    """The report as the county's supervisor pulls it."""
    reader = services.identify(flow.svc, "chen.supervisor")
    return services.annual_report(
        flow.svc, reader, agency=agency, year=year, include_children=include_children
    )


def numbers(report) -> dict[str, tuple[int, ...]]:
    """Every row with numbers; rows not listed in an expectation must be all zero."""
    return {r.key: r.values for r in report.rows if r.values is not None}


def expect(report, nonzero: dict[str, tuple[int, ...]]) -> None:
    zero = (0,) * 7
    assert numbers(report) == {key: nonzero.get(key, zero) for key in numbers(report)}


def test_scripted_year(flow, tmp_path: Path) -> None:
    script_year(flow)
    county = build_report(flow, "county", 2025, include_children=False)
    expect(county, COUNTY_2025)
    assert county.table4 == TABLE_4
    assert county.violations == []

    with_children = build_report(flow, "county", 2025, include_children=True)
    expect(
        with_children,
        {
            **COUNTY_2025,
            "new": (2, 0, 1, 1, 1, 1, 6),
            "unavailable.not_held": (1, 0, 0, 0, 0, 0, 1),
            "total": (2, 0, 1, 1, 1, 1, 6),
        },
    )
    assert with_children.violations == []
    assert with_children.agency == "示范县人民政府办公室（含下级机关）"

    # 2024: both requests of its last day are carried out; 2026 takes in what 2025 left.
    y2024 = build_report(flow, "county", 2024, include_children=False)
    expect(y2024, {"new": (1, 1, 0, 0, 0, 0, 2), "carried_out": (1, 1, 0, 0, 0, 0, 2)})
    y2026 = build_report(flow, "county", 2026, include_children=False)
    expect(y2026, {"carried_in": (1, 1, 0, 0, 0, 0, 2), "carried_out": (1, 1, 0, 0, 0, 0, 2)})
    assert y2026.table4 == (0,) * 15

    # The spreadsheet, read back: labels and numbers as in the report.
    path = tmp_path / "annual.xlsx"
    to_xlsx(county, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["表三", "表四"]
    sheet = wb["表三"]
    # Whose report and which year, then the format's three header levels.
    assert (
        sheet["A1"].value == "示范县人民政府办公室 2025 年度政府信息公开工作年度报告（表三、表四）"
    )
    assert sheet["A2"].value == "三、收到和处理政府信息公开申请情况"
    assert [c.value for c in sheet[3]][:2] == [None, "申请人情况"]
    assert [c.value for c in sheet[4]] == [
        None, "自然人", "法人或其他组织", None, None, None, None, "总计",
    ]  # fmt: skip
    assert [c.value for c in sheet[5]] == [
        None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None,
    ]  # fmt: skip
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:A5", "B3:H3", "C4:G4", "B4:B5", "H4:H5"} <= merged
    body = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=6)]
    assert body == [
        (r.label, *(r.values if r.values is not None else (None,) * 7)) for r in county.rows
    ]
    assert body[0] == ("一、本年新收政府信息公开申请数量", 1, 0, 1, 1, 1, 1, 5)
    assert body[-2] == ("（七）总计", 1, 0, 1, 1, 1, 1, 5)
    four = wb["表四"]
    assert four["A1"].value == sheet["A1"].value
    assert four["A3"].value == "行政复议"
    assert four["F3"].value == "行政诉讼"
    assert (four["F4"].value, four["K4"].value) == ("未经复议直接起诉", "复议后起诉")
    assert [c.value for c in four[5]] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ] * 3
    assert tuple(c.value for c in four[6]) == TABLE_4

    if flow.engine.dialect.name == "sqlite":  # the command itself, on the same database file
        env = {**os.environ, "GOVFLOW_DATABASE_URL": flow.engine.url.render_as_string(False)}

        def run(*args: str) -> subprocess.CompletedProcess[bytes]:
            argv = [sys.executable, "-m", "govflow", "report", "annual", "--agency", "county"]
            argv += ["--as", "chen.supervisor"]
            return cli_fork.run([*argv, "--year", "2025", *args], capture_output=True, env=env)

        md = run()
        assert (md.returncode, md.stdout.decode("utf-8")) == (0, to_markdown(county))
        out = tmp_path / "annual.csv"
        assert run("--format", "csv", "--output", str(out)).returncode == 0
        assert out.read_bytes() == to_csv(county)
        out = tmp_path / "cli.xlsx"
        assert run("--format", "xlsx", "--output", str(out)).returncode == 0
        cli_sheet = load_workbook(out)["表三"]
        assert [tuple(c.value for c in r) for r in cli_sheet.iter_rows(min_row=6)] == body


def test_migration_fills_closure_days_from_the_events(flow) -> None:
    """0003 keeps the closure day on the request; a database made before it is filled from
    the events, and the report is the same."""
    from alembic import command
    from sqlalchemy import text

    from govflow.models.db import alembic_config, migrate

    script_year(flow)
    before = build_report(flow, "county", 2025, include_children=False)
    query = "SELECT case_id, closed_on FROM disclosure_requests ORDER BY case_id"
    with flow.engine.connect() as conn:
        closed = conn.execute(text(query)).all()
    assert sum(1 for _, day in closed if day is not None) == 2  # withdrawn, 逾期不补正

    command.downgrade(alembic_config(flow.engine), "0002")
    migrate(flow.engine)
    with flow.engine.connect() as conn:
        assert conn.execute(text(query)).all() == closed
    after = build_report(flow, "county", 2025, include_children=False)
    assert numbers(after) == numbers(before)


@pytest.mark.parametrize(
    ("year", "problem"), [(0, "不能小于 2008"), (-1, "不能小于 2008"), (10000, "不能大于 2100")]
)
def test_a_year_outside_the_calendar_is_refused_as_the_api_refuses_it(
    flow, year: int, problem: str
) -> None:
    """The service refuses it (the CLI's exit 2), in the HTTP API's words, where the
    register's SQL used to fail on ``date(0, 1, 1)``."""
    with pytest.raises(InvalidInput, match=f"年度 year：{problem}") as refused:
        build_report(flow, "county", year, include_children=False)
    assert refused.value.fields == {"year": problem}
