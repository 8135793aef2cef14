"""``govflow serve``: the HTTP API (and later the web pages) under uvicorn.

In production run several server processes behind a reverse proxy (``--workers``, or one
systemd unit per process; ``docs/deploy.md``); each process sizes its database pool to its
thread pool. Embedded, ``govflow run`` starts the same application in-process.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from govflow.cli.common import user_errors
from govflow.workflow.errors import InvalidInput


def check_port(host: str, port: int, option: str = "--port") -> None:
    """Refuse, in one line and before any banner, a port that cannot be listened on: left
    to uvicorn, a busy port is its English ``[Errno 98]`` after a banner saying all is well.
    The probe binds as uvicorn does (``SO_REUSEADDR``), so only a port someone listens on
    is refused, not one a stopped server left in TIME_WAIT."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        raise InvalidInput(f"监听地址 {host} 无法解析") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InvalidInput(
                    f"端口 {port} 已被占用（{host}）：请先停止占用它的程序，或用 {option} 另选端口"
                ) from None
            reason = exc.strerror or str(exc)
            raise InvalidInput(f"无法在 {host} 的端口 {port} 上监听：{reason}") from None


def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="服务进程数", min=1, max=64)] = 1,
) -> None:
    """启动 HTTP API 服务（/api/v1，文档见 /api/v1/docs）。"""
    import uvicorn

    with user_errors():
        check_port(host, port)
    typer.echo(f"govflow API：http://{host}:{port}/api/v1/docs（Ctrl-C 停止）", err=True)
    uvicorn.run(
        "govflow.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # request lines would carry case numbers and query strings
        proxy_headers=True,
        server_header=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
