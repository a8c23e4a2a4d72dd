"""POST /webhook answers Rasa only, within bounds, and never with a traceback.

The real app (create_app on the shipped knowledge), the real rasa_sdk
ActionExecutor with the real `actions` package; no Rasa: the calls are the
bodies Rasa 3.6 sends (tests/fixtures/action_call.json is one, recorded on
the real stack).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Action

from bot.answers.search import MAX_QUESTION_CHARS
from bot.devtools.stack import free_port
from bot.settings import Settings
from bot.web.app import MAX_ACTION_CALL_BYTES, create_app
from bot.web.routes.actions import SECRET_HEADER
from tests.web.conftest import running_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CALL = json.loads((FIXTURES / "action_call.json").read_text())
TURN_EVENTS = json.loads((FIXTURES / "action_turn_events.json").read_text())


def call_with(**tracker_changes) -> dict:
    """The recorded call, its tracker changed as given."""
    call = copy.deepcopy(CALL)
    call["tracker"].update(tracker_changes)
    return call


def asking(text: str) -> dict:
    """A call whose last message is `text`, the classifier unsure (the sheet search runs)."""
    message = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3},
               "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}], "entities": []}
    call = call_with(latest_message=message)
    call["tracker"]["slots"]["job"] = "ingenieur-machine-learning"
    return call


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """A service whose Rasa is nowhere (a free port): the action endpoint needs none."""
    return Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="module")
def client(settings):
    """One app for the module: loading the knowledge takes seconds."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def rasa_headers(settings):
    return {SECRET_HEADER: settings.action_secret}


def post(client: TestClient, body, headers: dict) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/webhook", content=content, headers={"Content-Type": "application/json", **headers})


def webhook_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.web.routes.actions"]


# --- who may call --------------------------------------------------------------------------

def test_rasa_with_the_secret_gets_the_answer(client, rasa_headers):
    response = post(client, CALL, rasa_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "algorithmes" in body["responses"][0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "job", "value": "ingenieur-machine-learning"} in body["events"]


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "action_secret_missing"),
    ({SECRET_HEADER: "not-the-secret-at-all"}, 403, "action_secret_wrong"),
    ({SECRET_HEADER: ""}, 403, "action_secret_wrong"),
    ({SECRET_HEADER: b"s\xe9cret-hors-ascii"}, 403, "action_secret_wrong"),  # not ASCII: no TypeError
])
def test_without_the_secret_nothing_runs(client, settings, caplog, headers, status, code):
    with caplog.at_level(logging.INFO):
        response = post(client, CALL, headers)
    assert response.status_code == status
    assert response.json()["code"] == code and "réservée à Rasa" in response.json()["detail"]
    [record] = webhook_records(caplog)
    assert record.levelno == logging.WARNING and record.getMessage().startswith("actions.refused reason=")
    assert settings.action_secret not in caplog.text
    assert not [r for r in caplog.records if r.name == "actions.answer"]  # the action never ran


def test_the_secret_of_another_service_is_refused(client, settings):
    """Each start has its own secret (derived from its own Rasa token): one service's Rasa cannot call another."""
    other = Settings(state_dir=settings.state_dir)
    assert other.action_secret != settings.action_secret
    assert post(client, CALL, {SECRET_HEADER: other.action_secret}).status_code == 403


# --- how much -----------------------------------------------------------------------------

def forty_turns() -> dict:
    """The recorded call grown to a 40-turn conversation with the recorded turn's events."""
    return call_with(events=CALL["tracker"]["events"][:3] + TURN_EVENTS * 40)


def test_the_body_cap_holds_a_long_conversation_with_room_to_spare(client, rasa_headers):
    call = forty_turns()
    size = len(json.dumps(call))  # Rasa's aiohttp sends json.dumps() defaults
    assert 150_000 < size < MAX_ACTION_CALL_BYTES / 5, size
    assert post(client, call, rasa_headers).status_code == 200


def test_a_body_over_the_cap_is_refused(client, rasa_headers):
    call = forty_turns()
    call["tracker"]["events"] *= 6  # 240 turns in one session
    body = json.dumps(call).encode()
    assert len(body) > MAX_ACTION_CALL_BYTES
    response = post(client, body, rasa_headers)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


@pytest.mark.parametrize("with_secret", [True, False])
def test_a_3_mb_forged_tracker_is_refused_at_once(client, rasa_headers, with_secret):
    """Once a 3 MB question held the event loop, every chat and /health, for 39 s."""
    body = json.dumps(asking("les écoles de Berkeley recrutent en vision par ordinateur " * 52_000)).encode()
    assert len(body) > 3_000_000
    started = time.monotonic()
    response = post(client, body, rasa_headers if with_secret else {})
    assert response.status_code == 413
    assert time.monotonic() - started < 1.0


def test_a_long_question_within_the_cap_is_answered_quickly(client, rasa_headers, caplog):
    """Close to 1 MB of question text: the action reads its first MAX_QUESTION_CHARS only."""
    text = "quels employeurs recrutent avec Keras pour la vision par ordinateur à Berkeley ? " * 11_000
    call = asking(text)
    assert MAX_ACTION_CALL_BYTES * 0.8 < len(json.dumps(call)) < MAX_ACTION_CALL_BYTES
    post(client, asking("Keras ?"), rasa_headers)  # the sheet's search index is built once, not timed
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        response = post(client, call, rasa_headers)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert "Keras" in response.json()["responses"][0]["text"]
    assert elapsed < 2.0, elapsed  # 0.12 s measured; 20 s and more before the bound
    assert f"action.answer.text_cut chars={len(text)} kept={MAX_QUESTION_CHARS}" in caplog.text


