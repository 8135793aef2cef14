"""Group-robot channels: 企业微信 (WeCom) and 钉钉 (DingTalk) custom robots (issue 14 item 6).

Both take a JSON POST of a markdown message and answer ``{"errcode": 0, "errmsg": "ok"}``
(HTTP 200 even when they refuse: the ``errcode`` says so). One message per firing goes to
the group, with a link to the case and the firing's key (so someone can acknowledge it).

- WeCom: ``POST <wecom_url>?key=<key>``, ``{"msgtype": "markdown", "markdown": {"content":
  …}}``, the content at most 4096 bytes of UTF-8.
- DingTalk: ``POST <dingtalk_url>?access_token=<token>&timestamp=<ms>&sign=<sign>``, with
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; the signature ("加签")
  is ``urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``, the
  timestamp in milliseconds (DingTalk refuses one more than an hour off).

The key, the token and the secret are secrets like the SMTP password: from the environment
(``GOVFLOW_WECOM_KEY``, ``GOVFLOW_DINGTALK_TOKEN``, ``GOVFLOW_DINGTALK_SECRET``, or their
``_FILE`` forms) or a settings file outside the repository, never the shipped one; they never
appear in an error, a log line or a delivery row: errors name the robot's host only. A robot that asks us to slow down (about 20 messages a minute each)
raises ``RateLimited``: the delivery is retried later without using up an attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from govflow.workflow import texts
from govflow.workflow.notifications import ChannelError, Notification, RateLimited
from govflow.workflow.policy import NotificationSettings

WECOM_LIMIT = 4096  # bytes of markdown content
RATE_LIMITED = {45009, 130101}  # WeCom "api freq out of limit"; DingTalk "send too fast"


def dingtalk_sign(timestamp_ms: str, secret: str) -> str:
    """DingTalk's 加签: HMAC-SHA256 over "timestamp\\nsecret", base64, then URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class _Robot:
    name = ""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url, self.timeout = base_url, timeout
        self.host = urllib.parse.urlsplit(base_url).netloc or base_url

    def _post(self, url: str, payload: dict[str, Any]) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"{self.name} {self.host} 返回 HTTP {exc.code}") from None
        except (OSError, urllib.error.URLError, ValueError) as exc:
            # The reason only: the URL carries the key or the token.
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise ChannelError(f"{self.name} {self.host}: {reason}") from None
        code = answer.get("errcode", -1)
        if code in RATE_LIMITED:
            raise RateLimited(f"{self.name} {self.host} 限流（errcode {code}），稍后重试")
        if code != 0:
            raise ChannelError(
                f"{self.name} {self.host} 拒收：errcode {code} {answer.get('errmsg', '')}"
            )


class WeComChannel(_Robot):
    """企业微信群机器人: a markdown message to the group."""

    name = "wecom"

    def __init__(self, base_url: str, key: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self._key = key

    def send(self, notification: Notification) -> None:
        content = _markdown(notification, WECOM_LIMIT)
        url = f"{self.base_url}?{urllib.parse.urlencode({'key': self._key})}"
        self._post(url, {"msgtype": "markdown", "markdown": {"content": content}})


class DingTalkChannel(_Robot):
    """钉钉自定义机器人, with the signed request ("加签") of its security settings."""

    name = "dingtalk"

    def __init__(
        self,
        base_url: str,
        token: str,
        secret: str,
        timeout: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(base_url, timeout)
        self._token, self._secret, self._now = token, secret, now

    def send(self, notification: Notification) -> None:
        timestamp = str(round(self._now() * 1000))
        query = urllib.parse.urlencode({"access_token": self._token, "timestamp": timestamp})
        url = f"{self.base_url}?{query}&sign={dingtalk_sign(timestamp, self._secret)}"
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": notification.subject, "text": _markdown(notification)},
        }
        self._post(url, payload)


def _markdown(notification: Notification, limit_bytes: int | None = None) -> str:
    firing_key = notification.key.rsplit(":", 2)[0]  # the delivery's key less channel, recipient
    return texts.markdown(
        notification.subject, notification.body, notification.link, firing_key, limit_bytes
    )


def missing_secrets(settings: NotificationSettings) -> list[str]:
    """What a configured robot channel still needs (zh-CN, naming the variable, no value)."""
    needed = {
        "wecom": (("wecom_key", "GOVFLOW_WECOM_KEY"),),
        "dingtalk": (
            ("dingtalk_token", "GOVFLOW_DINGTALK_TOKEN"),
            ("dingtalk_secret", "GOVFLOW_DINGTALK_SECRET"),
        ),
    }
    return [
        f"通知渠道 {channel} 须设置环境变量 {variable}（或 {variable}_FILE）"
        for channel in settings.channels
        for field, variable in needed.get(channel, ())
        if getattr(settings, field) is None
    ]


def build_robots(settings: NotificationSettings) -> dict[str, Any]:
    robots: dict[str, Any] = {}
    timeout = settings.robot_timeout_seconds
    if settings.wecom_key is not None:
        robots["wecom"] = WeComChannel(
            settings.wecom_url, settings.wecom_key.get_secret_value(), timeout
        )
    if settings.dingtalk_token is not None and settings.dingtalk_secret is not None:
        robots["dingtalk"] = DingTalkChannel(
            settings.dingtalk_url,
            settings.dingtalk_token.get_secret_value(),
            settings.dingtalk_secret.get_secret_value(),
            timeout,
        )
    return robots
