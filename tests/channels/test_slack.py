"""Slack Events API against the real stack and a local stand-in of the Web API."""

from __future__ import annotations

import itertools
import json
import re
import time
from urllib.parse import urlencode

import httpx
import pytest

from bot.channels.common import sender_id
from bot.channels.slack import sign
from bot.render.typography import plain_spaces
from bot.web.identity import load_or_create_key
from tests.channels.conftest import SLACK_SECRET
from tests.conftest import (CLARIFY_OPENING, DATA_SCIENTIST_WORD, ML_CONTEXT, NO_JOB_QUESTION, SHARED_NAME_OPENING,
                            SHARED_NAME_QUESTION, TOPIC_WORDS, UNSURE_QUESTION, WHICH_JOB_OPENING)

pytestmark = pytest.mark.slow
_ids = itertools.count(1)


def signed_post(stack, path, body: bytes, content_type="application/json", timestamp=None, secret=SLACK_SECRET):
    ts = str(int(timestamp if timestamp is not None else time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(secret, ts, body), "Content-Type": content_type}
    return httpx.post(f"{stack.url}{path}", content=body, headers=headers, timeout=10)


def event(text, channel, kind="app_mention", **extra):
    n = next(_ids)
    return {"type": "event_callback", "team_id": "T1", "event_id": f"Ev{n:06d}", "event_time": int(time.time()),
            "event": {"type": kind, "user": "U123", "text": text, "channel": channel, "ts": f"1700000{n:03d}.000100", **extra}}


def posted(recorder, channel):
    """The messages sent, their text read with ordinary spaces (test_reply_is_typeset… checks the spaces)."""
    return lambda: [{**c["body"], "text": plain_spaces(c["body"]["text"])}
                    for c in recorder.of("chat.postMessage", channel=channel)]


def test_url_verification(channel_stack):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "token": "x"}).encode()
    response = signed_post(channel_stack, "/channels/slack/events", body)
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_mention_is_answered_in_the_thread(channel_stack, recorder):
    payload = event("<@UBOT> combien gagne un ingé ML ?", "C100")
    started = time.monotonic()
    assert signed_post(channel_stack, "/channels/slack/events", json.dumps(payload).encode()).status_code == 200
    assert time.monotonic() - started < 2
    message = recorder.wait_for(posted(recorder, "C100"))[0]
    assert "50 k€" in message["text"] and message["thread_ts"] == payload["event"]["ts"]
    assert message["authorization"] == "Bearer xoxb-test" and "as_user" not in message
    buttons = message["blocks"][1]["elements"]
    assert {b["text"]["text"] for b in buttons} >= {"Missions", "Source"}


def test_reply_is_typeset_in_french_with_the_source_as_a_slack_link(channel_stack, recorder):
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("c'est quoi un plombier ?", "D250", kind="message", channel_type="im")).encode())
    recorder.wait_for(posted(recorder, "D250"))
    raw = recorder.of("chat.postMessage", channel="D250")[0]["body"]["text"]
    assert "Source\u00a0: France Travail" in raw and " :" not in raw and "« " not in raw
    assert re.search(r"<https://candidat\.francetravail\.fr/metierscope/fiche-metier/F1603\|fiche F1603 «\u00a0", raw), raw


def test_direct_message_is_answered_in_the_channel(channel_stack, recorder):
    payload = event("c'est quoi un ingénieur machine learning ?", "D200", kind="message", channel_type="im")
    signed_post(channel_stack, "/channels/slack/events", json.dumps(payload).encode())
    message = recorder.wait_for(posted(recorder, "D200"))[0]
    assert "algorithmes" in message["text"] and "thread_ts" not in message


@pytest.mark.parametrize("case", ["bad signature", "stale", "no headers"])
def test_unsigned_or_stale_requests_are_refused(channel_stack, recorder, case):
    body = json.dumps(event("<@UBOT> bonjour", "C300")).encode()
    if case == "bad signature":
        response = signed_post(channel_stack, "/channels/slack/events", body, secret="not-the-secret")
    elif case == "stale":
        response = signed_post(channel_stack, "/channels/slack/events", body, timestamp=time.time() - 6 * 60)
    else:
        response = httpx.post(f"{channel_stack.url}/channels/slack/events", content=body)
    assert response.status_code == 403
    time.sleep(1.0)
    assert not recorder.of("chat.postMessage", channel="C300")


