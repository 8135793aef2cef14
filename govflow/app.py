"""Wiring for the edges (CLI, workers, demo): the environment in, ``Services`` out.

Start-up reads the installation once (``GOVFLOW_MODE``, the database URL, the chain key)
and the settings, registers every secret with the log redaction, and refuses to start in
production mode without a chain key. In the demo and test modes a missing key is generated
once and kept in a file outside the database (``default_key_file``), and a line says where.
"""

from __future__ import annotations

import os
import secrets
import sys
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from govflow.logs import register_secrets
from govflow.models.db import database_url, make_engine, session_factory
from govflow.models.filestore import DirectoryStore
from govflow.models.uow import SqlUnitOfWork
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import Clock, clock_from_env
from govflow.workflow.documents.store import FileStore
from govflow.workflow.errors import InvalidInput
from govflow.workflow.events import KeyFormatError, Keyring
from govflow.workflow.notices.catalog import catalog
from govflow.workflow.notices.issue import Notices
from govflow.workflow.notices.templates import NoticeTemplates
from govflow.workflow.policy import Installation, Mode, load_installation, load_settings
from govflow.workflow.registry import workflows
from govflow.workflow.services import Services

_keyrings: dict[tuple[str | None, ...], Keyring] = {}


def files_dir() -> Path:
    """``GOVFLOW_FILES_DIR``, else ``notices.files_dir`` of the settings (relative: cwd)."""
    return Path(os.environ.get("GOVFLOW_FILES_DIR") or load_settings().notices.files_dir)


def build_notices(files: FileStore) -> Notices:
    """The notice templates, checked (a bad template stops start-up with file and place)."""
    settings = load_settings().notices
    override = Path(settings.template_dir) if settings.template_dir else None
    return Notices(NoticeTemplates(catalog(), override), files, settings)


def build_services(
    engine: Engine | None = None,
    clock: Clock | None = None,
    calendar: WorkingCalendar | None = None,
    keyring: Keyring | None = None,
    *,
    files: FileStore | None = None,
    notices: bool = True,
) -> Services:
    """``notices=False``: actions issue no documents (synthetic histories)."""
    workflows()  # a malformed case-type declaration stops start-up here, naming file and place
    url = engine.url.render_as_string(hide_password=False) if engine else database_url()
    keyring = keyring or check_installation(url)
    engine = engine or make_engine(must_exist=True)
    files = files or DirectoryStore(files_dir())
    return Services(
        uow=partial(SqlUnitOfWork, session_factory(engine)),
        clock=clock or clock_from_env(),
        calendar=calendar or WorkingCalendar.load(),
        keyring=keyring,
        identity=load_settings().identity,
        notices=build_notices(files) if notices else None,
        files=files,
    )


def check_installation(url: str | None = None) -> Keyring:
    """Start-up: the mode, the settings and the chain key, every secret registered for
    redaction; a problem stops here in one line (production without a key among them)."""
    installation = load_installation(url or database_url())
    settings = load_settings()  # a bad settings file stops start-up here, in one line
    register_secrets([*installation.secret_values(), *settings.secret_values()])
    keyring = chain_keyring(installation)
    register_secrets(keyring.secrets())
    return keyring


def default_key_file() -> Path:
    """Where a generated key is kept: the user's configuration folder, never the database."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "govflow" / "chain.keys"


def chain_keyring(installation: Installation) -> Keyring:
    """The chain keys: ``GOVFLOW_CHAIN_KEY``, else the file ``GOVFLOW_CHAIN_KEY_FILE``; in
    production nothing else; in demo or test mode the default file, generated if missing."""
    source = (
        installation.mode.value,
        installation.chain_key.get_secret_value() if installation.chain_key else None,
        str(installation.chain_key_file) if installation.chain_key_file else None,
    )
    if source not in _keyrings:
        _keyrings[source] = _load_keyring(installation)
    return _keyrings[source]


def _load_keyring(installation: Installation) -> Keyring:
    try:
        if installation.chain_key is not None:
            return Keyring.parse(installation.chain_key.get_secret_value(), "GOVFLOW_CHAIN_KEY")
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
    path = default_key_file()
    if path.exists():
        return _read_key_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = new_key_line()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# govflow 链密钥（演示模式自动生成）；勿与数据库放在一起，勿提交到代码库\n")
        out.write(line + "\n")
    sys.stderr.write(
        f"提示：未配置链密钥，已生成一个并保存在 {path}（{installation.mode.value} 模式）。"
        "生产部署请设 GOVFLOW_MODE=production 并用 GOVFLOW_CHAIN_KEY_FILE 指定密钥文件。\n"
    )
    return _read_key_file(path)


def new_key_line(key_id: str | None = None) -> str:
    """A fresh key entry: ``k<year><random>:<64 hex digits>`` (32 random bytes)."""
    from datetime import date

    key_id = key_id or f"k{date.today():%Y%m%d}{secrets.token_hex(2)}"
    return f"{key_id}:{secrets.token_hex(32)}"


def _read_key_file(path: Path) -> Keyring:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InvalidInput(f"链密钥文件 {path} 无法读取：{reason}") from None
    try:
        return Keyring.parse(text, f"链密钥文件 {path}")
    except KeyFormatError as exc:
        raise InvalidInput(str(exc)) from None
