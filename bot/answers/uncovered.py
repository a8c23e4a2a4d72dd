"""Subjects no source covers (data/answers/uncovered.yml): VAE, CPF, Parcoursup, an opinion."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, Extra

from bot.answers.topics import ANSWERS_DIR
from bot.knowledge.base import KnowledgeBase

UNCOVERED_FILE = ANSWERS_DIR / "uncovered.yml"


class Subject(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False

    label: str
    terms: list[str]
    reply: str


class Subjects(BaseModel):
    class Config:
        extra = Extra.forbid

    subjects: dict[str, Subject]


@lru_cache(maxsize=None)
def load_subjects(path: Path = UNCOVERED_FILE) -> Subjects:
    try:
        return Subjects.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise ValueError(f"{path}: invalid list of uncovered subjects: {exc}") from exc


def uncovered_subject(kb: KnowledgeBase, text: str) -> Optional[Subject]:
    """The first subject of the table the question names, in the resolver's normalisation."""
    grammar = kb.finder.index.grammar
    words = grammar.words(text)
    for subject in load_subjects().subjects.values():
        for term in subject.terms:
            key = grammar.words(term)
            if key and any(words[i:i + len(key)] == key for i in range(len(words) - len(key) + 1)):
                return subject
    return None
