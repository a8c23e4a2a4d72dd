"""« et pour un data analyst ? », « et à Lyon ? » after a salary answer ask the salary again."""

from __future__ import annotations

from dataclasses import replace

from bot.answers.question import Question
from bot.answers.turn import mentions_of
from bot.knowledge.base import KnowledgeBase


def as_follow_up(kb: KnowledgeBase, question: Question) -> Question:
    """The question with the previous answer's topic when it only names a métier, a region or a
    level (and the words of grammar.yml's `follow_up` around them); otherwise unchanged."""
    if not question.context_topic or question.intent in ("ask_source", "help") or question.text.startswith("/"):
        return question
    _, mentions = mentions_of(kb, question)
    # « et à Lyon ? », « et en senior ? »: a region or a level the NLU read asks again like a métier.
    said = [m.written for m in mentions] + [v for v in (question.region, question.experience_level) if v]
    if not said:
        return question
    finder = kb.finder
    grammar = finder.index.grammar
    rest = finder.correct(grammar.words(question.text))
    for written in sorted(said, key=len, reverse=True):
        name = finder.correct(grammar.words(written))
        for start in range(len(rest) - len(name) + 1):
            if name and rest[start:start + len(name)] == name:
                rest = rest[:start] + rest[start + len(name):]
                break
        else:
            return question  # a name not written as such: not a bare follow-up
    if not all(word in grammar.follow_up for word in rest):
        return question
    return replace(question, intent=question.context_topic)
