"""The topic table (data/answers/topics.yml): one record per question topic, read once.

The reply builders, the clarifying question, the suggestion buttons and the
checks of the domain all read it; nothing about a topic is written elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Mapping, Optional

import yaml
from pydantic import BaseModel, Extra, Field

from bot.settings import PROJECT_ROOT

ANSWERS_DIR = PROJECT_ROOT / "data" / "answers"
TOPICS_FILE = ANSWERS_DIR / "topics.yml"
# The parts of a ROME 4.0 fiche a topic may read (bot/answers/fiche.py renders each).
RomePart = Literal["definition", "missions", "employers", "skills", "access", "conditions", "mobilities", "tags", "none"]


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Topic(_Strict):
    intent: str
    section: str
    rome: RomePart
    label: str
    intro: str
    rome_intro: str
    choice: str
    button: str
    layout: Literal["list", "paragraph"]
    suggested: bool = False
    # A sheet's answer on this topic is followed by its ROME fiche's part, under its own source
    # (the guide tells a career's steps, France Travail the métiers it leads to).
    rome_too: bool = False


class Choice(_Strict):
    choice: str
    button: str
    suggested: bool = False


class TopicTable(_Strict):
    topics: list[Topic]
    choices: dict[str, Choice] = {}
    # The points (« - » lines) one reply says at most; the rest comes on « Voir plus ».
    points_per_reply: int = Field(5, ge=1)

    def by_intent(self) -> Mapping[str, Topic]:
        return {t.intent: t for t in self.topics}

    def topic(self, intent: str) -> Optional[Topic]:
        return self.by_intent().get(intent)


@lru_cache(maxsize=None)
def load_topics(path: Path = TOPICS_FILE) -> TopicTable:
    """The table; a malformed file fails at import with pydantic's field-by-field message and the path."""
    try:
        return TopicTable.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise ValueError(f"{path}: invalid topic table: {exc}") from exc
