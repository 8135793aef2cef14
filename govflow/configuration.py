"""Where configuration lives, read once per process: the files shipped in
``govflow.configs`` and what the environment adds to them (``GOVFLOW_SETTINGS``,
``GOVFLOW_CALENDAR_DIR``, ``GOVFLOW_CASE_TYPES_DIR``, ``GOVFLOW_NOW``,
``GOVFLOW_FILES_DIR``, the secrets of ``SECRET_ENV``). The working-day calendar is the
database's (``calendar_imports``): ``govflow init`` seeds it from the shipped files and
``GOVFLOW_CALENDAR_DIR``, and every process builds its calendar from it
(``database_calendar``). Part of the composition root (``govflow.app``); the domain never
reads a file or the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from govflow import configs
from govflow.workflow.calendar import CalendarError, WorkingCalendar, load_schedules
from govflow.workflow.calendar.working import DEFAULT_FIRST_YEAR, HORIZON_YEAR
from govflow.workflow.clock import Clock, PinnedClock, SystemClock, local_date, parse_instant
from govflow.workflow.errors import ConfigurationError, InvalidInput
from govflow.workflow.validation import file_problem, load_yaml, yaml_problem

# What the configuration is made of, the database and the services are imported in the
# functions that build them: ``govflow deadline`` needs only the calendar and starts in a
# blink, and SQLAlchemy and pydantic's models take a while to import.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from govflow.workflow.config import Config
    from govflow.workflow.documents.store import FileStore
    from govflow.workflow.policy import Mode, Settings
    from govflow.workflow.registry import Sources

ENV_SETTINGS = "GOVFLOW_SETTINGS"
ENV_CALENDAR_DIR = "GOVFLOW_CALENDAR_DIR"
ENV_CASE_TYPES_DIR = "GOVFLOW_CASE_TYPES_DIR"
ENV_NOW = "GOVFLOW_NOW"
ENV_MODE = "GOVFLOW_MODE"
ENV_CHAIN_KEY = "GOVFLOW_CHAIN_KEY"
ENV_CHAIN_KEY_FILE = "GOVFLOW_CHAIN_KEY_FILE"
ENV_FILES_DIR = "GOVFLOW_FILES_DIR"


def _environ(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _dirs(env: Mapping[str, str], name: str) -> list[Path]:
    """Directories listed in an environment variable, ``os.pathsep``-separated."""
    return [Path(p) for p in env.get(name, "").split(os.pathsep) if p.strip()]


def _yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法读取：{file_problem(exc)}") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: {yaml_problem(exc)}") from None


def _settings_file(path: Path, variable: str | None) -> dict[str, Any]:
    """A settings file's mapping; anything wrong with it names the file (and the variable
    that points at it), the place and the problem."""
    named = f"环境变量 {variable} 指向的设置文件 {path}" if variable else f"设置文件 {path}"
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{named} 不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else file_problem(exc)
        raise ConfigurationError(f"{named} 无法读取：{reason}") from None
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{named}：{yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{named}：顶层应为键值映射（如 disclosure: …）")
    return data


def shipped_data(name: str) -> tuple[str, Any]:
    """A data file shipped with govflow, by name: where it is, and its YAML."""
    path = configs.shipped(name)
    return str(path), _yaml(path)


# -- each part of the configuration ----------------------------------------------------------


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """``configs/settings.yaml``, each section overlaid by the file ``GOVFLOW_SETTINGS`` names,
    then by the secrets in the environment (``SECRET_ENV``); a secret written in the shipped
    file is refused (it would be published with the program)."""
    from govflow.workflow.policy import SECRET_ENV, parse_settings

    environ = _environ(env)
    shipped = configs.shipped("settings.yaml")
    raw = _settings_file(shipped, None)
    for (section, name), variable in SECRET_ENV.items():
        if (raw.get(section) or {}).get(name) is not None:
            raise ConfigurationError(
                f"{shipped}: {section}.{name} 是机密，不能写在随程序发布的设置文件里；"
                f"请写在 GOVFLOW_SETTINGS 指定的文件中或用环境变量 {variable}"
            )
    override = environ.get(ENV_SETTINGS)
    extra = _settings_file(Path(override), ENV_SETTINGS) if override else None
    given: dict[str, dict[str, str]] = {}
    for (section, name), variable in SECRET_ENV.items():
        value = secret_from_env(variable, environ)
        if value is not None:
            given.setdefault(section, {})[name] = value
    return parse_settings(raw, extra, override or str(shipped), given)


def secret_from_env(variable: str, env: Mapping[str, str] | None = None) -> str | None:
    """``$NAME``, or the content of the file named by ``$NAME_FILE`` (trailing newline off)."""
    from govflow.models.urls import env_or_file

    return env_or_file(variable, _environ(env))


def calendar_dirs(
    extra_dirs: Sequence[Path] = (), env: Mapping[str, str] | None = None
) -> list[Path]:
    """Where the working calendar's schedules come from, lowest priority first: the shipped
    ``configs/calendar``, then ``GOVFLOW_CALENDAR_DIR``, then ``extra_dirs``."""
    return [
        configs.shipped("calendar"),
        *_dirs(_environ(env), ENV_CALENDAR_DIR),
        *(Path(p) for p in extra_dirs),
    ]


def load_calendar(
    extra_dirs: Sequence[Path] = (), env: Mapping[str, str] | None = None
) -> WorkingCalendar:
    return WorkingCalendar.from_schedules(load_schedules(calendar_dirs(extra_dirs, env)))


def calendar_seed_files(env: Mapping[str, str] | None = None) -> list[tuple[str, bytes]]:
    """The files ``govflow init`` imports into the database, in order: the shipped
    ``configs/calendar``, then each directory of ``GOVFLOW_CALENDAR_DIR``."""
    files: list[tuple[str, bytes]] = []
    for directory in calendar_dirs((), env):
        if not directory.is_dir():
            raise ConfigurationError(f"环境变量 {ENV_CALENDAR_DIR} 中的日历目录 {directory} 不存在")
        for path in sorted(directory.iterdir()):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                try:
                    files.append((path.name, path.read_bytes()))
                except OSError as exc:
                    raise ConfigurationError(
                        f"日历文件 {path} 无法读取：{file_problem(exc)}"
                    ) from None
    return files


def database_calendar(engine: Engine) -> tuple[WorkingCalendar, int | None]:
    """The calendar the database holds (every process counts on it, issue 10) and its
    newest import's id; a database not yet seeded by ``govflow init`` (None) counts on
    the files, as before."""
    from govflow.models.calendar_store import SqlCalendarStore
    from govflow.models.db import session_factory
    from govflow.workflow.calendar.imports import calendar_of

    with session_factory(engine)() as session:
        rows = SqlCalendarStore(session).imports()
    if not rows:
        return load_calendar(), None
    try:
        return calendar_of(rows), rows[-1].id
    except CalendarError as exc:  # a row edited by hand
        raise ConfigurationError(f"数据库中的工作日历有误：{exc}") from None


def calculator_calendar() -> tuple[WorkingCalendar, str | None]:
    """``govflow deadline`` (no database needed): the database's calendar when the database
    is there and seeded, else the files; and a note for the person when a configured
    database could not be read (the files' calendar lacks the closure days and corrections
    an administrator imported, so the answer must say which calendar it counted on).

    Read with the database's own driver (``models.calendar_direct``), not SQLAlchemy: the
    calculator answers in a fraction of the time SQLAlchemy takes to import."""
    from govflow.models.calendar_direct import Unreachable, stored_calendar_files
    from govflow.models.urls import configured_url
    from govflow.workflow.calendar.imports import calendar_of

    try:
        rows = stored_calendar_files(configured_url())
    except Unreachable as exc:
        note = f"注意：{exc}；以下按随软件发布的日历文件计算，未包含管理员导入的调整。"
        return load_calendar(), note
    if not rows:
        return load_calendar(), None
    try:
        return calendar_of(rows), None
    except CalendarError as exc:  # a row edited by hand
        raise ConfigurationError(f"数据库中的工作日历有误：{exc}") from None


def case_type_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """Every declaration: the shipped ``configs/case_types``, then ``GOVFLOW_CASE_TYPES_DIR``."""
    dirs = [configs.shipped("case_types"), *_dirs(_environ(env), ENV_CASE_TYPES_DIR)]
    return [path for directory in dirs for path in sorted(directory.glob("*.yaml"))]


def load_sources(env: Mapping[str, str] | None = None) -> Sources:
    """What a case type is built with: the settings, the outcomes, the escalation ladders and
    the shipped data files (also what the pages' catalogue extraction loads a type with)."""
    from govflow.workflow.declaration import DeclarationError
    from govflow.workflow.escalation import PolicyError, parse_policies
    from govflow.workflow.outcomes import parse_outcomes
    from govflow.workflow.registry import Sources

    settings = load_settings(env)
    outcomes = parse_outcomes(shipped_data("outcomes.yaml")[1])
    where, raw = shipped_data("escalation.yaml")
    try:
        policies = parse_policies(raw, where)
    except PolicyError as exc:
        raise DeclarationError(str(exc)) from None
    return Sources(settings, outcomes, policies, shipped_data)


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """The whole configuration; a malformed file stops start-up naming its file and place."""
    from govflow.workflow.config import Config
    from govflow.workflow.registry import build_catalogue

    sources = load_sources(env)
    catalogue = build_catalogue(case_type_files(env), sources)
    return Config(sources.settings, sources.outcomes, sources.policies, catalogue)


def clock_from_env(env: Mapping[str, str] | None = None, mode: Mode | None = None) -> Clock:
    """``GOVFLOW_NOW`` pins the clock (an ISO 8601 instant, SPEC T-5) of a demo or test
    installation; else the system clock. A production installation refuses it: an office's
    deadlines, and the instant of every event it records, follow the real time."""
    from govflow.workflow.policy import Mode

    pinned = _environ(env).get(ENV_NOW)
    if not pinned:
        return SystemClock()
    if mode is Mode.PRODUCTION:
        raise ConfigurationError(
            f"环境变量 {ENV_NOW} 只能在演示或测试安装中使用（{ENV_MODE}=demo 或 test），"
            f"生产模式（{ENV_MODE}=production）按系统时钟办理；请删除 {ENV_NOW}"
        )
    # Every command reckons limits and "time left" from this instant on the working
    # calendar, which knows only its own years: an instant outside them failed later, in
    # the middle of a command, as a CalendarError or an OverflowError (year 1, read in
    # Beijing time, is before the first UTC instant).
    first, last = DEFAULT_FIRST_YEAR, HORIZON_YEAR
    out_of_range = ConfigurationError(
        f"环境变量 {ENV_NOW} 的值 {pinned!r} 超出工作日历支持的年份（{first}–{last} 年）"
    )
    try:
        instant = parse_instant(pinned)
    except OverflowError:
        raise out_of_range from None
    except ValueError:
        raise ConfigurationError(
            f"环境变量 {ENV_NOW} 的值 {pinned!r} 不是有效的时间点"
            "（应为 ISO 8601，如 2025-09-26T09:00 或 2025-09-26T09:00+08:00）"
        ) from None
    if not first <= local_date(instant).year <= last:
        raise out_of_range
    return PinnedClock(instant)


# -- written notices and the file store (SPEC N-1, N-2) ----------------------------------------


def files_dir(settings: Settings, env: Mapping[str, str] | None = None) -> Path:
    """``GOVFLOW_FILES_DIR``, else ``notices.files_dir`` of the settings (relative: the cwd)."""
    return Path(_environ(env).get(ENV_FILES_DIR) or settings.notices.files_dir)


def open_file_store(settings: Settings, env: Mapping[str, str] | None = None) -> FileStore:
    """The file store of notices and attachments, each file named by its SHA-256: a
    directory, or an S3-compatible bucket (``notices.file_store``)."""
    notices = settings.notices
    if notices.file_store == "s3":
        from govflow.models.s3store import S3Store

        assert notices.s3_bucket is not None  # the settings' own check
        secret = notices.s3_secret_access_key
        return S3Store(
            notices.s3_bucket,
            prefix=notices.s3_prefix,
            endpoint_url=notices.s3_endpoint,
            region=notices.s3_region,
            access_key_id=notices.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
        )
    from govflow.models.filestore import DirectoryStore

    return DirectoryStore(files_dir(settings, env))
