"""Telegram without Rasa: failing API calls lose no turn, malformed updates never give 500 (fast).

The channel router runs in a TestClient in front of the stand-ins
(tests/channels/standins.py), Rasa's REST channel included; the failure plans
of the stand-ins make the Bot API or Rasa fail on purpose.
"""

from __future__ import annotations

import itertools
import json
import logging

import httpx
import pytest

from bot.render.typography import plain_spaces
from bot.channels.common import sender_id
from bot.channels.http_retry import MAX_ATTEMPTS, MAX_WAIT_SECONDS, retry_after
from bot.web import messages as M
from bot.web.turnlog import sender_hash
from tests.channels.conftest import ID_KEY, TELEGRAM_SECRET, TELEGRAM_TOKEN

_ids = itertools.count(70_000)
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}


def update(chat: int, text: str = "combien gagne un plombier ?") -> dict:
    return {"update_id": next(_ids), "message": {"message_id": 1, "date": 0, "text": text,
                                                  "from": {"id": chat, "is_bot": False, "first_name": "Léa"},
                                                  "chat": {"id": chat, "type": "private"}}}


def post(client, body) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/channels/telegram", content=content, headers=HEADERS)


def replies(recorder, chat: int):
    # Read with ordinary spaces: what is said is checked here, the typography in test_typography.py.
    return lambda: [plain_spaces(c["body"]["text"]) for c in recorder.of("sendMessage", chat_id=chat)]


def sender(chat: int) -> str:
    return sender_id(ID_KEY, "telegram", str(chat))


def in_rasa(recorder, chat: int):
    return lambda: recorder.of("rasa", sender=sender(chat))


# --- item 6: typing is best effort, the turn always reaches Rasa, the reply is retried ----------

@pytest.mark.parametrize("fault", ["500", "reset", "timeout"])
def test_a_failed_typing_call_loses_nothing(client, recorder, caplog, fault):
    chat = next(_ids)
    recorder.fail("sendChatAction", fault)
    assert post(client, update(chat)).status_code == 200
    assert recorder.wait_for(replies(recorder, chat)) == ["Réponse à « combien gagne un plombier ? »"]
    assert recorder.of("rasa", sender=sender(chat), message="combien gagne un plombier ?")
    assert recorder.of(f"sendChatAction:{fault}", chat_id=chat)
    warned = [r for r in caplog.records if "telegram.api.best_effort_failed method=sendChatAction" in r.getMessage()]
    assert warned and warned[0].levelno == logging.WARNING


@pytest.mark.parametrize("faults", [("500", "500"), ("reset", "429:1"), ("502", "reset")])
def test_a_reply_that_fails_twice_arrives_once(client, recorder, faults):
    chat = next(_ids)
    recorder.fail("sendMessage", *faults)
    post(client, update(chat))
    recorder.wait_for(replies(recorder, chat))
    assert len(recorder.of("sendMessage", chat_id=chat)) == 1
    assert len([c for c in recorder.calls if c["method"].startswith("sendMessage:")]) == 2


def test_a_rate_limit_beyond_the_bound_is_not_waited_for(client, recorder, caplog):
    chat = next(_ids)
    recorder.fail("sendMessage", f"429:{int(MAX_WAIT_SECONDS) + 60}")
    post(client, update(chat))
    recorder.wait_for(lambda: "channel.reply.undelivered" in caplog.text, timeout=5)
    assert len(recorder.of("sendMessage:429", chat_id=chat)) == 1 and not recorder.of("sendMessage", chat_id=chat)


