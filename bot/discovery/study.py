"""How long studies last: a fiche's shortest level from its access text, and a person's limit from theirs.

Levels and their patterns are data (data/knowledge/discovery/study_levels.yml). A level is its rank
in that list, shortest first: a fiche is open to a person whose limit is at least its rank; a fiche
whose access text names no level is open to everyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence, Union

import yaml

from bot.resolve.names import Grammar

LEVELS_FILE = Path("discovery") / "study_levels.yml"
SHORTER = "shorter"


@dataclass(frozen=True)
class Level:
    id: str
    rank: int
    said: str
    button: Optional[str]
    patterns: tuple[re.Pattern, ...]


class StudyLevels:
    def __init__(self, grammar: Grammar, levels: Sequence[Level], asked: Mapping[tuple, str]):
        self.grammar = grammar
        self.levels = list(levels)
        self.by_id = {level.id: level for level in levels}
        self.asked = dict(asked)
        self._longest = max((len(k) for k in self.asked), default=1)

    @classmethod
    def load(cls, knowledge_dir: Union[str, Path]) -> "StudyLevels":
        path = Path(knowledge_dir) / LEVELS_FILE
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        grammar = Grammar.load(knowledge_dir)
        levels = []
        for rank, item in enumerate(doc.get("levels") or ()):
            try:
                patterns = tuple(re.compile(p, re.IGNORECASE) for p in item.get("patterns") or ())
            except re.error as exc:
                raise ValueError(f"{path}: levels[{rank}] ({item.get('id')}): bad pattern: {exc}") from exc
            levels.append(Level(str(item["id"]), rank, str(item.get("said") or item["id"]), item.get("button"), patterns))
        ids = {level.id for level in levels} | {SHORTER}
        asked = {}
        for phrase, level in (doc.get("asked") or {}).items():
            if str(level) not in ids:
                raise ValueError(f"{path}: asked[{phrase!r}]: unknown level {level!r} (known: {sorted(ids)})")
            asked[tuple(grammar.words(str(phrase)))] = str(level)
        return cls(grammar, levels, asked)

    @property
    def choices(self) -> list[Level]:
        """The levels a person picks from (those with a button)."""
        return [level for level in self.levels if level.button]

    def fiche_rank(self, fiche: Mapping) -> Optional[int]:
        """The shortest level the fiche's access text names (None: it names none)."""
        text = " ".join(fiche.get("access") or ())
        ranks = [level.rank for level in self.levels if any(p.search(text) for p in level.patterns)]
        return min(ranks) if ranks else None

    def asked_in(self, text: str) -> Optional[str]:
        """The limit a person's text asks for: a level id, SHORTER, or None."""
        words = self.grammar.words(text)
        for n in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if tuple(words[i:i + n]) in self.asked:
                    return self.asked[tuple(words[i:i + n])]
        named = [level for level in self.levels if level.button and any(p.search(text) for p in level.patterns)]
        return named[-1].id if named else None  # « un bac ou un bac+2 » : the longer one is the limit

    def rank(self, level_id: Optional[str]) -> Optional[int]:
        level = self.by_id.get(level_id or "")
        return level.rank if level else None

    def shorter_than(self, rank: int) -> Level:
        """The level just below `rank` (never below the first)."""
        return self.levels[max(0, min(rank, len(self.levels)) - 1)]

    @staticmethod
    def open_to(fiche_rank: Optional[int], limit: Optional[int]) -> bool:
        return limit is None or fiche_rank is None or fiche_rank <= limit
