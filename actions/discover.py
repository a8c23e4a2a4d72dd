"""Help someone choose a métier: ask what they like, then suggest ROME 4.0 fiches to explore."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import copy

from actions.answer import APOLOGY, ActionAnswer, bounded, knowledge, report_notes
from bot.answers import templates as T
from bot.answers.message import entity_values
from bot.answers.message import question_from_message
from bot.answers.turn import resolve_turn
from bot.discovery.conversation import INTENTS as DISCOVERY_INTENTS
from bot.discovery.conversation import DiscoveryTurn, discovery_reply, misplaced_more, tools

log = logging.getLogger(__name__)

# Reply slots (bot/discovery/conversation.py) → the domain's slots.
SLOTS = {"centres": "interests", "limit": "study_limit", "shown": "suggested", "quiz_answers": "quiz_answers"}


def _first(values: List[str]) -> Optional[str]:
    return values[0] if values else None


def turn_from_tracker(tracker: Tracker) -> DiscoveryTurn:
    message = bounded(tracker.latest_message or {})
    return DiscoveryTurn(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        interests=entity_values(message, "interest"),
        group=_first(entity_values(message, "interest_group")),
        study_level=_first(entity_values(message, "study_level")),
        riasec_answer=_first(entity_values(message, "riasec_answer")),
        centres=tracker.get_slot("interests") or [],
        limit=tracker.get_slot("study_limit"),
        shown=tracker.get_slot("suggested") or [],
        quiz_answers=tracker.get_slot("quiz_answers") or [],
    )


def named_metier_topic(tracker: Tracker) -> Optional[str]:
    """The topic to answer when a request read as discovery names a métier and no interest
    (« ma fille veut être infirmière, c'est un bon choix ? »): the likeliest topic, else what it is."""
    message = bounded(tracker.latest_message or {})
    text = message.get("text") or ""
    if text.startswith("/"):
        return None
    kb = knowledge()
    if tools(kb).interests.centres_in(text, entity_values(message, "interest")):
        return None
    question = question_from_message({**message, "intent": {"name": "ask_definition"}}, kb)
    if not resolve_turn(kb, question).metiers:
        return None
    ranked = [r.get("name") for r in message.get("intent_ranking") or [] if str(r.get("name")).startswith("ask_")]
    return ranked[0] if ranked else "ask_definition"


class ActionDiscover(Action):
    def name(self) -> Text:
        return "action_discover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        runner_up = next((r.get("name") for r in message.get("intent_ranking") or []
                          if r.get("name") not in DISCOVERY_INTENTS + ("nlu_fallback",)), None)
        if runner_up and misplaced_more(intent, message.get("text") or "", tracker.get_slot("suggested") or [],
                                        tracker.get_slot("interests") or [], tracker.get_slot("quiz_answers") or []):
            log.info("action.discover.more_of_nothing answered_as=%s", runner_up)
            asked = copy.copy(tracker)
            asked.latest_message = {**message, "intent": {"name": runner_up, "confidence": 1.0}}
            return ActionAnswer().run(dispatcher, asked, domain)
        try:
            topic = named_metier_topic(tracker)
        except Exception:  # the discovery reply still comes
            log.exception("action.discover.named_metier_failed")
            topic = None
        if topic is not None:  # answered as the question about that métier it is
            log.info("action.discover.named_metier topic=%s", topic)
            asked = copy.copy(tracker)
            asked.latest_message = {**(tracker.latest_message or {}), "intent": {"name": topic, "confidence": 1.0}}
            return ActionAnswer().run(dispatcher, asked, domain)
        turn = turn_from_tracker(tracker)
        try:
            with T.recording() as used:
                reply = discovery_reply(knowledge(), turn)
        except Exception:  # a bad turn must not end the conversation
            log.exception("action.discover.failed intent=%s", turn.intent)
            dispatcher.utter_message(text=APOLOGY, **report_notes(["APOLOGY"], []))
            return []
        templates = [name for name, _ in used]
        # A typed request with an interest the NLU saw but no centre resolved: the report lists it.
        missed = not turn.text.startswith("/") and bool(turn.interests) and "DISCOVER_ASK" in templates
        notes = report_notes(templates, [])
        notes["boussole"]["discovery_missed"] = missed
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons, **notes)
        log.info("action.discover intent=%s suggested=%s", turn.intent, reply.suggested)
        events = [SlotSet(SLOTS[key], value) for key, value in reply.slots.items()]
        if reply.suggested:  # the next question is about whichever métier the person picks
            events += [SlotSet("job", None), SlotSet("job_name", None)]
        return events
