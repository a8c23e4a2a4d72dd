"""action_answer reads the tracker and returns the reply and the context slots."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer


def tracker(intent, entities=(), slots=None, text="..."):
    return Tracker.from_dict({
        "sender_id": "test",
        # A conversation about the guide's métier unless told otherwise (several sheets: no default job).
        "slots": {"job": "ingenieur-machine-learning", **(slots or {})},
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


def test_a_fiche_is_kept_in_the_slot_by_its_code_and_an_unknown_name_clears_it():
    messages, slots = run(tracker("ask_employers", [{"entity": "job", "value": "kiné"}]))
    assert "Kinésithérapeute" in messages[0]["text"] and slots["job"] == "J1404"
    messages, slots = run(tracker("ask_employers", [{"entity": "job", "value": "dresseur de licornes"}],
                                  text="où travaille un dresseur de licornes ?"))
    assert "« dresseur de licornes »" in messages[0]["text"] and slots["job"] is None


def test_source_uses_last_facts():
    facts = ["ingenieur-machine-learning:skill_english"]
    messages, slots = run(tracker("ask_source", slots={"job": "ingenieur-machine-learning", "last_facts": facts}))
    assert "principalement à l'écrit" in messages[0]["text"] and slots["last_facts"] == facts


def test_an_unexpected_intent_gets_an_apology_not_a_crash():
    messages, slots = run(tracker("bot_challenge"))
    assert messages[0]["text"].startswith("Désolé") and slots == {}


def test_stray_low_confidence_job_from_diet_is_ignored():
    stray = {"entity": "job", "value": "femme", "extractor": "DIETClassifier", "confidence_entity": 0.87}
    messages, slots = run(tracker("ask_outlook", [stray], text="ça a de l'avenir pour une femme ?"))
    assert "femme" not in messages[0]["text"] and slots["job"] == "ingenieur-machine-learning"


def test_confident_or_looked_up_jobs_are_kept():
    confident = {"entity": "job", "value": "ostéo", "extractor": "DIETClassifier", "confidence_entity": 0.99}
    messages, _ = run(tracker("ask_salary", [confident]))
    assert "« Ostéopathe »" in messages[0]["text"]
    looked_up = {"entity": "job", "value": "kiné", "extractor": "RegexEntityExtractor"}
    messages, _ = run(tracker("ask_salary", [looked_up]))
    assert "« Kinésithérapeute »" in messages[0]["text"]


def test_unsure_question_gets_the_clarifying_buttons_and_keeps_the_job():
    t = tracker("nlu_fallback", slots={"job": "ingenieur-machine-learning"}, text="et pour la suite ?")
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.3},
                                          {"name": "ask_career", "confidence": 0.28},
                                          {"name": "ask_training", "confidence": 0.25}]
    messages, slots = run(t)
    assert messages[0]["text"].startswith("Je ne suis pas sûr de bien comprendre")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_career", "/ask_training"]
    assert slots["job"] == "ingenieur-machine-learning"


def test_confident_out_of_scope_is_the_domain_refusal():
    t = tracker("out_of_scope", text="quel temps fait-il ?")
    t.latest_message["intent_ranking"] = [{"name": "out_of_scope", "confidence": 0.99}]
    messages, _ = run(t)
    assert messages == [{**messages[0], "response": "utter_out_of_scope"}] and not messages[0].get("text")
