"""Reading case-type declarations: the YAML loader and the parts beyond the state machine.

A declaration (``configs/case_types/*.yaml``) may describe, besides states and actions,
the fields each action takes and the deadlines the actions start, meet, pause or cancel
(SPEC X-1). This module turns those parts into plain specs and refuses anything
malformed with the file, the place and the problem, so a broken file stops govflow at
start-up instead of misbehaving on the first case of its type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govflow.workflow.errors import InvalidInput
from govflow.workflow.validation import DuplicateKeyError, load_yaml

FIELD_TYPES = ("text", "int", "date", "datetime", "choice")
FIELD_KEYS = {
    "name",
    "label",
    "type",
    "required",
    "choices",
    "max_length",
    "min",
    "max",
    "personal",
}
DEADLINE_KEYS = {
    "key",
    "label",
    "basis",
    "amount",
    "amount_setting",
    "starts_on",
    "starts_from",
    "met_by",
    "cancelled_by",
    "paused_by",
    "resumed_by",
}
BASES = ("working_days", "hours")
REPORT_KEYS = {"label", "kind", "period", "deadline", "group_by", "columns"}
REPORT_KINDS = {"list": "清单", "summary": "汇总", "bulletin": "通报"}
PERIODS = {"day": "日", "month": "月", "quarter": "季度"}


class DeclarationError(InvalidInput, ValueError):
    """A malformed case-type declaration; the message names the file and the place."""


Fail = Callable[[str, str], DeclarationError]
"""(place, problem) -> the error to raise, naming the declaration's file."""


@dataclass(frozen=True)
class FieldSpec:
    """One input field of a declared action; becomes a pydantic field (``workflow.declared``)."""

    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    personal: bool = False  # masked for readers outside the case's agency (seed 004 item 37)


@dataclass(frozen=True)
class DeadlineSpec:
    """A declared deadline: what starts it, what meets, cancels, pauses or resumes it."""

    key: str
    label: str
    basis: str
    amount: int | None
    amount_setting: str | None
    starts_on: str
    met_by: tuple[str, ...] = ()
    # A date field of the starting action the limit counts from (the decision date, the
    # signing date) instead of the day the action is recorded.
    starts_from: str | None = None
    cancelled_by: tuple[str, ...] = ()
    paused_by: tuple[str, ...] = ()
    resumed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSpec:
    """A periodic report over a declared type (县长信箱 一日一清单、一月一汇总、一季一通报).

    ``kind``: ``list`` (the cases received in the period and every open one, with time
    left), ``summary`` (counts and the on-time rate, by ``group_by``), ``bulletin`` (the
    summary and every breach, by handler and department). ``deadline`` is the limit the
    report judges; ``columns`` are fields of the creation action a list shows.
    """

    name: str
    label: str
    kind: str
    period: str
    deadline: str
    group_by: str | None = None
    columns: tuple[str, ...] = ()


