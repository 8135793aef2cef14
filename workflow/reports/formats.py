"""The annual report's formats (SPEC R-1, L-1): which row of table 三 counts each outcome, by year.

``configs/report_formats.yaml`` lists each format (the 2019 trial format, the
国办公开办函〔2021〕30号 format) with the first report year it applies to; a year takes the
latest format that began by then. Each format is a list of rows, each counting the D-8
outcomes it names, under the headings the format draws. Every outcome is counted in exactly
one row of every format, or the file is refused, so 一 + 二 = 三（七） + 四 still holds by
construction whatever the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govflow.workflow.errors import InvalidInput
from govflow.workflow.outcomes import Outcome

FORMATS_FILE = "report_formats.yaml"


class FormatError(InvalidInput):
    """``configs/report_formats.yaml`` is malformed; the message names the place."""


@dataclass(frozen=True)
class ResultRow:
    """One numbered row of 三、本年度办理结果; ``heading`` is the unnumbered row above it."""

    key: str  # the outcome code when the row counts one outcome, else the format's key
    label: str
    heading: str | None
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class ReportFormat:
    name: str  # 国办公开办函〔2021〕30号
    title: str
    from_year: int
    rows: tuple[ResultRow, ...]


def _row(raw: Any, heading: str | None, where: str) -> ResultRow:
    if not isinstance(raw, dict) or set(raw) - {"key", "label", "outcomes"}:
        raise FormatError(f"{where}: 应为 {{label, outcomes}}（计多种答复类型的行另加 key）")
    codes = raw.get("outcomes")
    if not isinstance(codes, list) or not codes:
        raise FormatError(f"{where}: outcomes 应为非空列表")
    key = raw.get("key") or (codes[0] if len(codes) == 1 else None)
    if not isinstance(key, str):
        raise FormatError(f"{where}: 计多种答复类型的行须有 key")
    return ResultRow(key, str(raw.get("label", "")), heading, tuple(str(c) for c in codes))


def _format(raw: Any, where: str, outcomes: Mapping[str, Outcome]) -> ReportFormat:
    if not isinstance(raw, dict) or set(raw) != {"name", "title", "from_year", "rows"}:
        raise FormatError(f"{where}: 应有 name、title、from_year、rows")
    year = raw["from_year"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise FormatError(f"{where}.from_year: 应为年份，实为 {year!r}")
    rows: list[ResultRow] = []
    for i, item in enumerate(raw["rows"] or []):
        place = f"{where}.rows[{i}]"
        if isinstance(item, dict) and "heading" in item:
            if set(item) != {"heading", "rows"} or not isinstance(item["rows"], list):
                raise FormatError(f"{place}: 标题行应为 {{heading, rows}}")
            rows += [
                _row(sub, str(item["heading"]), f"{place}.rows[{j}]")
                for j, sub in enumerate(item["rows"])
            ]
        else:
            rows.append(_row(item, None, place))
    counted = [code for row in rows for code in row.outcomes]
    known = list(outcomes)
    missing = [c for c in known if c not in counted]
    strange = [c for c in counted if c not in known]
    twice = sorted({c for c in counted if counted.count(c) > 1})
    keys = [row.key for row in rows]
    if missing or strange or twice or len(set(keys)) != len(keys):
        raise FormatError(
            f"{where}（{raw['name']}）: 每个答复类型须恰好计入一行："
            f"未计入 {missing}，未知 {strange}，重复 {twice}"
            + ("，行 key 重复" if len(set(keys)) != len(keys) else "")
        )
    return ReportFormat(str(raw["name"]), str(raw["title"]), year, tuple(rows))


class ReportFormats(tuple[ReportFormat, ...]):
    """Every format, by first report year (the file's order)."""

    def for_year(self, year: int) -> ReportFormat:
        """The format of the report for ``year``: the latest that began by then."""
        chosen = [f for f in self if f.from_year <= year]
        if not chosen:
            first = self[0]
            raise InvalidInput(
                f"{year} 年度没有统一的年度报告格式：{first.name}《{first.title}》"
                f"自 {first.from_year} 年度起适用"
            )
        return chosen[-1]


def parse_formats(raw: Any, where: str, outcomes: Mapping[str, Outcome]) -> ReportFormats:
    """``configs/report_formats.yaml`` as read by the composition root; ``outcomes`` is the
    D-8 list every format must count once."""
    items = raw.get("formats") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise FormatError(f"{where}: 应有 formats 列表")
    found = tuple(_format(item, f"{where}: formats[{i}]", outcomes) for i, item in enumerate(items))
    years = [f.from_year for f in found]
    if years != sorted(set(years)):
        raise FormatError(f"{where}: 各格式须按起始年度先后排列，且起始年度不同")
    return ReportFormats(found)
