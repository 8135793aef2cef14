"""Running ``govflow`` as a user does: a child process on a database of its own, with no
``GOVFLOW_*`` setting of the test run leaking into it and the checkout importable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli_env(database_url: str | None = None, **settings: str) -> dict[str, str]:
    """The environment for a ``python -m govflow`` child; ``settings`` are extra variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    # A test installation with the suite's chain key (tests/conftest.py), unless overridden.
    env["GOVFLOW_MODE"] = "test"
    env["GOVFLOW_CHAIN_KEY"] = os.environ.get("GOVFLOW_CHAIN_KEY", "ktest:" + "5e" * 32)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if database_url is not None:
        env["GOVFLOW_DATABASE_URL"] = database_url
    return {**env, **settings}


def copy_home(prepared: Path, home: Path) -> Path:
    """A test's own copy of an office folder prepared once for its module (the SQLite file,
    its file store, whatever else is in it): what the commands that prepared it would have
    left, without running them again for every test."""
    shutil.copytree(prepared, home, dirs_exist_ok=True)
    return home
