"""The FastAPI application: the HTTP API under ``/api/v1`` and the web pages (``pages``).

``create_app`` takes everything from its caller — the services, the readiness checks — so
tests, ``govflow serve`` and the embedded ``govflow run`` wire it the same way. Handlers only
parse, call the service layer and render; every refusal goes through ``errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from govflow.web import api, docs, errors, health, i18n, pages
from govflow.web.api.query import single_valued
from govflow.web.guard import LimitBody, RefuseNul
from govflow.web.head import HeadAsGet
from govflow.web.headers import SecurityHeaders
from govflow.workflow.notifications import Channel
from govflow.workflow.services import CalendarWatch, Services

if TYPE_CHECKING:
    from govflow.workflow.identity.oidc import OpenIdConnect

STATIC = Path(str(files("govflow.web").joinpath("static")))
FAVICON = STATIC / "web" / "favicon.ico"  # tools/make_favicon.py draws it and favicon.svg
THREADS = 40
"""AnyIO's default thread pool for sync handlers; the database pool is sized to match."""


def create_app(
    svc: Services,
    checks: Mapping[str, health.ReadinessCheck],
    sso: OpenIdConnect | None = None,
    channels: Mapping[str, Channel] | None = None,
    locale: str = i18n.SOURCE_LOCALE,
) -> FastAPI:
    """The API and the pages over ``svc``; ``sso``: the single sign-on provider, if any;
    ``channels``: the notification channels the administrator's test message goes through
    (default: built from the settings, as the workers build theirs); ``locale``: the
    pages' language (``GOVFLOW_LOCALE`` at the edge; its catalogue is loaded here, once)."""
    translations = i18n.load(locale)
    app = FastAPI(
        title="govflow API",
        summary="政府信息公开申请与政务舆情的期限管理",
        version="1",
        openapi_url=docs.OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    # Every request reads its services through the watch: a calendar imported by another
    # process is in force here within ``calendar.check_seconds`` (issue 10).
    app.state.calendar_watch = CalendarWatch(svc)
    app.state.sso = sso
    if channels is None:
        from govflow.workers.channels import build_channels

        channels = build_channels(svc.config.settings.notifications)
    app.state.channels = channels
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/favicon.ico", favicon, include_in_schema=False)
    errors.install(app, pages.error_page)
    app.include_router(docs.router)
    app.include_router(health.router(checks))
    once = Depends(single_valued(api.ROUTERS))  # a query parameter given twice: refused
    for router in api.ROUTERS:
        app.include_router(router, dependencies=[once])
    pages.install(app)
    app.add_middleware(HeadAsGet)  # innermost: the routes see the GET a HEAD asks about
    app.add_middleware(RefuseNul)
    app.add_middleware(LimitBody)
    app.add_middleware(SecurityHeaders)
    # Outermost, so everything a page renders (errors included) reads the same catalogue.
    app.add_middleware(i18n.InForce, translations=translations)
    return app


def favicon() -> FileResponse:
    """The icon a browser asks for at this fixed address when a page links none (the pages
    link ``/static/web/favicon.svg``); a day in its cache, as it never changes in a release."""
    return FileResponse(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


def app_from_environment() -> FastAPI:
    """The factory ``govflow serve`` hands to uvicorn (one call per server process)."""
    import os

    from govflow.app import build_services, open_engine
    from govflow.logs import configure_logging

    configure_logging()
    # One database connection per handler thread (SQLite has no pool to size).
    engine = open_engine(pool_size=THREADS)
    checks: dict[str, health.ReadinessCheck] = {"database": health.database_check(engine)}
    broker = os.environ.get("GOVFLOW_BROKER_URL")
    if broker:
        checks["broker"] = health.redis_check(broker)
    from govflow.sso import oidc_provider

    svc = build_services(engine)
    sso = oidc_provider(svc.config.settings.identity.oidc, svc.clock)
    return create_app(svc, checks, sso, locale=i18n.locale_from_environment())
