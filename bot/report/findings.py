"""Turns rebuilt from a conversation's events, and what went wrong in them, grouped and ranked.

A turn is a user message, the bot messages that answered it and the
opinion given on them. It is a finding when:

- fallback: the classifier was unsure (nlu_fallback); the intent it would
  have guessed is the best of its ranking; or a discovery request said an
  interest (the NLU tagged one) that no centre d'intérêt resolves, as noted
  by action_discover;
- out_of_scope: the classifier said the question is out of Boussole's scope;
- low_confidence: another intent, below the confidence threshold;
- no_answer: a reply said the sheet has nothing on a facet (télétravail,
  salaire d'un profil senior, a métier without a sheet…), as noted by
  action_answer in the bot message's metadata;
- unhelpful: the person pressed « pas utile » on a reply.

Questions are grouped by their folded text (case, accents, punctuation), shown
in their most frequent wording, and ranked by how often they came, then how recently.
Quick-reply presses (payloads such as /ask_salary) are not questions anyone
typed: they count only when judged unhelpful.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from bot.text import fold

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
FEEDBACK_SLOT = "feedback"  # domain.yml's slot that POST /api/feedback sets (bot/web/routes/feedback.py)
DEFAULT_THRESHOLD = 0.5
REPLY_EXCERPT_CHARS = 160
SECTIONS = ("fallback", "out_of_scope", "low_confidence", "no_answer", "unhelpful")


@dataclass
class Turn:
    text: str
    intent: str
    confidence: float  # of the guessed intent
    guessed_intent: str  # the intent the model would pick, nlu_fallback set aside
    at: float
    replies: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    helpful: Optional[bool] = None
    discovery_missed: bool = False  # an interest said that no centre d'intérêt resolves

    @property
    def typed(self) -> bool:
        """Typed by the person, not a quick reply's payload."""
        return not self.text.startswith("/")


def feedback_of(event: dict[str, Any]) -> Optional[tuple[float, bool]]:
    """(timestamp of the judged reply, helpful) for a feedback slot event, None for any other event."""
    value = event.get("value")
    if event.get("event") == "slot" and event.get("name") == FEEDBACK_SLOT and isinstance(value, dict):
        return value.get("reply_at"), bool(value.get("helpful"))
    return None


def turns_of(events: Iterable[dict[str, Any]]) -> list[Turn]:
    """A conversation's turns, with each reply's gaps and the last opinion given on it."""
    turns: list[Turn] = []
    by_reply: dict[float, Turn] = {}
    for event in events:
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            # After a fallback, the best of the ranking is what the model would have said, and how sure it was.
            ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
            guess = ranking[0] if ranking and intent.get("name") == FALLBACK_INTENT else intent
            turns.append(Turn(
                text=event["text"], intent=intent.get("name") or "", confidence=float(guess.get("confidence") or 0),
                guessed_intent=guess.get("name") or "", at=float(event.get("timestamp") or 0),
            ))
        elif kind == "bot" and turns:
            turn = turns[-1]
            if event.get("text"):
                turn.replies.append(event["text"])
            notes = (event.get("metadata") or {}).get("boussole") or {}
            turn.gaps += [g for g in notes.get("gaps") or [] if g not in turn.gaps]
            turn.discovery_missed = turn.discovery_missed or bool(notes.get("discovery_missed"))
            if event.get("timestamp") is not None:
                by_reply[float(event["timestamp"])] = turn
        elif feedback_of(event) is not None:
            reply_at, helpful = feedback_of(event)
            if reply_at in by_reply:
                by_reply[reply_at].helpful = helpful
    return turns


def sections_of(turn: Turn, threshold: float) -> list[str]:
    """The report sections a turn belongs to (none for a turn that went well)."""
    found = []
    if turn.typed:
        if turn.intent == FALLBACK_INTENT or turn.discovery_missed:
            found.append("fallback")
        elif turn.intent == OUT_OF_SCOPE_INTENT:
            found.append("out_of_scope")
        elif turn.confidence < threshold:
            found.append("low_confidence")
        if turn.gaps:
            found.append("no_answer")
    if turn.helpful is False:
        found.append("unhelpful")
    return found


