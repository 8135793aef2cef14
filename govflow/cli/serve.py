"""``govflow serve``: the HTTP API (and later the web pages) under uvicorn.

In production run several server processes behind a reverse proxy (``--workers``, or one
systemd unit per process; ``docs/deploy.md``); each process sizes its database pool to its
thread pool. Embedded, ``govflow run`` starts the same application in-process.
"""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="服务进程数", min=1, max=64)] = 1,
) -> None:
    """启动 HTTP API 服务（/api/v1，文档见 /api/v1/docs）。"""
    import uvicorn

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
