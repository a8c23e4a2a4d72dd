"""Observability: one `chat.turn` log line per turn, Rasa's turn headers, /metrics.

The real stack (`stack` fixture, real Rasa) is shared with other test modules,
so metric checks compare a scrape before and after this module's own turns.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.devtools.stack import free_port
from bot.settings import Settings
from bot.web.rasa_client import turn_from_reply
from tests.conftest import Conversation

# TestClient's default peer is "testclient", which is no loopback address: the operator's
# data is open without a token only to a loopback peer that no proxy relays.
LOOPBACK_PEER = ("127.0.0.1", 50000)

ROOT = Path(__file__).resolve().parents[2]
# Strings of no language: the test needs one the model's FallbackClassifier turns into nlu_fallback (a
# model may read some as out_of_scope, sure of itself); the first that Rasa's own parse falls back on is used.
GIBBERISH = ["zkqv bxwp mlrt", "qsdf ghjk", "xwv", "mpfr tzlk wq", "bbbbb ccccc"]
# (message, intent Rasa must report, a word of the reply)
SCRIPT = [
    ("bonjour à vous", "greet", "Bonjour"),
    ("combien gagne un ingé ML qui débute ?", "ask_salary", "50 k€"),
    (GIBBERISH, "nlu_fallback", "compris"),  # GIBBERISH stands for the one the stack's model falls back on
    ("quelle formation pour devenir ingénieur en apprentissage automatique ?", "ask_training", "master"),
]
TURN_LINE = re.compile(r" chat\.turn (?P<fields>.*)$")


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, keyed by (name, sorted labels)."""
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def turn_lines(log_path: Path, sender_hash: str, expected: int, timeout: float = 10.0) -> list[dict[str, str]]:
    """The `chat.turn` lines of one sender, as key=value dicts (waits for the log to catch up)."""
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        lines = [dict(pair.split("=", 1) for pair in m.group("fields").split())
                 for m in map(TURN_LINE.search, text.splitlines()) if m]
        mine = [line for line in lines if line.get("sender") == sender_hash]
        if len(mine) >= expected or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


@pytest.mark.slow
def _gibberish_falling_back(stack) -> str:
    for text in GIBBERISH:
        parsed = httpx.post(f"{stack.rasa_url}/model/parse", params={"token": stack.token}, json={"text": text},
                            timeout=30).json()
        if parsed["intent"]["name"] == "nlu_fallback":
            return text
    pytest.fail(f"the model falls back on none of {GIBBERISH}: every one was read as an intent")


def test_turns_are_logged_once_each_without_their_text_and_counted(stack):
    gibberish = _gibberish_falling_back(stack)
    script = [(gibberish if message is GIBBERISH else message, intent, word) for message, intent, word in SCRIPT]
    before = scrape(stack.url)
    c = Conversation(stack.url)
    for message, _, word in script:
        assert word in c.say(message)
    after = scrape(stack.url)

    # /metrics: turns by the intent Rasa reported, the fallback, the HTTP requests and their latency.
    for intent in ("greet", "ask_salary", "nlu_fallback", "ask_training"):
        assert delta(before, after, "boussole_turns_total", channel="api", intent=intent) == 1, intent
    assert delta(before, after, "boussole_fallbacks_total", channel="api") == 1
    assert delta(before, after, "boussole_rasa_unavailable_total", channel="api") == 0
    assert delta(before, after, "boussole_http_requests_total", method="POST", route="/api/chat", status="200") == 4
    assert delta(before, after, "boussole_http_request_duration_seconds_count", method="POST", route="/api/chat") == 4
    assert delta(before, after, "boussole_http_request_duration_seconds_bucket",
                 method="POST", route="/api/chat", le="+Inf") == 4
    # Rasa calls the service's /webhook for action_answer on every turn of the script: a greeting
    # too, since it may carry a question (« Bonjour, ma fille veut devenir infirmière… »).
    assert delta(before, after, "boussole_http_requests_total", method="POST", route="/webhook", status="200") == 4
    assert after[("boussole_http_requests_total", (("method", "GET"), ("route", "/metrics"), ("status", "200")))] >= 1

    # The log: one line per turn, in order, with what Rasa understood, under a hash of the id.
    hashed = hashlib.sha256(c.conversation_id.encode()).hexdigest()[:12]
    lines = turn_lines(stack.log_path, hashed, expected=len(script))
    assert [line["intent"] for line in lines] == [intent for _, intent, _ in script]
    for line in lines:
        assert line["channel"] == "api" and line["replies"] == "1"
        assert 0.0 < float(line["confidence"]) <= 1.0
        assert int(line["ms"]) >= 0
    # The fallback goes to the answer action too, which looks in the sheet before it refuses.
    assert lines[1]["actions"] == "action_answer" and lines[2]["actions"] == "action_answer"
    log_text = stack.log_path.read_text(errors="replace")
    assert c.conversation_id not in log_text and c.conversation_id[:8] not in log_text
    for message, _, _ in script:
        assert message not in log_text, f"message text in the service log: {message!r}"


