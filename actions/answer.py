"""The one custom action: answer a question about a métier from the knowledge."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Question, compose_answer
from bot.answers.templates import UNCHECKED_REPLY
from bot.answers.verify import check_composed
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import get_settings

log = logging.getLogger(__name__)

APOLOGY = "Désolé, je n'ai pas pu préparer ma réponse. Pouvez-vous reformuler votre question ?"


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    return load_knowledge(get_settings().knowledge_dir)


# DIET alone sometimes tags a stray word as a job ("femme", "images"); below this
# confidence, a job it alone found is kept only if it names a known métier.
MIN_DIET_JOB_CONFIDENCE = 0.9


def _entity_values(message: Dict[Text, Any], name: str) -> List[str]:
    values = [str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") == name and e.get("value")]
    return list(dict.fromkeys(values))


def _job_values(message: Dict[Text, Any], kb: KnowledgeBase) -> List[str]:
    """Job entities worth believing: found by lookup, confident, or a known name."""
    by_lookup = {str(e.get("value")) for e in message.get("entities") or []
                 if e.get("entity") == "job" and e.get("extractor") != "DIETClassifier"}
    kept = []
    for e in message.get("entities") or []:
        value = str(e.get("value") or "")
        if e.get("entity") != "job" or sum(c.isalpha() for c in value) < 2:
            continue
        confident = (e.get("confidence_entity") or 0) >= MIN_DIET_JOB_CONFIDENCE
        known = kb.find_job(value) or kb.catalogue.find(value)
        if e.get("extractor") != "DIETClassifier" or confident or value in by_lookup or known:
            kept.append(value)
    return list(dict.fromkeys(kept))


def _first(values: List[str]) -> Optional[str]:
    return values[0] if values else None


def question_from_tracker(tracker: Tracker) -> Question:
    message = tracker.latest_message or {}
    return Question(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        jobs=_job_values(message, knowledge()),
        aspects=_entity_values(message, "aspect"),
        experience_level=_first(_entity_values(message, "experience_level")),
        region=_first(_entity_values(message, "region")),
        context_job=tracker.get_slot("job"),
        last_facts=tracker.get_slot("last_facts") or [],
        context_topic=tracker.get_slot("topic"),
        ranking=[(r.get("name"), float(r.get("confidence") or 0)) for r in message.get("intent_ranking") or []],
    )


def report_notes(templates: List[str], gaps: List[str]) -> Dict[Text, Any]:
    """Kept with the bot message in Rasa's tracker (the BotUttered event's metadata) and never
    sent to the person: what the reply was framed with and what it says the sheet lacks,
    for the operator's report (`boussole report`)."""
    return {"boussole": {"templates": templates, "gaps": gaps}}


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        question = question_from_tracker(tracker)
        kb = knowledge()
        try:
            reply = compose_answer(kb, question)
        except Exception:  # a bad turn must not end the conversation
            log.exception("action.answer.failed intent=%s", question.intent)
            dispatcher.utter_message(text=APOLOGY, **report_notes(["APOLOGY"], []))
            return []
        templates = [name for name, _ in reply.templates]
        if reply.response:
            dispatcher.utter_message(response=reply.response, **report_notes([reply.response, *templates], reply.gaps))
            return [SlotSet("job", reply.job)]
        unsupported = check_composed(kb, question, reply)
        if unsupported:
            log.error("action.answer.unchecked intent=%s templates=%s unsupported=%s",
                      question.intent, reply.templates, [(u.kind, u.value) for u in unsupported])
            dispatcher.utter_message(text=UNCHECKED_REPLY, **report_notes(["UNCHECKED_REPLY"], []))
            return []
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons, **report_notes(templates, reply.gaps))
        events = [SlotSet("job", reply.job), SlotSet("last_facts", reply.facts)]
        return events + ([SlotSet("topic", reply.topic)] if reply.topic else [])
