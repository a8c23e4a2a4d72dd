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


def test_a_follow_up_of_suggestions_mistaken_for_another_intent_narrows_them():
    from actions.answer import ActionAnswer

    first, _ = run({"text": "les animaux", "entities": [], "intent": {"name": "discover", "confidence": 0.9},
                    "intent_ranking": []})
    slots = {e["name"]: e["value"] for e in first if e.get("event") == "slot"}
    for text, intent in [("et avec juste un bts ?", "ask_training"), ("autres métiers ?", "list_jobs")]:
        tracker = Tracker("t", slots, {"text": text, "entities": [], "intent": {"name": intent, "confidence": 0.8},
                                       "intent_ranking": []}, [], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = ActionAnswer().run(dispatcher, tracker, {})
        suggested = [e["value"] for e in events if e.get("name") == "suggested"]
        assert suggested and "France Travail associe ce métier" in dispatcher.messages[0]["text"], text
    # Once a métier is chosen (the job slot), « et avec un bts ? » is a question about it.
    tracker = Tracker("t", {**slots, "job": "A1501"}, {"text": "et avec juste un bts ?", "entities": [],
                      "intent": {"name": "ask_training", "confidence": 0.8}, "intent_ranking": []},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswer().run(dispatcher, tracker, {})
    assert "France Travail associe ce métier" not in dispatcher.messages[0]["text"]


def test_more_asked_with_nothing_suggested_is_answered_as_the_runner_up_intent():
    message = {"text": "et après quelques années, on évolue vers quoi d'autre ?", "entities": [],
               "intent": {"name": "discover_more", "confidence": 0.5},
               "intent_ranking": [{"name": "discover_more", "confidence": 0.5}, {"name": "ask_career", "confidence": 0.4}]}
    events, messages = run(message, {"job": "J1506"})
    assert "France Travail associe" not in messages[0]["text"]
    assert "J1506" in [e.get("value") for e in events if e.get("name") == "job"]
    assert "ask_career" in [e.get("value") for e in events if e.get("name") == "topic"]
