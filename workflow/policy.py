"""Settings that law leaves to local rules or configuration (``configs/settings.yaml``).

The values in force when a deadline starts are copied into that action's event, so
later edits of the file never silently move an open case's dates. The statutory limits
of disclosure requests (20 working days and the rest) are not settings: they belong to
the edition of the regulations that governs each request (``configs/editions.yaml``,
``workflow.disclosure.editions``), and a settings file naming one is refused.
"""

from __future__ import annotations

import os
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from govflow import configs
from govflow.workflow.errors import ConfigurationError
from govflow.workflow.validation import summary, yaml_problem

STATUTORY_KEYS = (
    "reply_days",
    "max_extension_days",
    "correction_notice_days",
    "consultation_days",
    "fee_payment_days",
)


class DisclosurePolicy(BaseModel):
    """What the regulations leave to the office: each value is copied into the event that
    starts the deadline it shapes (the correction period into the correction notice, the
    fee switch into the fee notice, the receipt rule into the confirmed receipt)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Art. 30 asks for "a reasonable period" to correct; the office sets its default here and
    # may give another on each notice.
    correction_period_days: int = Field(15, ge=1, le=60)
    fee_pauses_reply_clock: bool = True
    non_working_receipt_moves_to_next_working_day: bool = False

    @model_validator(mode="before")
    @classmethod
    def _statutory_limits_are_not_settings(cls, data: Any) -> Any:
        named = [k for k in STATUTORY_KEYS if isinstance(data, dict) and k in data]
        if named:
            raise ValueError(
                f"{'、'.join(named)} 是《条例》规定的法定期限，按申请适用的条例版本确定"
                "（configs/editions.yaml），不能在设置中修改"
            )
        return data


class NotificationSettings(BaseModel):
    """Channels of SPEC E-3 and how the workers use them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: tuple[Literal["log", "email", "webhook"], ...] = ("log",)
    link: str = "govflow case show {ref}"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "govflow@localhost"
    smtp_timeout_seconds: float = 10
    webhook_url: str | None = None
    webhook_timeout_seconds: float = 10
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = Field(5, ge=1)
    sweep_interval_seconds: float = Field(30, gt=0)
    late_after_seconds: float = Field(300, ge=0)
    redeliver_after_seconds: float = Field(300, gt=0)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    disclosure: DisclosurePolicy = DisclosurePolicy()
    notifications: NotificationSettings = NotificationSettings()
    # Limits of declared case types, by type and setting name (a deadline's `amount_setting`):
    # a province sets online messages to 7 or 15 working days here, not in the declaration.
    case_types: dict[str, dict[str, PositiveInt]] = Field(default_factory=dict)

    def case_type_amount(self, case_type: str, setting: str) -> int | None:
        return self.case_types.get(case_type, {}).get(setting)


@cache
def load_settings() -> Settings:
    """``configs/settings.yaml``, overlaid by the file named in ``GOVFLOW_SETTINGS`` if set.

    A missing, unreadable or malformed file, or a value out of range, stops with a
    ``ConfigurationError`` naming the file, the place and the problem.
    """
    raw = _read_yaml(configs.shipped("settings.yaml"), None)
    override = os.environ.get("GOVFLOW_SETTINGS")
    if override:
        extra = _read_yaml(Path(override), "GOVFLOW_SETTINGS")
        for section, values in extra.items():
            if isinstance(values, dict) and isinstance(raw.get(section), dict):
                raw[section].update(values)
            else:
                raw[section] = values
    source = override or str(configs.shipped("settings.yaml"))
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(f"设置文件 {source}：{summary(exc.errors(), '文件')}") from None


def _read_yaml(path: Path, variable: str | None) -> dict:
    named = f"环境变量 {variable} 指向的设置文件 {path}" if variable else f"设置文件 {path}"
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{named} 不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise ConfigurationError(f"{named} 无法读取：{reason}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{named}：{yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{named}：顶层应为键值映射（如 disclosure: …）")
    return data
