"""The discovery conversation, one turn at a time: what the person likes (a centre d'intérêt, a
group of them, or the RIASEC quiz), how long they want to study, then 5 ROME 4.0 fiches to explore.

Pure functions: a `DiscoveryTurn` (intent, text, entities, the conversation's slots) in, a
`DiscoveryReply` (French text, buttons, the slots to set) out. The French frames are data
(data/answers/frames.yml); the words, levels and quiz are data (data/knowledge/discovery/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from bot.answers import templates as T
from bot.discovery.interests import InterestFinder
from bot.discovery.riasec import Quiz
from bot.discovery.study import SHORTER, StudyLevels
from bot.discovery.suggest import linked_to_centres, matching_profile, next_suggestions
from bot.knowledge.base import KnowledgeBase

INTENTS = ("discover", "discover_more", "riasec_test")
# The payload value of the study-level button that asks the question instead of answering it.
ASK_LEVEL = "ask"


@dataclass(frozen=True)
class DiscoveryTurn:
    intent: str
    text: str = ""
    interests: Sequence[str] = ()  # the NLU's `interest` entities, or a button's centre code
    group: Optional[str] = None  # a button's group of centres (its index)
    study_level: Optional[str] = None  # a button's level id, ASK_LEVEL or SHORTER
    riasec_answer: Optional[str] = None  # a quiz button's « question:points »
    # The conversation so far (slots).
    centres: Sequence[str] = ()
    limit: Optional[str] = None
    shown: Sequence[str] = ()
    quiz_answers: Sequence[str] = ()


@dataclass
class DiscoveryReply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    # The slots to set: centres, limit, shown, quiz_answers (absent: unchanged).
    slots: dict[str, Any] = field(default_factory=dict)
    # Suggested fiche codes, for the log and the tests.
    suggested: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tools:
    interests: InterestFinder
    study: StudyLevels
    quiz: Quiz


def tools(kb: KnowledgeBase) -> Tools:
    """The discovery data of this knowledge, loaded once per process."""
    return kb.derived("discovery", lambda: Tools(InterestFinder.load(kb.directory, kb.finder.index.prose_words),
                                                 StudyLevels.load(kb.directory), Quiz.load(kb.directory)))


# Intents a short follow-up of suggestions is often mistaken for (« autres métiers ? » reads as list_jobs,
# « et avec un bts ? » as ask_training): with suggestions on screen and no métier chosen, they go on.
FOLLOW_UP_INTENTS = ("list_jobs", "ask_training", "ask_career", "nlu_fallback", "out_of_scope")


def continues_discovery(kb: KnowledgeBase, intent: str, text: str, shown: Sequence[str], job: Optional[str],
                        names_metier: bool) -> bool:
    """Whether a turn classified `intent` asks for more or shorter suggestions: métiers were suggested
    (`shown`), none was chosen since (`job`), the turn names none, and it asks for a study limit
    (or, read as list_jobs, for other métiers)."""
    if not shown or job or names_metier or text.startswith("/") or intent not in FOLLOW_UP_INTENTS:
        return False
    return intent == "list_jobs" or tools(kb).study.asked_in(text) is not None


def misplaced_more(intent: str, text: str, shown: Sequence[str], centres: Sequence[str],
                   quiz_answers: Sequence[str]) -> bool:
    """« d'autres ? » typed with nothing suggested yet, nothing liked and no quiz going on asks for more
    of something else (the métier in context's topics, say): not a discovery turn."""
    return intent == "discover_more" and not text.startswith("/") and not shown and not centres \
        and not quiz_answers


def study_ranks(kb: KnowledgeBase) -> dict[str, Optional[int]]:
    """Each fiche's study level read from its access text, once per process (at the first suggestion)."""
    study = tools(kb).study
    return kb.derived("study_ranks", lambda: {code: study.fiche_rank(f) for code, f in kb.fiches.items()})


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False, separators=(",", ":")) if entities else "")


