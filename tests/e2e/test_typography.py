"""Replies read as careful French over HTTP: no-break spaces, a few points a reply, titled links."""

from __future__ import annotations

import re

import pytest

from bot.answers import templates as T
from tests.conftest import Conversation

pytestmark = pytest.mark.slow

# An ordinary space where French wants a no-break one (an address never holds a space).
LOOSE_SPACE = re.compile(r" [;:!?»]|« ")
# A conversation touching every topic, a sheet and fiches, a comparison, a salary and discovery.
CONVERSATION = [
    "bonjour",
    "c'est quoi un data scientist ?",
    "quelles sont ses missions ?",
    "il faut quelle formation ?",
    "et les compétences ?",
    "ça gagne combien ?",
    "quelle différence avec un data analyst ?",
    "tu tiens ça d'où ?",
    "c'est quoi un plombier ?",
    "où peut-on travailler ?",
    "et les conditions de travail ?",
    "il y a de l'avenir ?",
    "ça paye bien ?",
    "on peut évoluer vers quoi ?",
    "c'est quoi un dresseur de licornes ?",
    "j'aime les animaux, quel métier faire ?",
    "merci, au revoir",
]


def _replies(c: Conversation):
    return c.last["replies"]


def test_a_long_conversation_is_typeset_in_french_with_short_replies_and_titled_links(stack):
    c = Conversation(stack.url)
    problems = []
    for message in CONVERSATION:
        c.say(message)
        for reply in _replies(c):
            text = reply["text"]
            if LOOSE_SPACE.search(text):
                problems.append((message, "loose space", LOOSE_SPACE.findall(text), text[:160]))
            points = [line for line in text.split("\n") if line.startswith("- ")]
            if len(points) > T.TOPICS.points_per_reply:
                problems.append((message, "too many points", len(points)))
            if len(points) != len(set(points)):
                problems.append((message, "a point twice", points))
            for link in reply.get("links") or []:
                if link["text"] not in text or not link["url"].startswith("https://"):
                    problems.append((message, "link not in its text", link))
            for button in reply["buttons"]:
                if LOOSE_SPACE.search(button["title"]):
                    problems.append((message, "loose space in a button", button["title"]))
    assert not problems, "\n".join(map(str, problems))


def test_sources_are_titled_links_the_plain_text_keeps_their_address(stack):
    c = Conversation(stack.url)
    c.say("c'est quoi un plombier ?")
    links = [link for reply in _replies(c) for link in reply["links"]]
    fiche = next(link for link in links if "fiche-metier/" in link["url"])
    assert fiche["title"].startswith("fiche ") and "Plombier" in fiche["title"]
    assert f"{fiche['title']} ({fiche['url']})" == fiche["text"]


def test_voir_plus_gives_the_next_points_of_the_same_topic_and_then_stops(stack):
    c = Conversation(stack.url)
    first = c.say("quelles formations pour devenir data scientist ?")
    seen = {line for line in first.split("\n") if line.startswith("- ")}
    pages = 1
    while True:
        more = next((b for r in _replies(c) for b in r["buttons"] if b["title"] == T.fill("MORE_BUTTON")), None)
        if more is None:
            break
        reply = c.say(more["payload"])
        points = {line for line in reply.split("\n") if line.startswith("- ")}
        assert points and not points & seen, reply  # new points only
        assert "Source : Onisep" in reply
        seen |= points
        pages += 1
        assert pages < 10
    assert pages >= 2 and len(seen) > T.TOPICS.points_per_reply
    # The conversation is still about the data scientist: the next question needs no name.
    assert "data scientist" in c.say("et le salaire ?").lower()
