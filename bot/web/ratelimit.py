"""Rate limits of POST /api/chat: token buckets, in memory.

Each sender has a bucket of `burst` tokens that refills at `per_second`
tokens a second; a message takes one token, and a sender whose bucket is
empty gets 429 with a Retry-After header and a French message, before its
body is validated or Rasa is asked anything. A message takes a token from
two buckets, its own first:

- the conversation's, for a message that carries a conversation id this
  service issued (default: burst 10, then 1 message a second);
- or its client address's bucket of new conversations (the IP address, an
  IPv6 /64), for a message without an id (default: burst 200, then 5 a
  second, so that a load test or a school room behind one address can open a
  hundred conversations at once);
- then, once allowed there, its client address's bucket of turns, all
  conversations together (default: burst 300, then 10 a second, a classroom
  behind one NAT): without it, an address that opens 5 conversations a
  second, each talking at 1 message a second, has no ceiling at all.

A message whose id the service did not issue takes no token anywhere: the
route answers it 404 before Rasa is asked anything, as cheaply as any
unknown address. Counting it against its client address would let forged
ids drain the address's buckets and refuse new conversations to everyone
behind it.

Behind a reverse proxy the client address is the proxy's unless uvicorn
trusts it for X-Forwarded-For (`FORWARDED_ALLOW_IPS`, 127.0.0.1 by default).

With Redis (the lock store's, or BOUSSOLE_SHARED_STATE_URL) the buckets are
shared by all workers: one Lua script reads, refills and takes a token
atomically, on Redis's clock, and a bucket expires once it would be full
again. Without Redis, or while it does not answer (a warning a minute at
most), each worker keeps its own buckets in memory, so a sender can get up to
N times the configured rate with N workers. Memory is bounded: a bucket that
has refilled is no different from no bucket and is dropped, and a table
never holds more than `max_senders` buckets (the least recently seen go
first).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

from fastapi import HTTPException, Request

from bot.settings import Settings
from bot.web import messages as M
from bot.web.shared_redis import ThrottledWarning

log = logging.getLogger(__name__)


@dataclass
class _Bucket:
    tokens: float
    updated: float
    refusing: bool = False  # the refusal streak was logged


class Decision(NamedTuple):
    allowed: bool
    retry_after: float  # seconds until a token is back (0 when allowed)
    first_refusal: bool  # the first refusal since this sender was last allowed


class TokenBuckets:
    """One token bucket per key, least recently used first; not thread-safe (one event loop)."""

    def __init__(self, burst: int, per_second: float, max_keys: int, clock: Callable[[], float] = time.monotonic):
        if burst < 1 or per_second <= 0 or max_keys < 1:
            raise ValueError("burst and max_keys must be at least 1, per_second above 0")
        self.burst = float(burst)
        self.per_second = per_second
        self.max_keys = max_keys
        self._clock = clock
        self._idle_after = burst / per_second  # an emptied bucket is full again after this
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> Decision:
        now = self._clock()
        self._evict(now)
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._buckets.popitem(last=False)
            bucket = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
            bucket.updated = now
        self._buckets[key] = bucket  # most recently seen last
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.refusing = False
            return Decision(True, 0.0, False)
        first, bucket.refusing = not bucket.refusing, True
        return Decision(False, (1 - bucket.tokens) / self.per_second, first)

    def _evict(self, now: float) -> None:
        """Drop the buckets that have refilled (they are oldest first)."""
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated < self._idle_after:
                break
            self._buckets.popitem(last=False)


# Refill, then take a token if there is one. Returns {allowed, first refusal, tokens left};
# tokens as a string, since Redis turns a Lua number into an integer.
_TAKE_SCRIPT = """
local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'refusing')
local tokens = math.min(burst, (tonumber(state[1]) or burst) + (now - (tonumber(state[2]) or now)) * rate)
local allowed, first = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  redis.call('HSET', KEYS[1], 'refusing', '0')
elseif state[3] ~= '1' then
  first = 1
  redis.call('HSET', KEYS[1], 'refusing', '1')
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, first, tostring(tokens)}
"""


class SharedTokenBuckets:
    """The same buckets in Redis, for all workers; this worker's `local` ones while Redis does not answer."""

    def __init__(self, redis, table: str, local: TokenBuckets):
        self._take = redis.register_script(_TAKE_SCRIPT)
        self._prefix = f"boussole:ratelimit:{table}:"
        self.local = local
        self._warn = ThrottledWarning(log)

    async def take(self, key: str) -> Decision:
        try:
            allowed, first, tokens = await self._take(keys=[self._prefix + key],
                                                      args=[self.local.burst, self.local.per_second])
        except Exception as exc:  # any Redis or connection error: limit in this worker rather than not at all
            self._warn("chat.rate_limit.shared_unavailable error=%s: %s; limiting per worker", type(exc).__name__, exc)
            return self.local.take(key)
        retry_after = 0.0 if allowed else (1 - float(tokens)) / self.local.per_second
        return Decision(bool(allowed), retry_after, bool(first))


