"""Typed payloads: only the buttons Boussole showed (and /greet, /help) act as buttons; any other
"/intent{...}" reaches the NLU as plain text. Trackers are built from plain event dicts."""

from __future__ import annotations

import asyncio
import logging

import pytest
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.payloads import ALWAYS_ACCEPTED, is_payload, offered_payloads, screen, screen_message

SALARY = '/ask_salary{"job": "data-scientist"}'
EVIL = '/ask_definition{"job":"[x](https://evil.example)"}'


def bot(text, *payloads):
    return {"event": "bot", "text": text, "timestamp": 1.0,
            "data": {"buttons": [{"title": p.strip("/"), "payload": p} for p in payloads]}}


def user(text):
    return {"event": "user", "text": text, "timestamp": 1.0, "parse_data": {"intent": {"name": "greet"}}}


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_dict("conversation", list(events))


CONVERSATION = tracker(
    user("bonjour"), bot("Bonjour !", "/list_jobs", "/help"),
    user("un métier de la data ?"), bot("Lequel ?", SALARY, "/ask_missions"),
    user("et le salaire ?"), bot("Environ 50 k€."),  # the last message has no button
)


class Store:
    def __init__(self, found=None, fails=False):
        self.found, self.fails, self.asked = found, fails, []

    async def retrieve(self, sender_id):
        self.asked.append(sender_id)
        if self.fails:
            raise RuntimeError("database is locked")
        return self.found


class Agent:
    def __init__(self, store):
        self.tracker_store = store


def screened(text, found=CONVERSATION, **store):
    return asyncio.run(screen_message(Agent(Store(found, **store)), "conversation", text))


def test_the_buttons_shown_are_offered_whatever_their_age():
    assert offered_payloads(CONVERSATION.applied_events()) == {"/list_jobs", "/help", SALARY, "/ask_missions"}


def test_buttons_before_a_restart_are_no_longer_offered():
    restarted = tracker(bot("Bonjour !", SALARY), {"event": "restart", "timestamp": 2.0}, bot("Bonjour !", "/help"))
    assert offered_payloads(restarted.applied_events()) == {"/help"}


@pytest.mark.parametrize("text", [SALARY, f"  {SALARY}\n", "/list_jobs", "/ask_missions", *ALWAYS_ACCEPTED])
def test_an_offered_payload_stays_a_payload(text):
    assert screen(text, offered_payloads(CONVERSATION.applied_events())) is None
    assert screened(text) == text


@pytest.mark.parametrize("text, plain", [
    ("/restart", "restart"),
    ("/back", "back"),
    ("//restart", "restart"),
    ("  /session_start", "session_start"),
    (EVIL, 'ask_definition{"job":"[x](https://evil.example)"}'),
    ('/ask_salary{"job": "boulanger"}', 'ask_salary{"job": "boulanger"}'),  # an entity Boussole did not offer
    ('/ask_salary{"job":"data-scientist"}', 'ask_salary{"job":"data-scientist"}'),  # not byte for byte the button
    ("/ask_salary@0.99", "ask_salary@0.99"),
    ("/", "/"),  # no intent name: Rasa reads it as text anyway
])
def test_any_other_payload_is_read_as_plain_text(text, plain):
    assert screen(text, offered_payloads(CONVERSATION.applied_events())) == plain
    assert screened(text) == plain


@pytest.mark.parametrize("text", ["combien gagne un data scientist ?", "a/b", "", None, 42])
def test_a_message_that_is_not_a_payload_is_not_touched(text):
    assert not is_payload(text)
    store = Store(CONVERSATION)
    assert asyncio.run(screen_message(Agent(store), "conversation", text)) == text
    assert not store.asked  # the tracker store is read for "/" messages only


def test_a_new_conversation_accepts_only_the_harmless_commands():
    assert screened("/greet", found=None) == "/greet"
    assert screened("/help", found=None) == "/help"
    assert screened(SALARY, found=None) == SALARY.lstrip("/")


def test_when_the_store_cannot_be_read_no_button_counts(caplog):
    caplog.set_level(logging.INFO, logger="bot.rasa.payloads")
    assert screened(SALARY, fails=True) == SALARY.lstrip("/")
    assert screened("/help", fails=True) == "/help"
    assert "rasa.payload.buttons_unreadable" in caplog.text


def test_a_refusal_is_logged_in_english_without_the_text_or_the_id(caplog):
    caplog.set_level(logging.INFO, logger="bot.rasa.payloads")
    screened(EVIL)
    [record] = [r for r in caplog.records if "rasa.payload.refused" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert "intent=ask_definition" in record.getMessage()
    assert "evil" not in record.getMessage() and "conversation" not in record.getMessage().split("sender=")[1]


def test_the_default_sender_is_looked_up_as_rasa_names_it():
    store = Store(CONVERSATION)
    asyncio.run(screen_message(Agent(store), None, "/restart"))
    assert store.asked == ["default"]
