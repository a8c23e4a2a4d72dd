"""POST /api/feedback: « utile / pas utile » on one reply, kept in Rasa's tracker.

The press becomes an event of that conversation in Rasa's tracker store
(the `feedback` slot, set through Rasa's HTTP API, which takes the
conversation's lock), not a side database: `boussole report` reads it there,
beside the question and the reply it judges. The reply is named by its text
as the client shows it, and found among the conversation's bot messages,
newest first: it must be a whole message, or one of the pieces Rasa's REST
channel cut it into at blank lines (each piece reaches the client as a
message of its own); whitespace aside, nothing shorter matches, so a letter
cannot stand for any reply. `helpful` is a JSON boolean, not "yes" or 1;
the event keeps that message's timestamp, so the report knows which reply it
was. A second press on the same reply replaces the first.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StrictBool

from bot.render.reply import plain_text
from bot.report.findings import FEEDBACK_SLOT, feedback_of
from bot.web import messages as M
from bot.web import metrics
from bot.web.deps import State
from bot.web.errors import refuse
from bot.web.guards import PlainText
from bot.web.rasa_client import RasaUnavailable
from bot.web.ratelimit import limit_chat
from bot.web.turnlog import sender_hash

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])


class FeedbackRequest(BaseModel):
    conversation_id: PlainText = Field(..., description="Identifiant de la conversation.")
    reply: PlainText = Field(..., description="Le texte de la réponse jugée, tel qu'il est affiché.")
    helpful: StrictBool = Field(..., description="true : « utile » ; false : « pas utile ».")


class FeedbackResponse(BaseModel):
    conversation_id: str
    helpful: bool
    message: str



def _spaced(text: str) -> str:
    """`text` with each run of whitespace, no-break spaces included, as one space (a client may rewrap or trim a reply)."""
    return " ".join(text.split())


def shown_as(text: str) -> set[str]:
    """What a client may show of one bot message: the whole text, or a piece of it as the REST
    channel sends it (CollectingOutputChannel.send_text_message splits at blank lines)."""
    forms = (text, plain_text(text))  # as stored, and as /api/chat showed it (typeset, links written out)
    return {shown for form in forms
            for shown in (_spaced(form), *(_spaced(piece) for piece in form.strip().split("\n\n")))} - {""}


def reply_timestamp(events: list[dict[str, Any]], reply: str) -> Optional[float]:
    """The timestamp of the newest bot message shown as `reply`, or None."""
    wanted = _spaced(reply)
    for event in reversed(events):
        if event.get("event") == "bot" and event.get("timestamp") and wanted in shown_as(event.get("text") or ""):
            return float(event["timestamp"])
    return None


def feedback_given(events: list[dict[str, Any]]) -> dict[float, bool]:
    """Reply timestamp -> the last opinion given on it."""
    return dict(judged for judged in map(feedback_of, events) if judged is not None)


@router.post("/feedback", response_model=FeedbackResponse, dependencies=[Depends(limit_chat)])
async def feedback(body: FeedbackRequest, state: State) -> FeedbackResponse:
    reply = body.reply.strip()
    if not reply:
        raise refuse(422, M.EMPTY_FEEDBACK_REPLY, "empty_reply")
    if not state.ids.verify(body.conversation_id):
        raise refuse(404, M.UNKNOWN_CONVERSATION, "unknown_conversation")
    try:
        tracker = await state.rasa.tracker(body.conversation_id)
        reply_at = reply_timestamp((tracker or {}).get("events") or [], reply)
        if reply_at is None:
            raise refuse(404, M.UNKNOWN_REPLY, "unknown_reply")
        await state.rasa.append_event(body.conversation_id, {
            "event": "slot", "name": FEEDBACK_SLOT, "timestamp": time.time(),
            "value": {"helpful": body.helpful, "reply_at": reply_at},
        })
    except RasaUnavailable as exc:
        log.warning("chat.feedback.rasa_unavailable sender=%s reason=%s", sender_hash(body.conversation_id), exc)
        raise refuse(503, M.RASA_DOWN, "assistant_unavailable")
    metrics.count_feedback(body.helpful)
    log.info("chat.feedback sender=%s helpful=%s", sender_hash(body.conversation_id), body.helpful)
    return FeedbackResponse(conversation_id=body.conversation_id, helpful=body.helpful, message=M.FEEDBACK_THANKS)