class ChatRateLimits:
    """The three tables of POST /api/chat, built from the settings; in Redis when the worker has a client."""

    def __init__(self, settings: Settings, redis=None, clock: Callable[[], float] = time.monotonic):
        self.conversations = TokenBuckets(settings.rate_limit_conversation_burst,
                                          settings.rate_limit_conversation_per_second,
                                          settings.rate_limit_max_senders, clock)
        self.addresses = TokenBuckets(settings.rate_limit_new_burst, settings.rate_limit_new_per_second,
                                      settings.rate_limit_max_senders, clock)
        self.address_turns = TokenBuckets(settings.rate_limit_address_burst, settings.rate_limit_address_per_second,
                                          settings.rate_limit_max_senders, clock)
        self._shared: dict[str, SharedTokenBuckets] = {}
        if redis is not None:
            self._shared = {table: SharedTokenBuckets(redis, table, getattr(self, table))
                            for table in ("conversations", "addresses", "address_turns")}

    async def take(self, table: str, key: str) -> Decision:
        """A token of `key` in the table "conversations", "addresses" or "address_turns"."""
        if table in self._shared:
            return await self._shared[table].take(key)
        return getattr(self, table).take(key)

    async def take_turn(self, address: str, conversation_id: Optional[str]) -> tuple[Decision, str]:
        """A token for one message: from its own bucket (the conversation's, or the address's new
        conversations'), then, only if that one allowed it, from the address's turns.

        Returns the decision and the table that refused (or the last one asked). In that order, a
        flood refused by its own bucket does not also empty the address's bucket of turns, which
        the other conversations behind that address need.
        """
        own = ("conversations", conversation_id) if conversation_id is not None else ("addresses", address)
        decision = await self.take(*own)
        if not decision.allowed:
            return decision, own[0]
        return await self.take("address_turns", address), "address_turns"


def _address_key(host: str) -> str:
    """The client address; an IPv6 client gets its /64, which one subscriber usually holds whole."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


async def _conversation_id(request: Request) -> Optional[str]:
    try:
        body = await request.json()  # already parsed by FastAPI for a JSON body: cached
    except Exception:  # not JSON: refused after the limit, by the validation
        return None
    value = body.get("conversation_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def limit_chat(request: Request) -> None:
    """FastAPI dependency of POST /api/chat: take the message's tokens, or refuse with 429."""
    limits: ChatRateLimits = request.app.state.chat_rate_limits
    conversation_id = await _conversation_id(request)
    if conversation_id is not None and not request.app.state.boussole.ids.verify(conversation_id):
        return  # not issued here: the route answers 404 (see the module's docstring)
    address = _address_key(request.client.host if request.client else "unknown")
    decision, table = await limits.take_turn(address, conversation_id)
    if decision.allowed:
        return
    if table == "conversations":
        # A hash, as on the turn lines: the id itself is the key to the conversation.
        sender = "conversation:" + hashlib.sha256(conversation_id.encode()).hexdigest()[:12]
    else:
        sender = "address:" + address
    seconds = max(1, math.ceil(decision.retry_after))
    # One warning per refusal streak; a flood does not flood the log.
    log.log(logging.WARNING if decision.first_refusal else logging.DEBUG,
            "chat.rate_limited sender=%s bucket=%s retry_after=%d", sender, table, seconds)
    message = M.RATE_LIMITED_ADDRESS if table == "address_turns" else M.RATE_LIMITED
    raise HTTPException(
        status_code=429,
        detail={"detail": message.format(seconds=seconds), "code": "rate_limited"},
        headers={"Retry-After": str(seconds)},
    )
