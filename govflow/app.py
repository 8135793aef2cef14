"""The composition root: configuration read once, the services wired, for every edge.

Every process — a CLI command, ``govflow run``, a dramatiq worker, the demo, a test —
builds its ``Services`` here. This is the one place that knows where configuration lives:
the files shipped in ``govflow.configs`` and what the environment adds to them
(``GOVFLOW_SETTINGS``, ``GOVFLOW_CALENDAR_DIR``, ``GOVFLOW_CASE_TYPES_DIR``,
``GOVFLOW_NOW``, ``GOVFLOW_DATABASE_URL``, ``GOVFLOW_FILES_DIR``, the secrets of
``SECRET_ENV``). It reads them
once and hands them down; the domain never reads a file or the environment itself.
The working-day calendar is the database's (``calendar_imports``): ``govflow init`` seeds
it from the shipped files and ``GOVFLOW_CALENDAR_DIR``, every process builds its calendar
from it (``database_calendar``).

Start-up also reads the installation (``GOVFLOW_MODE``, the chain key), registers every
secret with the log redaction, and refuses to start in production mode without a chain key.
In the demo and test modes a missing key is generated once and kept in a file outside the
database (``default_key_file``), and a line says where.

May import: everything below the front ends (``govflow.workflow``, ``govflow.models``,
``govflow.configs``); nothing imports it but the edges.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from govflow import configs
from govflow.notice_wiring import check_template_files, load_notices
from govflow.workflow.actors import SYSTEM, Actor
from govflow.workflow.calendar import CalendarError, WorkingCalendar, load_schedules
from govflow.workflow.clock import Clock, PinnedClock, SystemClock, parse_instant
from govflow.workflow.errors import ConfigurationError, InvalidInput

# What the configuration is made of, the database and the services are imported in the
# functions that build them: ``govflow deadline`` needs only the calendar and starts in a
# blink, and SQLAlchemy and pydantic's models take a while to import.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from govflow.models.org import OrgImport
    from govflow.workflow.config import Config
    from govflow.workflow.documents.store import FileStore
    from govflow.workflow.events import Keyring
    from govflow.workflow.policy import Installation, Mode, Settings
    from govflow.workflow.services import Services

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
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: 无法读取：{exc}") from None


def _settings_file(path: Path, variable: str | None) -> dict[str, Any]:
    """A settings file's mapping; anything wrong with it names the file (and the variable
    that points at it), the place and the problem."""
    from govflow.workflow.validation import yaml_problem

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
    environ = _environ(env)
    value = environ.get(variable)
    if value:
        return value
    path = environ.get(f"{variable}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{variable}_FILE={path}: 无法读取：{exc}") from None


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
                    raise ConfigurationError(f"日历文件 {path} 无法读取：{exc.strerror}") from None
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


def calculator_calendar() -> WorkingCalendar:
    """``govflow deadline`` (no database needed): the database's calendar when the database
    is there and seeded, else the files."""
    from govflow.models.db import make_engine

    try:
        engine = make_engine(must_exist=True)
    except ConfigurationError:  # no database file: the calculator still answers
        return load_calendar()
    try:
        return database_calendar(engine)[0]
    except ConfigurationError:
        raise
    except Exception:  # not reachable or not initialised: the files, as the calculator did
        return load_calendar()
    finally:
        engine.dispose()


def case_type_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """Every declaration: the shipped ``configs/case_types``, then ``GOVFLOW_CASE_TYPES_DIR``."""
    dirs = [configs.shipped("case_types"), *_dirs(_environ(env), ENV_CASE_TYPES_DIR)]
    return [path for directory in dirs for path in sorted(directory.glob("*.yaml"))]


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """The whole configuration; a malformed file stops start-up naming its file and place."""
    from govflow.workflow.config import Config
    from govflow.workflow.declaration import DeclarationError
    from govflow.workflow.escalation import PolicyError, parse_policies
    from govflow.workflow.outcomes import parse_outcomes
    from govflow.workflow.registry import Sources, build_catalogue

    settings = load_settings(env)
    outcomes = parse_outcomes(shipped_data("outcomes.yaml")[1])
    where, raw = shipped_data("escalation.yaml")
    try:
        policies = parse_policies(raw, where)
    except PolicyError as exc:
        raise DeclarationError(str(exc)) from None
    sources = Sources(settings, outcomes, policies, shipped_data)
    catalogue = build_catalogue(case_type_files(env), sources)
    return Config(settings, outcomes, policies, catalogue)


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
    try:
        return PinnedClock(parse_instant(pinned))
    except ValueError:
        raise ConfigurationError(
            f"环境变量 {ENV_NOW} 的值 {pinned!r} 不是有效的时间点"
            "（应为 ISO 8601，如 2025-09-26T09:00 或 2025-09-26T09:00+08:00）"
        ) from None


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


# -- the installation: mode and chain key --------------------------------------------------

_keyrings: dict[tuple[str | None, ...], Keyring] = {}


def load_installation(database_url: str, env: Mapping[str, str] | None = None) -> Installation:
    """The mode (``GOVFLOW_MODE``; unset: demo on SQLite, production otherwise) and the chain
    key's source (``GOVFLOW_CHAIN_KEY`` or ``GOVFLOW_CHAIN_KEY_FILE``)."""
    from pydantic import SecretStr

    from govflow.workflow.policy import Installation, Mode

    environ = _environ(env)
    name = environ.get(ENV_MODE, "").strip().lower()
    if name and name not in {m.value for m in Mode}:
        raise ConfigurationError(f"{ENV_MODE} 应为 production、demo 或 test，实为 {name!r}")
    if name:
        mode = Mode(name)
    else:
        mode = Mode.DEMO if database_url.startswith("sqlite") else Mode.PRODUCTION
    key, key_file = environ.get(ENV_CHAIN_KEY), environ.get(ENV_CHAIN_KEY_FILE)
    return Installation(
        mode=mode,
        database_url=SecretStr(database_url),
        chain_key=SecretStr(key) if key else None,
        chain_key_file=Path(key_file) if key_file else None,
    )


