"""The administrator's channel check (SPEC E-3): the notification channels this
installation is configured to use, and a test message sent through one of them by the
same channel code the workers deliver with — so a wrong SMTP host or a webhook that
refuses is found before a deadline warning is lost to it.

The channels are handed in (the front end's composition root builds them from the
settings, as the workers do): the service layer names no transport. A test message is
not a case's event and changes nothing stored; the attempt and its outcome go to the log.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import InvalidInput, NotFound
from govflow.workflow.identity.principal import Principal
from govflow.workflow.notifications import Channel, ChannelError, Notification
from govflow.workflow.services.administration import administrator
from govflow.workflow.services.base import Services

log = structlog.get_logger(__name__)

CHANNEL_LABELS = {
    "log": "系统日志",
    "email": "电子邮件",
    "webhook": "Webhook",
    "wecom": "企业微信群机器人",
    "dingtalk": "钉钉群机器人",
}


@dataclass(frozen=True)
class ChannelView:
    name: str
    label: str
    target: str  # where it sends, without any secret
    needs_address: bool  # e-mail goes to an address the administrator gives


def configured_channels(svc: Services, by: Principal) -> list[ChannelView]:
    """The channels the settings name, in their order, each with where it sends."""
    administrator(svc, by)
    n = svc.config.settings.notifications
    targets = {
        "log": "写入 govflow 的结构化日志",
        "email": f"SMTP {n.smtp_host}:{n.smtp_port}，发件人 {n.smtp_sender}",
        # A webhook or robot URL carries its token: never shown, only that it is set.
        "webhook": "已配置的 Webhook 地址" if n.webhook_url else "未配置 Webhook 地址",
        "wecom": "企业微信群机器人（地址与密钥见环境变量）",
        "dingtalk": "钉钉群机器人（地址与密钥见环境变量）",
    }
    return [
        ChannelView(name, CHANNEL_LABELS.get(name, name), targets.get(name, name), name == "email")
        for name in n.channels
    ]


def send_test_message(
    svc: Services,
    by: Principal,
    channel: str,
    channels: Mapping[str, Channel],
    address: str | None = None,
) -> str:
    """Send one test message through ``channel``, a configured one; returns what was done
    in words. ``InvalidInput`` when the channel failed (its Chinese reason, no secret) or
    e-mail has no address; ``NotFound`` for a channel the settings do not name."""
    actor = administrator(svc, by)
    if channel not in svc.config.settings.notifications.channels or channel not in channels:
        raise NotFound(f"没有配置通知渠道 {channel!r}")
    address = (address or "").strip() or None
    if channel == "email" and (address is None or "@" not in address):
        raise InvalidInput("请填写收件地址", {"address": "请填写有效的电子邮件地址"})
    now = svc.clock.now()
    notification = Notification(
        key=f"test:{channel}:{uuid.uuid4().hex}",  # never a delivery's key: receivers keep both
        case_ref=None,
        level="warning",
        subject="【测试】govflow 通知渠道测试消息",
        body=f"这是 {actor.name} 于 {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}（北京时间）发送的测试消息，无需处理。",
        recipient=actor.username,
        recipient_name=actor.name,
        address=address,
        recipients=(actor.username,),
    )
    label = CHANNEL_LABELS.get(channel, channel)
    try:
        channels[channel].send(notification)
    except ChannelError as exc:
        log.warning("channel.test", channel=channel, by=actor.username, outcome="failed")
        reason = str(exc)
        # The page shows the reason: a webhook or robot URL carries its token, and the
        # channels redact only what start-up registered, so hide every secret here too.
        for secret in svc.config.settings.secret_values():
            reason = reason.replace(secret, "（已隐藏）")
        raise InvalidInput(f"{label}测试消息发送失败：{reason}") from None
    log.info("channel.test", channel=channel, by=actor.username, outcome="sent")
    return f"已通过{label}发送测试消息" + (f"至 {address}" if address else "")