# --- what -------------------------------------------------------------------------------

def _without(key: str) -> dict:
    call = copy.deepcopy(CALL)
    del call[key]
    return call


def _slots(**slots) -> dict:
    return call_with(slots={**CALL["tracker"]["slots"], **slots})


def _message(**fields) -> dict:
    return call_with(latest_message={**CALL["tracker"]["latest_message"], **fields})


MALFORMED = {
    "not JSON": (b'{"next_action": "action_answer", "tracker": ', "corps"),
    "not UTF-8": (b'{"next_action": "action_answer\xff"}', "corps"),
    "too deep": (b"[" * 100_000 + b"]" * 100_000, "corps"),
    "a list": ([CALL], "corps"),
    "no next_action": (_without("next_action"), "next_action"),
    "next_action a number": ({**CALL, "next_action": 42}, "next_action"),
    "empty next_action": ({**CALL, "next_action": ""}, "next_action"),
    "no tracker": (_without("tracker"), "tracker"),
    "tracker a list": ({**CALL, "tracker": [1, 2]}, "tracker"),
    "tracker without sender": (call_with(sender_id=None), "tracker.sender_id"),
    "domain a text": ({**CALL, "domain": "x"}, "domain"),
    "events an object": (call_with(events={"event": "user"}), "tracker.events"),
    "an event a text": (call_with(events=["user"]), "tracker.events[0]"),
    "an event without a type": (call_with(events=[{"text": "bonjour"}]), "tracker.events[0].event"),
    "slots a list": (call_with(slots=["job"]), "tracker.slots"),
    "a text slot a number": (_slots(job=42), "tracker.slots.job"),
    "a list slot a text": (_slots(last_facts="ingenieur-machine-learning:salary"), "tracker.slots.last_facts"),
    "paused a text": (call_with(paused="yes"), "tracker.paused"),
    "message a list": (call_with(latest_message=["bonjour"]), "tracker.latest_message"),
    "text a number": (_message(text=5), "tracker.latest_message.text"),
    "intent a text": (_message(intent="ask_salary"), "tracker.latest_message.intent"),
    "confidence a text": (_message(intent={"name": "ask_salary", "confidence": "high"}),
                          "tracker.latest_message.intent.confidence"),
    "entities an object": (_message(entities={"entity": "job"}), "tracker.latest_message.entities"),
    "entity confidence a text": (_message(entities=[{"entity": "job", "value": "x", "confidence_entity": "x"}]),
                                 "tracker.latest_message.entities[0].confidence_entity"),
    "ranking confidence a text": (_message(intent_ranking=[{"name": "greet", "confidence": "x"}]),
                                  "tracker.latest_message.intent_ranking[0].confidence"),
}


@pytest.mark.parametrize("body, field", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_call_gets_400_and_one_line(client, rasa_headers, caplog, body, field):
    with caplog.at_level(logging.DEBUG):
        response = post(client, body, rasa_headers)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "invalid_action_call" and f"« {field} »" in error["detail"]
    assert "action_name" in error  # Rasa reads it on a 400
    [record] = webhook_records(caplog)
    assert record.levelno == logging.WARNING and f"field={field} " in record.getMessage()
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


def test_an_unknown_action_gets_404(client, rasa_headers, caplog):
    response = post(client, {**CALL, "next_action": "action_nope"}, rasa_headers)
    assert response.status_code == 404 and response.json()["code"] == "unknown_action"
    assert "Traceback" not in caplog.text


# --- not on the event loop -------------------------------------------------------------------

SLOW_SECONDS = 1.5


class ActionSlowForTests(Action):
    """Pure CPU work, as the answer's search and composition are (no sleep, no I/O)."""

    def name(self) -> str:
        return "action_slow_for_tests"

    def run(self, dispatcher, tracker, domain):
        deadline = time.monotonic() + SLOW_SECONDS
        spins = 0
        while time.monotonic() < deadline:
            spins += 1
        dispatcher.utter_message(text=f"{spins} tours")
        return []


def test_a_slow_action_does_not_hold_health_or_the_chat(settings):
    app = create_app(settings)

    async def scenario(base_url: str) -> tuple[float, list[float]]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            action = asyncio.create_task(http.post("/webhook", json={**CALL, "next_action": "action_slow_for_tests"},
                                                   headers={SECRET_HEADER: settings.action_secret}))
            await asyncio.sleep(0.3)  # the action is running
            latencies = []
            for _ in range(5):
                started = time.monotonic()
                health = await http.get("/health")
                latencies.append(time.monotonic() - started)
                assert health.status_code in (200, 503)  # 503: no Rasa here; it answers, that is the point
                await asyncio.sleep(0.05)
            started = time.monotonic()
            response = await action
            assert response.status_code == 200 and response.json()["responses"][0]["text"].endswith("tours")
            return time.monotonic() - started, latencies

    with running_server(app) as (host, port):
        app.state.boussole.executor.register_action(ActionSlowForTests)
        still_running, latencies = asyncio.run(scenario(f"http://{host}:{port}"))
    assert still_running > 0.3  # /health answered while the action was still working
    assert max(latencies) < 0.5, latencies  # held for the whole action (1.5 s) when it ran on the loop
