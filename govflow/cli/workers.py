"""``govflow run`` / ``sweeper`` / ``worker`` and ``govflow escalation …`` (SPEC section 6)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import (
    AsReader,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    echo_lines,
    fail,
    person,
    user_errors,
)

if TYPE_CHECKING:
    from govflow.workflow.policy import NotificationSettings

escalation_app = typer.Typer(help="预警与督办：查看、确认、变更规则。", no_args_is_help=True)


def _metrics(port: int | None) -> None:
    if port:
        from prometheus_client import start_http_server

        start_http_server(port)


def _check_robots(settings: NotificationSettings) -> None:
    """A robot channel named in the settings without its secret in the environment stops
    start-up, naming the variable (never a value)."""
    from govflow.workers.robots import missing_secrets

    problems = missing_secrets(settings)
    if problems:
        fail("；".join(problems), 2)


def _stop_on_signals(stop: threading.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())


def run(
    org: Annotated[str | None, typer.Option(help="首次运行时导入的机关与用户文件")] = None,
    interval: Annotated[float | None, typer.Option(help="扫描间隔（秒）")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Prometheus 指标端口")] = None,
    port: Annotated[
        int, typer.Option(help="HTTP API 端口（仅监听 127.0.0.1；0 为不启动）", min=0, max=65535)
    ] = 8000,
) -> None:
    """单机运行：SQLite + 进程内消息队列与工作线程 + 期限扫描 + HTTP API，一条命令全部启动。"""
    from pathlib import Path

    from govflow.app import check_installation, prepare_database
    from govflow.cli.common import announce_admin, operator
    from govflow.cli.serve import check_port
    from govflow.workers.runtime import Embedded

    with user_errors():
        check_installation()  # the mode, the settings and the chain key, before anything
        if port:
            check_port("127.0.0.1", port)
        if metrics_port:
            check_port("0.0.0.0", metrics_port, "--metrics-port")  # prometheus_client's host
        url, _ = prepare_database(Path(org) if org else None, by=operator())
        svc = build_services()
        announce_admin(svc)
        settings = svc.config.settings.notifications
        _check_robots(settings)
        if interval is not None:
            settings = settings.model_copy(update={"sweep_interval_seconds": interval})
        if svc.notices is not None:
            svc.notices.templates.check_all()  # a bad template stops start-up, with file and place
        embedded = Embedded(svc, settings)
        _metrics(metrics_port)
        web = _web(port) if port else None
        typer.echo(
            "govflow 单机运行中\n"
            f"  数据库：{url}\n"
            "  消息队列：进程内（dramatiq StubBroker），2 个投递线程\n"
            f"  期限扫描：每 {settings.sweep_interval_seconds:g} 秒一次\n"
            f"  通知渠道：{'、'.join(settings.channels)}\n"
            + (f"  指标：http://127.0.0.1:{metrics_port}/metrics\n" if metrics_port else "")
            + (f"  HTTP API：http://127.0.0.1:{port}/api/v1/docs\n" if port else "")
            + "  按 Ctrl-C 停止（已记录的提醒不会丢失，下次启动继续投递）。"
        )
        _stop_on_signals(embedded.stop_event)
        embedded.run(
            lambda r: (
                r.fired and typer.echo(f"扫描：触发 {len(r.fired)} 条提醒，其中迟发 {r.late} 条。")
            )
        )
        if web is not None:
            web.should_exit = True
        typer.echo("已停止。")


def _web(port: int) -> Any:
    """The HTTP API in a thread of this process (the same application ``govflow serve``
    runs, named by its import string: the CLI does not import the web front end)."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            "govflow.web.app:app_from_environment",
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            server_header=False,
        )
    )
    threading.Thread(target=server.run, name="govflow-web", daemon=True).start()
    return server


def sweeper(
    interval: Annotated[float | None, typer.Option(help="扫描间隔（秒）")] = None,
    once: Annotated[bool, typer.Option(help="只扫描一次")] = False,
    batch: Annotated[
        int | None, typer.Option(min=1, max=5000, help="每批领取的到期规则数（一批一个事务）")
    ] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Prometheus 指标端口")] = None,
) -> None:
    """生产部署的期限扫描进程（PostgreSQL + Redis，可同时运行多个）。"""
    from govflow.workers.broker import make_broker
    from govflow.workers.runtime import sweep_forever
    from govflow.workers.sweeper import digests, sweep

    with user_errors():
        if not os.environ.get("GOVFLOW_BROKER_URL"):
            fail(
                "须设置 GOVFLOW_BROKER_URL（如 redis://127.0.0.1:6379/0）；单机部署请用 govflow run",
                2,
            )
        from govflow.workers.actors import deliver, install

        install(make_broker())
        svc = build_services()
        settings = svc.config.settings.notifications
        _check_robots(settings)
        if batch is not None:
            settings = settings.model_copy(update={"sweep_batch_size": batch})
        if once:
            report = sweep(svc, deliver.send, settings)
            made = digests(svc, deliver.send, settings)
            typer.echo(
                f"触发 {len(report.fired)} 条（迟发 {report.late}），投递 {report.enqueued} 条"
                + (f"；每日提醒 {made} 条。" if made else "。")
            )
            return
        _metrics(metrics_port)
        stop = threading.Event()
        _stop_on_signals(stop)
        typer.echo("期限扫描已启动，按 Ctrl-C 停止。")
        sweep_forever(
            svc, deliver.send, settings, stop, interval or settings.sweep_interval_seconds
        )


