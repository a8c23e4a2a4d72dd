"""POST /api/feedback: `helpful` is a JSON boolean, and `reply` names one whole reply as shown,
not any text it contains (a one-letter reply used to match every message)."""

from __future__ import annotations

import pytest

from bot.web.routes.feedback import reply_timestamp

SALARY = ("Un ingénieur en Machine Learning débutant gagne environ 50 k€ brut par an.\n\n"
          "Source : « Le métier et salaire d'ingénieur en Machine Learning » (Guide des métiers).")
GREETING = "Bonjour ! Je suis Boussole."
EVENTS = [
    {"event": "bot", "text": GREETING, "timestamp": 1.0},
    {"event": "user", "text": "combien gagne un ingé ML ?", "timestamp": 2.0},
    {"event": "bot", "text": SALARY, "timestamp": 3.0},
]


@pytest.mark.parametrize("reply, expected", [
    (SALARY, 3.0),  # the whole message (the history gives it whole)
    ("Un ingénieur en Machine Learning débutant gagne environ 50 k€ brut par an.", 3.0),  # a piece the REST channel sent
    ("Source : « Le métier et salaire d'ingénieur en Machine Learning » (Guide des métiers).", 3.0),
    ("  Bonjour !\n Je suis   Boussole. ", 1.0),  # whitespace aside
    ("e", None), ("B", None), ("Bonjour", None), ("50 k€", None), (SALARY[:-1], None), (SALARY + " !", None),
    ("combien gagne un ingé ML ?", None),  # a user message is not a reply
])
def test_a_reply_is_a_whole_message_or_a_piece_of_it_as_sent(reply, expected):
    assert reply_timestamp(EVENTS, reply) == expected


@pytest.fixture
def conversation(app, rasa):
    conversation_id = app.state.boussole.ids.new()
    rasa.trackers[conversation_id] = {"events": list(EVENTS)}
    return conversation_id


def press(client, conversation_id, reply, helpful):
    return client.post("/api/feedback", json={"conversation_id": conversation_id, "reply": reply, "helpful": helpful})


@pytest.mark.parametrize("helpful", ["yes", "true", 1, 0, "false", None, [], {}])
def test_helpful_must_be_a_json_boolean(client, conversation, rasa, helpful):
    response = press(client, conversation, GREETING, helpful)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("Champ « helpful » :")
    assert not rasa.appended


@pytest.mark.parametrize("reply", ["e", "Bonjour", "50 k€"])
def test_a_fragment_of_a_reply_is_refused_in_french(client, conversation, rasa, reply):
    response = press(client, conversation, reply, False)
    assert response.status_code == 404, response.text
    assert response.json() == {"code": "unknown_reply", "detail": "Cette réponse ne fait pas partie de la conversation : "
                                                                  "je ne peux pas enregistrer votre avis."}
    assert not rasa.appended


@pytest.mark.parametrize("helpful", [True, False])
def test_a_press_on_a_reply_as_shown_is_kept(client, conversation, rasa, helpful):
    response = press(client, conversation, "Un ingénieur en Machine Learning débutant gagne environ 50 k€ brut par an.", helpful)
    assert response.status_code == 200, response.text
    assert response.json()["helpful"] is helpful
    [(sender, event)] = rasa.appended
    assert sender == conversation and event["value"] == {"helpful": helpful, "reply_at": 3.0}