@dataclass
class Group:
    """One question however people wrote it: the most frequent wording (then the earliest) stands for the rest."""

    wordings: dict[str, list[float]] = field(default_factory=dict)  # wording -> [count, first seen]
    count: int = 0
    conversations: int = 0
    last_at: float = 0.0
    intents: Counter = field(default_factory=Counter)
    confidence_sum: float = 0.0
    replies: Counter = field(default_factory=Counter)

    @property
    def text(self) -> str:
        return max(self.wordings.items(), key=lambda item: (item[1][0], -item[1][1]))[0]

    def add(self, turn: Turn, new_conversation: bool) -> None:
        seen = self.wordings.setdefault(turn.text, [0, turn.at])
        seen[0], seen[1] = seen[0] + 1, min(seen[1], turn.at)
        self.count += 1
        self.conversations += new_conversation
        self.last_at = max(self.last_at, turn.at)
        self.intents[turn.guessed_intent] += 1
        self.confidence_sum += turn.confidence
        if turn.replies:
            self.replies[_excerpt(" ".join(turn.replies))] += 1

    def as_row(self) -> dict[str, Any]:
        return {
            "text": self.text, "count": self.count, "conversations": self.conversations,
            "guessed_intent": self.intents.most_common(1)[0][0] if self.intents else "",
            "confidence": round(self.confidence_sum / self.count, 3) if self.count else None,
            "reply": self.replies.most_common(1)[0][0] if self.replies else "",
            "last_seen": self.last_at,
        }


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REPLY_EXCERPT_CHARS else text[:REPLY_EXCERPT_CHARS - 1].rstrip() + "…"


class Findings:
    """Everything a report says, gathered one conversation at a time."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self.conversations = 0
        self.turns = 0
        self._groups: dict[str, dict[str, Group]] = {name: {} for name in SECTIONS}
        self._facets: dict[str, dict[str, Group]] = defaultdict(dict)
        self.first_at: Optional[float] = None
        self.last_at: Optional[float] = None

    def add_conversation(self, events: Iterable[dict[str, Any]]) -> None:
        turns = turns_of(events)
        if not turns:
            return
        self.conversations += 1
        self.turns += len(turns)
        self.first_at = min(self.first_at or turns[0].at, turns[0].at)
        self.last_at = max(self.last_at or turns[-1].at, turns[-1].at)
        seen: set[tuple[str, str]] = set()  # (section or facet, key) already counted for this conversation
        for turn in turns:
            key = fold(turn.text) or turn.text
            for section in sections_of(turn, self.threshold):
                if section == "no_answer":
                    for facet in turn.gaps:
                        self._add(self._facets[facet], f"facet:{facet}", key, turn, seen)
                self._add(self._groups[section], section, key, turn, seen)

    @staticmethod
    def _add(groups: dict[str, Group], scope: str, key: str, turn: Turn, seen: set) -> None:
        group = groups.setdefault(key, Group())
        group.add(turn, (scope, key) not in seen)
        seen.add((scope, key))

    def ranked(self, section: str) -> list[dict[str, Any]]:
        return [g.as_row() for g in _rank(self._groups[section].values())]

    def facets(self) -> list[dict[str, Any]]:
        """The facets replies said the sheet lacks, most asked first, each with its questions."""
        rows = []
        for facet, groups in self._facets.items():
            questions = [g.as_row() for g in _rank(groups.values())]
            rows.append({"facet": facet, "count": sum(q["count"] for q in questions),
                         "last_seen": max(q["last_seen"] for q in questions), "questions": questions})
        return sorted(rows, key=lambda r: (-r["count"], -r["last_seen"], r["facet"]))


def _rank(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.count, -g.last_at, g.text))
