"""The one custom action: answer a question about a métier from the knowledge."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Question, compose_answer
from bot.answers.message import question_from_message
from bot.answers.search import MAX_QUESTION_CHARS
from bot.answers.templates import UNCHECKED_REPLY
from bot.answers.turn import resolve_turn
from bot.answers.verify import check_composed
from bot.discovery.conversation import continues_discovery
from bot.knowledge import KnowledgeBase, shared_knowledge
from bot.settings import get_settings

log = logging.getLogger(__name__)

APOLOGY = "Désolé, je n'ai pas pu préparer ma réponse. Pouvez-vous reformuler votre question ?"


def knowledge() -> KnowledgeBase:
    # The process's one copy: the public service that runs this action loaded it at start-up.
    return shared_knowledge(Path(get_settings().knowledge_dir).resolve())


def question_from_tracker(tracker: Tracker) -> Question:
    return question_from_message(bounded(tracker.latest_message or {}), knowledge(), job=tracker.get_slot("job"),
                                 last_facts=tracker.get_slot("last_facts") or [], topic=tracker.get_slot("topic"),
                                 job_name=tracker.get_slot("job_name"))


def bounded(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """The parsed message with its text cut to MAX_QUESTION_CHARS.

    Finding the métiers named, searching the sheet and checking the reply each read the whole
    text: a forged 1 MB question took seconds of CPU. No channel sends more than 2,000
    characters (BOUSSOLE_MAX_MESSAGE_CHARS), so a real question is never cut at the default.
    """
    text = message.get("text")
    if not isinstance(text, str) or len(text) <= MAX_QUESTION_CHARS:
        return message
    log.warning("action.answer.text_cut chars=%d kept=%d", len(text), MAX_QUESTION_CHARS)
    return {**message, "text": text[:MAX_QUESTION_CHARS]}


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
        if self._continues_discovery(kb, question, tracker):
            from actions.discover import ActionDiscover  # the two actions hand turns to each other

            log.info("action.answer.discovery_follow_up intent=%s", question.intent)
            more = copy.copy(tracker)
            more.latest_message = {**(tracker.latest_message or {}), "intent": {"name": "discover_more", "confidence": 1.0}}
            return ActionDiscover().run(dispatcher, more, domain)
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
        events = [SlotSet("job", reply.job), SlotSet("job_name", reply.job_name), SlotSet("last_facts", reply.facts)]
        return events + ([SlotSet("topic", reply.topic)] if reply.topic else [])

    @staticmethod
    def _continues_discovery(kb: KnowledgeBase, question: Question, tracker: Tracker) -> bool:
        shown = tracker.get_slot("suggested") or []
        if not shown:  # no suggestions on screen: the usual answer, the turn resolved once (in compose)
            return False
        try:
            return continues_discovery(kb, question.intent, question.text, shown, tracker.get_slot("job"),
                                       resolve_turn(kb, question).named)
        except Exception:  # the answer still comes
            log.exception("action.answer.discovery_check_failed")
            return False
