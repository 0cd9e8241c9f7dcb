"""Wait for the gateway to be ready, then print where everything is (a `make run` process)."""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx

port = os.environ.get("SUNLIGHT_GATEWAY_PORT", "8000")
url = f"http://127.0.0.1:{port}"
started = time.monotonic()
while True:
    try:
        if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
            break
    except httpx.HTTPError:
        pass
    if time.monotonic() - started > 120:
        sys.exit("the gateway did not become ready within 120 s; see the log lines above")
    time.sleep(0.25)
client_id = os.environ.get("SUNLIGHT_BOOTSTRAP_CLIENT_ID", "")
secret = os.environ.get("SUNLIGHT_BOOTSTRAP_CLIENT_SECRET", "")
print(
    f"""
================================================================================
 Sunlight is up (ready after {time.monotonic() - started:.1f} s)

   gateway      {url}
   Swagger UI   {url}/docs
   OpenAPI      {url}/openapi.json

   admin client id      {client_id}
   admin client secret  {secret}
   (kept in var/secrets.env; a token:
    curl -s -u '{client_id}:{secret}' -d grant_type=client_credentials {url}/oauth/token)

 Ctrl-C stops everything.
================================================================================
""",
    flush=True,
)
signal.pause()