def discovery_reply(kb: KnowledgeBase, turn: DiscoveryTurn) -> DiscoveryReply:
    t = tools(kb)
    if turn.intent == "riasec_test":
        return _quiz(kb, t, turn)
    if turn.group is not None:
        return _group(t, turn.group)
    if turn.study_level == ASK_LEVEL:
        return _ask_level(t)
    text = "" if turn.text.startswith("/") else turn.text
    asked = _asked_level(t, turn.study_level, text)
    limit = _new_limit(kb, t, turn, asked) if asked else turn.limit
    centres = t.interests.centres_in(text, turn.interests)[:2] if (text or turn.interests) else []
    if centres and list(centres) != list(turn.centres):
        return _suggest(kb, t, centres, [], limit, shown=[])
    source_centres = list(turn.centres)
    profile = t.quiz.profile(turn.quiz_answers) if not source_centres and _quiz_done(t, turn) else []
    if not source_centres and not profile:
        reply = _ask(t)
        reply.slots["limit"] = limit
        return reply
    if asked:  # a new limit lists again from the strongest links
        return _suggest(kb, t, source_centres, profile, limit, shown=[])
    if turn.intent == "discover" and not centres:  # « je ne sais pas quoi faire » again: start over
        reply = _ask(t)
        reply.slots.update(centres=[], limit=limit)
        return reply
    return _suggest(kb, t, source_centres, profile, limit, shown=list(turn.shown))


def _asked_level(t: Tools, entity: Optional[str], text: str) -> Optional[str]:
    """The study limit the turn asks for: a button's level id, else read in the NLU's span or the text."""
    if entity in t.study.by_id or entity == SHORTER:
        return entity
    return (t.study.asked_in(entity) if entity else None) or (t.study.asked_in(text) if text else None)


def _quiz_done(t: Tools, turn: DiscoveryTurn) -> bool:
    return bool(turn.quiz_answers) and t.quiz.next_question(turn.quiz_answers) is None


def _new_limit(kb: KnowledgeBase, t: Tools, turn: DiscoveryTurn, asked: str) -> Optional[str]:
    if asked != SHORTER:
        return asked if asked in t.study.by_id else turn.limit
    current = t.study.rank(turn.limit)
    if current is None:  # below the longest studies among the métiers just shown
        ranks = [r for r in (study_ranks(kb).get(c) for c in turn.shown) if r is not None]
        current = max(ranks) if ranks else len(t.study.levels)
    return t.study.shorter_than(current).id


def _ask(t: Tools) -> DiscoveryReply:
    buttons = [{"title": g.title, "payload": payload("discover", interest_group=str(i))}
               for i, g in enumerate(t.interests.groups)]
    buttons.append({"title": T.DISCOVER_BUTTONS["quiz"], "payload": payload("riasec_test")})
    return DiscoveryReply(T.fill("DISCOVER_ASK", questions=len(t.quiz.questions)), buttons)


def _group(t: Tools, group: str) -> DiscoveryReply:
    groups = t.interests.groups
    if not group.isdigit() or int(group) >= len(groups):
        return _ask(t)
    chosen = groups[int(group)]
    buttons = [{"title": t.interests.centres[c].short, "payload": payload("discover", interest=c)}
               for c in chosen.centres]
    buttons.append({"title": T.DISCOVER_BUTTONS["other"], "payload": payload("discover")})
    return DiscoveryReply(T.fill("DISCOVER_GROUP", group=chosen.title), buttons)


def _ask_level(t: Tools) -> DiscoveryReply:
    buttons = [{"title": level.button, "payload": payload("discover", study_level=level.id)}
               for level in t.study.choices]
    return DiscoveryReply(T.fill("DISCOVER_ASK_LEVEL"), buttons)


