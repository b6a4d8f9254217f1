"""``/docs``: Swagger UI served from an installed package (swagger-ui-py ships its assets), never a
CDN.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so it is blank offline. Here the same page
(FastAPI's ``get_swagger_ui_html``) points at ``/docs-assets/``, a static mount of the package's
``static`` folder. Without the package ``/docs`` says how to install it; ``/openapi.json`` always
works.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"


def swagger_assets() -> Path | None:
    """The folder holding swagger-ui-bundle.js and swagger-ui.css,
    or None when swagger-ui-py is absent."""
    try:
        import swagger_ui
    except ImportError:
        return None
    folder = Path(swagger_ui.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_docs(app: FastAPI) -> None:
    """Mount the assets and add ``/docs`` (and the OAuth2 redirect Swagger UI expects beside it)."""
    folder = swagger_assets()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs", include_in_schema=False, response_model=None)
    async def docs() -> HTMLResponse | PlainTextResponse:
        if folder is None:
            return PlainTextResponse(
                "The API documentation page needs swagger-ui-py: pip install 'halqa[service]'. "
                "The schema itself is at /openapi.json.",
                status_code=503,
            )
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
