"""The annual report's tables 三 and 四 (SPEC R-1): rows in, tables out, in the year's format.

Table 三's result rows are those of the format the report year takes
(``workflow.reports.formats``: the 2019 trial format for 2019, 国办公开办函〔2021〕30号 from
2020); everything else is the same in both.

Counting rules, for year Y (a request's "received" day is its receipt date, or the day
it was handed in when receipt was never confirmed; its "result" day is the reply date,
or the day it was closed or withdrawn). Only the year each day falls in matters
(``Period``), so requests are counted in groups (``RequestTally``):

- 一 new: received in Y;
- 二 carried over: received before Y and without a result dated before Y;
- 三 results: result dated in Y, in the row of its D-8 outcome; （七）总计 sums the rows;
- 四 carried to next year: received by the end of Y and without a result dated by then.

一 + 二 = 三（七） + 四 then holds for every column by construction; it is checked
anyway, and any column where it fails is reported (a result dated before its receipt,
an outcome not in the list), never hidden.

Table 四 counts each reconsideration or lawsuit once (its latest record), in the year
it was filed, by route and result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from govflow.workflow.outcomes import Outcome
from govflow.workflow.reports.formats import ReportFormats

TITLE_3 = "三、收到和处理政府信息公开申请情况"
TITLE_4 = "四、政府信息公开行政复议、行政诉讼情况"

# Table 三's seven columns: key, label, group label (the header row above).
APPLICANT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("natural_person", "自然人", "自然人"),
    ("commercial", "商业企业", "法人或其他组织"),
    ("research", "科研机构", "法人或其他组织"),
    ("public_interest", "社会公益组织", "法人或其他组织"),
    ("legal_services", "法律服务机构", "法人或其他组织"),
    ("other", "其他", "法人或其他组织"),
    ("total", "总计", "总计"),
)
COLUMN_KEYS = tuple(key for key, _, _ in APPLICANT_COLUMNS)
COLUMN_LABELS = tuple(label for _, label, _ in APPLICANT_COLUMNS)
APPLICANT_HEADER = "申请人情况"

NEW = "一、本年新收政府信息公开申请数量"
CARRIED_IN = "二、上年结转政府信息公开申请数量"
RESULTS = "三、本年度办理结果"
TOTAL = "（七）总计"
CARRIED_OUT = "四、结转下年度继续办理"

# Table 四's fifteen columns: three routes by five results.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("reconsideration", "行政复议", "行政复议"),
    ("direct", "行政诉讼", "未经复议直接起诉"),
    ("after_reconsideration", "行政诉讼", "复议后起诉"),
)
RESULTS_4: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def applicant_column(kind: str, subkind: str | None) -> str:
    """The table-三 column of an applicant: natural persons, or the organisation's subkind."""
    if kind == "natural_person":
        return "natural_person"
    return subkind if subkind in COLUMN_KEYS[1:6] else "other"


@dataclass(frozen=True)
class RequestRecord:
    """One disclosure request as the report sees it."""

    ref: str
    column: str  # one of COLUMN_KEYS[:6]
    received: date  # receipt date, or the day received when receipt was never confirmed
    outcome: str | None = None
    result_on: date | None = None  # reply, closure or withdrawal day


