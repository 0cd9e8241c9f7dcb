"""Check that an app's Swagger UI is self-contained (no CDN: inspection bodies run without internet)."""

from __future__ import annotations

import re

import httpx


async def assert_docs_are_self_contained(client: httpx.AsyncClient, path: str = "/docs") -> str:
    """``path`` names no external host and every asset it loads is served by ``client``'s app; the page."""
    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text, "the page names no host: every asset comes from this server"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {a.rsplit("/", 1)[-1] for a in assets} == {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset
    script = next(a for a in assets if a.endswith(".js"))
    assert "SwaggerUIBundle" in (await client.get(script)).text
    return page.text
