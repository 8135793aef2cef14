"""One error model for every failure of the HTTP API (SPEC W-1).

``{"error": code, "message": zh-CN text, "fields": {field: zh-CN message}}`` — mapped from
the same domain errors the CLI maps to exit codes, so a refusal reads the same everywhere:

| domain error | status | code |
|---|---|---|
| malformed request (body, query, header) | 400 | ``invalid_input`` |
| ``InvalidInput`` | 400 | ``invalid_input`` |
| ``NotAuthenticated`` (no or bad credentials) | 401 | ``unauthenticated`` |
| ``NotPermitted`` (role, agency, a token's scope) | 403 | ``forbidden`` |
| ``NotFound`` (or not visible to the reader) | 404 | ``not_found`` |
| ``Conflict`` (``StaleVersion``: with the version now as ``ETag``) | 409 | ``conflict`` |
| ``DamagedDocument`` (a stored file no longer matches its recorded hash) | 409 | ``damaged_document`` |
| ``ActionNotAllowed`` (state or a legal rule) | 422 | ``not_allowed`` |
| ``OpenFindings`` (a report over histories in doubt) | 422 | ``audit_findings`` |
| a body larger than the route takes (``guard.LimitBody``) | 413 | ``too_large`` |
| anything else | 500 | ``internal`` (with a reference to the log line) |

A workbench page's address that fails before the page runs (no such page, a query or path
parameter missing or of the wrong kind, an internal error) is a person's browser, not an
API client: it gets the pages' zh-CN error page (``install``'s ``page_error``), with no
field path or code in it. An htmx request keeps the JSON body, whose message ``web.js``
shows in the page's alert box.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from govflow.web.i18n import _
from govflow.workflow.errors import (
    ActionNotAllowed,
    Conflict,
    DamagedDocument,
    GovflowError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    OpenFindings,
    StaleVersion,
)
from govflow.workflow.validation import zh_errors

log = structlog.get_logger(__name__)

DOMAIN_STATUS: dict[type[GovflowError], tuple[int, str]] = {
    InvalidInput: (400, "invalid_input"),
    NotAuthenticated: (401, "unauthenticated"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    DamagedDocument: (409, "damaged_document"),
    ActionNotAllowed: (422, "not_allowed"),
    NotPermitted: (403, "forbidden"),
    OpenFindings: (422, "audit_findings"),
}
MAX_FIELDS = 20
"""The most fields a refusal of a malformed request names."""
HTTP_CODES = {
    400: ("invalid_input", "请求格式有误"),
    401: ("unauthenticated", "未登录或凭据无效"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "未找到，或您无权查看"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "不支持请求的内容格式"),
    409: ("conflict", "该案件已被他人更新，请刷新后重试"),
    413: ("too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("not_allowed", "该操作不被允许"),
}


PageError = Callable[[Request, int, str], Response]
"""How the workbench answers a page's address that failed: (request, status, message)."""
NOT_PAGES = ("/api/", "/static/", "/healthz", "/readyz", "/metrics", "/favicon.ico")
"""Addresses that are no page: their clients read the JSON error model."""


def for_a_page(request: Request) -> bool:
    """A browser asking for a page (not the API, an asset, a probe, nor htmx)."""
    return (
        not request.url.path.startswith(NOT_PAGES) and request.headers.get("HX-Request") != "true"
    )


class ErrorBody(BaseModel):
    """What every refusal of the API returns."""

    error: str = Field(description="机器可读的错误代码", examples=["conflict"])
    message: str = Field(description="面向用户的中文说明")
    fields: dict[str, str] = Field(default_factory=dict, description="逐字段的中文说明")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, (_, text) in HTTP_CODES.items()
    if status in (400, 401, 403, 404, 409, 422)
}
"""For ``responses=`` on routes, so the OpenAPI document describes every refusal."""


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody(error=code, message=message, fields=fields or {})
    return JSONResponse(body.model_dump(), status_code=status)


def field_messages(errors: Sequence[Any]) -> dict[str, str]:
    """FastAPI's validation errors as ``{"body.field": "中文说明"}`` (one catalogue: the domain's)."""
    out: dict[str, str] = {}
    for where, text in zh_errors(errors, "请求"):
        out[where] = f"{out[where]}；{text}" if where in out else text
    return out


def install(app: FastAPI, page_error: PageError | None = None) -> None:
    """Register the handlers that turn every failure into the one error model; with
    ``page_error``, a page's address answers a browser with that page instead."""

    def page(request: Request, status: int, message: str) -> Response | None:
        if page_error is None or not for_a_page(request):
            return None
        return page_error(request, status, message)

    @app.exception_handler(GovflowError)
    async def _domain(request: Request, exc: GovflowError) -> Response:
        if isinstance(exc, StaleVersion):  # the caller reloads at the version named
            response = error_response(
                409, "conflict", str(exc), {"If-Match": f"案件当前版本为 {exc.current}"}
            )
            response.headers["ETag"] = f'"{exc.current}"'
            return response
        # Bad input names each faulty field when the domain did (``InvalidInput.fields``).
        fields = exc.fields if isinstance(exc, InvalidInput) else None
        status, code = next(
            (DOMAIN_STATUS[cls] for cls in type(exc).__mro__ if cls in DOMAIN_STATUS),
            (400, "invalid_input"),
        )
        return page(request, status, str(exc)) or error_response(status, code, str(exc), fields)

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError) -> Response:
        # A page's parameters come from its own links and forms: one that is missing or
        # malformed was typed or cut short by hand, and its field path means nothing there.
        shown = page(request, 400, _("页面地址有误（缺少参数或参数格式不对），请从导航重新进入"))
        if shown is not None:
            return shown
        errors = exc.errors()
        # A body of a hundred thousand unknown keys is one mistake said a hundred thousand
        # times: the first few are named, the rest counted (the answer stays small).
        fields = field_messages(errors[:MAX_FIELDS])
        summary = "；".join(f"{k}：{v}" for k, v in fields.items())
        if len(errors) > MAX_FIELDS:
            summary += f"；……共 {len(errors)} 处错误"
        return error_response(400, "invalid_input", f"请求格式有误：{summary}", fields)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        code, text = HTTP_CODES.get(exc.status_code, ("error", "请求未能完成"))
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii()
            else text
        )
        shown = page(
            request,
            exc.status_code,
            _("没有这个页面，或您无权查看")
            if exc.status_code == 404
            else _("请求未能完成（%(status)s）", status=exc.status_code),
        )
        if shown is not None:
            return shown
        response = error_response(exc.status_code, code, detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        reference = uuid.uuid4().hex[:12]
        # The log line carries the reference and the exception type, never the request body.
        log.error(
            "http.internal_error",
            reference=reference,
            path=request.url.path,
            error=type(exc).__name__,
            exc_info=exc,
        )
        message = f"内部错误，请联系管理员（参考编号 {reference}）"
        try:
            shown = page(
                request,
                500,
                _("内部错误，请联系管理员（参考编号 %(reference)s）", reference=reference),
            )
        except Exception:  # the page itself could not be drawn (the database is down …)
            shown = None
        return shown or error_response(500, "internal", message)
