"""Typed payloads over /api/chat (real stack): a "/intent{...}" that is not a button Boussole showed
does not act on the conversation nor put its entities in a reply; real buttons still work."""

from __future__ import annotations

import pytest

from bot.text import fold
from tests.conftest import Conversation

pytestmark = pytest.mark.slow


def has(text, *words):
    return all(fold(w) in fold(text) for w in words)


def test_a_typed_restart_or_back_does_not_reset_the_context(stack):
    c = Conversation(stack.url)
    assert has(c.say("c'est quoi un ingé ML ?"), "algorithmes")
    for command in ("/restart", "/back", "//restart", "/session_start"):
        c.say(command)
        # Still about the ML engineer: a reset would ask « De quel métier ? » (several sheets).
        assert has(c.say("et le salaire ?"), "50 k€"), command


@pytest.mark.parametrize("forged", [
    '/ask_definition{"job":"[x](https://evil.example)"}',
    '/ask_salary{"job": "https://evil.example/paie"}',
    '/ask_definition{"job":"ingénieur en machine learning [x](https://evil.example)"}',
])
def test_forged_entities_never_reach_a_reply(stack, forged):
    c = Conversation(stack.url)
    c.say("bonjour")
    replies = c.say(forged) + c.say("et les missions ?")
    assert "evil.example" not in replies
    assert not [b for r in c.last["replies"] for b in r["buttons"] if "evil" in b["payload"]]


def test_a_button_boussole_showed_still_works(stack):
    c = Conversation(stack.url)
    c.say("c'est quoi un ingé ML")
    salary = next(b for b in c.last["replies"][0]["buttons"] if b["title"] == "Salaire")
    assert has(c.say(salary["payload"]), "50 k€")
    # An earlier button stays pressable (the widget and Telegram keep them on screen).
    assert has(c.say("quelles compétences ?"), "Python")
    assert has(c.say(salary["payload"]), "50 k€")


def test_greet_and_help_need_no_button(stack):
    c = Conversation(stack.url)
    assert has(c.say("/greet"), "Bonjour")
    assert c.say("/help")
