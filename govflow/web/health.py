"""Liveness, readiness and metrics, for the reverse proxy, systemd and Prometheus.

``/healthz`` answers while the process runs; ``/readyz`` answers 200 only when every backing
service it depends on (the database, the broker in production) answers, and names the one
that does not; ``/metrics`` is Prometheus' text format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

ReadinessCheck = Callable[[], None]
"""Raises when its backing service does not answer."""


def database_check(engine: Engine) -> ReadinessCheck:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    return check


def redis_check(url: str) -> ReadinessCheck:
    def check() -> None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()

    return check


def router(checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/readyz")
    def readyz() -> JSONResponse:
        failing: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
            except Exception as exc:  # any failure means not ready; the type says which kind
                failing[name] = type(exc).__name__
        if failing:
            names = "、".join(failing)
            return JSONResponse(
                {
                    "status": "unavailable",
                    "message": f"后端服务不可用：{names}",
                    "failing": failing,
                },
                status_code=503,
            )
        return JSONResponse({"status": "ok", "checked": list(checks)})

    @routes.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return routes
