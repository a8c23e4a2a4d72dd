"""The short RIASEC quiz (data/knowledge/discovery/riasec.yml): its questions, and the profile its
answers give (the points of each answer summed per letter; the two strongest letters)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Union

import yaml

RIASEC_FILE = Path("discovery") / "riasec.yml"
LETTERS = "RIASEC"  # Holland's order: ties between letters keep it


@dataclass(frozen=True)
class Answer:
    title: str
    points: int


@dataclass(frozen=True)
class Question:
    letter: str
    text: str


@dataclass(frozen=True)
class Quiz:
    names: Mapping[str, str]  # letter → « Réaliste »
    plain: Mapping[str, str]  # letter → what the type likes, in plain words
    answers: tuple[Answer, ...]
    questions: tuple[Question, ...]

    @classmethod
    def load(cls, knowledge_dir: Union[str, Path]) -> "Quiz":
        path = Path(knowledge_dir) / RIASEC_FILE
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        letters = doc.get("letters") or {}
        missing = [letter for letter in LETTERS if letter not in letters]
        if missing:
            raise ValueError(f"{path}: letters: missing {', '.join(missing)}")
        questions = tuple(Question(str(q["letter"]), str(q["text"])) for q in doc.get("questions") or ())
        wrong = [i for i, q in enumerate(questions) if q.letter not in LETTERS]
        if wrong or not questions:
            raise ValueError(f"{path}: questions[{wrong[0] if wrong else 0}]: a question needs a letter of {LETTERS}")
        return cls({k: str(v["name"]) for k, v in letters.items()}, {k: str(v["plain"]) for k, v in letters.items()},
                   tuple(Answer(str(a["title"]), int(a["points"])) for a in doc.get("answers") or ()), questions)

    def answered(self, answers: Iterable[str]) -> dict[int, int]:
        """The answers kept in the conversation (« 3:2 »: question 3 got 2 points), the last per question."""
        kept: dict[int, int] = {}
        for item in answers:
            index, _, points = str(item).partition(":")
            if index.isdigit() and points.lstrip("-").isdigit() and int(index) < len(self.questions):
                kept[int(index)] = int(points)
        return kept

    def next_question(self, answers: Iterable[str]) -> Optional[int]:
        done = self.answered(answers)
        return next((i for i in range(len(self.questions)) if i not in done), None)

    def profile(self, answers: Iterable[str]) -> list[str]:
        """The two strongest letters, strongest first; fewer when the answers leave letters at zero."""
        scores = {letter: 0 for letter in LETTERS}
        for index, points in self.answered(answers).items():
            scores[self.questions[index].letter] += points
        ranked = sorted(LETTERS, key=lambda letter: -scores[letter])
        return [letter for letter in ranked[:2] if scores[letter] > 0]