def test_a_reply_that_never_gets_through_is_an_error_line_and_the_next_update_is_answered(client, recorder, caplog):
    chat = next(_ids)
    recorder.fail_always("sendMessage", "500")
    text = "ma question confidentielle sur les plombiers"
    assert post(client, update(chat, text)).status_code == 200
    line = recorder.wait_for(lambda: [r for r in caplog.records if "channel.reply.undelivered" in r.getMessage()])[0]
    assert line.levelno == logging.ERROR and not line.exc_info
    message = line.getMessage()
    assert f"channel=telegram sender={sender_hash(sender(chat))} method=sendMessage attempts={MAX_ATTEMPTS}" in message
    assert str(chat) not in message and "plombier" not in caplog.text and TELEGRAM_TOKEN not in caplog.text
    assert len(recorder.of("sendMessage:500", chat_id=chat)) == MAX_ATTEMPTS
    assert recorder.of("rasa", sender=sender(chat), message=text)  # the turn itself was kept

    recorder.always.clear()
    post(client, update(chat, "et après ?"))
    assert recorder.wait_for(replies(recorder, chat)) == ["Réponse à « et après ? »"]


@pytest.mark.parametrize("fault, apology", [("500", M.CHANNEL_RASA_DOWN), ("reset", M.CHANNEL_RASA_DOWN),
                                            ("store", M.CHANNEL_NOT_SAVED)], ids=["500", "reset", "store"])
def test_rasa_unavailable_gets_a_french_apology_and_an_error_line(client, recorder, caplog, fault, apology):
    chat = next(_ids)
    recorder.fail("rasa", fault)
    post(client, update(chat))
    assert recorder.wait_for(replies(recorder, chat)) == [apology]
    errors = [r for r in caplog.records if "channel.turn.unanswered channel=telegram" in r.getMessage()]
    assert errors and errors[0].levelno == logging.ERROR and "plombier" not in caplog.text


