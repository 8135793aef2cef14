"""The column layout of an import sheet, and reading one row's cells into an ``ImportRow``.

Columns are found by their header (the first row), in any order; the labels are what an
office's 依申请公开登记台账 usually says, and ``govflow import requests --template`` writes
them. A cell is read as the office types it: a date as 2025-03-05, 2025/3/5 or 2025年3月5日
(or a spreadsheet date), a choice by its Chinese name or its code, an outcome by the annual
report's row (予以公开, 不予公开/属于国家秘密, 属于国家秘密 …) or its code. Every problem is
kept with its line and column, in Chinese, so one pass lists all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from govflow.workflow.disclosure.actions import CHANNEL_LABELS, SUBKIND_LABELS
from govflow.workflow.disclosure.fees import MAX_AMOUNT
from govflow.workflow.outcomes import Outcome

WITHDRAWN = "withdrawn"  # not an outcome code: the applicant withdrew (其他处理 / 其他)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text | date | int | choice | outcome
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese name)
    note: str = ""
    most: int | None = None  # an int column's largest value, as the action's input allows


def _choices(labels: dict[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(getattr(k, "value", k)), v) for k, v in labels.items())


RESULTS = (("upheld", "维持"), ("corrected", "纠正"), ("other", "其他"), ("pending", "尚未审结"))

COLUMNS: tuple[Column, ...] = (
    Column("original_ref", "原登记编号", "text", note="本机关原台账中的编号；有则据此识别重复导入"),
    Column("received_on", "申请送达日", "date", note="申请到达本机关之日；空则同收到申请之日"),
    Column(
        "receipt_date", "收到申请之日", "date", True, note="按条例确定的收到申请之日，期限自此起算"
    ),
    Column("channel", "提交方式", "choice", True, _choices(CHANNEL_LABELS)),
    Column(
        "applicant_kind",
        "申请人类型",
        "choice",
        True,
        (("natural_person", "自然人"), ("legal_person", "法人或其他组织")),
    ),
    Column(
        "applicant_subkind",
        "法人或其他组织类别",
        "choice",
        False,
        _choices(SUBKIND_LABELS),
        "申请人为法人或其他组织时必填",
    ),
    Column("name", "申请人姓名或名称", "text", True),
    Column("id_number", "证件号码", "text", True, note="身份证件号码或统一社会信用代码"),
    Column("phone", "联系电话", "text", note="联系电话、通讯地址、电子邮箱至少填一项"),
    Column("address", "通讯地址", "text"),
    Column("email", "电子邮箱", "text"),
    Column("description", "申请内容", "text", True, note="所需政府信息的名称、文号或描述"),
    Column("assignee", "经办人", "text", note="govflow 中本机关经办人或负责人的用户名"),
    Column("correction_notice_on", "补正通知日", "date"),
    Column("correction_items", "补正事项", "text"),
    Column("correction_period_days", "补正期限（工作日）", "int", note="空则按本机关设置"),
    Column("corrected_on", "收到补正日", "date"),
    Column("extension_days", "延长天数（工作日）", "int"),
    Column("extension_notified_on", "延长告知日", "date"),
    Column("extension_reason", "延长理由", "text"),
    Column("fee_notice_on", "收费通知日", "date", note="申请人收到收费通知之日"),
    Column("fee_amount", "收费金额（元）", "int", note=f"至多 {MAX_AMOUNT} 元", most=MAX_AMOUNT),
    Column("paid_on", "缴费日", "date"),
    Column(
        "outcome",
        "答复类型",
        "outcome",
        note="年度报告表三的行名（如 予以公开、不予公开/属于国家秘密）或“申请人撤回”；空为尚未办结",
    ),
    Column("replied_on", "答复日期", "date", note="答复、终止处理或撤回之日"),
    Column("summary", "答复摘要", "text"),
    Column("reconsideration_number", "行政复议案号", "text"),
    Column("reconsideration_filed_on", "复议申请日", "date"),
    Column("reconsideration_result", "复议结果", "choice", False, RESULTS),
    Column("reconsideration_decided_on", "复议决定日", "date"),
    Column("litigation_number", "行政诉讼案号", "text"),
    Column(
        "litigation_route",
        "起诉方式",
        "choice",
        False,
        (("direct", "未经复议直接起诉"), ("after_reconsideration", "复议后起诉")),
    ),
    Column("litigation_filed_on", "起诉日", "date"),
    Column("litigation_result", "诉讼结果", "choice", False, RESULTS),
    Column("litigation_decided_on", "判决日", "date"),
)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet: its line (the header is line 1), column and what."""

    line: int
    column: str  # the header, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行" + (f"【{self.column}】" if self.column else "")
        return f"{where}{self.message}"


