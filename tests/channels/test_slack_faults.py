"""Slack without Rasa: failing Web API calls lose no turn, malformed signed bodies never give 500 (fast).

Same set-up as test_telegram_faults.py: the channel router in a TestClient in
front of the stand-ins, whose failure plans make Slack or Rasa fail on purpose.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest

from bot.render.typography import plain_spaces
from bot.channels.common import sender_id
from bot.channels.http_retry import MAX_ATTEMPTS
from bot.channels.slack import sign
from bot.web import messages as M
from bot.web.turnlog import sender_hash
from tests.channels.conftest import ID_KEY, SLACK_SECRET

_ids = itertools.count(1)
FORM = "application/x-www-form-urlencoded"


def signed(client, path: str, body: bytes, content_type: str = "application/json", timestamp=None) -> httpx.Response:
    ts = timestamp or str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SLACK_SECRET, ts, body),
               "Content-Type": content_type}
    return client.post(path, content=body, headers=headers)


def direct_message(text: str = "combien gagne un plombier ?", channel: str = "") -> tuple[str, bytes]:
    n = next(_ids)
    channel = channel or f"DF{n:05d}"
    body = {"type": "event_callback", "event_id": f"EvF{n:06d}", "team_id": "T1",
            "event": {"type": "message", "channel_type": "im", "user": "U1", "text": text, "channel": channel,
                      "ts": f"1700001{n:03d}.000100"}}
    return channel, json.dumps(body).encode()


def posted(recorder, channel: str):
    # Read with ordinary spaces: what is said is checked here, the typography in test_typography.py.
    return lambda: [plain_spaces(c["body"]["text"]) for c in recorder.of("chat.postMessage", channel=channel)]


def sender(channel: str) -> str:
    return sender_id(ID_KEY, "slack", f"{channel}:")


# --- item 6: the turn always reaches Rasa, the reply is retried, a final failure is an ERROR -----

@pytest.mark.parametrize("faults", [("500", "500"), ("reset", "429:1"), ("503", "reset")])
def test_a_reply_that_fails_twice_arrives_once(client, recorder, faults):
    channel, body = direct_message()
    recorder.fail("chat.postMessage", *faults)
    assert signed(client, "/channels/slack/events", body).status_code == 200
    assert recorder.wait_for(posted(recorder, channel)) == ["Réponse à « combien gagne un plombier ? »"]
    assert len([c for c in recorder.calls if c["method"].startswith("chat.postMessage:")]) == 2


def test_a_reply_that_never_gets_through_is_an_error_line_and_the_next_event_is_answered(client, recorder, caplog):
    channel, body = direct_message("ma question confidentielle sur les plombiers")
    recorder.fail_always("chat.postMessage", "reset")
    assert signed(client, "/channels/slack/events", body).status_code == 200
    line = recorder.wait_for(lambda: [r for r in caplog.records if "channel.reply.undelivered" in r.getMessage()])[0]
    assert line.levelno == logging.ERROR and not line.exc_info
    assert (f"channel=slack sender={sender_hash(sender(channel))} method=chat.postMessage attempts={MAX_ATTEMPTS}"
            in line.getMessage())
    assert channel not in caplog.text and "plombier" not in caplog.text and "xoxb" not in caplog.text
    assert recorder.of("rasa", sender=sender(channel))  # the turn itself was kept

    recorder.always.clear()
    signed(client, "/channels/slack/events", direct_message("et après ?", channel)[1])
    assert recorder.wait_for(posted(recorder, channel)) == ["Réponse à « et après ? »"]


@pytest.mark.parametrize("fault, apology", [("500", M.CHANNEL_RASA_DOWN), ("store", M.CHANNEL_NOT_SAVED)],
                         ids=["500", "store"])
def test_rasa_unavailable_gets_a_french_apology_and_an_error_line(client, recorder, caplog, fault, apology):
    channel, body = direct_message()
    recorder.fail("rasa", fault)
    signed(client, "/channels/slack/events", body)
    assert recorder.wait_for(posted(recorder, channel)) == [apology]
    errors = [r for r in caplog.records if "channel.turn.unanswered channel=slack" in r.getMessage()]
    assert errors and errors[0].levelno == logging.ERROR


# --- item 7: malformed signed bodies: acknowledged, a WARNING, no traceback ---------------------

def envelope(**event) -> dict:
    return {"type": "event_callback", "event_id": f"EvM{next(_ids):06d}",
            "event": {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1.2", "text": "bonjour", **event}}


MALFORMED_EVENTS = {
    "not JSON": b"{oops",
    "not UTF-8": b"\xff\xfe{",
    "empty body": b"",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "a list": [{"type": "event_callback"}],
    "a number": 42,
    "type a number": {"type": 5},
    "challenge a number": {"type": "url_verification", "challenge": 5},
    "event missing": {"type": "event_callback", "event_id": "EvX1"},
    "event a string": {"type": "event_callback", "event_id": "EvX2", "event": "message"},
    "event a list": {"type": "event_callback", "event_id": "EvX3", "event": []},
    "event_id a number": {**envelope(), "event_id": 7},
    "text a number": envelope(text=42),
    "text an object": envelope(text={"a": 1}),
    "text a lone surrogate": b'{"type": "event_callback", "event_id": "EvX4", "event": {"type": "message", '
                             b'"channel_type": "im", "channel": "D1", "ts": "1.2", "text": "\\udc00 bonjour"}}',
    "channel a number": envelope(channel=5),
    "channel missing": envelope(channel=None),
    "ts a float": envelope(ts=1.5),
    "thread_ts an object": envelope(thread_ts={}),
    "subtype a list": envelope(subtype=[]),
}


@pytest.mark.parametrize("body", MALFORMED_EVENTS.values(), ids=MALFORMED_EVENTS.keys())
def test_a_malformed_event_is_acknowledged_and_logged_without_traceback(client, recorder, caplog, body):
    response = signed(client, "/channels/slack/events", body if isinstance(body, bytes) else json.dumps(body).encode())
    assert response.status_code == 200
    assert [r.levelno for r in caplog.records if "slack.event.malformed" in r.getMessage()] == [logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "bonjour" not in caplog.text and not recorder.of("rasa")


def click(**payload) -> bytes:
    base = {"type": "block_actions", "channel": {"id": "D9"}, "message": {"ts": "1.1"},
            "actions": [{"action_id": "boussole_0", "value": "/ask_skills", "action_ts": f"{next(_ids)}.1"}]}
    return urlencode({"payload": json.dumps({**base, **payload})}).encode()


MALFORMED_INTERACTIONS = {
    "not a form": b"\xff\xfe",
    "no payload field": b"something=else",
    "payload not JSON": urlencode({"payload": "{oops"}).encode(),
    "payload nested too deep": urlencode({"payload": "[" * 100_000}).encode(),
    "payload a list": urlencode({"payload": "[1, 2]"}).encode(),
    "payload a string": urlencode({"payload": '"block_actions"'}).encode(),
    "type a number": click(type=3),
    "actions missing": click(actions=None),
    "actions empty": click(actions=[]),
    "actions an object": click(actions={"value": "x"}),
    "action a string": click(actions=["x"]),
    "value a number": click(actions=[{"value": 5, "action_ts": "1.1"}]),
    "action_ts a float": click(actions=[{"value": "/ask_skills", "action_ts": 1.1}]),
    "channel a string": click(channel="D9"),
    "channel.id a number": click(channel={"id": 9}),
    "message a list": click(message=[]),
    "thread_ts a number": click(message={"thread_ts": 1}),
    "value a lone surrogate": urlencode({"payload": '{"type": "block_actions", "channel": {"id": "D9"}, '
                                                    '"actions": [{"value": "\\ud800"}]}'}).encode(),
}


@pytest.mark.parametrize("body", MALFORMED_INTERACTIONS.values(), ids=MALFORMED_INTERACTIONS.keys())
def test_a_malformed_interaction_is_acknowledged_and_logged_without_traceback(client, recorder, caplog, body):
    response = signed(client, "/channels/slack/interactions", body, content_type=FORM)
    assert response.status_code == 200
    assert [r.levelno for r in caplog.records if "slack.interaction.malformed" in r.getMessage()] == [logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not recorder.of("rasa")


def test_a_valid_click_is_still_answered(client, recorder):
    assert signed(client, "/channels/slack/interactions", click(), content_type=FORM).status_code == 200
    assert recorder.wait_for(posted(recorder, "D9")) == ["Réponse à « /ask_skills »"]


def test_url_verification_still_answers_the_challenge(client):
    body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    assert signed(client, "/channels/slack/events", body).json() == {"challenge": "abc"}


@pytest.mark.parametrize("timestamp", ["²³", "١٧٠٠٠٠٠٠٠٠", "1e9", "-5", " 1700000000"])
def test_an_odd_timestamp_is_refused_not_a_500(client, timestamp):
    """Called directly: a header of latin-1 bytes such as b"\\xb2" (« ² », which isdigit() accepts) is not
    something TestClient sends as is; int("²") raised ValueError, a 500."""
    body = json.dumps(envelope()).encode()
    assert client.app.state.slack.signature_ok(timestamp, sign(SLACK_SECRET, timestamp, body), body) is False
