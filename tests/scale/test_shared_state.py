"""State shared by the workers of the public service, in a real Redis.

A platform retry that lands on another worker is still answered once, a
long button payload stored by one worker is read by another, and a
conversation's rate limit holds whichever worker its messages reach.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from pathlib import Path

import httpx
import pytest
import redis

from bot.render.typography import plain_spaces
from bot.channels.common import sender_id
from bot.channels.shared_state import RecentIds, SharedState
from bot.channels.telegram import CallbackTable
from bot.devtools.services import Redis
from bot.devtools.stack import free_port, serve
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.identity import load_or_create_key
from bot.web.ratelimit import ChatRateLimits
from bot.web.shared_redis import shared_redis
from tests.channels.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.channels.standins import StandIn
from tests.conftest import Conversation

pytestmark = pytest.mark.slow
_ids = itertools.count(900_000)


def client(url: str):
    """A worker's one Redis client, as the app builds it."""
    return shared_redis(Settings(shared_state_url=url))


@pytest.fixture(scope="module")
def redis_server():
    server = Redis()
    try:
        yield server.start()
    finally:
        server.stop()


def test_two_workers_agree_on_what_was_seen_and_on_long_payloads(redis_server):
    async def scenario() -> None:
        redis_a, redis_b = client(redis_server.url), client(redis_server.url)
        worker_a, worker_b = SharedState(redis_a), SharedState(redis_b)
        try:
            assert await worker_a.first_time("telegram:41")
            assert not await worker_b.first_time("telegram:41")  # the retry, on the other worker
            assert await worker_b.first_time("telegram:42")
            await worker_a.remember("telegram-callback:#abc", '/ask_salary{"experience_level": "junior"}')
            assert await worker_b.recall("telegram-callback:#abc") == '/ask_salary{"experience_level": "junior"}'
            assert await worker_b.recall("telegram-callback:#nothing") is None
        finally:
            await redis_a.close()
            await redis_b.close()

    asyncio.run(scenario())
    keys = redis.Redis.from_url(redis_server.url)
    assert 3500 < keys.ttl("boussole:seen:telegram:41") <= 3600  # retries come within the hour
    assert keys.ttl("boussole:payload:telegram-callback:#abc") > 29 * 24 * 3600


def test_the_lock_store_redis_is_shared_unless_another_is_named():
    lock, other = "redis://127.0.0.1:6390/0", "redis://127.0.0.1:6391/2"
    assert Settings(lock_store_url=lock).shared_redis_url == lock  # the scaled layout: nothing more to set
    assert Settings(lock_store_url=lock, shared_state_url=other).shared_redis_url == other
    assert Settings().shared_redis_url is None

    async def wired(settings: Settings) -> list[str]:
        app = create_app(settings)  # the worker's one client, given to the limits and both channels
        async with app.router.lifespan_context(app):
            redis = app.state.redis
            limits = app.state.chat_rate_limits
            assert all(table._take.registered_client is redis for table in limits._shared.values())
            assert app.state.telegram.shared._redis is redis and app.state.slack.shared._redis is redis
            return [app.state.telegram.shared.where, app.state.slack.shared.where]

    channels = dict(telegram_bot_token="t", telegram_secret_token="s", slack_bot_token="x", slack_signing_secret="y")
    assert asyncio.run(wired(Settings(lock_store_url=lock, **channels))) == ["redis", "redis"]
    assert asyncio.run(wired(Settings(**channels))) == ["memory", "memory"]


def test_recent_ids_in_memory_forget_after_their_ttl_and_stay_bounded():
    ids = RecentIds(ttl=0.2, capacity=2)
    assert ids.first_time("a") and not ids.first_time("a")
    time.sleep(0.3)
    assert ids.first_time("a")  # a platform retry never comes this late
    assert ids.first_time("b") and ids.first_time("c") and ids.first_time("d")
    assert len(ids._seen) <= 3  # capacity, plus the id just added