def read_declaration(path: Path) -> Any:
    """The YAML of a declaration; unreadable files and repeated keys are refused by line."""
    try:
        text = path.read_text(encoding="utf-8")
        return load_yaml(text)  # refuses a key given twice, as every file govflow reads
    except DuplicateKeyError as dup:
        raise DeclarationError(
            f"{path}: 第 {dup.line} 行: 名称重复 {dup.key!r}（第 {dup.first} 行已有同名项）"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise DeclarationError(f"{path}: 无法读取：{exc}") from exc


def _names(value: Any, place: str, fail: Fail) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise fail(place, "应为动作名或动作名列表")
    return tuple(items)


def parse_fields(raw: Any, place: str, fail: Fail) -> tuple[FieldSpec, ...]:
    """``fields:`` of one action: a list of {name, type, required, choices, max_length, …}."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail(place, "fields 应为列表（每项含 name、type）")
    specs: list[FieldSpec] = []
    for i, item in enumerate(raw):
        fplace = f"{place}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise fail(fplace, "每个字段须为映射，至少含 name 与 type")
        unknown = sorted(set(item) - FIELD_KEYS)
        if unknown:
            raise fail(
                fplace, f"未知的键 {', '.join(unknown)}（可用：{', '.join(sorted(FIELD_KEYS))}）"
            )
        name = item["name"]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise fail(fplace, f"字段名 {name!r} 须为英文标识符")
        if any(s.name == name for s in specs):
            raise fail(fplace, f"字段名重复 {name!r}")
        kind = item.get("type")
        if kind not in FIELD_TYPES:
            raise fail(fplace, f"未知字段类型 {kind!r}（可用：{' / '.join(FIELD_TYPES)}）")
        choices = _choices(item.get("choices"), kind, fplace, fail)
        for bound in ("max_length", "min", "max"):
            value = item.get(bound)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise fail(fplace, f"{bound} 应为整数")
        if item.get("max_length") is not None and kind != "text":
            raise fail(fplace, "max_length 只适用于 text 字段")
        specs.append(
            FieldSpec(
                name=name,
                label=str(item.get("label", name)),
                type=kind,
                required=bool(item.get("required", True)),
                choices=choices,
                max_length=item.get("max_length"),
                min=item.get("min"),
                max=item.get("max"),
                personal=bool(item.get("personal", False)),
            )
        )
    return tuple(specs)


def _choices(raw: Any, kind: str, place: str, fail: Fail) -> tuple[tuple[str, str], ...]:
    if kind != "choice":
        if raw is not None:
            raise fail(place, "choices 只适用于 choice 字段")
        return ()
    if isinstance(raw, dict):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    elif isinstance(raw, list):
        pairs = [(str(v), str(v)) for v in raw]
    else:
        raise fail(place, "choice 字段须有 choices（列表，或 取值: 中文名 的映射）")
    values = [v for v, _ in pairs]
    if not values:
        raise fail(place, "choices 不能为空")
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise fail(place, f"choices 中取值重复：{', '.join(twice)}")
    return tuple(pairs)


def _check_start_field(spec: DeadlineSpec, action: Any, place: str, fail: Fail) -> None:
    """``starts_from`` names a required date field of the starting action."""
    field = next((f for f in action.fields if f.name == spec.starts_from), None)
    if field is None:
        raise fail(f"{place}.starts_from", f"动作 {spec.starts_on!r} 没有字段 {spec.starts_from!r}")
    if field.type != "date" or not field.required:
        raise fail(f"{place}.starts_from", f"字段 {spec.starts_from!r} 须为必填的 date 字段")
    if spec.basis != "working_days":
        raise fail(f"{place}.starts_from", "只有按工作日计算的期限可以从日期字段起算")


def parse_deadlines(raw: Any, actions: Mapping[str, Any], fail: Fail) -> tuple[DeadlineSpec, ...]:
    """``deadlines:``: each names actions of this declaration; anything else is refused."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("deadlines", "应为列表（每项含 key、basis、amount、starts_on …）")
    specs: list[DeadlineSpec] = []
    for i, item in enumerate(raw):
        place = f"deadlines[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise fail(place, "每个期限须为映射，至少含 key")
        place = f"deadlines[{i}]（{item['key']}）"
        unknown = sorted(set(item) - DEADLINE_KEYS)
        if unknown:
            raise fail(place, f"未知的键 {', '.join(unknown)}")
        if any(s.key == item["key"] for s in specs):
            raise fail(place, f"期限 key 重复 {item['key']!r}")
        basis = item.get("basis")
        if basis not in BASES:
            raise fail(place, f"未知的计算方式 basis {basis!r}（可用：{' / '.join(BASES)}）")
        amount, setting = item.get("amount"), item.get("amount_setting")
        if amount is None and setting is None:
            raise fail(place, "须给出 amount（整数）或 amount_setting（settings.yaml 中的设置名）")
        if amount is not None and (
            not isinstance(amount, int) or isinstance(amount, bool) or amount < 1
        ):
            raise fail(place, f"amount 应为正整数，实为 {amount!r}")
        if setting is not None and not isinstance(setting, str):
            raise fail(place, "amount_setting 应为设置名")
        spec = DeadlineSpec(
            key=item["key"],
            label=str(item.get("label", item["key"])),
            basis=basis,
            amount=amount,
            amount_setting=setting,
            starts_on=item.get("starts_on"),  # type: ignore[arg-type]
            starts_from=item.get("starts_from"),
            met_by=_names(item.get("met_by"), f"{place}.met_by", fail),
            cancelled_by=_names(item.get("cancelled_by"), f"{place}.cancelled_by", fail),
            paused_by=_names(item.get("paused_by"), f"{place}.paused_by", fail),
            resumed_by=_names(item.get("resumed_by"), f"{place}.resumed_by", fail),
        )
        if not isinstance(spec.starts_on, str):
            raise fail(place, "缺少 starts_on（开始计算期限的动作）")
        for role in ("starts_on", "met_by", "cancelled_by", "paused_by", "resumed_by"):
            value = getattr(spec, role)
            for action in [value] if isinstance(value, str) else value:
                if action not in actions:
                    raise fail(f"{place}.{role}", f"未知动作 {action!r}")
        if spec.starts_on in spec.met_by:
            raise fail(place, f"动作 {spec.starts_on!r} 不能既开始又完成同一期限")
        if spec.starts_from is not None:
            _check_start_field(spec, actions[spec.starts_on], place, fail)
        if basis == "hours" and (spec.paused_by or spec.resumed_by):
            raise fail(place, "按小时连续计算的期限不能中止（paused_by / resumed_by）")
        if bool(spec.paused_by) != bool(spec.resumed_by):
            raise fail(place, "paused_by 与 resumed_by 须同时给出")
        specs.append(spec)
    return tuple(specs)


def parse_reports(
    raw: Any, create_fields: tuple[FieldSpec, ...], deadlines: tuple[DeadlineSpec, ...], fail: Fail
) -> tuple[ReportSpec, ...]:
    """``reports:``: name → {label, kind, period, deadline, group_by, columns}."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise fail("reports", "应为映射（报表名: 定义）")
    fields = {f.name: f for f in create_fields}
    specs = []
    for name, body in raw.items():
        place = f"reports.{name}"
        if not isinstance(body, dict):
            raise fail(place, "应为映射（label、kind、period、deadline …）")
        unknown = sorted(set(body) - REPORT_KEYS)
        if unknown:
            raise fail(place, f"未知的键 {', '.join(unknown)}")
        kind, period = body.get("kind"), body.get("period")
        if kind not in REPORT_KINDS:
            raise fail(place, f"kind 应为 {' / '.join(REPORT_KINDS)}，实为 {kind!r}")
        if period not in PERIODS:
            raise fail(place, f"period 应为 {' / '.join(PERIODS)}，实为 {period!r}")
        deadline = body.get("deadline")
        if deadline not in {d.key for d in deadlines}:
            raise fail(place, f"deadline {deadline!r} 不是本类型声明的期限")
        group_by = body.get("group_by")
        if group_by is not None and (group_by not in fields or fields[group_by].type != "choice"):
            raise fail(place, f"group_by {group_by!r} 须为登记动作的 choice 字段")
        columns = _names(body.get("columns"), f"{place}.columns", fail)
        strange = [c for c in columns if c not in fields]
        if strange:
            raise fail(f"{place}.columns", f"登记动作没有字段 {', '.join(strange)}")
        personal = [c for c in columns if fields[c].personal]
        if personal:  # reports go to supervisors and meetings: no personal data in them
            raise fail(f"{place}.columns", f"报表不能列出个人信息字段 {', '.join(personal)}")
        specs.append(
            ReportSpec(
                str(name), str(body.get("label", name)), kind, period, deadline, group_by, columns
            )
        )
    return tuple(specs)
