"""WeCom and DingTalk group robots (issue 14 item 6), each against a local receiver on
127.0.0.1 that checks the message format and, for DingTalk, the signed request
(``receivers.RobotReceiver`` computes the signature on its own).

The end-to-end test runs the real sweeper and delivery use case on SQLite and PostgreSQL:
a request past its reply limit, the robots as the only channels, their secrets in the
settings (from the environment, never the shipped file).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from govflow.workers.channels import build_channels
from govflow.workers.delivery import RetryLater, deliver
from govflow.workers.robots import DingTalkChannel, WeComChannel, dingtalk_sign, missing_secrets
from govflow.workflow.notifications import ChannelError, Notification, RateLimited
from govflow.workflow.policy import NotificationSettings
from tests.integration.escalating import LI, Sweeper, accepted_case
from tests.integration.receivers import RobotReceiver

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN, SECRET = "dtk-token-123", "SEC-this-is-secret"
LINK = "https://govflow.example.gov.cn/cases/{ref}"


def notification(
    body: str = "示政办依申〔2025〕0001号（政府信息公开申请）答复期限将于 2025-10-30 24:00 届满",
) -> Notification:
    return Notification(
        key="3:reply:head_2_days:0:0:wecom:wecom",
        case_ref="示政办依申〔2025〕0001号",
        level="warning",
        subject="【预警】示政办依申〔2025〕0001号 答复期限还剩 2 个工作日",
        body=body,
        recipient="wecom",
        recipient_name="wecom",
        address=None,
        recipients=("zhang.head",),
        link="https://govflow.example.gov.cn/cases/示政办依申〔2025〕0001号",
    )


def test_dingtalk_signature_matches_the_documented_example_algorithm() -> None:
    # base64(HMAC-SHA256("SEC…", "1700000000000\nSEC…")), URL-encoded ('+', '/', '=').
    sign = dingtalk_sign("1700000000000", "SECabc")
    import base64
    import hashlib
    import hmac
    import urllib.parse

    raw = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert sign == urllib.parse.quote_plus(base64.b64encode(raw).decode())
    assert "+" not in sign and "/" not in sign


def test_wecom_markdown_with_the_link_and_the_key() -> None:
    with RobotReceiver("wecom", KEY) as robot:
        WeComChannel(robot.url, KEY, 5).send(notification())
        (message,) = robot.accepted
    content = message.payload["markdown"]["content"]
    assert message.payload["msgtype"] == "markdown"
    assert content.startswith("### 【预警】示政办依申〔2025〕0001号 答复期限还剩 2 个工作日\n\n")
    assert "[查看案件](https://govflow.example.gov.cn/cases/示政办依申〔2025〕0001号)" in content
    assert content.endswith("> 提醒编号：3:reply:head_2_days:0:0")
    # A long message is cut to the robot's 4096 bytes, saying so.
    with RobotReceiver("wecom", KEY) as robot:
        WeComChannel(robot.url, KEY, 5).send(notification("\n".join(["很长的一行" * 30] * 40)))
        (message,) = robot.accepted
    content = message.payload["markdown"]["content"]
    assert len(content.encode()) <= 4096 and "已截断" in content


def test_dingtalk_signed_markdown() -> None:
    with RobotReceiver("dingtalk", TOKEN, SECRET) as robot:
        DingTalkChannel(robot.url, TOKEN, SECRET, 5).send(notification())
        (message,) = robot.accepted
        assert robot.rejected == []
    assert message.payload["markdown"]["title"] == notification().subject
    assert "[查看案件](" in message.payload["markdown"]["text"]
    # A wrong secret or a clock an hour off: DingTalk refuses, and the delivery fails.
    with RobotReceiver("dingtalk", TOKEN, SECRET) as robot:
        with pytest.raises(ChannelError, match="310000 sign not match") as refused:
            DingTalkChannel(robot.url, TOKEN, "SEC-wrong", 5).send(notification())
        with pytest.raises(ChannelError, match="timestamp invalid"):
            DingTalkChannel(robot.url, TOKEN, SECRET, 5, now=lambda: 1e9).send(notification())
    assert not isinstance(refused.value, RateLimited)
    for secret in (TOKEN, SECRET, "SEC-wrong"):
        assert secret not in str(refused.value)


def test_a_robot_that_says_slow_down_or_cannot_be_reached() -> None:
    with RobotReceiver("wecom", KEY, refuse=45009) as robot:
        with pytest.raises(RateLimited, match="限流"):
            WeComChannel(robot.url, KEY, 5).send(notification())
        url = robot.url
    with pytest.raises(ChannelError) as unreachable:
        WeComChannel(url, KEY, 1).send(notification())
    assert KEY not in str(unreachable.value)  # errors name the host, never the key


def test_secrets_come_from_the_environment(tmp_path, monkeypatch) -> None:
    from govflow.app import load_settings

    settings = NotificationSettings(channels=("log", "wecom", "dingtalk"))
    assert missing_secrets(settings) == [
        "通知渠道 wecom 须设置环境变量 GOVFLOW_WECOM_KEY（或 GOVFLOW_WECOM_KEY_FILE）",
        "通知渠道 dingtalk 须设置环境变量 GOVFLOW_DINGTALK_TOKEN（或 GOVFLOW_DINGTALK_TOKEN_FILE）",
        "通知渠道 dingtalk 须设置环境变量 GOVFLOW_DINGTALK_SECRET（或 GOVFLOW_DINGTALK_SECRET_FILE）",
    ]
    assert not {"wecom", "dingtalk"} & set(build_channels(settings))
    # From the environment (or a file it names), never the shipped settings file.
    secret_file = tmp_path / "dingtalk.secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("GOVFLOW_WECOM_KEY", KEY)
    monkeypatch.setenv("GOVFLOW_DINGTALK_TOKEN", TOKEN)
    monkeypatch.setenv("GOVFLOW_DINGTALK_SECRET_FILE", str(secret_file))
    loaded = load_settings()
    n = loaded.notifications.model_copy(update={"channels": ("log", "wecom", "dingtalk")})
    assert missing_secrets(n) == []
    assert {"wecom", "dingtalk"} <= set(build_channels(n))
    assert {KEY, TOKEN, SECRET} <= set(loaded.secret_values())  # redacted wherever logged
    assert KEY not in repr(n) and SECRET not in repr(n)


def test_sweeper_to_robots_end_to_end(flow, engine) -> None:
    ref = accepted_case(flow)
    with (
        RobotReceiver("wecom", KEY) as wecom,
        RobotReceiver("dingtalk", TOKEN, SECRET) as dingtalk,
    ):
        settings = NotificationSettings(
            channels=("wecom", "dingtalk"),
            link=LINK,
            wecom_url=wecom.url,
            wecom_key=KEY,
            dingtalk_url=dingtalk.url,
            dingtalk_token=TOKEN,
            dingtalk_secret=SECRET,
        )
        channels = build_channels(settings)
        sweeper = Sweeper(flow, settings)
        assert sweeper.at("2025-10-23 00:00:30") == ["reply:assignee_5_days:0:0"]
        assert len(sweeper.queue) == 2  # one message per group, not per person
        assert [deliver(flow.svc, i, channels, settings) for i in sweeper.queue] == ["sent"] * 2
        (w,), (d,) = wecom.accepted, dingtalk.accepted
    link = f"[查看案件]({LINK.format(ref=quote(ref, safe=''))})"  # as the pages link to it
    assert link in w.payload["markdown"]["content"] and link in d.payload["markdown"]["text"]
    assert "办理入口" not in w.payload["markdown"]["content"]  # the link says where, once
    assert f"【预警】{ref} 答复期限还剩 5 个工作日" in w.payload["markdown"]["content"]
    assert "经办人：李经办" in d.payload["markdown"]["text"]
    assert LI not in w.payload["markdown"]["content"]  # names, not user names


def test_a_rate_limited_delivery_is_retried_without_using_up_attempts(flow, engine) -> None:
    accepted_case(flow)
    with RobotReceiver("wecom", KEY, refuse=45009) as wecom:
        settings = NotificationSettings(
            channels=("wecom",), wecom_url=wecom.url, wecom_key=KEY, max_attempts=2
        )
        channels = build_channels(settings)
        sweeper = Sweeper(flow, settings)
        sweeper.at("2025-10-23 00:00:30")
        (delivery_id,) = sweeper.queue
        for _ in range(3):  # more times than max_attempts
            with pytest.raises(RetryLater):
                deliver(flow.svc, delivery_id, channels, settings)
        wecom.refuse = None
        assert deliver(flow.svc, delivery_id, channels, settings) == "sent"
    with flow.svc.uow() as uow:
        row = uow.escalations.lock_delivery(delivery_id)
        assert (row.status, row.attempts) == ("sent", 1)
        assert "限流" in row.last_error and KEY not in row.last_error
