"""Swagger UI served from this process: the assets come from the ``fastapi-offline`` package (pinned
in uv.lock), never from a CDN — inspection bodies run Sunlight on networks without internet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"


def add_swagger_ui(
    app: FastAPI,
    *,
    title: str,
    openapi_url: str = "/openapi.json",
    path: str = "/docs",
    init_oauth: dict[str, Any] | None = None,
) -> None:
    """``GET {path}`` (Swagger UI) and its assets under ``{path}/assets/``; no external host is named."""
    assets = f"{path}/assets"
    app.mount(assets, StaticFiles(directory=ASSETS), name="swagger-ui-assets")

    @app.get(path, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            init_oauth=init_oauth,
            swagger_ui_parameters={"validatorUrl": None},  # the default validator is an external service
        )