def _suggest(kb: KnowledgeBase, t: Tools, centres: Sequence[str], profile: Sequence[str], limit: Optional[str],
             shown: Sequence[str]) -> DiscoveryReply:
    fiches = kb.fiches.values()
    ordered = linked_to_centres(fiches, centres) if centres else matching_profile(fiches, profile)
    picked = next_suggestions(ordered, study_ranks(kb), t.study, t.study.rank(limit), shown)
    level = t.study.by_id.get(limit or "")
    limit_said = T.fill("DISCOVER_LIMIT", said=level.said) if level else ""
    slots = {"centres": list(centres), "limit": limit, "shown": list(shown) + picked}
    if not picked:
        buttons = [{"title": T.DISCOVER_BUTTONS["other"], "payload": payload("discover")}]
        return DiscoveryReply(T.fill("DISCOVER_NO_MORE", limit=limit_said), buttons, slots)
    intro = T.fill("DISCOVER_INTRO_MORE", limit=limit_said) if shown else \
        T.fill("DISCOVER_INTRO", count=len(picked), limit=limit_said)
    lines = [intro] + [_item(kb, t, code, centres, profile) for code in picked]
    lines += [T.fill("DISCOVER_OUTRO"), T.fill("DISCOVER_CREDIT")]
    buttons = [{"title": kb.fiches[c]["label"], "payload": payload("ask_definition", job=c)} for c in picked]
    buttons.append({"title": T.DISCOVER_BUTTONS["more"], "payload": payload("discover_more")})
    if level is None or level.rank > 0:
        key, value = ("shorter", SHORTER) if level else ("level", ASK_LEVEL)
        buttons.append({"title": T.DISCOVER_BUTTONS[key], "payload": payload("discover", study_level=value)})
    buttons.append({"title": T.DISCOVER_BUTTONS["other"], "payload": payload("discover")})
    return DiscoveryReply("\n".join(lines), buttons, slots, picked)


def _item(kb: KnowledgeBase, t: Tools, code: str, centres: Sequence[str], profile: Sequence[str]) -> str:
    fiche = kb.fiches[code]
    if centres:
        linked = [i["code"] for i in fiche.get("interests") or () if i["code"] in centres]
        why = T.fill("DISCOVER_WHY_CENTRE", centre=t.interests.centres[linked[0]].label)
    else:
        riasec = fiche.get("riasec") or {}
        letters = [x for x in (riasec.get("major"), riasec.get("minor")) if x]
        why = T.fill("DISCOVER_WHY_PROFILE", profile=" – ".join(t.quiz.names[x] for x in letters))
    definition = fiche.get("definition") or ""
    definition = definition[:1].lower() + definition[1:] if definition[1:2].islower() or definition[1:2] == "'" else definition
    if definition and not definition.rstrip().endswith((".", "!", "?", "…")):
        definition = definition.rstrip() + "."  # a few fiches' definitions lack their final stop
    return T.fill("DISCOVER_ITEM", label=fiche["label"], definition=definition, why=why)


def _quiz(kb: KnowledgeBase, t: Tools, turn: DiscoveryTurn) -> DiscoveryReply:
    quiz = t.quiz
    answers = list(turn.quiz_answers) if turn.riasec_answer else []  # typed « le test » starts over
    if turn.riasec_answer:
        answers.append(turn.riasec_answer)
    following = quiz.next_question(answers)
    if following is not None:
        question = quiz.questions[following]
        lines = [T.fill("RIASEC_START", count=len(quiz.questions))] if not answers else []
        lines.append(T.fill("RIASEC_QUESTION", number=following + 1, count=len(quiz.questions), text=question.text))
        buttons = [{"title": a.title, "payload": payload("riasec_test", riasec_answer=f"{following}:{a.points}")}
                   for a in quiz.answers]
        return DiscoveryReply("\n".join(lines), buttons, {"quiz_answers": answers})
    letters = quiz.profile(answers)
    if not letters:
        reply = _ask(t)
        reply.text = f"{T.fill('RIASEC_NONE')}\n{reply.text}"
        reply.slots["quiz_answers"] = answers
        return reply
    names = [quiz.names[x] for x in letters]
    said = T.fill("RIASEC_PROFILE", first=names[0], second=names[1]) if len(names) > 1 else \
        T.fill("RIASEC_PROFILE_ONE", first=names[0])
    types = [T.fill("RIASEC_TYPE", name=quiz.names[x], plain=quiz.plain[x]) for x in letters]
    reply = _suggest(kb, t, [], letters, turn.limit, shown=[])
    reply.text = "\n".join([said, *types, T.fill("RIASEC_CAVEAT"), reply.text])
    reply.slots.update(quiz_answers=answers, centres=[])
    return reply