def test_a_failed_button_acknowledgement_still_answers_the_press(client, recorder):
    chat = next(_ids)
    recorder.fail("answerCallbackQuery", "500")
    press = {"update_id": next(_ids), "callback_query": {
        "id": "cbq-fault", "from": {"id": chat, "is_bot": False, "first_name": "Léa"}, "chat_instance": "1",
        "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}}, "data": "/ask_skills"}}
    assert post(client, press).status_code == 200
    assert recorder.wait_for(replies(recorder, chat)) == ["Réponse à « /ask_skills »"]


def test_retry_after_is_read_from_telegrams_body_or_the_header():
    request = httpx.Request("POST", "http://x/sendMessage")
    telegram = httpx.Response(429, json={"ok": False, "parameters": {"retry_after": 7}}, request=request)
    slack = httpx.Response(429, headers={"Retry-After": "3"}, json={"ok": False}, request=request)
    junk = httpx.Response(429, headers={"Retry-After": "soon"}, content=b"[1]", request=request)
    assert (retry_after(telegram), retry_after(slack), retry_after(junk)) == (7.0, 3.0, 1.0)


# --- item 7: malformed updates with the right secret: acknowledged, a WARNING, no traceback ------

def message_with(**fields) -> dict:
    base = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "bonjour"}
    return {"update_id": next(_ids), "message": {**base, **fields}}


MALFORMED = {
    "not JSON": b"{oops",
    "not UTF-8": b"\xff\xfe{",
    "empty body": b"",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "a list": [{"update_id": 1}],
    "a string": "update",
    "null": None,
    "no update_id": {"message": {"chat": {"id": 1}, "text": "x"}},
    "update_id a string": {"update_id": "12"},
    "update_id a float": {"update_id": 12.0},
    "update_id in exponent notation": b'{"update_id": 1e3}',
    "update_id a bool": {"update_id": True},
    "update_id negative": {"update_id": -1},
    "update_id NaN": b'{"update_id": NaN}',
    "message a string": {"update_id": 5, "message": "bonjour"},
    "message a list": {"update_id": 5, "message": ["bonjour"]},
    "message null": {"update_id": 5, "message": None},
    "chat missing": {"update_id": 5, "message": {"message_id": 1, "text": "bonjour"}},
    "chat a string": {"update_id": 5, "message": {"chat": "42", "text": "bonjour"}},
    "chat.id a string": {"update_id": 5, "message": {"chat": {"id": "42"}, "text": "bonjour"}},
    "chat.id a float": {"update_id": 5, "message": {"chat": {"id": 42.0}, "text": "bonjour"}},
    "chat.type a number": {"update_id": 5, "message": {"chat": {"id": 42, "type": 1}, "text": "bonjour"}},
    "text a number": {"update_id": 5, "message": {"chat": {"id": 42, "type": "private"}, "text": 42}},
    "text a list": {"update_id": 5, "message": {"chat": {"id": 42, "type": "private"}, "text": ["a"]}},
    "text an object": {"update_id": 5, "message": {"chat": {"id": 42, "type": "private"}, "text": {"a": 1}}},
    "text a lone surrogate": b'{"update_id": 5, "message": {"chat": {"id": 42, "type": "private"}, "text": "\\ud800 salut"}}',
    "reply_to_message a string": {"update_id": 5, "message": {"chat": {"id": 42, "type": "group"}, "text": "x",
                                                              "reply_to_message": "x"}},
    "reply_to_message.from a list": {"update_id": 5, "message": {"chat": {"id": 42, "type": "group"}, "text": "x",
                                                                 "reply_to_message": {"from": []}}},
    "edited_message a number": {"update_id": 5, "edited_message": 3},
    "callback_query a string": {"update_id": 5, "callback_query": "press"},
    "callback_query without id": {"update_id": 5, "callback_query": {"data": "/ask_skills"}},
    "callback_query.data a number": {"update_id": 5, "callback_query": {"id": "c", "data": 3}},
    "callback_query.message a string": {"update_id": 5, "callback_query": {"id": "c", "data": "x", "message": "m"}},
    "callback_query.message without chat": {"update_id": 5, "callback_query": {"id": "c", "message": {"text": "m"}}},
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_update_is_acknowledged_and_logged_without_traceback(client, recorder, caplog, body):
    response = post(client, body if isinstance(body, bytes) else json.dumps(body).encode())
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert [r.levelno for r in caplog.records if "telegram.update.malformed" in r.getMessage()] == [logging.WARNING]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "bonjour" not in caplog.text and "salut" not in caplog.text


def test_a_float_update_id_is_not_a_new_update(client, recorder):
    chat = next(_ids)
    first = update(chat)
    post(client, first)
    recorder.wait_for(replies(recorder, chat))
    for again in (float(first["update_id"]), f"{first['update_id']}.0"):
        body = json.dumps({**first, "update_id": "ID"}).replace('"ID"', str(again))
        assert post(client, body.encode()).status_code == 200
    assert post(client, first).status_code == 200  # the true duplicate
    assert len(recorder.of("rasa", sender=sender(chat))) == 1


ODD_BUT_VALID = {
    "callback_query without message": ({"update_id": 0, "callback_query": {"id": "inline-1", "data": "/ask_skills"}},
                                       "answerCallbackQuery"),
    "an update kind Boussole ignores": ({"update_id": 0, "my_chat_member": {"chat": {"id": 1}}}, None),
    "unicode junk": (message_with(text="\u202e\x00\x1b[31m 🙂 \ufeff\uffff combien ?"), "sendMessage"),
}


@pytest.mark.parametrize("body, answered_by", ODD_BUT_VALID.values(), ids=ODD_BUT_VALID.keys())
def test_odd_but_valid_updates_are_handled(client, recorder, caplog, body, answered_by):
    body["update_id"] = next(_ids)
    assert post(client, body).status_code == 200
    if answered_by:
        recorder.wait_for(lambda: recorder.of(answered_by))
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
    assert all("\x00" not in c["body"]["message"] and "\x1b" not in c["body"]["message"] for c in recorder.of("rasa"))


def test_the_wrong_secret_is_still_refused(client):
    response = client.post("/channels/telegram", json=update(1), headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
    assert response.status_code == 403