def test_retries_are_answered_once(channel_stack, recorder):
    body = json.dumps(event("<@UBOT> quelles compétences pour être ingé ML ?", "C400")).encode()
    for _ in range(3):  # Slack retries with the same event_id
        assert signed_post(channel_stack, "/channels/slack/events", body).status_code == 200
    recorder.wait_for(posted(recorder, "C400"))
    time.sleep(1.5)
    assert len(recorder.of("chat.postMessage", channel="C400")) == 1


def test_bot_messages_are_ignored(channel_stack, recorder):
    payload = event("Un ingénieur Machine Learning junior…", "D500", kind="message", channel_type="im", bot_id="B1", subtype="bot_message")
    signed_post(channel_stack, "/channels/slack/events", json.dumps(payload).encode())
    time.sleep(1.5)
    assert not recorder.of("chat.postMessage", channel="D500")


def test_button_click_is_answered(channel_stack, recorder):
    # Only a button Boussole offered in the conversation is a payload (bot/rasa/payloads.py): ask first.
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("c'est quoi un ingénieur machine learning ?", "D600", kind="message",
                                 channel_type="im")).encode())
    buttons = recorder.wait_for(posted(recorder, "D600"))[0]["blocks"][1]["elements"]
    salary = next(b for b in buttons if b["value"].startswith("/ask_salary"))
    recorder.calls.clear()
    payload = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": "D600"},
               "message": {"ts": "1700000600.000100"}, "container": {"type": "message"},
               "actions": [{"action_id": salary["action_id"], "value": salary["value"], "type": "button",
                            "action_ts": "1700000601.1"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = signed_post(channel_stack, "/channels/slack/interactions", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "50 k€" in recorder.wait_for(posted(recorder, "D600"))[0]["text"]


def test_an_unsure_question_gets_topic_buttons_and_a_click_answers_it(channel_stack, recorder):
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event(ML_CONTEXT, "D700", kind="message", channel_type="im")).encode())
    recorder.wait_for(posted(recorder, "D700"))
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event(UNSURE_QUESTION, "D700", kind="message", channel_type="im")).encode())
    message = recorder.wait_for(lambda: posted(recorder, "D700")()[1:])[0]
    assert message["text"].startswith(CLARIFY_OPENING)
    buttons = message["blocks"][1]["elements"]
    assert 2 <= len(buttons) <= 3
    value = buttons[0]["value"]
    click = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": "D700"},
             "message": {"ts": message.get("ts", "1700000700.000100")}, "container": {"type": "message"},
             "actions": [{"action_id": buttons[0]["action_id"], "value": value, "type": "button", "action_ts": "1700000701.1"}]}
    body = urlencode({"payload": json.dumps(click)}).encode()
    assert signed_post(channel_stack, "/channels/slack/interactions", body,
                       content_type="application/x-www-form-urlencoded").status_code == 200
    word = next(w for p, w in TOPIC_WORDS.items() if value.startswith(p))
    assert recorder.wait_for(lambda: [m for m in posted(recorder, "D700")() if word in m["text"]])


