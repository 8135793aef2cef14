"""Settings that law leaves to local rules or configuration (``configs/settings.yaml``),
and the installation's mode and secrets.

The values in force when a deadline starts are copied into that action's event, so
later edits of the file never silently move an open case's dates. The statutory limits
of disclosure requests (20 working days and the rest) are not settings: they belong to
the edition of the regulations that governs each request (``configs/editions.yaml``,
``workflow.disclosure.editions``), and a settings file naming one is refused. The file is
read once by the composition root (``govflow.app``) and handed in; nothing here opens it.

Secrets (the SMTP password, webhook and robot URLs with their tokens) are ``SecretStr``:
never shown by ``repr``, an error or a log line. They come from a settings file outside the
repository (``GOVFLOW_SETTINGS``) or from the environment — ``GOVFLOW_SMTP_PASSWORD``, or
``GOVFLOW_SMTP_PASSWORD_FILE`` naming a file that holds it (``SECRET_ENV``) — never from the
shipped ``configs/settings.yaml``. The installation's mode (``GOVFLOW_MODE``) says how strict
start-up is: ``production`` refuses to start without a chain key; ``demo`` (the embedded
SQLite default) and ``test`` generate one.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from govflow.workflow.errors import ConfigurationError
from govflow.workflow.identity.settings import IdentitySettings
from govflow.workflow.validation import summary

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

    channels: tuple[Literal["log", "email", "webhook", "wecom", "dingtalk"], ...] = ("log",)
    # The case's page on the workbench as people outside it reach it (e-mail, robots,
    # webhooks): ``https://govflow.example.gov.cn/cases/{ref}``. None: a message names the
    # case by its number only (the notification centre links to the case page itself).
    link: str | None = None
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
    # Group robots (企业微信, 钉钉): the addresses here, their key, token and signing secret
    # secrets like the others (GOVFLOW_WECOM_KEY, GOVFLOW_DINGTALK_TOKEN, …_SECRET).
    wecom_url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    wecom_key: SecretStr | None = None
    dingtalk_url: str = "https://oapi.dingtalk.com/robot/send"
    dingtalk_token: SecretStr | None = None
    dingtalk_secret: SecretStr | None = None
    robot_timeout_seconds: float = 10
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = Field(5, ge=1)
    sweep_interval_seconds: float = Field(30, gt=0)
    sweep_batch_size: int = Field(500, ge=1, le=5000)  # schedule rows claimed per transaction
    digest_at: time | None = time(8, 30)  # the daily digest, on working days (None: none)
    digest_within_working_days: int = Field(2, ge=0, le=20)
    late_after_seconds: float = Field(300, ge=0)
    redeliver_after_seconds: float = Field(300, gt=0)

    @field_validator("link", mode="before")
    @classmethod
    def _link_is_a_web_address(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # unset, or left empty in a settings file or the environment
        wrong = (
            f"{value!r} 不是案件的网址：应以 http:// 或 https:// 开头并含 {{ref}}"
            "（案件编号），如 https://govflow.example.gov.cn/cases/{ref}；不设网址请留空"
        )
        web = isinstance(value, str) and value.startswith(("http://", "https://"))
        if not web or "{ref}" not in value:  # without {ref} every message leads to one page
            raise ValueError(wrong)
        try:
            value.format(ref="")
        except (IndexError, KeyError, ValueError):  # another {…}: it would fail at firing
            raise ValueError(wrong) from None
        return value

    def case_link(self, ref: str) -> str | None:
        """The case's web address (its number percent-encoded, as the pages' own links are),
        or None when the settings know none."""
        return self.link.format(ref=quote(ref, safe="")) if self.link else None


class DatedBody(BaseModel):
    """A reconsideration body (行政复议机关) named in replies from a date on."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: date = Field(alias="from")
    body: str = Field(min_length=1)


