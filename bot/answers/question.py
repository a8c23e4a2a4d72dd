"""A question as the answers see it: intent, entities, conversation context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class Question:
    intent: str
    text: str = ""
    jobs: Sequence[str] = ()
    aspects: Sequence[str] = ()
    experience_level: Optional[str] = None
    region: Optional[str] = None
    context_job: Optional[str] = None
    # How the person named the métier in context, when its fiche titles it otherwise (« avocat »).
    context_job_name: Optional[str] = None
    last_facts: Sequence[str] = ()
    # The topic intent the previous answer was about, for « et pour un data analyst ? ».
    context_topic: Optional[str] = None
    # The classifier's intents with their confidence, best first (nlu_fallback left out).
    ranking: Sequence[tuple[str, float]] = ()
    # Which page of a long answer (« Voir plus » asks for the next one).
    page: int = 1
