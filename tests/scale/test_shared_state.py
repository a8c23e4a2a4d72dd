"""Telegram and Slack state shared by the workers of the public service, in a real Redis.

A platform retry that lands on another worker is still answered once, and a
long button payload stored by one worker is read by another.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time

import httpx
import pytest
import redis

from bot.channels.shared_state import SharedState
from bot.devservices import Redis
from bot.devstack import free_port, serve
from tests.channels.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.channels.standins import StandIn

pytestmark = pytest.mark.slow
_ids = itertools.count(900_000)


@pytest.fixture(scope="module")
def redis_server():
    server = Redis()
    try:
        yield server.start()
    finally:
        server.stop()


def test_two_workers_agree_on_what_was_seen_and_on_long_payloads(redis_server):
    async def scenario() -> None:
        worker_a, worker_b = SharedState(redis_server.url), SharedState(redis_server.url)
        try:
            assert await worker_a.first_time("telegram:41")
            assert not await worker_b.first_time("telegram:41")  # the retry, on the other worker
            assert await worker_b.first_time("telegram:42")
            await worker_a.remember("telegram-callback:#abc", '/ask_salary{"experience_level": "junior"}')
            assert await worker_b.recall("telegram-callback:#abc") == '/ask_salary{"experience_level": "junior"}'
            assert await worker_b.recall("telegram-callback:#nothing") is None
        finally:
            await worker_a.close()
            await worker_b.close()

    asyncio.run(scenario())
    keys = redis.Redis.from_url(redis_server.url)
    assert 3500 < keys.ttl("boussole:seen:telegram:41") <= 3600  # retries come within the hour
    assert keys.ttl("boussole:payload:telegram-callback:#abc") > 29 * 24 * 3600


def test_redis_down_falls_back_to_the_workers_memory(caplog):
    async def scenario() -> None:
        state = SharedState(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
        try:
            assert await state.first_time("slack:Ev1")
            assert not await state.first_time("slack:Ev1")
            await state.remember("telegram-callback:#k", "/ask_training")
            assert await state.recall("telegram-callback:#k") == "/ask_training"
        finally:
            await state.close()

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    assert any("channel.shared_state.unavailable" in r.getMessage() for r in caplog.records)


@pytest.fixture(scope="module")
def two_workers(stack, redis_server, tmp_path_factory):
    """`boussole serve --workers 2` with Telegram on, in front of the session stack's Rasa server."""
    with StandIn() as standin:
        env = dict(stack.env)
        env.update(
            BOUSSOLE_RASA_URLS=stack.rasa_url,
            BOUSSOLE_STATE_DIR=str(tmp_path_factory.mktemp("two-workers")),
            BOUSSOLE_SHARED_STATE_URL=redis_server.url,
            BOUSSOLE_TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            BOUSSOLE_TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
            BOUSSOLE_TELEGRAM_API_BASE=standin.url,
        )
        with serve(env, env["BOUSSOLE_STATE_DIR"], workers=2) as url:
            yield url, standin.recorder


def telegram_post(url: str, body: dict) -> httpx.Response:
    return httpx.post(f"{url}/channels/telegram", json=body,
                      headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=10)


def test_an_update_delivered_many_times_to_two_workers_is_answered_once(two_workers):
    url, recorder = two_workers
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


def test_a_long_button_stored_by_one_worker_works_on_every_worker(two_workers, redis_server):
    """The test stores the payload as a worker would; each press may land on either worker."""
    url, recorder = two_workers
    chat = next(_ids)
    key = "#" + "f" * 24

    async def store() -> None:
        worker = SharedState(redis_server.url)
        await worker.remember(f"telegram-callback:{key}", '/ask_salary{"job": "ingenieur-machine-learning"}')
        await worker.close()

    asyncio.run(store())
    for press in range(4):
        query = {"id": f"q{press}", "data": key, "from": {"id": chat},
                 "message": {"message_id": 7, "chat": {"id": chat, "type": "private"}}}
        assert telegram_post(url, {"update_id": next(_ids), "callback_query": query}).status_code == 200
        recorder.wait_for(lambda: recorder.of("answerCallbackQuery", callback_query_id=f"q{press}"))
    sent = lambda: recorder.of("sendMessage", chat_id=chat)  # noqa: E731
    answers = recorder.wait_for(lambda: len(sent()) == 4 and sent())
    assert all("50 k€" in a["body"]["text"] for a in answers), [a["body"]["text"] for a in answers]
