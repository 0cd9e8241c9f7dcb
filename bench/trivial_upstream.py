"""A trivial JSON endpoint as a raw ASGI app: the upper bound a proxy is measured against."""

BODY = b'{"ok":true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def fastapi_app():  # type: ignore[no-untyped-def]
    """The same answer from a FastAPI route: what DESIGN.md's "trivial JSON endpoint" was."""
    from fastapi import FastAPI

    api = FastAPI()

    @api.get("/{path:path}")
    async def anything(path: str) -> dict[str, bool]:
        return {"ok": True}

    return api
