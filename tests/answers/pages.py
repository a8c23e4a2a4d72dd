"""Every page of a long answer, as a person pressing « Voir plus » until it is gone would read it."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.answers import Question, compose_answer
from bot.answers import templates as T


def more_button(reply):
    return next((b for b in reply.buttons if b["title"] == T.fill("MORE_BUTTON")), None)


def all_pages(kb, question: Question, limit: int = 20) -> list:
    replies = [compose_answer(kb, question)]
    while more_button(replies[-1]) and len(replies) < limit:
        entities = json.loads("{" + more_button(replies[-1])["payload"].split("{", 1)[1])
        replies.append(compose_answer(kb, replace(question, jobs=[entities["job"]], page=int(entities["page"]))))
    return replies


def whole_text(kb, question: Question) -> str:
    return "\n".join(reply.text for reply in all_pages(kb, question))
