"""A turn the tracker store cannot read or save is refused, never acknowledged: the parts without a stack.

Rasa side: Rasa's own FailSafeTrackerStore over a real SQLTrackerStore on a
SQLite file whose table disappears under it (a real database error), with
bot/rasa/store_guard.py installed; the REST channel on a real Sanic server
answering 503, read by the service's RasaClient over HTTP. Service side:
/api/chat and /health through FastAPI's TestClient, with httpx.MockTransport
standing in for Rasa and answering what the channel answers. The same faults
on running stacks (SQLite, PostgreSQL): tests/e2e/test_store_faults.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3

import httpx
import pytest
from fastapi.testclient import TestClient
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from sanic import Sanic

from bot.devtools.stack import free_port
from bot.rasa import store_guard
from bot.rasa.channel import ERROR_HEADER, STORE_UNAVAILABLE, TurnReportingRestInput, store_unavailable_response
from bot.rasa.store_guard import StoreStatus, TrackerStoreUnavailable
from bot.settings import Settings
from bot.web import metrics
from bot.web.rasa_client import RasaClient, RasaStoreUnavailable, RasaUnavailable
from bot.web.routes.health import tracker_store_check

SECRET_TEXT = "mon salaire secret"


@pytest.fixture
def status(monkeypatch) -> StoreStatus:
    """A fresh record of store outcomes, as a new Rasa process has."""
    fresh = StoreStatus()
    monkeypatch.setattr(store_guard, "STATUS", fresh)
    return fresh


@pytest.fixture
def sqlite_store(tmp_path):
    """Rasa's FailSafeTrackerStore over its SQLTrackerStore on a file, with the guard installed."""
    store_guard.install()
    domain = Domain.from_dict({"slots": {"job": {"type": "any", "mappings": [{"type": "custom"}]}}})
    path = tmp_path / "tracker.db"
    primary = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    return FailSafeTrackerStore(primary), path


def run(coroutine):
    return asyncio.run(coroutine)


def _turn(store: FailSafeTrackerStore, sender: str, text: str):
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, intent={"name": "ask_salary", "confidence": 0.9}))
    tracker.update(SlotSet("job", "data_scientist"))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def test_a_failed_save_raises_and_keeps_nothing_instead_of_a_memory_fallback(sqlite_store, status, caplog):
    store, path = sqlite_store
    tracker = _turn(store, "alice", SECRET_TEXT)
    sqlite3.connect(path).execute("DROP TABLE events")  # the store breaks under Rasa
    with caplog.at_level(logging.ERROR, logger="bot.rasa.store_guard"):
        with pytest.raises(TrackerStoreUnavailable) as raised:
            run(store.save(tracker))
    assert raised.value.operation == "save"
    assert raised.value.reason == "OperationalError: no such table: events"  # the driver's words, no SQL
    assert store._fallback_tracker_store is None  # Rasa's in-memory fallback was never created
    assert not status.ok and status.last_failure.operation == "save"
    line = next(r.getMessage() for r in caplog.records if "tracker_store.failed" in r.getMessage())
    assert "operation=save" in line and "SQLTrackerStore" in line
    assert SECRET_TEXT not in caplog.text and "INSERT" not in caplog.text


def test_a_failed_retrieve_fails_the_turn_and_never_starts_a_new_tracker(sqlite_store, status):
    store, path = sqlite_store
    run(store.save(_turn(store, "bob", "bonjour")))
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("ALTER TABLE events RENAME TO events_aside")
    with pytest.raises(TrackerStoreUnavailable) as raised:
        run(store.get_or_create_tracker("bob"))  # Rasa would have answered a fresh, empty tracker
    assert raised.value.operation == "retrieve"
    assert not status.ok
    database.execute("ALTER TABLE events_aside RENAME TO events")  # the fault clears
    tracker = run(store.get_or_create_tracker("bob"))
    assert tracker.get_slot("job") == "data_scientist"  # the context is there again
    assert status.ok and status.as_dict()["last_failure"]["operation"] == "retrieve"


def test_the_conversation_lock_is_released_when_the_save_fails(sqlite_store, status):
    store, path = sqlite_store
    tracker = _turn(store, "carol", "bonjour")
    sqlite3.connect(path).execute("DROP TABLE events")
    locks = InMemoryLockStore()

    async def turn():
        async with locks.lock("carol"):  # as Agent.handle_message
            await store.save(tracker)

    with pytest.raises(TrackerStoreUnavailable):
        run(turn())
    assert locks.get_lock("carol") is None  # the next turn of this conversation does not wait


