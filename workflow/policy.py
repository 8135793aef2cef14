"""Settings that law leaves to local rules or configuration (``configs/settings.yaml``),
and the installation's mode and secrets.

The values in force when a deadline starts are copied into that action's event, so
later edits of the file never silently move an open case's dates. The statutory limits
of disclosure requests (20 working days and the rest) are not settings: they belong to
the edition of the regulations that governs each request (``configs/editions.yaml``,
``workflow.disclosure.editions``), and a settings file naming one is refused.

Secrets (the SMTP password, webhook and robot URLs with their tokens) are ``SecretStr``:
never shown by ``repr``, an error or a log line. They come from a settings file outside the
repository (``GOVFLOW_SETTINGS``) or from the environment — ``GOVFLOW_SMTP_PASSWORD``, or
``GOVFLOW_SMTP_PASSWORD_FILE`` naming a file that holds it (``SECRET_ENV``) — never from the
shipped ``configs/settings.yaml``. The installation's mode (``GOVFLOW_MODE``) says how strict
start-up is: ``production`` refuses to start without a chain key; ``demo`` (the embedded
SQLite default) and ``test`` generate one.
"""

from __future__ import annotations

import os
from datetime import date, time
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    SecretStr,
    ValidationError,
    model_validator,
)

from govflow import configs
from govflow.workflow.errors import ConfigurationError
from govflow.workflow.identity.settings import IdentitySettings
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
    # none: plain SMTP (a relay on the same machine); starttls: upgrade on port 587;
    # ssl: SMTPS from the first byte (port 465). A user and password log in (AUTH).
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_ca_file: Path | None = None  # the CA of a mail server with a private certificate
    webhook_url: SecretStr | None = None  # its query often carries the robot's token
    webhook_timeout_seconds: float = 10
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = Field(5, ge=1)
    sweep_interval_seconds: float = Field(30, gt=0)
    late_after_seconds: float = Field(300, ge=0)
    redeliver_after_seconds: float = Field(300, gt=0)