def check_installation(
    url: str | None = None, settings: Settings | None = None, env: Mapping[str, str] | None = None
) -> Keyring:
    """Start-up: the mode, the settings and the chain key, every secret registered for
    redaction; a problem stops here in one line (production without a key among them)."""
    from govflow.logs import register_secrets
    from govflow.models.db import database_url

    installation = load_installation(url or database_url(), env)
    settings = settings or load_settings(env)  # a bad settings file stops start-up here
    register_secrets([*installation.secret_values(), *settings.secret_values()])
    keyring = chain_keyring(installation, env)
    register_secrets(keyring.secrets())
    return keyring


def default_key_file(env: Mapping[str, str] | None = None) -> Path:
    """Where a generated key is kept: the user's configuration folder, never the database."""
    base = _environ(env).get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "govflow" / "chain.keys"


def chain_keyring(installation: Installation, env: Mapping[str, str] | None = None) -> Keyring:
    """The chain keys: ``GOVFLOW_CHAIN_KEY``, else the file ``GOVFLOW_CHAIN_KEY_FILE``; in
    production nothing else; in demo or test mode the default file, generated if missing.
    Read once per process and source (a file is not read again for every command a test
    runs in one process)."""
    source = (
        installation.mode.value,
        installation.chain_key.get_secret_value() if installation.chain_key else None,
        str(installation.chain_key_file) if installation.chain_key_file else None,
        str(default_key_file(env)),
    )
    if source not in _keyrings:
        _keyrings[source] = _load_keyring(installation, default_key_file(env))
    return _keyrings[source]


