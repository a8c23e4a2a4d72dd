"""What one turn is about, decided once: the topic, the métiers named, the name nothing resolves.

Every name goes through the one resolver of bot/resolve/ (the NLU's job entities
and the text itself). A métier is an id: a hand-made sheet's id or a ROME 4.0
code. The conversation's métier is used only when the turn names none: a name
that resolves to nothing is named back, never answered with the context's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from bot.answers.question import Question
from bot.knowledge.base import KnowledgeBase
from bot.resolve.distinctive import sheet_of_distinctive_term
from bot.resolve.mentions import MAX_CHOICES, Mention

# A button's payload names its métier by id: « /ask_salary{"job":"J1506"} ».
_ROME_CODE = re.compile(r"^[A-Za-z]\d{4}$")


@dataclass(frozen=True)
class Turn:
    topic: str
    # The métiers named in this turn (ids, in the order named), not counting the person's own job.
    metiers: tuple[str, ...] = ()
    # How the person wrote each of them (a button's id as is), same order.
    written: tuple[str, ...] = ()
    # A name several métiers share and none of them titles (« infirmière »): the ids to choose from.
    choices: tuple[str, ...] = ()
    choice_name: Optional[str] = None
    # A name written as a métier that nothing resolves (« dresseur de licornes »).
    unknown: Optional[str] = None
    # The person's own job (« je suis comptable »): never the métier asked about.
    own: tuple[str, ...] = ()
    # The conversation's métier, when still valid.
    context: Optional[str] = None
    aspects: tuple[str, ...] = ()
    level: Optional[str] = None
    region: Optional[str] = None

    @property
    def named(self) -> bool:
        return bool(self.metiers or self.choices or self.unknown)

    @property
    def target(self) -> Optional[str]:
        """The métier answered about: the first named, else the context when the turn names nothing."""
        if self.metiers:
            return self.metiers[0]
        return None if self.named or self.own else self.context


def metier_id(kb: KnowledgeBase, value: Optional[str]) -> Optional[str]:
    """`value` when it is a métier id (a sheet id, a ROME code in any case), else None."""
    if not value:
        return None
    if value in kb.sheets:
        return value
    code = value.strip().upper()
    return code if _ROME_CODE.match(code) and code in kb.fiches else None


def context_metier(kb: KnowledgeBase, value: Optional[str]) -> Optional[str]:
    """The conversation's métier as an id (older conversations kept a name: resolved once more)."""
    known = metier_id(kb, value)
    if known or not value:
        return known
    found = [m for m in kb.finder.find(value) if m.resolved]
    return found[0].metiers[0] if found else None


def mentions_of(kb: KnowledgeBase, question: Question) -> tuple[list[str], list[Mention]]:
    """The ids written as such (buttons) and the mentions the resolver finds in the text and the NLU's names."""
    ids = [i for i in (metier_id(kb, v) for v in question.jobs) if i]
    tagged = [v for v in question.jobs if metier_id(kb, v) is None]
    text = "" if question.text.startswith("/") else question.text  # a payload is not prose
    mentions = kb.finder.find(text, tagged) if (text or tagged) else []
    # A word the NLU read as a level or a region (« et en senior ? ») is no métier's name.
    grammar = kb.finder.index.grammar
    others = {grammar.key(v) for v in (question.experience_level, question.region) if v}
    return ids, [m for m in mentions if grammar.key(m.written) not in others]


def resolve_turn(kb: KnowledgeBase, question: Question) -> Turn:
    ids, mentions = mentions_of(kb, question)
    metiers = list(ids)
    written = list(ids)
    own: list[str] = []
    choices: tuple[str, ...] = ()
    choice_name = unknown = None
    for mention in mentions:
        if mention.own:
            own += [m for m in mention.metiers[:1] if mention.resolved]
        elif mention.resolved and mention.metiers[0] not in metiers:
            metiers.append(mention.metiers[0])
            written.append(kb.finder.as_written(question.text, mention.written))
        elif mention.metiers and not choices:
            choices, choice_name = mention.metiers[:MAX_CHOICES], kb.finder.as_written(question.text, mention.written)
        elif not mention.metiers and unknown is None:
            unknown = kb.finder.as_written(question.text, mention.written)
    if not metiers and unknown is None and not question.text.startswith("/"):
        # A piece of one sheet's names (« faire du machine learning », « en ML ») names that sheet.
        piece = kb.sheet_named_in_part(question.text)
        if piece is not None:
            metiers, written, choices = [piece.id], [piece.title], ()
    context = context_metier(kb, question.context_job)
    if not metiers and not choices and unknown is None and not own and context is None \
            and not question.text.startswith("/"):
        # « le certificat de Berkeley ? » in a new conversation: the one sheet that speaks of Berkeley.
        sheet_id = sheet_of_distinctive_term(kb, question.text, besides=[question.region or ""])
        if sheet_id is not None:
            metiers, written = [sheet_id], [kb.sheets[sheet_id].title]
    if question.intent == "ask_comparison" and len(metiers) == 1 and context and context != metiers[0]:
        metiers, written = [context, metiers[0]], [context, written[0]]  # « quelle différence avec un data analyst ? »
    return Turn(question.intent, tuple(metiers), tuple(written), choices if not metiers else (), choice_name,
                unknown, tuple(own), context, tuple(dict.fromkeys(question.aspects)),
                question.experience_level, question.region)


def named_ids(kb: KnowledgeBase, question: Question) -> Sequence[str]:
    """The métiers the turn names, resolved (for follow-ups and the NLU scorer)."""
    return resolve_turn(kb, question).metiers