class DatedBody(BaseModel):
    """A reconsideration body (行政复议机关) named in replies from a date on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: date = Field(alias="from")
    body: str = Field(min_length=1)


class NoticeSettings(BaseModel):
    """Written notices, attachments and the file store (SPEC N-1, N-2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template_dir: str | None = None  # an office's own .docx templates, overriding the shipped
    files_dir: str = "govflow-files"  # the file store's directory (relative: to the cwd)
    max_attachment_mb: float = Field(20, gt=0)
    court: str = "有管辖权的人民法院"
    # 行政复议机关 by agency code ("*": every agency without its own entry), each a list of
    # bodies with the date from which they apply; a reply names the one in force on its date.
    reconsideration: dict[str, tuple[DatedBody, ...]] = Field(default_factory=dict)

    def reconsideration_body(self, agency_code: str, on: date) -> str | None:
        entries = self.reconsideration.get(agency_code) or self.reconsideration.get("*") or ()
        current = [e for e in entries if e.since <= on]
        return max(current, key=lambda e: e.since).body if current else None


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    disclosure: DisclosurePolicy = DisclosurePolicy()
    notifications: NotificationSettings = NotificationSettings()
    identity: IdentitySettings = IdentitySettings()
    notices: NoticeSettings = NoticeSettings()
    # Limits of declared case types, by type and setting name (a deadline's `amount_setting`):
    # a province sets online messages to 7 or 15 working days here, not in the declaration.
    case_types: dict[str, dict[str, PositiveInt]] = Field(default_factory=dict)

    def case_type_amount(self, case_type: str, setting: str) -> int | None:
        return self.case_types.get(case_type, {}).get(setting)

    def secret_values(self) -> list[str]:
        """Every secret in force, as plain text: what the logs must never show."""
        n = self.notifications
        return [s.get_secret_value() for s in (n.smtp_password, n.webhook_url) if s is not None]


SECRET_ENV: dict[tuple[str, str], str] = {
    ("notifications", "smtp_password"): "GOVFLOW_SMTP_PASSWORD",
    ("notifications", "webhook_url"): "GOVFLOW_WEBHOOK_URL",
}
"""Secrets the environment may give: ``NAME`` holds the value, ``NAME_FILE`` a file with it."""


@cache
def load_settings() -> Settings:
    """``configs/settings.yaml``, overlaid by the file named in ``GOVFLOW_SETTINGS`` if set,
    then by the secrets in the environment (``SECRET_ENV``).

    A missing, unreadable or malformed file, or a value out of range, stops with a
    ``ConfigurationError`` naming the file, the place and the problem — never a value (it
    may be a password).
    """
    shipped = configs.shipped("settings.yaml")
    raw = _read_yaml(shipped, None)
    for (section, name), variable in SECRET_ENV.items():
        if (raw.get(section) or {}).get(name) is not None:
            raise ConfigurationError(
                f"{shipped}: {section}.{name} 是机密，不能写在随程序发布的设置文件里；"
                f"请写在 GOVFLOW_SETTINGS 指定的文件中或用环境变量 {variable}"
            )
    override = os.environ.get("GOVFLOW_SETTINGS")
    if override:
        extra = _read_yaml(Path(override), "GOVFLOW_SETTINGS")
        for section, values in extra.items():
            if isinstance(values, dict) and isinstance(raw.get(section), dict):
                raw[section].update(values)
            else:
                raw[section] = values
    for (section, name), variable in SECRET_ENV.items():
        value = secret_from_env(variable)
        if value is not None and isinstance(raw.setdefault(section, {}), dict):
            raw[section][name] = value
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


def secret_from_env(variable: str) -> str | None:
    """``$NAME``, or the content of the file named by ``$NAME_FILE`` (trailing newline off)."""
    value = os.environ.get(variable)
    if value:
        return value
    path = os.environ.get(f"{variable}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{variable}_FILE={path}: 无法读取：{exc}") from None


# -- the installation --------------------------------------------------------------------------


class Mode(StrEnum):
    """How strict start-up is (``GOVFLOW_MODE``).

    ``production``: a chain key must be configured (and, with issue 10, ``GOVFLOW_NOW`` is
    ignored); ``demo``: the embedded default, a key is generated if none is configured;
    ``test``: as demo, for test suites. Unset: ``demo`` for a SQLite database (the embedded
    default), ``production`` for any other.
    """

    PRODUCTION = "production"
    DEMO = "demo"
    TEST = "test"


class Installation(BaseModel):
    """What the environment says about this installation; read once at the edge."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    database_url: SecretStr
    chain_key: SecretStr | None = None  # GOVFLOW_CHAIN_KEY: ``id:hex[,id:hex…]``
    chain_key_file: Path | None = None  # GOVFLOW_CHAIN_KEY_FILE: the same, one a line

    def secret_values(self) -> list[str]:
        out = [self.database_url.get_secret_value()]
        if self.chain_key is not None:
            out.append(self.chain_key.get_secret_value())
        return out


def load_installation(database_url: str) -> Installation:
    """The mode and the chain key's source, from the environment."""
    name = os.environ.get("GOVFLOW_MODE", "").strip().lower()
    if name and name not in {m.value for m in Mode}:
        raise ConfigurationError(f"GOVFLOW_MODE 应为 production、demo 或 test，实为 {name!r}")
    if name:
        mode = Mode(name)
    else:
        mode = Mode.DEMO if database_url.startswith("sqlite") else Mode.PRODUCTION
    key_file = os.environ.get("GOVFLOW_CHAIN_KEY_FILE")
    return Installation(
        mode=mode,
        database_url=SecretStr(database_url),
        chain_key=SecretStr(os.environ["GOVFLOW_CHAIN_KEY"])
        if os.environ.get("GOVFLOW_CHAIN_KEY")
        else None,
        chain_key_file=Path(key_file) if key_file else None,
    )
