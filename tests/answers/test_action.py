"""action_answer reads the tracker and returns the reply and the context slots."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer


def tracker(intent, entities=(), slots=None, text="..."):
    return Tracker.from_dict({
        "sender_id": "test",
        "slots": slots or {},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def run(t):
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, t, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_question_sets_job_and_facts():
    messages, slots = run(tracker("ask_salary", [{"entity": "job", "value": "ingenieur-machine-learning"}]))
    assert "50 k€" in messages[0]["text"] and messages[0]["buttons"]
    assert slots["job"] == "ingenieur-machine-learning"
    assert "ingenieur-machine-learning:salary_junior_idf" in slots["last_facts"]


def test_follow_up_uses_the_job_slot_and_entities():
    messages, _ = run(tracker("ask_salary", [{"entity": "experience_level", "value": "senior"}], {"job": "ingenieur-machine-learning"}))
    assert "ne donne pas de salaire pour un profil senior" in messages[0]["text"]


def test_unknown_job_is_kept_in_the_slot():
    messages, slots = run(tracker("ask_employers", [{"entity": "job", "value": "kiné"}]))
    assert "« kiné »" in messages[0]["text"] and slots["job"] == "kiné"


def test_source_uses_last_facts():
    facts = ["ingenieur-machine-learning:skill_english"]
    messages, slots = run(tracker("ask_source", slots={"job": "ingenieur-machine-learning", "last_facts": facts}))
    assert "principalement à l'écrit" in messages[0]["text"] and slots["last_facts"] == facts


def test_an_unexpected_intent_gets_an_apology_not_a_crash():
    messages, slots = run(tracker("greet"))
    assert messages[0]["text"].startswith("Désolé") and slots == {}