class NoticeSettings(BaseModel):
    """Written notices, attachments and the file store (SPEC N-1, N-2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template_dir: str | None = None  # an office's own .docx templates, overriding the shipped
    # Where notices and attachments are kept: a directory (one machine, or a shared mount),
    # or an S3-compatible object store (several machines; ``pip install 'govflow[s3]'``).
    file_store: Literal["directory", "s3"] = "directory"
    files_dir: str = "govflow-files"  # the file store's directory (relative: to the cwd)
    s3_endpoint: str | None = None  # e.g. http://minio.intranet:9000 (None: AWS's own)
    s3_bucket: str | None = None
    s3_prefix: str = "govflow/"  # the store's keys start with it (one bucket, several uses)
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None  # GOVFLOW_S3_SECRET_ACCESS_KEY
    max_attachment_mb: float = Field(20, gt=0)
    court: str = "有管辖权的人民法院"
    # 行政复议机关 by agency code ("*": every agency without its own entry), each a list of
    # bodies with the date from which they apply; a reply names the one in force on its date.
    reconsideration: dict[str, tuple[DatedBody, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> NoticeSettings:
        if self.file_store == "s3" and not self.s3_bucket:
            raise ValueError("file_store 为 s3 时须设置 s3_bucket（存储桶名称）")
        return self

    def reconsideration_body(self, agency_code: str, on: date) -> str | None:
        entries = self.reconsideration.get(agency_code) or self.reconsideration.get("*") or ()
        current = [e for e in entries if e.since <= on]
        return max(current, key=lambda e: e.since).body if current else None


class CalendarSettings(BaseModel):
    """The calendar kept in the database (issue 10): how often a long-running process
    (web, sweeper, worker) asks whether a new calendar file was imported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_seconds: float = Field(30, ge=0)  # 0: at every request, sweep and message


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    disclosure: DisclosurePolicy = DisclosurePolicy()
    notifications: NotificationSettings = NotificationSettings()
    identity: IdentitySettings = IdentitySettings()
    notices: NoticeSettings = NoticeSettings()
    calendar: CalendarSettings = CalendarSettings()
    # Limits of declared case types, by type and setting name (a deadline's `amount_setting`):
    # a province sets online messages to 7 or 15 working days here, not in the declaration.
    case_types: dict[str, dict[str, PositiveInt]] = Field(default_factory=dict)

    def case_type_amount(self, case_type: str, setting: str) -> int | None:
        return self.case_types.get(case_type, {}).get(setting)

    def secret_values(self) -> list[str]:
        """Every secret in force, as plain text: what the logs must never show."""
        n = self.notifications
        held = (
            n.smtp_password,
            n.webhook_url,
            n.wecom_key,
            n.dingtalk_token,
            n.dingtalk_secret,
            self.notices.s3_secret_access_key,
        )
        return [s.get_secret_value() for s in held if s is not None]


SECRET_ENV: dict[tuple[str, str], str] = {
    ("notifications", "smtp_password"): "GOVFLOW_SMTP_PASSWORD",
    ("notifications", "webhook_url"): "GOVFLOW_WEBHOOK_URL",
    ("notices", "s3_secret_access_key"): "GOVFLOW_S3_SECRET_ACCESS_KEY",
    ("notifications", "wecom_key"): "GOVFLOW_WECOM_KEY",
    ("notifications", "dingtalk_token"): "GOVFLOW_DINGTALK_TOKEN",
    ("notifications", "dingtalk_secret"): "GOVFLOW_DINGTALK_SECRET",
}
"""Secrets the environment may give: ``NAME`` holds the value, ``NAME_FILE`` a file with it."""


def parse_settings(
    raw: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    where: str = "",
    secrets: dict[str, dict[str, str]] | None = None,
) -> Settings:
    """The shipped settings, each section overlaid by the same section of ``overrides``
    (a section that is not a mapping replaces the shipped one), then by ``secrets`` (the
    environment's, ``SECRET_ENV``). A value out of range stops with a ``ConfigurationError``
    naming ``where`` (the file), the place and the problem — never a value (it may be a
    password)."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in (raw or {}).items()}
    for section, values in (overrides or {}).items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section].update(values)
        else:
            merged[section] = values
    for section, values in (secrets or {}).items():
        if isinstance(merged.setdefault(section, {}), dict):
            merged[section].update(values)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigurationError(f"设置文件 {where}：{summary(exc.errors(), '文件')}") from None


# -- the installation --------------------------------------------------------------------------


class Mode(StrEnum):
    """How strict start-up is (``GOVFLOW_MODE``).

    ``production``: a chain key must be configured and ``GOVFLOW_NOW`` is refused (the
    clock of a real office is the system's); ``demo``: the embedded default, a key is generated if none is configured;
    ``test``: as demo, for test suites. Unset: ``demo`` for a SQLite database (the embedded
    default), ``production`` for any other.
    """

    PRODUCTION = "production"
    DEMO = "demo"
    TEST = "test"


class Installation(BaseModel):
    """What the environment says about this installation; read once at the edge
    (``govflow.app.load_installation``)."""

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
