"""The token buckets of POST /api/chat (bot/web/ratelimit.py), on a clock the test moves."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.web.ratelimit import ChatRateLimits, TokenBuckets, _address_key


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_and_retry_after():
    clock = Clock()
    buckets = TokenBuckets(burst=3, per_second=0.5, max_keys=10, clock=clock)
    assert [buckets.take("a").allowed for _ in range(4)] == [True, True, True, False]
    refused = buckets.take("a")
    assert not refused.allowed and refused.retry_after == pytest.approx(2.0)
    clock.now += 2.0
    assert buckets.take("a").allowed and not buckets.take("a").allowed
    assert buckets.take("b").allowed  # another sender has its own bucket


def test_a_refusal_streak_is_reported_once():
    buckets = TokenBuckets(burst=1, per_second=1, max_keys=10, clock=Clock())
    buckets.take("a")
    assert [buckets.take("a").first_refusal for _ in range(3)] == [True, False, False]


def test_idle_buckets_are_dropped():
    clock = Clock()
    buckets = TokenBuckets(burst=10, per_second=1, max_keys=1000, clock=clock)
    for key in range(100):
        buckets.take(str(key))
    assert len(buckets) == 100
    clock.now += 10  # every bucket has refilled: same as no bucket
    buckets.take("new")
    assert len(buckets) == 1


def test_the_table_never_exceeds_its_bound():
    buckets = TokenBuckets(burst=10, per_second=0.001, max_keys=50, clock=Clock())
    for key in range(10_000):
        buckets.take(str(key))
    assert len(buckets) == 50


def test_defaults_let_a_hundred_new_conversations_through_from_one_address():
    limits = ChatRateLimits(Settings(), clock=Clock())
    assert all(limits.addresses.take("127.0.0.1").allowed for _ in range(100))
    assert all(limits.conversations.take("c").allowed for _ in range(10))
    assert not limits.conversations.take("c").allowed


@pytest.mark.parametrize("burst, per_second", [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_nonsense_limits_are_refused(burst, per_second):
    with pytest.raises(ValueError):
        TokenBuckets(burst=burst, per_second=per_second, max_keys=10)


@pytest.mark.parametrize("host, key", [
    ("127.0.0.1", "127.0.0.1"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("unix-socket", "unix-socket"),
])
def test_address_keys(host, key):
    assert _address_key(host) == key