def test_redis_stopping_while_in_use_falls_back_without_an_error(caplog):
    """The workers' Redis goes away between two requests: the open connection is dead, not refused."""
    server = Redis().start()

    async def scenario() -> None:
        redis = client(server.url)
        state = SharedState(redis)
        try:
            assert await state.first_time("telegram:7001")
            await state.remember("telegram-callback:#live", "/ask_skills")
            server.stop()
            assert not await state.first_time("telegram:7001")  # this worker's memory still knows it
            assert await state.first_time("telegram:7002")
            assert await state.recall("telegram-callback:#live") == "/ask_skills"
        finally:
            await redis.close()

    try:
        with caplog.at_level(logging.WARNING):
            asyncio.run(scenario())
    finally:
        server.stop()
    # Three failed operations, one warning: an outage is logged once a minute, not once per update.
    warnings = [r for r in caplog.records if "channel.shared_state.unavailable" in r.getMessage()]
    assert [r.levelno for r in warnings] == [logging.WARNING], warnings


def limits(redis) -> ChatRateLimits:
    return ChatRateLimits(Settings(rate_limit_conversation_burst=3, rate_limit_conversation_per_second=0.01), redis)


def test_rate_limits_are_shared_by_the_workers(redis_server):
    async def scenario() -> list:
        redis_a, redis_b = client(redis_server.url), client(redis_server.url)
        worker_a, worker_b = limits(redis_a), limits(redis_b)
        try:
            return [await (worker_a if i % 2 else worker_b).take("conversations", "c1") for i in range(6)]
        finally:
            await redis_a.close()
            await redis_b.close()

    decisions = asyncio.run(scenario())
    assert [d.allowed for d in decisions] == [True, True, True, False, False, False]
    assert [d.first_refusal for d in decisions[3:]] == [True, False, False]  # one warning per refusal streak
    assert 95 < decisions[3].retry_after <= 100  # one token at 0.01 a second
    assert 0 < redis.Redis.from_url(redis_server.url).pttl("boussole:ratelimit:conversations:c1") <= 301_000


