"""The token buckets of POST /api/chat (bot/web/ratelimit.py), on a clock the test moves."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from fastapi import HTTPException

from bot.settings import Settings
from bot.web.identity import ConversationIds
from bot.web.ratelimit import ChatRateLimits, TokenBuckets, _address_key, limit_chat


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


# --- every turn of an address, and ids the service did not issue -------------------------------

def take_turn(limits: ChatRateLimits, address: str, conversation_id=None):
    return asyncio.run(limits.take_turn(address, conversation_id))


def test_the_review_probe_repeated_is_capped_per_address():
    """20 conversations x 9 turns from one address took 180 turns in 4.5 s without a 429. The default
    burst (300) lets such a burst through once; kept up, it is refused after about 11 s, and an
    address gets no more than the burst plus 10 turns a second however many conversations it opens."""
    clock = Clock()
    limits = ChatRateLimits(Settings(), clock=clock)
    allowed, refusals = 0, []
    for probe in range(13):  # one minute of the probe, back to back, new conversations each time
        for turn in range(9):
            for conversation in range(20):
                decision, table = take_turn(limits, "192.0.2.1", f"{probe}-{conversation}" if turn else None)
                allowed += decision.allowed
                if not decision.allowed:
                    refusals.append((table, decision.retry_after))
                clock.now += 4.5 / 180
    assert refusals and {table for table, _ in refusals} == {"address_turns"}
    assert all(0 < retry_after <= 0.1 for _, retry_after in refusals)
    assert allowed <= 300 + 10 * (clock.now - 1000.0) + 1


def test_a_classroom_behind_one_address_is_never_refused():
    """A hundred pupils open a conversation at once, then thirty keep asking, each every 3 s, for 10 minutes."""
    clock = Clock()
    limits = ChatRateLimits(Settings(), clock=clock)

    async def classroom() -> list[int]:
        refused = [0 for _ in range(100) if not (await limits.take_turn("192.0.2.1", None))[0].allowed]
        for second in range(0, 600, 3):
            clock.now = 1000.0 + second
            refused += [second for p in range(30) if not (await limits.take_turn("192.0.2.1", f"p{p}"))[0].allowed]
        return refused

    assert asyncio.run(classroom()) == []


def test_a_flood_refused_by_its_own_bucket_leaves_the_address_room_for_the_others():
    limits = ChatRateLimits(Settings(rate_limit_address_burst=20), clock=Clock())
    decisions = [take_turn(limits, "192.0.2.1", "flooding") for _ in range(1000)]
    assert sum(d.allowed for d, _ in decisions) == 10
    assert {table for d, table in decisions if not d.allowed} == {"conversations"}
    assert take_turn(limits, "192.0.2.1", "other")[0].allowed
    assert take_turn(limits, "192.0.2.1")[0].allowed  # a new conversation too
    assert take_turn(limits, "198.51.100.7")[0].allowed  # and another address, of course


def fake_request(limits: ChatRateLimits, ids: ConversationIds, body: dict, host: str = "192.0.2.1"):
    """What limit_chat reads of a request: the app's limits and ids, the JSON body, the client address."""
    async def json():
        return body

    state = SimpleNamespace(chat_rate_limits=limits, boussole=SimpleNamespace(ids=ids))
    return SimpleNamespace(app=SimpleNamespace(state=state), client=SimpleNamespace(host=host), json=json)


def test_forged_ids_do_not_stop_new_conversations_from_their_address():
    """Ids the service did not issue used to take the address's tokens for new conversations: a
    forger behind a school's NAT could refuse new conversations to the whole school."""
    limits = ChatRateLimits(Settings(rate_limit_new_burst=5, rate_limit_new_per_second=0.01), clock=Clock())
    ids = ConversationIds(b"k" * 32)
    issued = ids.new()
    forged = ["f" * 64, "0" * 32 + "1" * 32, "not-an-id", issued[:-1] + ("1" if issued[-1] == "0" else "0")]
    for conversation_id in forged * 250:
        asyncio.run(limit_chat(fake_request(limits, ids, {"message": "x", "conversation_id": conversation_id})))
    assert len(limits.addresses) == len(limits.address_turns) == 0  # no token taken: the route answers 404
    for _ in range(5):
        asyncio.run(limit_chat(fake_request(limits, ids, {"message": "bonjour"})))
    with pytest.raises(HTTPException) as refused:  # the new-conversation bucket itself still holds
        asyncio.run(limit_chat(fake_request(limits, ids, {"message": "bonjour"})))
    assert refused.value.status_code == 429


def test_the_address_cap_answers_429_with_retry_after_in_french():
    limits = ChatRateLimits(Settings(rate_limit_address_burst=3, rate_limit_address_per_second=0.25), clock=Clock())
    ids = ConversationIds(b"k" * 32)
    conversations = [ids.new() for _ in range(3)]
    for conversation_id in conversations:
        asyncio.run(limit_chat(fake_request(limits, ids, {"message": "x", "conversation_id": conversation_id})))
    with pytest.raises(HTTPException) as refused:
        asyncio.run(limit_chat(fake_request(limits, ids, {"message": "x", "conversation_id": ids.new()})))
    assert refused.value.status_code == 429 and refused.value.headers == {"Retry-After": "4"}
    assert refused.value.detail == {
        "detail": "Trop de messages depuis votre réseau en peu de temps : patientez 4 s avant de réessayer.",
        "code": "rate_limited"}
    # another address is not concerned
    asyncio.run(limit_chat(fake_request(limits, ids, {"message": "x"}, host="198.51.100.7")))
