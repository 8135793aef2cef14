"""Annual report tables 三 and 四 (SPEC R-1): pure aggregation against hand-worked tables."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from govflow import configs
from govflow.presentation.annual import to_csv, to_markdown
from govflow.workflow.errors import InvalidInput
from govflow.workflow.reports.annual import (
    COLUMN_KEYS,
    ChallengeRecord,
    RequestRecord,
    annual_report,
    applicant_column,
)
from govflow.workflow.reports.formats import FormatError, parse_formats
from tests.config import formats, outcomes

D = date.fromisoformat
COLS = COLUMN_KEYS[:6]


def year_2025() -> list[RequestRecord]:
    """Every D-8 outcome once in 2025, its column cycling over the six applicant columns,
    plus requests carried in (A, B), carried out (B, D, E) and one wholly in 2024 (F)."""
    records = [
        RequestRecord(f"R{i}", COLS[i % 6], D("2025-02-01"), code, D("2025-02-10"))
        for i, code in enumerate(outcomes())
    ]
    return [
        *records,
        RequestRecord("A", "natural_person", D("2024-12-20"), "disclosed", D("2025-01-10")),
        RequestRecord("B", "commercial", D("2024-11-01")),
        RequestRecord("D", "public_interest", D("2025-12-25")),
        RequestRecord(
            "E", "legal_services", D("2025-12-30"), "withheld.third_party", D("2026-01-05")
        ),
        RequestRecord("F", "other", D("2024-12-30"), "disclosed", D("2024-12-31")),
    ]


# columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
EXPECTED_2025 = [
    ("一、本年新收政府信息公开申请数量", (4, 4, 4, 4, 4, 3, 23)),
    ("二、上年结转政府信息公开申请数量", (1, 1, 0, 0, 0, 0, 2)),
    ("三、本年度办理结果", None),
    ("（一）予以公开", (2, 0, 0, 0, 0, 0, 2)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (0, 1, 0, 0, 0, 0, 1)),
    ("（三）不予公开", None),
    ("1.属于国家秘密", (0, 0, 1, 0, 0, 0, 1)),
    ("2.其他法律行政法规禁止公开", (0, 0, 0, 1, 0, 0, 1)),
    ("3.危及“三安全一稳定”", (0, 0, 0, 0, 1, 0, 1)),
    ("4.保护第三方合法权益", (0, 0, 0, 0, 0, 1, 1)),
    ("5.属于三类内部事务信息", (1, 0, 0, 0, 0, 0, 1)),
    ("6.属于四类过程性信息", (0, 1, 0, 0, 0, 0, 1)),
    ("7.属于行政执法案卷", (0, 0, 1, 0, 0, 0, 1)),
    ("8.属于行政查询事项", (0, 0, 0, 1, 0, 0, 1)),
    ("（四）无法提供", None),
    ("1.本机关不掌握相关政府信息", (0, 0, 0, 0, 1, 0, 1)),
    ("2.没有现成信息需要另行制作", (0, 0, 0, 0, 0, 1, 1)),
    ("3.补正后申请内容仍不明确", (1, 0, 0, 0, 0, 0, 1)),
    ("（五）不予处理", None),
    ("1.信访举报投诉类申请", (0, 1, 0, 0, 0, 0, 1)),
    ("2.重复申请", (0, 0, 1, 0, 0, 0, 1)),
    ("3.要求提供公开出版物", (0, 0, 0, 1, 0, 0, 1)),
    ("4.无正当理由大量反复申请", (0, 0, 0, 0, 1, 0, 1)),
    ("5.要求行政机关确认或重新出具已获取信息", (0, 0, 0, 0, 0, 1, 1)),
    ("（六）其他处理", None),
    (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        (1, 0, 0, 0, 0, 0, 1),
    ),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        (0, 1, 0, 0, 0, 0, 1),
    ),
    ("3.其他", (0, 0, 1, 0, 0, 0, 1)),
    ("（七）总计", (5, 4, 4, 3, 3, 3, 22)),
    ("四、结转下年度继续办理", (0, 1, 0, 1, 1, 0, 3)),
]


def test_table_three_by_hand() -> None:
    report = annual_report("示范县", 2025, year_2025(), outcomes=outcomes(), formats=formats())
    assert [(r.label, r.values) for r in report.rows] == EXPECTED_2025
    assert report.violations == []


def test_carried_out_of_one_year_is_carried_into_the_next() -> None:
    r2025 = annual_report("示范县", 2025, year_2025(), outcomes=outcomes(), formats=formats())
    r2026 = annual_report("示范县", 2026, year_2025(), outcomes=outcomes(), formats=formats())
    assert r2026.row("carried_in") == r2025.row("carried_out") == (0, 1, 0, 1, 1, 0, 3)
    assert r2026.row("new") == (0,) * 7
    assert r2026.row("withheld.third_party") == (0, 0, 0, 0, 1, 0, 1)  # E, replied 2026
    assert r2026.row("total") == (0, 0, 0, 0, 1, 0, 1)
    assert r2026.row("carried_out") == (0, 1, 0, 1, 0, 0, 2)
    assert r2026.violations == []


def test_balance_violation_is_reported_per_column() -> None:
    bad = [
        # a result dated before the receipt: new in 2025, its result counted in 2024
        RequestRecord("X", "research", D("2025-03-01"), "disclosed", D("2024-12-01")),
        # an outcome outside the D-8 list: in no row, so missing from （七）总计
        RequestRecord("Y", "natural_person", D("2025-03-01"), "made_up", D("2025-03-05")),
    ]
    report = annual_report("示范县", 2025, bad, outcomes=outcomes(), formats=formats())
    assert report.row("new") == (1, 0, 1, 0, 0, 0, 2)
    assert report.row("total") == (0,) * 7
    assert report.violations == [
        "Y：答复类型 made_up 不在 D-8 目录中",
        "勾稽关系不符（自然人）：一 + 二 = 1 + 0 = 1，三（七） + 四 = 0 + 0 = 0",
        "勾稽关系不符（科研机构）：一 + 二 = 1 + 0 = 1，三（七） + 四 = 0 + 0 = 0",
        "勾稽关系不符（总计）：一 + 二 = 2 + 0 = 2，三（七） + 四 = 0 + 0 = 0",
    ]
    assert "勾稽关系核对发现问题" in to_markdown(report)
    assert "勾稽关系不符（科研机构）" in to_csv(report).decode("utf-8-sig")


def test_table_four_every_column_once_in_the_year_of_filing() -> None:
    challenges = [
        ChallengeRecord(f"N{route}{result}", route, result, D("2025-06-01"))
        for route in ("reconsideration", "direct", "after_reconsideration")
        for result in ("upheld", "corrected", "other", "pending")
    ]
    challenges += [
        ChallengeRecord("late", "direct", "upheld", D("2026-01-02")),
        ChallengeRecord("again", "reconsideration", "corrected", D("2025-12-31")),
    ]
    report = annual_report("示范县", 2025, [], challenges, outcomes=outcomes(), formats=formats())
    assert report.table4 == (1, 2, 1, 1, 5, 1, 1, 1, 1, 4, 1, 1, 1, 1, 4)


def test_applicant_columns() -> None:
    assert applicant_column("natural_person", None) == "natural_person"
    assert applicant_column("legal_person", "research") == "research"
    assert applicant_column("legal_person", None) == "other"


def test_markdown_and_csv_carry_the_labels_and_numbers() -> None:
    report = annual_report("示范县", 2025, year_2025(), outcomes=outcomes(), formats=formats())
    md = to_markdown(report)
    assert "| 一、本年新收政府信息公开申请数量 | 4 | 4 | 4 | 4 | 4 | 3 | 23 |" in md
    assert "| 　　3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 1 | 0 | 1 |" in md
    assert "各列均相符" in md
    data = to_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "示范县 2025 年度政府信息公开工作年度报告（表三、表四）"
    assert lines[1].startswith("格式：《")
    at = lines.index("三、收到和处理政府信息公开申请情况")
    assert lines[at + 1 : at + 4] == [
        ",申请人情况,,,,,,",
        ",自然人,法人或其他组织,,,,,总计",
        ",,商业企业,科研机构,社会公益组织,法律服务机构,其他,",
    ]
    assert "（七）总计,5,4,4,3,3,3,22" in text
    assert "四、结转下年度继续办理,0,1,0,1,1,0,3" in text


# -- the year's format (SPEC R-1, L-1) ------------------------------------------------------


def test_2019_in_the_trial_format_with_one_undivided_other_row() -> None:
    """The same requests a year earlier: the 2019 trial format counts 其他处理 in one row."""
    shifted = [
        RequestRecord(
            r.ref,
            r.column,
            r.received.replace(year=r.received.year - 6),
            r.outcome,
            r.result_on.replace(year=r.result_on.year - 6) if r.result_on else None,
        )
        for r in year_2025()
    ]
    report = annual_report("示范县", 2019, shifted, outcomes=outcomes(), formats=formats())
    assert report.format_name == "国办公开办函〔2019〕60号"
    labels = [r.label for r in report.rows]
    # 其他处理 is one row with numbers, and nothing is numbered under it.
    i = labels.index("（六）其他处理")
    assert report.rows[i].values == (1, 1, 1, 0, 0, 0, 3)  # no correction, no fee, other
    assert report.rows[i].depth == 1 and report.rows[i + 1].label == "（七）总计"
    assert report.row("other") == (1, 1, 1, 0, 0, 0, 3)
    divided = {label for label, _ in EXPECTED_2025[-5:-2]}  # the three rows under 其他处理
    expected = [row for row in EXPECTED_2025 if row[0] not in divided]
    expected[expected.index(("（六）其他处理", None))] = ("（六）其他处理", (1, 1, 1, 0, 0, 0, 3))
    assert [(r.label, r.values) for r in report.rows] == expected
    assert report.violations == []
    assert "格式：《中华人民共和国政府信息公开工作年度报告格式（试行）》" in to_markdown(report)
    # From 2020 the 30号 format divides it into three.
    later = annual_report("示范县", 2020, shifted, outcomes=outcomes(), formats=formats())
    assert later.format_name == "国办公开办函〔2021〕30号"
    assert "（六）其他处理" in [r.label for r in later.rows if r.values is None]


def test_no_format_before_2019() -> None:
    with pytest.raises(InvalidInput, match="2018 年度没有统一的年度报告格式"):
        annual_report("示范县", 2018, [], outcomes=outcomes(), formats=formats())


def test_a_format_must_count_every_outcome_once(tmp_path) -> None:
    shipped = configs.shipped("report_formats.yaml").read_text("utf-8")
    path = tmp_path / "formats.yaml"
    path.write_text(shipped.replace("outcomes: [other.no_correction, other.no_fee, other.misc]",
                                    "outcomes: [other.no_correction, other.misc]"), "utf-8")  # fmt: skip
    with pytest.raises(FormatError, match=r"未计入 \['other.no_fee'\]"):
        parse_formats(yaml.safe_load(path.read_text("utf-8")), str(path), outcomes())
    path.write_text(shipped.replace("outcomes: [withheld.query_matter]",
                                    "key: q, outcomes: [withheld.query_matter, disclosed]", 1), "utf-8")  # fmt: skip
    with pytest.raises(FormatError, match=r"重复 \['disclosed'\]"):
        parse_formats(yaml.safe_load(path.read_text("utf-8")), str(path), outcomes())