async def _over_the_channel(on_new_message, exchange):
    """Boussole's REST channel on a real Sanic server on loopback; `exchange(url)` talks to it."""
    app = Sanic(f"store_guard_test_{next(_apps)}")
    app.blueprint(TurnReportingRestInput().blueprint(on_new_message), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    try:
        return await exchange(f"http://127.0.0.1:{port}")
    finally:
        server.close()
        await server.wait_closed()


_apps = itertools.count()


def test_the_channel_answers_503_not_the_replies_and_the_client_recognises_it(sqlite_store, status):
    """Rasa's FailSafeTrackerStore failing at the end of a turn, through the channel, to the service's client."""
    store, path = sqlite_store
    tracker = _turn(store, "dave", SECRET_TEXT)
    sqlite3.connect(path).execute("DROP TABLE events")

    async def on_new_message(message):  # as Rasa's processor: the reply is collected, then the save fails
        await message.output_channel.send_text_message(message.sender_id, "une réponse jamais enregistrée")
        await store.save(tracker)

    async def exchange(url):
        async with httpx.AsyncClient() as http:
            raw = await http.post(f"{url}/webhooks/rest/webhook", json={"sender": "dave", "message": SECRET_TEXT})
            store_status = (await http.get(f"{url}/webhooks/rest/store")).json()
        client = RasaClient(url, "token", 5.0)
        try:
            with pytest.raises(RasaStoreUnavailable) as raised:
                await client.send("dave", SECRET_TEXT)
            statuses = await client.store_statuses()
        finally:
            await client.close()
        return raw, store_status, raised.value, statuses

    raw, store_status, failure, statuses = run(_over_the_channel(on_new_message, exchange))
    assert raw.status_code == 503 and "jamais enregistrée" not in raw.text
    assert raw.headers[ERROR_HEADER] == STORE_UNAVAILABLE and int(raw.headers["Retry-After"]) > 0
    assert raw.json() == {"error": STORE_UNAVAILABLE, "operation": "save",
                          "reason": "OperationalError: no such table: events"}
    assert (failure.operation, failure.reason) == ("save", "OperationalError: no such table: events")
    assert failure.retry_after == int(raw.headers["Retry-After"])
    assert isinstance(failure, RasaUnavailable)  # Telegram and Slack refuse it like an unreachable Rasa
    assert store_status["ok"] is False and store_status["last_failure"]["operation"] == "save"
    assert [(s["ok"], s["failures"]) for s in statuses.values()] == [(False, 2)]  # the client's turn failed too


def _as_httpx(answer) -> httpx.Response:
    """The channel's Sanic answer as Rasa sends it over HTTP."""
    return httpx.Response(answer.status, headers=dict(answer.headers), content=answer.body)


def _client(handler) -> RasaClient:
    client = RasaClient("http://rasa.test", "token", 5.0)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return client


def test_any_other_503_is_rasa_unavailable_not_a_store_failure():
    plain_503 = _client(lambda request: httpx.Response(503, text="Service Unavailable"))
    with pytest.raises(RasaUnavailable) as raised:
        run(plain_503.send("conversation", "bonjour"))
    assert not isinstance(raised.value, RasaStoreUnavailable)


def test_store_statuses_reads_each_server_and_tolerates_a_plain_rasa():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/store"
        return httpx.Response(404)

    assert run(_client(handler).store_statuses()) == {"http://rasa.test": None}


def test_a_read_does_not_clear_a_failed_save():
    """A full disk still reads: /health must not turn green because a history was read."""
    status = StoreStatus()
    status.failed("save", "OperationalError: database or disk is full")
    status.succeeded("retrieve")
    assert not status.ok and [f["operation"] for f in status.as_dict()["failing"]] == ["save"]
    status.failed("retrieve", "OperationalError: database is locked")
    status.succeeded("save")
    assert not status.ok and [f["operation"] for f in status.as_dict()["failing"]] == ["retrieve"]
    status.succeeded("retrieve_full_tracker")
    assert status.ok and status.as_dict()["last_failure"]["operation"] == "retrieve"


def test_health_check_names_the_failing_operation_and_reason():
    ok = StoreStatus().as_dict()
    failing = {"ok": False, "failing": [{"operation": "save", "reason": "OperationalError: disk full", "at": 2.0}]}
    assert tracker_store_check({"a": ok, "b": None}) == {"ok": True}
    check = tracker_store_check({"a": ok, "b": failing})
    assert check["ok"] is False
    assert check["reason"] == "tracker store save failed: OperationalError: disk full"
    assert check["failing"] == [{"url": "b", "operation": "save", "reason": "OperationalError: disk full", "at": 2.0}]


def test_api_chat_answers_503_in_french_logs_an_error_and_counts(tmp_path, caplog):
    from bot.web.app import create_app

    failure = TrackerStoreUnavailable("save", "OperationalError: database or disk is full")
    store_status = StoreStatus()
    store_status.failed(failure.operation, failure.reason)

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            return _as_httpx(store_unavailable_response(failure))
        if request.url.path == "/webhooks/rest/store":
            return httpx.Response(200, json=store_status.as_dict())
        return httpx.Response(200, json={"model_file": "boussole.tar.gz"})  # /status

    counted = metrics.REGISTRY.get_sample_value("boussole_store_failures_total", {"channel": "api"})
    settings = Settings(rasa_port=free_port(), state_dir=tmp_path)
    with TestClient(create_app(settings)) as client, caplog.at_level(logging.INFO):
        client.app.state.boussole.rasa._http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
        response = client.post("/api/chat", json={"message": SECRET_TEXT})
        assert response.status_code == 503
        assert response.json() == {"detail": "Votre message n'a pas pu être enregistré. Réessayez dans quelques "
                                             "secondes.", "code": "not_saved"}
        assert int(response.headers["Retry-After"]) > 0
        health = client.get("/health")
    assert health.status_code == 503 and health.json()["checks"]["tracker_store"]["ok"] is False
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "chat.turn.store_failed" in r.getMessage()]
    assert len(errors) == 1 and "operation=save" in errors[0].getMessage()
    assert SECRET_TEXT not in caplog.text
    assert metrics.REGISTRY.get_sample_value("boussole_store_failures_total", {"channel": "api"}) == counted + 1
