"""POST to a platform API, honouring 429 Retry-After / retry_after a bounded number of times."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

import httpx

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0


def _retry_after(response: httpx.Response) -> Optional[float]:
    if response.status_code != 429:
        return None
    try:  # Telegram: {"parameters": {"retry_after": N}}
        seconds = response.json().get("parameters", {}).get("retry_after")
    except ValueError:
        seconds = None
    seconds = seconds or response.headers.get("retry-after") or 1
    return min(float(seconds), MAX_WAIT_SECONDS)


async def post_with_retry(client: httpx.AsyncClient, url: str, *, platform: str, **kwargs: Any) -> httpx.Response:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = await client.post(url, **kwargs)
        wait = _retry_after(response)
        if wait is None or attempt == MAX_ATTEMPTS:
            if response.status_code >= 400:
                log.warning("%s.api.error method=%s status=%s", platform, url.rsplit("/", 1)[-1], response.status_code)
            return response
        log.info("%s.api.rate_limited method=%s retry_after=%.1f", platform, url.rsplit("/", 1)[-1], wait)
        await asyncio.sleep(wait)
    return response
