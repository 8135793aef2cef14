"""The installation: its mode (``GOVFLOW_MODE``) and the chain key.

Start-up reads both, registers every secret with the log redaction, and refuses to start
in production mode without a chain key. In the demo and test modes a missing key is
generated once and kept in a file outside the database (``default_key_file``), and a line
says where. Part of the composition root (``govflow.app``).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from govflow.workflow.errors import ConfigurationError, InvalidInput
from govflow.workflow.validation import file_problem

# What the configuration is made of, the database and the services are imported in the
# functions that build them: ``govflow deadline`` needs only the calendar and starts in a
# blink, and SQLAlchemy and pydantic's models take a while to import.
if TYPE_CHECKING:
    from govflow.workflow.keyring import Keyring
    from govflow.workflow.policy import Installation, Settings

from govflow.configuration import (
    ENV_CHAIN_KEY,
    ENV_CHAIN_KEY_FILE,
    ENV_MODE,
    _environ,
    load_settings,
)

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
    from govflow.workflow.keyring import KeyFormatError, Keyring
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
    from govflow.workflow.keyring import KeyFormatError, Keyring

    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else file_problem(exc)
        raise InvalidInput(f"链密钥文件 {path} 无法读取：{reason}") from None
    try:
        return Keyring.parse(text, f"链密钥文件 {path}")
    except KeyFormatError as exc:
        raise InvalidInput(str(exc)) from None