@pytest.mark.slow
def test_rasa_reports_each_senders_own_turn_in_headers(stack):
    """Concurrent turns of two senders each get their own intent back (no crossed reports)."""
    async def turn(client: httpx.AsyncClient, sender: str, message: str) -> httpx.Response:
        return await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})

    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=stack.rasa_url, timeout=60) as client:
            jobs = []
            for i in range(6):
                jobs.append(turn(client, f"obs-salary-{i}", "combien gagne un ingé ML ?"))
                jobs.append(turn(client, f"obs-hello-{i}", "bonjour"))
            return await asyncio.gather(*jobs)

    for i, response in enumerate(asyncio.run(both())):
        assert response.status_code == 200
        body = response.json()
        assert isinstance(body, list) and body and body[0]["recipient_id"].startswith("obs-")  # RestInput's body
        expected = ("ask_salary", "action_answer", "50 k€") if i % 2 == 0 else ("greet", "action_answer", "Bonjour")
        assert response.headers["x-boussole-intent"] == expected[0]
        assert response.headers["x-boussole-actions"] == expected[1]
        assert 0.0 < float(response.headers["x-boussole-confidence"]) <= 1.0
        assert expected[2] in body[0]["text"]


def test_rasa_unavailable_is_counted_and_logged_without_the_id(tmp_path, caplog):
    """Rasa really absent (nothing listens on its port): 503, one counter up, a hashed sender in the warning."""
    from bot.web.app import create_app

    settings = Settings(rasa_port=free_port(), state_dir=tmp_path)
    with TestClient(create_app(settings), client=LOOPBACK_PEER) as client:
        before = {(f.name, s.name, tuple(sorted(s.labels.items()))): s.value
                  for f in text_string_to_metric_families(client.get("/metrics").text) for s in f.samples}
        first = client.post("/api/chat", json={"message": "bonjour"})
        assert first.status_code == 503
        text = client.get("/metrics").text
    after = {(f.name, s.name, tuple(sorted(s.labels.items()))): s.value
             for f in text_string_to_metric_families(text) for s in f.samples}
    key = ("boussole_rasa_unavailable", "boussole_rasa_unavailable_total", (("channel", "api"),))
    assert after[key] - before[key] == 1
    status_key = ("boussole_http_requests", "boussole_http_requests_total",
                  (("method", "POST"), ("route", "/api/chat"), ("status", "503")))
    assert after[status_key] - before.get(status_key, 0) == 1
    warnings = [r.getMessage() for r in caplog.records if "chat.turn.rasa_unavailable" in r.getMessage()]
    assert warnings and "channel=api" in warnings[-1] and "bonjour" not in warnings[-1]


def test_channel_turns_get_the_same_line_and_counters(caplog):
    """Telegram and Slack turns go through ask_rasa: same `chat.turn` line, channel from the sender id."""
    from bot.channels.common import ask_rasa, sender_id
    from bot.web import metrics
    from bot.web.rasa_client import RasaTurn, RasaUnavailable

    class StubRasa:  # what RasaClient.send returns for a reported turn, or raises when Rasa is down
        def __init__(self, turn=None):
            self.turn = turn

        async def send(self, sender, text):
            if self.turn is None:
                raise RasaUnavailable("ConnectError: refused")
            return self.turn

    sender = sender_id(b"key", "telegram", "12345")
    fallback = RasaTurn(messages=[{"text": "Je n'ai pas bien compris."}], intent="nlu_fallback", confidence=0.3,
                        actions=["utter_default"])
    turns_before = metrics.TURNS.labels(channel="telegram", intent="nlu_fallback")._value.get()
    fallbacks_before = metrics.FALLBACKS.labels(channel="telegram")._value.get()
    down_before = metrics.RASA_UNAVAILABLE.labels(channel="slack")._value.get()
    caplog.set_level("INFO", logger="boussole.turn")
    assert asyncio.run(ask_rasa(StubRasa(fallback), sender, "blabla secret")) == fallback.messages
    assert asyncio.run(ask_rasa(StubRasa(), sender_id(b"key", "slack", "C1:T1"), "autre secret"))[0]["text"]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("chat.turn")]
    hashed = hashlib.sha256(sender.encode()).hexdigest()[:12]
    assert lines[0].startswith(f"chat.turn channel=telegram sender={hashed} intent=nlu_fallback confidence=0.3000 "
                               f"actions=utter_default replies=1 ms=")
    assert lines[1].startswith("chat.turn.rasa_unavailable channel=slack sender=")
    assert not any("secret" in line or sender in line for line in lines)
    assert metrics.TURNS.labels(channel="telegram", intent="nlu_fallback")._value.get() == turns_before + 1
    assert metrics.FALLBACKS.labels(channel="telegram")._value.get() == fallbacks_before + 1
    assert metrics.RASA_UNAVAILABLE.labels(channel="slack")._value.get() == down_before + 1


