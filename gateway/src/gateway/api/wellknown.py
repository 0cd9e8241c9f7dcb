"""GET /.well-known/jwks.json — the public keys verifiers use (next, current and previous)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.deps import StateDep

router = APIRouter(tags=["oauth"])


@router.get("/.well-known/jwks.json", operation_id="getJwks", summary="The gateway's signing keys (JWKS)")
async def jwks(state: StateDep) -> JSONResponse:
    document: dict[str, Any] = await state.keys.jwks()
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})
