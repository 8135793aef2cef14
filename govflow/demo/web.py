"""``govflow demo --web``: the demo's autumn played into the database the pages read.

Unlike ``govflow demo`` (a throw-away database), this writes into the installation's own
database (``GOVFLOW_DATABASE_URL``, the embedded ``govflow.db`` by default) so that
``govflow run`` opens an office with history: queues, approvals, a dashboard, audit
timelines. Demo and test installations only: it adds made-up cases and hands out
passwords. The year-crossing part of the demo is left out — it imports a made-up 2027
schedule, which must never reach a database people keep using.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import typer

from govflow import configs
from govflow.app import (
    build_services,
    load_config,
    load_installation,
    open_engine,
    os_user,
    prepare_database,
)
from govflow.demo.script import play_autumn
from govflow.demo.story import Echo
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM, AccountStatus
from govflow.workflow.clock import SHANGHAI, FakeClock
from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity.ports import AccountKind
from govflow.workflow.identity.principal import cli_channel
from govflow.workflow.policy import Mode

AUTUMN_STARTS = datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class WebFill:
    database: str  # for people: no password
    filled: bool  # False: the database already held cases, nothing was added
    passwords: tuple[tuple[str, str, str], ...]  # (username, name, one-time password)


def fill_for_web(echo: Echo = typer.echo) -> WebFill:
    """Migrate, load the demo organisation, play the autumn once, and give every person
    still waiting for a first password of their own a one-time password."""
    engine = open_engine()
    try:
        url = engine.url.render_as_string(hide_password=False)
        if load_installation(url).mode is Mode.PRODUCTION:
            raise InvalidInput(
                "govflow demo --web 只能在演示或测试安装中使用（GOVFLOW_MODE=demo 或 test）："
                "它会写入演示案件并重设演示用户的密码"
            )
        shown, _ = prepare_database(configs.shipped("demo_org.yaml"), engine)
        config = load_config()
        clock = FakeClock(AUTUMN_STARTS)
        story_svc = build_services(engine, clock, config=config)
        # Idempotent by content: any case at all means the autumn (or real work) is there,
        # and a second autumn would only duplicate requests under new numbers.
        existing = services.list_cases(
            story_svc, SYSTEM, services.CaseFilter(open_only=False), limit=1
        )
        filled = not existing.cases
        if filled:
            echo(f"正在填充演示数据（示范县人民政府办公室 2025 年秋季）：{shown}")
            play_autumn(story_svc, clock, echo)
        else:
            echo(f"数据库中已有案件，不再重复填充演示数据：{shown}")
        # Passwords are set at today's time, not at the story's last instant.
        live = build_services(engine, config=config)
        return WebFill(shown, filled, _one_time_passwords(live))
    finally:
        engine.dispose()


def _one_time_passwords(svc: services.Services) -> tuple[tuple[str, str, str], ...]:
    """A one-time password for each active person who has not yet chosen their own (the
    administrator included); someone who changed theirs keeps it on a second run."""
    services.bootstrap_admin(svc)  # the administrator's pages need someone to open them
    system = services.principal_for(svc, SYSTEM.username, cli_channel(os_user()))
    issued = []
    for account in services.list_users(svc, system):
        if account.kind is not AccountKind.PERSON or account.status is not AccountStatus.ACTIVE:
            continue
        if account.password_hash is not None and not account.must_change_password:
            continue
        password = services.set_password(svc, system, account.username)
        assert password is not None  # generated: none was given
        issued.append((account.username, account.name, password))
    return tuple(issued)