def _load_keyring(installation: Installation, default: Path) -> Keyring:
    from govflow.workflow.events import KeyFormatError, Keyring
    from govflow.workflow.policy import Mode

    try:
        if installation.chain_key is not None:
            return Keyring.parse(installation.chain_key.get_secret_value(), ENV_CHAIN_KEY)
        if installation.chain_key_file is not None:
            return _read_key_file(installation.chain_key_file)
    except KeyFormatError as exc:
        raise InvalidInput(str(exc)) from None
    if installation.mode is Mode.PRODUCTION:
        raise InvalidInput(
            "生产模式须配置链密钥：设置 GOVFLOW_CHAIN_KEY_FILE 为数据库之外的密钥文件"
            "（每行 密钥编号:64 位十六进制，如 k2026:…，可用 govflow audit keygen 生成），"
            "或设置 GOVFLOW_CHAIN_KEY；演示或单机试用请设 GOVFLOW_MODE=demo"
        )
    if default.exists():
        return _read_key_file(default)
    default.parent.mkdir(parents=True, exist_ok=True)
    line = new_key_line()
    fd = os.open(default, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# govflow 链密钥（演示模式自动生成）；勿与数据库放在一起，勿提交到代码库\n")
        out.write(line + "\n")
    sys.stderr.write(
        f"提示：未配置链密钥，已生成一个并保存在 {default}（{installation.mode.value} 模式）。"
        "生产部署请设 GOVFLOW_MODE=production 并用 GOVFLOW_CHAIN_KEY_FILE 指定密钥文件。\n"
    )
    return _read_key_file(default)


def new_key_line(key_id: str | None = None) -> str:
    """A fresh key entry: ``k<year><random>:<64 hex digits>`` (32 random bytes)."""
    from datetime import date

    key_id = key_id or f"k{date.today():%Y%m%d}{secrets.token_hex(2)}"
    return f"{key_id}:{secrets.token_hex(32)}"


def _read_key_file(path: Path) -> Keyring:
    from govflow.workflow.events import KeyFormatError, Keyring

    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InvalidInput(f"链密钥文件 {path} 无法读取：{reason}") from None
    try:
        return Keyring.parse(text, f"链密钥文件 {path}")
    except KeyFormatError as exc:
        raise InvalidInput(str(exc)) from None


# -- the services ------------------------------------------------------------------------------


def os_user() -> str:
    """The operating-system user running this process: what an event taken on the command
    line (or by the demo) records as its channel, ``cli:<this>``."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return f"uid{os.getuid()}"


def open_engine(url: str | None = None, *, pool_size: int | None = None) -> Engine:
    """An engine on ``url`` (default: ``GOVFLOW_DATABASE_URL``, else ``govflow.db`` here);
    ``pool_size`` connections at most on PostgreSQL (SQLite has no pool to size)."""
    from govflow.models.db import database_url, make_engine

    url = url or database_url()
    if pool_size is None or url.startswith("sqlite"):
        return make_engine(url)
    return make_engine(url, pool_size=pool_size, max_overflow=0)


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    config: Config | None = None,
    keyring: Keyring | None = None,
    *,
    files: FileStore | None = None,
    notices: bool = True,
) -> Services:
    """Services on ``engine`` (default: ``GOVFLOW_DATABASE_URL``) with the configuration read
    now unless given; a malformed case-type declaration, a bad settings file or a missing
    chain key in production stops start-up here. ``files``: the file store (default: the
    directory of ``GOVFLOW_FILES_DIR`` or the settings); ``notices=False``: actions issue no
    notices (a synthetic history)."""
    from govflow.models.db import database_url, make_engine, session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.identity.passwords import PasswordHasher
    from govflow.workflow.services import Services

    config = config or load_config()
    url = engine.url.render_as_string(hide_password=False) if engine else database_url()
    keyring = keyring or check_installation(url, config.settings)
    clock = clock or clock_from_env(mode=load_installation(url).mode)
    # Only ``govflow init`` (and the all-in-one ``govflow run``) create a database.
    engine = engine or make_engine(must_exist=True)
    files = files or open_file_store(config.settings)
    version = None
    if calendar is None:  # the database's calendar: every process counts on the same one
        calendar, version = database_calendar(engine)
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock,
        calendar=calendar,
        calendar_version=version,
        config=config,
        keyring=keyring,
        hasher=PasswordHasher(config.settings.identity.argon2),
        notices=load_notices(config, files) if notices else None,
        files=files,
    )


def database_problem(exc: Exception) -> str | None:
    """What a front end tells a person when the database is not there, not initialised or
    not reachable (the operator's to fix); None for anything else from the database (an
    internal error). Kept here, with the engine, so no front end handles database errors."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    text = str(exc).lower()
    if "no such table" in text or "undefinedtable" in text or "does not exist" in text:
        return "数据库尚未初始化（或不是 govflow 的数据库）：请先运行 govflow init"
    if isinstance(exc, OperationalError) and any(
        t in text for t in ("connection", "could not connect", "unable to open", "timeout")
    ):
        return "无法连接数据库（GOVFLOW_DATABASE_URL）：请检查数据库服务与地址"
    return None


def fill_facts(engine: Engine) -> int:
    """After migration 0008: store the facts of the cases written before they were kept,
    by replaying each (the migration cannot: it loads no case types, no calendar)."""
    from sqlalchemy import text

    from govflow.models.db import session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.services import Services, fill_stored_facts

    with engine.connect() as connection:  # most databases have none: no configuration read
        if connection.scalar(text("SELECT 1 FROM cases WHERE facts IS NULL LIMIT 1")) is None:
            return 0
    calendar, version = database_calendar(engine)
    services = Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock_from_env(),
        calendar=calendar,
        config=load_config(),
        calendar_version=version,
    )
    return fill_stored_facts(services)