def test_a_question_naming_no_metier_gets_a_button_per_sheet_and_a_click_answers(channel_stack, recorder, kb):
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event(NO_JOB_QUESTION, "D710", kind="message", channel_type="im")).encode())
    message = recorder.wait_for(posted(recorder, "D710"))[0]
    assert message["text"].startswith(WHICH_JOB_OPENING)
    buttons = message["blocks"][1]["elements"]
    assert len(buttons) == len(kb.sheets)
    scientist = next(b for b in buttons if b["text"]["text"] == "Data scientist")
    click = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": "D710"},
             "message": {"ts": message.get("ts", "1700000710.000100")}, "container": {"type": "message"},
             "actions": [{"action_id": scientist["action_id"], "value": scientist["value"], "type": "button",
                          "action_ts": "1700000711.1"}]}
    body = urlencode({"payload": json.dumps(click)}).encode()
    assert signed_post(channel_stack, "/channels/slack/interactions", body,
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert recorder.wait_for(lambda: [m for m in posted(recorder, "D710")() if DATA_SCIENTIST_WORD in m["text"]])


def test_a_name_several_fiches_share_gets_a_button_each_and_a_click_answers_that_fiche(channel_stack, recorder):
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event(SHARED_NAME_QUESTION, "D720", kind="message", channel_type="im")).encode())
    message = recorder.wait_for(posted(recorder, "D720"))[0]
    assert SHARED_NAME_OPENING in message["text"]
    buttons = message["blocks"][1]["elements"]
    assert 2 <= len(buttons) <= 5
    click = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": "D720"},
             "message": {"ts": message.get("ts", "1700000720.000100")}, "container": {"type": "message"},
             "actions": [{"action_id": buttons[0]["action_id"], "value": buttons[0]["value"], "type": "button",
                          "action_ts": "1700000721.1"}]}
    body = urlencode({"payload": json.dumps(click)}).encode()
    assert signed_post(channel_stack, "/channels/slack/interactions", body,
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert recorder.wait_for(lambda: [m for m in posted(recorder, "D720")() if "fiche-metier/" in m["text"]])


# --- failing Web API calls lose no turn (item 6 of issue 17; fast variants in test_slack_faults.py) ---

def user_texts_in_rasa(stack, channel) -> list[str]:
    sender = sender_id(load_or_create_key(stack.state_dir), "slack", f"{channel}:")
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


def test_a_reply_that_fails_twice_arrives_once(channel_stack, recorder):
    recorder.fail("chat.postMessage", "503", "timeout")
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("combien gagne un ingé ML ?", "D800", kind="message", channel_type="im")).encode())
    assert "50 k€" in recorder.wait_for(posted(recorder, "D800"), timeout=60)[0]["text"]
    time.sleep(1.0)
    assert len(recorder.of("chat.postMessage", channel="D800")) == 1
    assert user_texts_in_rasa(channel_stack, "D800") == ["combien gagne un ingé ML ?"]


def test_a_reply_that_never_gets_through_is_logged_and_the_service_goes_on(channel_stack, recorder):
    recorder.fail_always("chat.postMessage", "500")
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("combien gagne un plombier ?", "D810", kind="message", channel_type="im")).encode())
    recorder.wait_for(lambda: "channel.reply.undelivered channel=slack" in channel_stack.tail(200), timeout=40)
    line = next(l for l in channel_stack.tail(200).splitlines() if "channel.reply.undelivered channel=slack" in l)
    assert " ERROR " in line and "plombier" not in line and "D810" not in line
    assert user_texts_in_rasa(channel_stack, "D810") == ["combien gagne un plombier ?"]
    recorder.always.clear()
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("et il faut quelles études ?", "D810", kind="message", channel_type="im")).encode())
    assert "Plombier" in recorder.wait_for(posted(recorder, "D810"), timeout=40)[0]["text"]


def test_a_malformed_body_with_a_valid_signature_is_acknowledged(channel_stack):
    for path, body in (("/channels/slack/events", b"{oops"), ("/channels/slack/interactions", b"payload=%7Boops")):
        assert signed_post(channel_stack, path, body).status_code == 200
    assert "slack.interaction.malformed" in channel_stack.tail(50) and "Traceback" not in channel_stack.tail(50)


def click(channel, button, ts):
    payload = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": channel},
               "message": {"ts": ts}, "container": {"type": "message"},
               "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button",
                            "action_ts": ts}]}
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_discovery_leads_by_two_clicks_to_five_metiers_and_a_click_gives_one(channel_stack, recorder):
    channel = "D730"
    signed_post(channel_stack, "/channels/slack/events",
                json.dumps(event("je ne sais pas quoi faire", channel, kind="message", channel_type="im")).encode())
    assert "Qu'est-ce qui vous attire" in recorder.wait_for(posted(recorder, channel))[0]["text"]
    for n, title in enumerate(["Nature, animaux, sport", "Les animaux"], start=1):
        message = posted(recorder, channel)()[-1]
        button = next(b for b in message["blocks"][1]["elements"] if b["text"]["text"] == title)
        assert signed_post(channel_stack, "/channels/slack/interactions", click(channel, button, f"17000007{n}.1"),
                           content_type="application/x-www-form-urlencoded").status_code == 200
        recorder.wait_for(lambda: posted(recorder, channel)()[n:])
    suggestions = posted(recorder, channel)()[2]
    assert suggestions["text"].count("France Travail associe ce métier au centre d'intérêt") == 5
    metier = suggestions["blocks"][1]["elements"][0]
    assert signed_post(channel_stack, "/channels/slack/interactions", click(channel, metier, "1700000739.1"),
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert recorder.wait_for(lambda: [m for m in posted(recorder, channel)()[3:] if "fiche-metier/" in m["text"]])
