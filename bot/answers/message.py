"""A Rasa parse result (intent, entities, ranking) turned into a `Question`.

Shared by the action (with the conversation's slots) and by the NLU scorer
(bot/nlu_eval.py), so both believe the same job entities.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text

from bot.answers.question import Question
from bot.answers.turn import metier_id
from bot.knowledge import KnowledgeBase

# DIET alone sometimes tags a stray word as a job ("femme", "images"); below this
# confidence, a job it alone found is kept only if it names a known métier.
MIN_DIET_JOB_CONFIDENCE = 0.9
# A name of several words that nothing resolves (« apprivoiseur d'orages ») is a métier nobody knows,
# to be named back rather than dropped for the métier in context, from this confidence.
MIN_DIET_UNKNOWN_CONFIDENCE = 0.5
# No answer has more points than this many pages hold; a forged payload asks for no more.
MAX_PAGE = 50


def entity_values(message: Dict[Text, Any], name: str) -> List[str]:
    values = [str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") == name and e.get("value")]
    return list(dict.fromkeys(values))


def job_values(message: Dict[Text, Any], kb: KnowledgeBase) -> List[str]:
    """Job entities worth believing: found by lookup, confident, or a name the resolver knows."""
    by_lookup = {str(e.get("value")) for e in message.get("entities") or []
                 if e.get("entity") == "job" and e.get("extractor") != "DIETClassifier"}
    kept = []
    for e in message.get("entities") or []:
        value = str(e.get("value") or "")
        if e.get("entity") != "job":
            continue
        if metier_id(kb, value):  # a button's id (« J1506 »)
            kept.append(value)
            continue
        if sum(c.isalpha() for c in value) < 2:
            continue
        confidence = e.get("confidence_entity") or 0
        mentions = kb.finder.find("", [value])
        known = any(m.resolved for m in mentions)
        unknown = len(value.split()) >= 2 and confidence >= MIN_DIET_UNKNOWN_CONFIDENCE and not any(m.metiers for m in mentions)
        if e.get("extractor") != "DIETClassifier" or confidence >= MIN_DIET_JOB_CONFIDENCE or value in by_lookup \
                or known or unknown:
            kept.append(value)
    return list(dict.fromkeys(kept))


def _first(values: List[str]) -> Optional[str]:
    return values[0] if values else None


def question_from_message(message: Dict[Text, Any], kb: KnowledgeBase, job: Optional[str] = None,
                          last_facts: Sequence[str] = (), topic: Optional[str] = None,
                          job_name: Optional[str] = None) -> Question:
    """The question of one parsed message; `job`, `job_name`, `last_facts`, `topic`: the conversation so far."""
    return Question(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        jobs=job_values(message, kb),
        aspects=entity_values(message, "aspect"),
        experience_level=_first(entity_values(message, "experience_level")),
        region=_first(entity_values(message, "region")),
        context_job=job,
        context_job_name=job_name,
        last_facts=list(last_facts or []),
        context_topic=topic,
        ranking=[(r.get("name"), float(r.get("confidence") or 0)) for r in message.get("intent_ranking") or []],
        page=_page(entity_values(message, "page")),
    )


def _page(values: List[str]) -> int:
    """The page a « Voir plus » button asks for; anything else typed in a payload is page 1."""
    value = _first(values) or "1"
    return int(value) if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_PAGE else 1