@dataclass
class ImportRow:
    """One request as the sheet records it: values by column key, typed."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)


def header(key: str) -> str:
    return BY_KEY[key].header


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(str(value).strip())
    if match:
        return date(*(int(x) for x in match.groups()))
    raise ValueError


def outcome_spellings(outcomes: Mapping[str, Outcome]) -> dict[str, str]:
    """Every way an office writes an outcome of the D-8 list (``outcomes``): code, the row's
    label with or without its number, heading/label, and the heading alone for the rows that
    are their own heading."""
    spellings: dict[str, str] = {"申请人撤回": WITHDRAWN, "撤回": WITHDRAWN, WITHDRAWN: WITHDRAWN}
    strip = re.compile(r"^(（[一二三四五六七八九十]+）|\d+\.)")
    for code, o in outcomes.items():
        label, heading = strip.sub("", o.label), strip.sub("", o.heading)
        for text in (code, o.label, label, f"{heading}/{label}", f"{o.heading}/{o.label}"):
            spellings[text] = code
        if o.label == o.heading:
            spellings[heading] = code
    spellings["其他"] = "other.misc"
    return spellings


def _cell(column: Column, raw: Any, spellings: Mapping[str, str]) -> Any:
    """The typed value of one non-empty cell; ValueError with a Chinese reason otherwise."""
    if column.kind == "date":
        try:
            return parse_date(raw)
        except (ValueError, TypeError):
            raise ValueError(
                f"不是有效日期：{raw!r}（应为 2025-03-05、2025/3/5 或 2025年3月5日）"
            ) from None
    if column.kind == "int":
        text = str(raw).strip()
        # ASCII digits only: int() reads other scripts' digits too ("²" is not one).
        if isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif text.isascii() and text.isdigit():
            value = int(text)
        else:
            value = 0
        if value < 1:
            raise ValueError(f"应为正整数，实为 {raw!r}")
        if column.most is not None and value > column.most:
            raise ValueError(f"不能大于 {column.most}，实为 {raw!r}")
        return value
    text = str(raw).strip()
    if column.kind == "choice":
        for code, label in column.choices:
            if text in (code, label):
                return code
        allowed = "、".join(label for _, label in column.choices)
        raise ValueError(f"无法识别 {text!r}（可填：{allowed}）")
    if column.kind == "outcome":
        code = spellings.get(text.replace(" ", ""))
        if code is None:
            raise ValueError(
                f"无法识别的答复类型 {text!r}（应为年度报告表三的行名，如 予以公开、不予公开/属于国家秘密，或“申请人撤回”）"
            )
        return code
    return text


def parse_row(
    line: int, cells: dict[str, Any], spellings: Mapping[str, str]
) -> tuple[ImportRow, list[Problem]]:
    """Read the cells of one line (header → raw value); required, typed, consistent.
    ``spellings``: the outcomes as an office may write them (``outcome_spellings``)."""
    row, problems = ImportRow(line), []
    for column in COLUMNS:
        raw = cells.get(column.header)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                problems.append(Problem(line, column.header, "不能为空"))
            continue
        try:
            row.values[column.key] = _cell(column, raw, spellings)
        except ValueError as exc:
            problems.append(Problem(line, column.header, str(exc)))
    return row, problems