def test_turn_headers_are_parsed_and_optional():
    body = [{"recipient_id": "x", "text": "Bonjour"}]
    turn = turn_from_reply(body, httpx.Headers({"X-Boussole-Intent": "greet", "X-Boussole-Confidence": "0.9731",
                                                "X-Boussole-Actions": "action_answer,utter_more"}))
    assert (turn.intent, turn.confidence, turn.actions, turn.messages) == ("greet", 0.9731, ["action_answer", "utter_more"], body)
    plain = turn_from_reply(body, httpx.Headers({}))  # a stock Rasa REST channel
    assert (plain.intent, plain.confidence, plain.actions) == (None, None, [])
    assert turn_from_reply({}, httpx.Headers({"X-Boussole-Confidence": "n/a"})).confidence is None


WORKER = """
import sys
from bot.web import metrics
for _ in range(int(sys.argv[1])):
    metrics.count_turn("api", "greet", ["utter_greet"])
metrics.count_turn("telegram", "nlu_fallback", ["utter_default"])
metrics.HTTP_REQUESTS.labels(method="POST", route="/api/chat", status="200").inc()
"""
SCRAPER = "from bot.web import metrics; sys = __import__('sys'); sys.stdout.write(metrics.render()[0].decode())"


def test_metrics_add_up_across_worker_processes(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR set: each process writes its share, any process's /metrics sums them."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "PATH": "/usr/bin:/bin"}
    for turns in (2, 3):  # two "workers", then they exit
        subprocess.run([sys.executable, "-c", WORKER, str(turns)], cwd=ROOT, env=env, check=True, timeout=60)
    text = subprocess.run([sys.executable, "-c", SCRAPER], cwd=ROOT, env=env, check=True, timeout=60,
                          capture_output=True, text=True).stdout
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples[("boussole_turns_total", (("channel", "api"), ("intent", "greet")))] == 5
    assert samples[("boussole_fallbacks_total", (("channel", "telegram"),))] == 2
    assert samples[("boussole_fallbacks_total", (("channel", "api"),))] == 0
    assert samples[("boussole_http_requests_total", (("method", "POST"), ("route", "/api/chat"), ("status", "200")))] == 2


def test_metrics_ask_for_the_token_when_one_is_set(tmp_path):
    from bot.web.app import create_app

    # BOUSSOLE_METRICS_TOKEN, the earlier name, still sets the operator token.
    for settings in (Settings(rasa_port=free_port(), state_dir=tmp_path, operator_token="scrape-secret"),
                     Settings(rasa_port=free_port(), state_dir=tmp_path, metrics_token="scrape-secret", host="0.0.0.0")):
        with TestClient(create_app(settings)) as client:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-secret"}):
                refused = client.get("/metrics", headers=headers)
                assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer", headers
                assert refused.json()["detail"].startswith("Jeton d'opérateur manquant ou invalide")
            allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
            assert allowed.status_code == 200 and "boussole_http_requests_total" in allowed.text


def test_metrics_need_the_operator_token_once_the_service_listens_beyond_loopback(tmp_path, caplog):
    from bot.web.app import create_app

    for host in ("127.0.0.1", "::1", "localhost"):
        assert not Settings(host=host).listens_beyond_loopback, host
    with caplog.at_level(logging.WARNING), \
            TestClient(create_app(Settings(rasa_port=free_port(), state_dir=tmp_path, host="0.0.0.0"))) as client:
        refused = client.get("/metrics")
        report = client.get("/api/report")
    assert refused.status_code == 403 and refused.json()["code"] == "operator_token_required"
    assert "BOUSSOLE_OPERATOR_TOKEN" in refused.json()["detail"]
    assert report.status_code == 403 and report.json() == refused.json()  # the report data as well
    assert any("operator.token_missing host=0.0.0.0" in r.getMessage() for r in caplog.records)
    with TestClient(create_app(Settings(rasa_port=free_port(), state_dir=tmp_path)), client=LOOPBACK_PEER) as client:  # loopback: open
        assert client.get("/metrics").status_code == 200
