"""The zh-CN words people read about limits, warnings and escalations, in one place.

How a due instant is written ("2025-10-30 24:00" for a working-day limit), time left,
the labels of statuses and breaches, the titles and bodies of notifications and daily
digests: the domain, the workers and every front end take them from here, so the same
thing is said the same way everywhere (one breach kind, one label). Nothing here does
I/O or knows a case type; callers hand in plain values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from govflow.workflow.clock import local_minute

# -- instants ------------------------------------------------------------------------------

local = local_minute
"""An instant as Beijing wall-clock time to the minute; "—" when there is none."""


def day_end(day: date) -> str:
    """A working-day limit ends at 24:00 of its last day; written so, never as 00:00 the day
    after (which reads as a day too late)."""
    return f"{day.isoformat()} 24:00"


def due_text(due_date: date | None, due_at: datetime | None) -> str:
    """When a limit falls due: the day's 24:00 for working-day limits, else the instant."""
    return day_end(due_date) if due_date is not None else local(due_at)


# -- statuses, time left, breaches -------------------------------------------------------------

STATUS_LABELS = {
    "running": "计时中",
    "paused": "中止计算",
    "met": "已按期完成",
    "breached": "已超期",
    "cancelled": "已取消",
}
WINDOW_CLOSED = "已届满"
"""The status of a limit on a step the office *may* take (a correction notice) once it has
passed unused: nothing is breached, the step can no longer be taken."""

BREACH_LABELS = {"late": "超期完成", "lapsed": "至办结未完成", "overdue": "已超期，尚未完成"}
"""A breached limit, by kind: met after its limit, never met before the case ended, still
open past its limit. Every report, list and view uses these words."""

PAUSED = "暂停计时"
DUE_TODAY = "今日届满"
WINDOW_UNUSED = "期限已过，不再适用"


def working_days_left(days: int) -> str:
    return DUE_TODAY if days == 0 else f"还剩 {days} 个工作日"


def working_days_overdue(days: int) -> str:
    return f"已超期 {days} 个工作日"


def hours_left(hours: float) -> str:
    return f"还剩 {hours:.1f} 小时" if hours >= 0 else f"已超期 {-hours:.1f} 小时"


def cancelled_because(reason: str) -> str:
    """The last line of a cancelled limit's explanation: why it no longer applies."""
    return f"已取消：{reason}，不再计算，也不再提醒。"


# -- notifications (SPEC E-3) ---------------------------------------------------------------

LEVEL_TITLES = {"warning": "【预警】", "escalation": "【督办】", "digest": "【每日提醒】"}
UNASSIGNED = "未指定"


@dataclass(frozen=True)
class Limit:
    """What a notification says about one limit of one case (no personal data)."""

    case_ref: str
    case_type_label: str
    state_label: str
    label: str
    due: str  # due_text(...)
    time_left: str
    passed: bool  # the due instant is behind us


def notification(
    level: str,
    limit: Limit,
    assignee_name: str | None,
    late_since: datetime | None = None,
    repeats: int = 1,
    repeats_since: datetime | None = None,
) -> tuple[str, str]:
    """The subject and the body of a warning or an escalation.

    ``late_since``: the threshold this firing was due at, when it is sent late (the sweeper
    was down, or the limit moved into the past). ``repeats``: how many repeats of the same
    rule this one message stands for (a sweeper that finds several due says so once).
    """
    verb = "已于" if limit.passed else "将于"
    subject = f"{LEVEL_TITLES[level]}{limit.case_ref} {limit.label}{limit.time_left}"
    body = (
        f"{limit.case_ref}（{limit.case_type_label}）{limit.label}{verb} {limit.due}（北京时间）"
        f"届满，{limit.time_left}。当前状态：{limit.state_label}；经办人：{assignee_name or UNASSIGNED}。"
    )
    if repeats > 1 and repeats_since is not None:
        body += f"（自 {local(repeats_since)} 起应重复提醒 {repeats} 次，合并为本条。）"
    elif late_since is not None:
        # Late because the sweeper was down, or because the limit moved into the past
        # (a raised grade): either way, say when it was due.
        body += f"（本提醒原定 {local(late_since)} 发出，迟发。）"
    return subject, body


ENTRY = "办理入口："
_STORED_ENTRY = re.compile(ENTRY + r"[^（\n]*")


def with_entry(body: str, link: str | None) -> str:
    """A message read outside the workbench (an e-mail, a webhook's text) with where to act:
    the case's web address, when the settings know one (``NotificationSettings.case_link``).
    Without one the case's number, which the message names, is all: a command line is of no
    use to whoever reads it. The stored message has no entry: the notification centre links
    to the case page, a group robot adds its own link."""
    return f"{body}\n{ENTRY}{link}" if link else body


def without_entry(message: str) -> str:
    """A message stored before the entry was left to the channels (``办理入口：govflow case
    show …`` inside its body), without it; any other message as it is."""
    return _STORED_ENTRY.sub("", message)


