"""The API's documentation pages, served from vendored files (the intranet has no internet).

FastAPI's built-in ``/docs`` and ``/redoc`` load Swagger UI, ReDoc and Google Fonts from
CDNs; these routes render the same pages pointing at ``/static/vendor/``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

API = "/api/v1"
OPENAPI_URL = f"{API}/openapi.json"
SWAGGER = "/static/vendor/swagger-ui-5.35.0"
REDOC = "/static/vendor/redoc-2.5.4"

router = APIRouter(include_in_schema=False)

# The two pages initialise with an inline script (and ReDoc searches in a blob: worker). The
# policy lets the browser load nothing from another host: ReDoc's footer logo, hard-wired to
# a CDN, is simply not fetched.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:"
)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


@router.get(f"{API}/docs")
def swagger_ui() -> HTMLResponse:
    return _offline(
        get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="govflow API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            # No validator badge: it would call validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


@router.get(f"{API}/redoc")
def redoc() -> HTMLResponse:
    return _offline(
        get_redoc_html(
            openapi_url=OPENAPI_URL,
            title="govflow API",
            redoc_js_url=f"{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        )
    )
