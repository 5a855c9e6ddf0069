"""The API's interactive docs (`/docs` with Swagger UI, `/redoc` with ReDoc; dev only) served
from this server, with no CDN.

FastAPI's own pages load their scripts and styles from a CDN, so they are blank offline.
Following FastAPI's "Custom Docs UI Static Assets" recipe, the app is created with
`docs_url=None, redoc_url=None` and this module serves both pages with `get_swagger_ui_html` and
`get_redoc_html`, pointing them at the files the `fastapi-standalone-docs` package ships
(MIT; Swagger UI under Apache-2.0, ReDoc under MIT), mounted at `/docs/assets`. Only its files
are used: its `StandaloneDocs` class patches FastAPI's functions for every app in the process.
ReDoc's Google Fonts stay off (they would come from the internet). Production serves none of it
(the caller installs it only in dev).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_standalone_docs
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS = Path(fastapi_standalone_docs.__path__[0]) / "static"  # swagger/, redoc/, fastapi/


def install_docs(app: FastAPI) -> None:
    """Serve `/docs`, its OAuth2 redirect, `/redoc` and their files (the app has neither
    `docs_url` nor `redoc_url`)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/fastapi/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/fastapi/favicon.png",
            with_google_fonts=False,
        )