class Period(StrEnum):
    """Where a day falls relative to the report's year: all the counting rules need."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


def period_of(day: date, year: int) -> Period:
    if day.year < year:
        return Period.BEFORE
    return Period.DURING if day.year == year else Period.AFTER


@dataclass(frozen=True)
class RequestTally:
    """``count`` requests alike for the year: same column, outcome, and periods of receipt
    and result (``result`` None: no result yet). ``ref`` names one of them, for messages.

    The database groups a million requests into a few hundred of these, so the report
    never reads request rows one by one (SPEC R-1 at scale); ``tally`` does the same in
    Python for records.
    """

    column: str
    received: Period
    result: Period | None
    outcome: str | None
    count: int
    ref: str = ""


def tally(year: int, requests: Iterable[RequestRecord]) -> list[RequestTally]:
    groups: dict[tuple[str, Period, Period | None, str | None], list[str]] = {}
    for r in requests:
        result = None if r.result_on is None else period_of(r.result_on, year)
        key = (r.column, period_of(r.received, year), result, r.outcome)
        groups.setdefault(key, []).append(r.ref)
    return [RequestTally(*key, count=len(refs), ref=refs[0]) for key, refs in groups.items()]


@dataclass(frozen=True)
class ChallengeRecord:
    """The latest record of one reconsideration or lawsuit."""

    number: str
    route: str  # reconsideration | direct | after_reconsideration
    result: str  # upheld | corrected | other | pending
    filed_on: date


@dataclass(frozen=True)
class Row:
    """One row of table 三: ``values`` is None for a heading that has rows under it."""

    label: str
    depth: int  # 0 for 一…四, 1 for （一）…（七）, 2 for the numbered items
    values: tuple[int, ...] | None
    key: str = ""


@dataclass
class AnnualReport:
    agency: str
    year: int
    rows: list[Row]
    table4: tuple[int, ...]
    violations: list[str] = field(default_factory=list)
    format_name: str = ""  # the format the year's report follows (国办公开办函〔2021〕30号)
    format_title: str = ""
    # Drawn although ``audit verify`` has open findings in the agencies covered: what the
    # report must say about itself (the rows it counts may be forged). None: verified clean.
    audit_note: str | None = None

    def row(self, key: str) -> tuple[int, ...]:
        for row in self.rows:
            if row.key == key and row.values is not None:
                return row.values
        raise KeyError(key)


def _with_total(counts: dict[str, int]) -> tuple[int, ...]:
    values = [counts.get(key, 0) for key in COLUMN_KEYS[:6]]
    return (*values, sum(values))


def annual_report(
    agency: str,
    year: int,
    requests: Iterable[RequestRecord],
    challenges: Iterable[ChallengeRecord] = (),
    *,
    outcomes: Mapping[str, Outcome],
    formats: ReportFormats,
) -> AnnualReport:
    """The tables from request records, one per request (tests, small offices)."""
    tallies = tally(year, requests)
    return report_from_tallies(
        agency, year, tallies, challenges, outcomes=outcomes, formats=formats
    )


def report_from_tallies(
    agency: str,
    year: int,
    tallies: Iterable[RequestTally],
    challenges: Iterable[ChallengeRecord] = (),
    *,
    outcomes: Mapping[str, Outcome],
    formats: ReportFormats,
) -> AnnualReport:
    """The tables from grouped requests; ``outcomes`` is the D-8 list, ``formats`` the
    annual report's formats (the year's gives table 三's result rows)."""
    new: dict[str, int] = {}
    carried_in: dict[str, int] = {}
    carried_out: dict[str, int] = {}
    by_outcome: dict[str, dict[str, int]] = {}
    unknown: list[str] = []
    for t in tallies:
        col, n = t.column, t.count
        if t.received is Period.DURING:
            new[col] = new.get(col, 0) + n
        if t.received is Period.BEFORE and t.result is not Period.BEFORE:
            carried_in[col] = carried_in.get(col, 0) + n
        if t.received is not Period.AFTER and t.result in (None, Period.AFTER):
            carried_out[col] = carried_out.get(col, 0) + n
        if t.result is Period.DURING:
            code = t.outcome or ""
            if code not in outcomes:
                who = t.ref if n == 1 else f"{t.ref} 等 {n} 件"
                unknown.append(f"{who}：答复类型 {code or '（空）'} 不在 D-8 目录中")
            counts = by_outcome.setdefault(code, {})
            counts[col] = counts.get(col, 0) + n

    rows = [
        Row(NEW, 0, _with_total(new), "new"),
        Row(CARRIED_IN, 0, _with_total(carried_in), "carried_in"),
        Row(RESULTS, 0, None, "results"),
    ]
    form = formats.for_year(year)
    total = [0] * 7
    heading = None
    for result in form.rows:
        counts: dict[str, int] = {}
        for code in result.outcomes:
            for col, n in by_outcome.get(code, {}).items():
                counts[col] = counts.get(col, 0) + n
        values = _with_total(counts)
        total = [a + b for a, b in zip(total, values, strict=True)]
        if result.heading is None:
            rows.append(Row(result.label, 1, values, result.key))
            heading = None
            continue
        if result.heading != heading:
            rows.append(Row(result.heading, 1, None, result.heading))
            heading = result.heading
        rows.append(Row(result.label, 2, values, result.key))
    rows.append(Row(TOTAL, 1, tuple(total), "total"))
    rows.append(Row(CARRIED_OUT, 0, _with_total(carried_out), "carried_out"))

    report = AnnualReport(
        agency,
        year,
        rows,
        table_four(year, challenges),
        format_name=form.name,
        format_title=form.title,
    )
    report.violations = unknown + balance_violations(report)
    return report


def balance_violations(report: AnnualReport) -> list[str]:
    """勾稽关系: 一 + 二 = 三（七）总计 + 四, column by column."""
    found = []
    new, carried_in = report.row("new"), report.row("carried_in")
    total, carried_out = report.row("total"), report.row("carried_out")
    for i, label in enumerate(COLUMN_LABELS):
        left, right = new[i] + carried_in[i], total[i] + carried_out[i]
        if left != right:
            found.append(
                f"勾稽关系不符（{label}）：一 + 二 = {new[i]} + {carried_in[i]} = {left}，"
                f"三（七） + 四 = {total[i]} + {carried_out[i]} = {right}"
            )
    return found


def table_four(year: int, challenges: Iterable[ChallengeRecord]) -> tuple[int, ...]:
    counts: dict[tuple[str, str], int] = {}
    for c in challenges:
        if c.filed_on.year != year:
            continue
        counts[c.route, c.result] = counts.get((c.route, c.result), 0) + 1
        counts[c.route, "total"] = counts.get((c.route, "total"), 0) + 1
    return tuple(
        counts.get((route, result), 0) for route, _, _ in ROUTES for result, _ in RESULTS_4
    )


def table_four_labels() -> list[str]:
    return [f"{sub}/{res}" for _, _, sub in ROUTES for _, res in RESULTS_4]