def worker(
    processes: Annotated[int, typer.Option(help="工作进程数")] = 2,
    threads: Annotated[int, typer.Option(help="每个进程的线程数")] = 4,
    metrics_port: Annotated[int | None, typer.Option(help="Prometheus 指标端口")] = None,
) -> None:
    """生产部署的投递进程：运行 dramatiq 工作进程，从 Redis 取任务。"""
    if not os.environ.get("GOVFLOW_BROKER_URL"):
        fail("须设置 GOVFLOW_BROKER_URL（如 redis://127.0.0.1:6379/0）", 2)
    from govflow.app import load_settings

    with user_errors():
        _check_robots(load_settings().notifications)
    env = dict(os.environ)
    if metrics_port:
        # dramatiq's Prometheus middleware serves every process's metrics (ours included)
        # from one multiprocess directory, which must be known before any process starts.
        import tempfile

        env.update(
            GOVFLOW_WORKER_METRICS="1",
            dramatiq_prom_port=str(metrics_port),
            PROMETHEUS_MULTIPROC_DIR=os.path.join(tempfile.gettempdir(), "dramatiq-prometheus"),
        )
    command = [
        sys.executable,
        "-m",
        "govflow.workers.process",
        "govflow.workers.actors",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--queues",
        "govflow",
    ]
    # Become dramatiq's master process (exec, not a child): a SIGTERM or SIGINT sent to this
    # PID by systemd or an operator reaches the master, which stops its worker processes and
    # waits for them — none is left behind holding database sessions.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)


@escalation_app.command("list")
def list_firings(
    as_user: AsReader,
    case: Annotated[str | None, typer.Option(help="案件编号")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出已触发的提醒与督办（含投递状态、确认情况），限查看人可查看的案件。"""
    from govflow.presentation.escalations import firing_lines, firings_json
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        rows = services.firings(svc, person(svc, as_user), case)
        if as_json:
            echo_json(firings_json(rows))
        else:
            echo_lines(firing_lines(rows))


@escalation_app.command("digests")
def list_digests(
    as_user: AsReader,
    day: Annotated[str | None, typer.Option(help="日期（YYYY-MM-DD），默认全部")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出每日提醒（每人每个工作日一条）及其投递状态，限查看人可查看的机关。"""
    from datetime import date

    from govflow.presentation.escalations import digest_lines, digests_json
    from govflow.workflow import services
    from govflow.workflow.errors import InvalidInput

    with user_errors():
        try:
            on = date.fromisoformat(day) if day else None
        except ValueError:
            raise InvalidInput(f"--day 不是有效日期：{day!r}") from None
        svc = build_services()
        rows = services.digests(svc, person(svc, as_user), on)
        if as_json:
            echo_json(digests_json(rows))
        else:
            echo_lines(digest_lines(rows))


@escalation_app.command("ack")
def ack(
    key: str,
    as_user: Annotated[str, typer.Option("--as", help="确认人用户名")],
    as_json: JsonFlag = False,
) -> None:
    """确认一条提醒：该规则不再重复提醒（更高一级的督办仍会按期触发），并记入案件历史。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        done = services.acknowledge(svc, key, cli_principal(svc, as_user))
        if as_json:
            echo_json({"key": key, "acknowledged": True, "new": done, "by": as_user})
            return
        typer.echo(f"已确认：{key}" if done else f"此前已确认过：{key}")


@escalation_app.command("adopt")
def adopt(
    ref: str,
    as_user: Annotated[str, typer.Option("--as", help="公开办负责人用户名")],
    as_json: JsonFlag = False,
) -> None:
    """让在办案件改用 configs/escalation.yaml 中现行的督办规则（记入案件历史）。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        changed = services.adopt_policy(svc, ref, cli_principal(svc, as_user))
        if as_json:
            echo_json({"ref": ref, "changed": changed})
            return
        typer.echo(f"{ref}：" + ("已改用现行督办规则。" if changed else "已是现行督办规则。"))


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(sweeper)
    app.command()(worker)
    app.add_typer(escalation_app, name="escalation")
