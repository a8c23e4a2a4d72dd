"""action_discover on trackers as Rasa sends them (rasa_sdk's Tracker), no model needed."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.discover import ActionDiscover


def run(message: dict, slots: dict | None = None):
    tracker = Tracker("t", slots or {}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    return ActionDiscover().run(dispatcher, tracker, {}), dispatcher.messages


def test_a_request_read_as_discovery_that_names_a_metier_and_no_interest_is_answered_about_it(kb):
    message = {"text": "ma fille voudrait devenir infirmière, vous en pensez quoi ?", "entities": [],
               "intent": {"name": "discover", "confidence": 0.6},
               "intent_ranking": [{"name": "discover", "confidence": 0.6}, {"name": "ask_outlook", "confidence": 0.3}]}
    events, messages = run(message)
    assert "J1506" in [e.get("value") for e in events if e.get("name") == "job"]
    assert "personnes en emploi" in messages[0]["text"]  # the outlook of the fiche, not suggestions


def test_suggestions_set_the_discovery_slots_and_clear_the_metier_in_context():
    message = {"text": "j'adore les animaux", "entities": [{"entity": "interest", "value": "animaux"}],
               "intent": {"name": "discover", "confidence": 0.99}, "intent_ranking": []}
    events, messages = run(message, {"job": "J1506"})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["interests"] == ["17"] and len(slots["suggested"]) == 5 and slots["job"] is None
    assert len(messages[0]["buttons"]) >= 7


def test_a_quiz_answer_press_is_kept_and_the_next_question_asked():
    message = {"text": '/riasec_test{"riasec_answer":"0:2"}', "entities": [{"entity": "riasec_answer", "value": "0:2"}],
               "intent": {"name": "riasec_test", "confidence": 1.0}, "intent_ranking": []}
    events, messages = run(message, {"quiz_answers": []})
    assert {"event": "slot", "timestamp": None, "name": "quiz_answers", "value": ["0:2"]} in events
    assert messages[0]["text"].startswith("Question 2/12")
