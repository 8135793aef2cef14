"""The demo's narrator: plays steps at Beijing times, sweeps escalations in between, and
tells in zh-CN how each case's deadlines move and who was warned when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from govflow.app import os_user
from govflow.presentation.text import deadline_line
from govflow.workers.channels import Notification
from govflow.workers.delivery import deliver
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.identity.principal import cli_channel
from govflow.workflow.views import DeadlineView

WEEKDAYS = "一二三四五六日"
Echo = Callable[[str], None]


class Inbox:
    """A notification channel that keeps what it is given, for the narrator to tell."""

    name = "log"

    def __init__(self) -> None:
        self.received: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.received.append(notification)


class Story:
    """Plays steps at given Beijing times and narrates how each case's deadlines move."""

    def __init__(self, svc: services.Services, clock: FakeClock, echo: Echo) -> None:
        self.svc, self.clock, self.echo = svc, clock, echo
        self.refs: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.seen: dict[tuple[str, str], str] = {}
        self.inbox = Inbox()
        self.settings = svc.config.settings.notifications.model_copy(update={"channels": ("log",)})
        # The demo's people act through the command line of whoever runs it.
        self.principals = services.Principals(svc, cli_channel(os_user()))

    def at(self, when: str) -> None:
        instant = datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
        self.sweep_until(instant)
        self.clock.set(instant)
        self.echo(f"\n【{self._when(instant)}】")

    def sweep_until(self, instant: datetime) -> None:
        """Run the sweeper at each escalation threshold up to ``instant``, as a live one would."""
        while True:
            next_at = services.next_due_at(self.svc)
            if next_at is None or next_at > instant:
                return
            self.clock.set(max(next_at, self.clock.now()))
            outbox: list[int] = []
            report = sweep(self.svc, outbox.append, self.settings)
            for delivery_id in outbox:
                deliver(self.svc, delivery_id, {"log": self.inbox}, self.settings)
            self._tell(report.fired)

    def _tell(self, keys: list[str]) -> None:
        for key in keys:
            f = services.firing(self.svc, SYSTEM, key)
            label = self.labels.get(f.case_ref, "")
            head = f"  ⚑ {self._when(f.fired_at)} {label}"
            if f.action:
                self.echo(f"{head} 系统处理：{f.outcome}")
                self._changes(label)
            else:
                names = "、".join(f.recipient_names)
                self.echo(f"{head} {f.message.splitlines()[0]} → 通知 {names}")
                self.echo(f"      提醒编号 {f.key}")

    def _when(self, instant: datetime) -> str:
        local = instant.astimezone(SHANGHAI)
        return f"{local:%Y-%m-%d} 星期{WEEKDAYS[local.weekday()]} {local:%H:%M}"

    def register(self, label: str, who: str, intake: dict[str, Any], note: str, **kw: Any) -> None:
        ref = services.register_request(
            self.svc, agency_code="county", principal=self.principals(who), intake=intake, **kw
        )
        self.refs[label] = ref
        self.labels[ref] = label
        self.echo(f"  {label} {ref}：{note}（状态：{self.detail(label).header.state_label}）")
        self._changes(label)

    def detail(self, label: str) -> services.CaseDetail:
        """The case as the narrator (reading for the system, everything) sees it now."""
        return services.case_detail(self.svc, SYSTEM, self.refs[label])

    def open(
        self, label: str, who: str, case_type: str, payload: dict[str, Any], note: str
    ) -> None:
        """Open a case of any type (an incident, an online message) by its creation action."""
        ref = services.open_case(
            self.svc,
            case_type=case_type,
            agency_code="county",
            principal=self.principals(who),
            payload=payload,
        )
        self.refs[label] = ref
        self.labels[ref] = label
        self.echo(f"  {label} {ref}：{note}（状态：{self.detail(label).header.state_label}）")
        self._changes(label)

    def do(self, label: str, who: str, action: str, note: str, **payload: Any) -> None:
        ref = self.refs[label]
        event = services.act(
            self.svc, ref=ref, action=action, payload=payload, principal=self.principals(who)
        )
        self.echo(f"  {label}：{note}（状态：{self.detail(label).header.state_label}）")
        for doc in event.data.get("documents", ()):
            self.echo(f"      · 制作文书：《{doc['title']}》{doc['number']}")
        self._changes(label)

    def _changes(self, label: str) -> None:
        for d in self.detail(label).deadlines:
            text = self._describe(d)
            if self.seen.get((label, d.key)) != text:
                self.seen[(label, d.key)] = text
                self.echo(f"      · {d.label}：{text}")

    def _describe(self, d: DeadlineView) -> str:
        if d.paused:
            return "中止计算（" + (d.pause_reason or "") + "）"
        due = (
            f"{d.due_date.isoformat()}（星期{WEEKDAYS[d.due_date.weekday()]}）24:00"
            if d.due_date
            else (self._when(d.due_at) if d.due_at else "—")  # an hour limit: to the minute
        )
        if d.overdue:
            return f"已超期、尚未完成，期限 {due}"
        flag = "，临时：2027年节假日安排尚未公布" if d.provisional else ""
        status = {
            "running": "届满",
            "met": "已按期完成，期限",
            "breached": "已超期，期限",
            "cancelled": "已取消（" + (d.cancelled_reason or "") + "），原期限",
        }[d.status]
        return f"{status} {due}{flag}"

    def summary(self) -> None:
        self.echo("\n========== 各申请办理结果 ==========")
        outcomes = self.svc.config.outcomes
        for label, ref in self.refs.items():
            detail = self.detail(label)
            outcome = outcomes[detail.outcome].full_label if detail.outcome else "尚未答复"
            self.echo(f"\n{label} {ref}　状态：{detail.header.state_label}　答复类型：{outcome}")
            for d in detail.deadlines:
                self.echo("    " + deadline_line(d))
