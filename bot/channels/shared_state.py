"""What the workers of the public service must agree on for the messaging channels.

- Ids already handled: Telegram and Slack deliver an update again when the
  first delivery was slow or failed; each must be answered once, whichever
  worker the retry lands on.
- Button payloads too long for Telegram's 64-byte callback_data: the worker
  that sends the keyboard stores them, the one that gets the press reads them.

With Redis (the lock store's, BOUSSOLE_LOCK_STORE_URL, or BOUSSOLE_SHARED_STATE_URL;
the worker's one client, bot/web/shared_redis.py) all workers share both, under keys prefixed `boussole:` (Rasa's lock keys start
with `lock:`). Without Redis, or while it does not answer, each worker keeps its
own: a retry that reaches another worker may then be answered twice, which is
better than a message never answered. An outage is logged once a minute, not
once per update.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Optional

from bot.web.shared_redis import ThrottledWarning

log = logging.getLogger(__name__)

PREFIX = "boussole:"
SEEN_SECONDS = 3600.0  # platforms retry within minutes
PAYLOAD_SECONDS = 30 * 24 * 3600.0  # a keyboard can be pressed long after it was sent


class RecentIds:
    """Ids seen in the last `ttl` seconds, in one process; bounded."""

    def __init__(self, ttl: float = SEEN_SECONDS, capacity: int = 50_000):
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._ttl = ttl
        self._capacity = capacity

    def first_time(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values())) < now - self._ttl or len(self._seen) > self._capacity):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


class SharedState:
    def __init__(self, redis=None):
        """`redis`: the worker's shared client (owned and closed by the app), or None for memory only."""
        self._seen = RecentIds()
        self._payloads: OrderedDict[str, str] = OrderedDict()
        self._redis = redis
        self.where = "memory" if redis is None else "redis"
        self._warn = ThrottledWarning(log)

    async def first_time(self, key: str) -> bool:
        """True for the first delivery of `key` in the last hour, False for a repeat."""
        local = self._seen.first_time(key)  # also kept locally, for the moments Redis does not answer
        if self._redis is not None:
            try:
                return bool(await self._redis.set(f"{PREFIX}seen:{key}", "1", nx=True, ex=int(SEEN_SECONDS)))
            except Exception as exc:  # any Redis or connection error: degrade, never lose the message
                self._unavailable("first_time", exc)
        return local

    async def remember(self, key: str, value: str) -> None:
        self._payloads[key] = value
        self._payloads.move_to_end(key)
        while len(self._payloads) > 10_000:
            self._payloads.popitem(last=False)
        if self._redis is not None:
            try:
                await self._redis.set(f"{PREFIX}payload:{key}", value, ex=int(PAYLOAD_SECONDS))
            except Exception as exc:
                self._unavailable("remember", exc)

    async def recall(self, key: str) -> Optional[str]:
        if self._redis is not None:
            try:
                value = await self._redis.get(f"{PREFIX}payload:{key}")
                if value is not None:
                    return value
            except Exception as exc:
                self._unavailable("recall", exc)
        return self._payloads.get(key)

    def _unavailable(self, operation: str, exc: Exception) -> None:
        self._warn("channel.shared_state.unavailable operation=%s error=%s: %s; using this worker's memory",
                    operation, type(exc).__name__, exc)
