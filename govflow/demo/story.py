"""The demo's narrator: plays steps at Beijing times, sweeps escalations in between, and
tells in zh-CN how each case's deadlines move and who was warned when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from govflow.cli import render
from govflow.cli.common import os_user
from govflow.workers.channels import Notification
from govflow.workers.delivery import deliver
from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.deadlines import Deadline
from govflow.workflow.identity.accounts import Principals
from govflow.workflow.identity.principal import cli_channel
from govflow.workflow.outcomes import outcomes
from govflow.workflow.policy import load_settings

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
        self.settings = load_settings().notifications.model_copy(update={"channels": ("log",)})
        # The demo's people act through the command line of whoever runs it.
        self.principals = Principals(svc, cli_channel(os_user()))

    def at(self, when: str) -> None:
        instant = datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
        self.sweep_until(instant)
        self.clock.set(instant)
        self.echo(f"\n【{self._when(instant)}】")

    def sweep_until(self, instant: datetime) -> None:
        """Run the sweeper at each escalation threshold up to ``instant``, as a live one would."""
        while True:
            with self.svc.uow() as uow:
                next_at = uow.escalations.next_due_at()
            if next_at is None or next_at > instant:
                return
            self.clock.set(max(next_at, self.clock.now()))
            outbox: list[int] = []
            report = sweep(self.svc, outbox.append, self.settings)
            for delivery_id in outbox:
                deliver(self.svc, delivery_id, {"log": self.inbox}, self.settings)
            self._tell(report.fired)

    def _tell(self, keys: list[str]) -> None:
        with self.svc.uow() as uow:
            firings = [uow.escalations.firing_by_key(k) for k in keys]
            told = [
                (
                    f,
                    self.labels.get(uow.escalations.case_ref(f.case_id), ""),
                    [u.name for n in f.recipients if (u := uow.escalations.user(n))],
                )
                for f in firings
            ]
        for f, label, names in told:
            head = f"  ⚑ {self._when(f.fired_at)} {label}"
            if f.action:
                self.echo(f"{head} 系统处理：{f.outcome}")
                self._changes(label)
            else:
                self.echo(f"{head} {f.message.splitlines()[0]} → 通知 {'、'.join(names)}")
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
        state = services.get_case(self.svc, ref).case.state_label
        self.echo(f"  {label} {ref}：{note}（状态：{state}）")
        self._changes(label)

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
        state = services.get_case(self.svc, ref).case.state_label
        self.echo(f"  {label} {ref}：{note}（状态：{state}）")
        self._changes(label)

    def do(self, label: str, who: str, action: str, note: str, **payload: Any) -> None:
        ref = self.refs[label]
        event = services.act(
            self.svc, ref=ref, action=action, payload=payload, principal=self.principals(who)
        )
        state = services.get_case(self.svc, ref).case.state_label
        self.echo(f"  {label}：{note}（状态：{state}）")
        for doc in event.data.get("documents", ()):
            self.echo(f"      · 制作文书：《{doc['title']}》{doc['number']}")
        self._changes(label)

    def _changes(self, label: str) -> None:
        case = services.get_case(self.svc, self.refs[label]).case
        for d in case.deadlines:
            text = self._describe(d)
            if self.seen.get((label, d.key)) != text:
                self.seen[(label, d.key)] = text
                self.echo(f"      · {d.label}：{text}")

    def _describe(self, d: Deadline) -> str:
        if d.status.value == "paused":
            return "中止计算（" + (d.open_pause.reason if d.open_pause else "") + "）"
        due = (
            f"{d.due_date.isoformat()}（星期{WEEKDAYS[d.due_date.weekday()]}）24:00"
            if d.due_date
            else (self._when(d.due_at) if d.due_at else "—")  # an hour limit: to the minute
        )
        if d.is_overdue(self.clock.now()):
            return f"已超期、尚未完成，期限 {due}"
        flag = "，临时：2027年节假日安排尚未公布" if d.provisional else ""
        status = {
            "running": "届满",
            "met": "已按期完成，期限",
            "breached": "已超期，期限",
            "cancelled": "已取消（" + (d.cancelled_reason or "") + "），原期限",
        }[d.status.value]
        return f"{status} {due}{flag}"

    def summary(self, calendar: WorkingCalendar) -> None:
        self.echo("\n========== 各申请办理结果 ==========")
        for label, ref in self.refs.items():
            case = services.get_case(self.svc, ref).case
            outcome = (
                outcomes()[case.facts.outcome].full_label if case.facts.outcome else "尚未答复"
            )
            self.echo(f"\n{label} {ref}　状态：{case.state_label}　答复类型：{outcome}")
            for d in case.deadlines:
                self.echo("    " + render.deadline_line(d, calendar, self.clock.now()))