def expiry(deadline_label: str, outcome: str) -> str:
    """What an expiry firing records: the system acted on the case because a limit ran out."""
    return f"系统处理：{deadline_label}届满，{outcome}"


def expiry_done(action: str) -> str:
    return f"已执行系统动作 {action}"


def expiry_refused(reason: str) -> str:
    return f"未执行：{reason}"


def rule_label(level: str, threshold: dict[str, object], repeat: dict[str, object] | None) -> str:
    """A rule in words, from its threshold (policies carry no labels of their own)."""
    kind = "督办" if level == "escalation" else "预警"
    if threshold.get("working_days_left") is not None:
        days = threshold["working_days_left"]
        when = "届满当日" if days == 0 else f"剩余 {days} 个工作日时"
    elif threshold.get("hours_left") is not None:
        when = f"剩余 {threshold['hours_left']:g} 小时时"
    elif threshold.get("elapsed") is not None:
        when = f"时限已过 {threshold['elapsed']:.0%} 时"
    else:
        when = "超期时"
    every = ""
    if repeat:
        every = {1: "（每日重复）"}.get(repeat.get("days"), "")  # type: ignore[arg-type]
        every = every or {1: "（每小时重复）"}.get(repeat.get("hours"), "（定期重复）")  # type: ignore[arg-type]
    return f"{when}{kind}{every}"


RECIPIENT_LABELS = {
    "assignee": "经办人（无人分派时为本机关负责人）",
    "office_head": "本机关公开办负责人",
    "supervisor": "上级机关督查（最上级机关为本机关督查）",
}
"""Who a rule notifies, for the administrator's read-only view of the ladders."""


DIGEST_NEEDS_NO_ACK = "每日提醒无需确认"
EXPIRY_NEEDS_NO_ACK = "系统自动处理的记录无需确认"


def acknowledged(deadline_label: str, rule: str) -> str:
    """The reason recorded on a case when someone acknowledges a warning or escalation."""
    return f"已阅{deadline_label}「{rule}」，不再重复提醒；更高一级的督办仍按期触发"


# -- the daily digest --------------------------------------------------------------------------

DIGEST_BUCKETS = (
    ("overdue", "已超期"),
    ("today", "今日届满"),
    ("soon", "{days} 个工作日内届满"),
)
DIGEST_MAX_LINES = 30  # per bucket: a message stays readable (and within a robot's 4 KB)


@dataclass(frozen=True)
class DigestLine:
    case_ref: str
    label: str
    due: str
    time_left: str


def digest(
    day: date,
    scope: str,
    buckets: dict[str, Sequence[DigestLine]],
    soon_days: int,
) -> tuple[str, str]:
    """The subject and body of one person's digest. ``scope``: "您经办的案件" or the agency."""
    titles = {key: title.format(days=soon_days) for key, title in DIGEST_BUCKETS}
    counts = "，".join(f"{titles[k]} {len(buckets.get(k, ()))} 件" for k, _ in DIGEST_BUCKETS)
    subject = f"{LEVEL_TITLES['digest']}{day.isoformat()} {scope}：{counts}"
    lines: list[str] = []
    for key, _ in DIGEST_BUCKETS:
        entries = buckets.get(key, ())
        if not entries:
            continue
        lines.append(f"{titles[key]}（{len(entries)} 件）：")
        lines += [
            f"· {e.case_ref} {e.label} 届满 {e.due}，{e.time_left}"
            for e in entries[:DIGEST_MAX_LINES]
        ]
        if len(entries) > DIGEST_MAX_LINES:
            lines.append(f"· …另有 {len(entries) - DIGEST_MAX_LINES} 件，请在系统中查看")
    return subject, "\n".join(lines)


def digest_scope(agency_name: str | None) -> str:
    return f"{agency_name}全部在办案件" if agency_name else "您经办的案件"


# -- group robots (WeCom, DingTalk): markdown ------------------------------------------------

TRUNCATED = "…（内容过长，已截断，请在系统中查看）"


def markdown(
    subject: str, body: str, link: str | None, firing_key: str, limit_bytes: int | None = None
) -> str:
    """A notification as a robot's markdown: the subject as a heading, the body, a link to
    the case when it is a web address, and the firing's key (to acknowledge it by)."""
    tail = []
    if link and link.startswith(("http://", "https://")):
        tail.append(f"[查看案件]({link})")
    tail.append(f"> 提醒编号：{firing_key}")
    lines = [line for line in body.splitlines() if line]

    def render(kept: list[str], cut: bool) -> str:
        return "\n\n".join([f"### {subject}", *kept, *([TRUNCATED] if cut else []), *tail])

    text = render(lines, False)
    while limit_bytes is not None and len(text.encode()) > limit_bytes and lines:
        lines = lines[:-1]
        text = render(lines, True)
    return text
