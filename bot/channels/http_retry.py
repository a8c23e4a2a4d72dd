"""POST to a platform API with bounded retries; `DeliveryFailed` when the platform never took the call.

A reply the platform did not take is a message lost: Telegram and Slack were
told 200 when the update arrived and will not send it again. So a call is
tried again, a bounded number of times, when its failure may pass:

- 429: after the wait the platform asks for (Telegram's JSON
  `parameters.retry_after`, Slack's `Retry-After` header), if it is at most
  MAX_WAIT_SECONDS; a longer wait gives up at once rather than call too early;
- 5xx and transport errors (refused or reset connection, timeout): after
  BACKOFF_SECONDS, doubling. A timed-out call may have reached the platform,
  so its retry can post the reply twice: twice is better than never.

Any other 4xx (chat not found, bot blocked, bad request) would fail the same
way again and is not retried. The caller decides what a failure is worth: an
ERROR for a reply, a WARNING for the best-effort « typing » indicator.
URLs are never logged: Telegram's carry the bot token.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Optional

import httpx

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5  # before the 2nd attempt; then 1 s, 2 s
MAX_WAIT_SECONDS = 30.0


class DeliveryFailed(Exception):
    """The platform did not take the call after `attempts` tries; `reason` says what the last one got."""

    def __init__(self, method: str, attempts: int, reason: str):
        super().__init__(f"{method} failed after {attempts} attempt(s): {reason}")
        self.method = method
        self.attempts = attempts
        self.reason = reason


def retry_after(response: httpx.Response) -> float:
    """Seconds a 429 asks to wait: Telegram's parameters.retry_after, else the Retry-After header, else 1."""
    try:
        body = response.json()
    except ValueError:
        body = None
    parameters = body.get("parameters") if isinstance(body, dict) else None
    seconds = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if seconds is None:
        seconds = response.headers.get("retry-after")
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return 1.0
    return value if math.isfinite(value) and value >= 0 else 1.0


def _wait_before_retry(response: Optional[httpx.Response], attempt: int) -> Optional[float]:
    """Seconds to wait before trying again, or None when trying again cannot help."""
    if response is None or response.status_code >= 500:
        return BACKOFF_SECONDS * 2 ** (attempt - 1)
    if response.status_code == 429:
        wait = retry_after(response)
        return wait if wait <= MAX_WAIT_SECONDS else None
    return None


async def post_with_retry(client: httpx.AsyncClient, url: str, *, platform: str, attempts: int = MAX_ATTEMPTS,
                          **kwargs: Any) -> httpx.Response:
    """The platform's 2xx/3xx response; DeliveryFailed after `attempts` failures or one that retrying cannot fix.

    `kwargs` go to httpx (json=, headers=, timeout=).
    """
    method = url.rsplit("/", 1)[-1]
    for attempt in range(1, attempts + 1):
        response: Optional[httpx.Response] = None
        try:
            response = await client.post(url, **kwargs)
        except httpx.TransportError as exc:  # connection refused or reset, timeouts, broken responses
            reason = type(exc).__name__
        else:
            if response.status_code < 400:
                return response
            reason = f"HTTP {response.status_code}"
        wait = _wait_before_retry(response, attempt)
        if wait is None or attempt == attempts:
            raise DeliveryFailed(method, attempt, reason)
        log.info("%s.api.retry method=%s attempt=%d reason=%s wait=%.1f", platform, method, attempt, reason, wait)
        await asyncio.sleep(wait)
    raise AssertionError("attempts must be at least 1")