def test_redis_down_falls_back_to_the_workers_memory(caplog):
    async def scenario() -> None:
        redis = client(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
        state = SharedState(redis)
        try:
            assert await state.first_time("slack:Ev1")
            assert not await state.first_time("slack:Ev1")
            await state.remember("telegram-callback:#k", "/ask_training")
            assert await state.recall("telegram-callback:#k") == "/ask_training"
        finally:
            await redis.close()

    async def limited() -> list:
        redis = client(f"redis://127.0.0.1:{free_port()}/0")
        worker = limits(redis)
        try:
            return [(await worker.take("conversations", "c2")).allowed for _ in range(4)]
        finally:
            await redis.close()

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
        assert asyncio.run(limited()) == [True, True, True, False]  # still limited, in this worker
    warnings = [r.getMessage() for r in caplog.records]
    assert sum("channel.shared_state.unavailable" in w for w in warnings) == 1  # three failures, one warning
    assert sum("chat.rate_limit.shared_unavailable" in w for w in warnings) == 1  # not once per request


@pytest.fixture(scope="module")
def two_workers(stack, redis_server, tmp_path_factory):
    """`boussole serve --workers 2` with Telegram on, in front of the session stack's Rasa server.

    Redis comes as BOUSSOLE_LOCK_STORE_URL, as in deploy/scaled.env: the workers share it without
    more settings (`serve` starts no Rasa, so nothing else uses it here).
    """
    with StandIn() as standin:
        env = dict(stack.env)
        env.update(
            BOUSSOLE_RASA_URLS=stack.rasa_url,
            BOUSSOLE_STATE_DIR=str(tmp_path_factory.mktemp("two-workers")),
            BOUSSOLE_LOCK_STORE_URL=redis_server.url,
            BOUSSOLE_TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            BOUSSOLE_TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
            BOUSSOLE_TELEGRAM_API_BASE=standin.url,
            BOUSSOLE_RATE_LIMIT_CONVERSATION_BURST="3",
            BOUSSOLE_RATE_LIMIT_CONVERSATION_PER_SECOND="0.01",
        )
        with serve(env, env["BOUSSOLE_STATE_DIR"], workers=2) as url:
            yield url, standin.recorder, Path(env["BOUSSOLE_STATE_DIR"])


def telegram_post(url: str, body: dict) -> httpx.Response:
    return httpx.post(f"{url}/channels/telegram", json=body,
                      headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=10)


def test_an_update_delivered_many_times_to_two_workers_is_answered_once(two_workers):
    url, recorder, _ = two_workers
    chat = next(_ids)
    body = {"update_id": next(_ids), "message": {"message_id": 1, "date": int(time.time()),
                                                  "chat": {"id": chat, "type": "private"}, "text": "source ?"}}
    responses: list = []
    threads = [threading.Thread(target=lambda: responses.append(telegram_post(url, body))) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r.status_code for r in responses] == [200] * 12
    sent = lambda: recorder.of("sendMessage", chat_id=chat)  # noqa: E731
    recorder.wait_for(sent)
    time.sleep(1.5)  # room for a second answer, if one were coming
    assert len(sent()) == 1 and "Thomas Bodin" in sent()[0]["body"]["text"]


def test_the_rate_limit_of_a_conversation_holds_across_two_workers(two_workers):
    url, _, _ = two_workers
    conversation = Conversation(url)
    conversation.say("bonjour")  # a new conversation: the address's bucket
    statuses = [httpx.post(f"{url}/api/chat", json={"message": "source ?", "conversation_id": conversation.conversation_id},
                           timeout=30).status_code for _ in range(6)]  # a new connection each: either worker
    assert statuses == [200, 200, 200, 429, 429, 429]


def test_a_long_button_stored_by_one_worker_works_on_every_worker(two_workers, redis_server, stack):
    """A worker's encoding, run here (no shipped reply has a button over 64 bytes); each press may land on either worker."""
    url, recorder, state_dir = two_workers
    chat = next(_ids)

    payload = '/ask_salary{"job": "ingenieur-machine-learning", "experience_level": "junior"}'
    assert len(payload.encode()) > 64  # too long for callback_data: goes through the table
    # Only a button the conversation was shown acts as one (bot/rasa/payloads.py): show it, as a reply would.
    sender = sender_id(load_or_create_key(state_dir), "telegram", str(chat))
    shown = httpx.post(f"{stack.rasa_url}/conversations/{sender}/tracker/events", params={"token": stack.token},
                       # Stamped after the session start Rasa adds to a new conversation: a store reads the
                       # events of the current session only, by timestamp.
                       json={"event": "bot", "text": "Quel salaire ?", "timestamp": time.time() + 1,
                             "data": {"buttons": [{"title": "Salaire d'un junior", "payload": payload}]}}, timeout=30)
    assert shown.status_code == 200, shown.text

    async def encode() -> str:
        redis = client(redis_server.url)
        try:
            return await CallbackTable(SharedState(redis)).encode(payload)
        finally:
            await redis.close()

    key = asyncio.run(encode())
    assert key.startswith("#") and len(key.encode()) <= 64
    for press in range(4):
        query = {"id": f"q{press}", "data": key, "from": {"id": chat},
                 "message": {"message_id": 7, "chat": {"id": chat, "type": "private"}}}
        assert telegram_post(url, {"update_id": next(_ids), "callback_query": query}).status_code == 200
        recorder.wait_for(lambda: recorder.of("answerCallbackQuery", callback_query_id=f"q{press}"))
    sent = lambda: recorder.of("sendMessage", chat_id=chat)  # noqa: E731
    answers = recorder.wait_for(lambda: len(sent()) == 4 and sent())
    assert all("50 k€" in plain_spaces(a["body"]["text"]) for a in answers), [a["body"]["text"] for a in answers]
