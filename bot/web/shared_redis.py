"""The one Redis client a worker of the public service shares its state through.

The rate limits (bot/web/ratelimit.py) and the Telegram and Slack adapters
(bot/channels/shared_state.py) all use this client: one connection pool per
worker, created with the app and closed when it stops. Short timeouts: a
Redis that does not answer must slow a turn down by a second at most, after
which each user falls back to this worker's own memory.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Callable

from bot.settings import Settings

TIMEOUT_SECONDS = 1.0
# A Redis outage is logged once a minute per kind of operation, not once per request.
WARNING_INTERVAL_SECONDS = 60.0


def shared_redis(settings: Settings):
    """A redis.asyncio client for BOUSSOLE_SHARED_STATE_URL (or the lock store's Redis), or None.

    It connects lazily, at the first command, inside the worker's event loop.
    """
    if not settings.shared_redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.shared_redis_url, socket_timeout=TIMEOUT_SECONDS,
                          socket_connect_timeout=TIMEOUT_SECONDS, decode_responses=True)


class ThrottledWarning:
    """A warning logged at most once per interval; the ones in between go to DEBUG."""

    def __init__(self, logger: logging.Logger, interval: float = WARNING_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._last = -math.inf

    def __call__(self, message: str, *args: object) -> None:
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._log.warning(message, *args)
        else:
            self._log.debug(message, *args)


async def close(client) -> None:
    if client is not None:
        await client.close()