def seed_calendar(engine: Engine, *, by: Actor = SYSTEM, clock: Clock | None = None) -> list[str]:
    """``govflow init``: the shipped calendar files and ``GOVFLOW_CALENDAR_DIR`` into the
    database, each text once (``services.seed_calendar``); the names imported."""
    from govflow.models.db import session_factory
    from govflow.models.uow import SqlUnitOfWork
    from govflow.workflow.services import Services
    from govflow.workflow.services import seed_calendar as seed

    files = calendar_seed_files()
    calendar, version = database_calendar(engine)
    services = Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar,
        config=load_config(),
        calendar_version=version,
    )
    return seed(services, files, by)


def prepare_database(
    org: Path | None = None,
    engine: Engine | None = None,
    *,
    by: Actor = SYSTEM,
    clock: Clock | None = None,
) -> tuple[str, OrgImport | None]:
    """Bring the schema to the newest migration and load the organisation file, if given
    (agencies and users, idempotent; a user no longer listed is deactivated, never deleted;
    each change goes to the security log as done by ``by``). Returns the database's URL for
    people (no password) and what the import changed."""
    from govflow.models.db import make_engine, migrate, session_factory
    from govflow.models.org import load_org, read_org_file

    org_file = read_org_file(org) if org is not None else None
    own = engine is None
    engine = engine or make_engine()
    try:
        migrate(engine)
        fill_facts(engine)
        seed_calendar(engine, by=by, clock=clock)
        counts = None
        if org_file is not None:
            with session_factory(engine)() as session:
                counts = load_org(session, org_file, now=(clock or clock_from_env()).now(), by=by)
                session.commit()
        return engine.url.render_as_string(hide_password=True), counts
    finally:
        if own:
            engine.dispose()


__all__ = [
    "CalendarError",
    "build_services",
    "calculator_calendar",
    "calendar_dirs",
    "calendar_seed_files",
    "case_type_files",
    "chain_keyring",
    "check_installation",
    "check_notice_templates",
    "clock_from_env",
    "database_calendar",
    "database_problem",
    "default_key_file",
    "fill_facts",
    "load_calendar",
    "load_config",
    "load_installation",
    "load_notices",
    "load_settings",
    "new_key_line",
    "open_engine",
    "os_user",
    "prepare_database",
    "secret_from_env",
    "seed_calendar",
    "shipped_data",
]


def check_notice_templates(config: Config | None = None) -> tuple[int, int]:
    """Check every notice template file now (``notice_wiring.check_template_files``)."""
    config = config or load_config()
    return check_template_files(config, open_file_store(config.settings))
