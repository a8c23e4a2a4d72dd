"""POST /api/chat: one turn of a conversation, proxied to Rasa's REST channel."""

from __future__ import annotations

import logging
import time
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from bot.render.reply import for_api
from bot.web import messages as M
from bot.web.deps import State
from bot.web.errors import refuse
from bot.web.routes.feedback import feedback_given
from bot.web.guards import PlainText
from bot.web.rasa_client import RasaStoreUnavailable, RasaUnavailable
from bot.web.ratelimit import limit_chat
from bot.web.turnlog import record_rasa_unavailable, record_turn, sender_hash

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])


class ChatRequest(BaseModel):
    conversation_id: Optional[PlainText] = Field(
        None, description="Identifiant renvoyé par le service ; omis pour une nouvelle conversation."
    )
    message: PlainText = Field(..., description="La question de l'utilisateur, en français.")


class Button(BaseModel):
    title: str
    payload: str


class Link(BaseModel):
    title: str = Field(..., description="Le titre du lien, par exemple « fiche M1855 « Data scientist » ».")
    url: str
    text: str = Field(..., description="Comment le texte écrit ce lien (« titre (adresse) ») : un client qui sait "
                                       "afficher les liens le remplace par un lien titré.")


class ChatReply(BaseModel):
    text: str = ""
    buttons: list[Button] = []
    links: list[Link] = []


class ChatResponse(BaseModel):
    conversation_id: str
    replies: list[ChatReply]


class HistoryMessage(BaseModel):
    role: str = Field(..., description="« user » ou « bot »")
    text: str = ""
    buttons: list[Button] = []
    links: list[Link] = []
    helpful: Optional[bool] = Field(None, description="L'avis donné sur cette réponse (POST /api/feedback), s'il y en a un.")


class HistoryResponse(BaseModel):
    conversation_id: str
    messages: list[HistoryMessage]



def not_saved(failure: RasaStoreUnavailable) -> HTTPException:
    """503 for a turn Rasa could not save: the person must send it again, and nothing of it was kept.

    Never 200 with the reply: a reply the store does not have would be
    missing from the history and from the context of the next question.
    Retry-After is the Rasa channel's advice (bot/rasa/channel.py).
    """
    refusal = refuse(503, M.STORE_UNAVAILABLE, "not_saved")
    refusal.headers = {"Retry-After": str(failure.retry_after)}
    return refusal


@router.post("/chat", response_model=ChatResponse, dependencies=[Depends(limit_chat)])
async def chat(body: ChatRequest, state: State) -> ChatResponse:
    text = body.message.strip()
    if not text:
        raise refuse(422, M.EMPTY_MESSAGE, "empty_message")
    limit = state.settings.max_message_chars
    if len(text) > limit:
        raise refuse(422, M.MESSAGE_TOO_LONG.format(length=len(text), limit=limit), "message_too_long")
    if body.conversation_id is None:
        conversation_id = state.ids.new()
    elif state.ids.verify(body.conversation_id):
        conversation_id = body.conversation_id
    else:
        raise refuse(404, M.UNKNOWN_CONVERSATION, "unknown_conversation")

    started = time.perf_counter()
    try:
        turn = await state.rasa.send(conversation_id, text)
    except RasaUnavailable as exc:
        record_rasa_unavailable("api", conversation_id, exc)
        if isinstance(exc, RasaStoreUnavailable):
            raise not_saved(exc)
        raise refuse(503, M.RASA_DOWN, "assistant_unavailable")
    replies = [ChatReply(**for_api(m)) for m in turn.messages if m.get("text") or m.get("buttons")]
    if not replies:  # Rasa's REST channel answers 200 with [] when a turn failed
        log.warning("chat.turn.empty_reply channel=api sender=%s", sender_hash(conversation_id))
        replies = [ChatReply(**for_api({"text": M.EMPTY_REPLY}))]
    record_turn("api", conversation_id, turn, len(replies), time.perf_counter() - started, text)
    return ChatResponse(conversation_id=conversation_id, replies=replies)


@router.get("/conversations/{conversation_id}", response_model=HistoryResponse)
async def history(conversation_id: str, state: State) -> HistoryResponse:
    """The conversation as Rasa keeps it (for a client that reloads its page)."""
    if not state.ids.verify(conversation_id):
        raise refuse(404, M.UNKNOWN_CONVERSATION, "unknown_conversation")
    try:
        tracker = await state.rasa.tracker(conversation_id)
    except RasaUnavailable as exc:
        log.warning("chat.history.rasa_unavailable reason=%s", exc)
        raise refuse(503, M.RASA_DOWN, "assistant_unavailable")
    events = (tracker or {}).get("events") or []
    messages: list[HistoryMessage] = []
    offered: dict[str, str] = {}  # payload -> title of the last buttons shown
    judged = feedback_given(events)
    for event in events:
        if event.get("event") == "user" and event.get("text"):
            # A quick reply was sent as its payload; show what the person clicked.
            messages.append(HistoryMessage(role="user", text=offered.get(event["text"], event["text"])))
        elif event.get("event") == "bot" and (event.get("text") or (event.get("data") or {}).get("buttons")):
            shown = for_api({"text": event.get("text"), "buttons": (event.get("data") or {}).get("buttons")})
            offered = {b["payload"]: b["title"] for b in shown["buttons"]} or offered
            messages.append(HistoryMessage(role="bot", **shown, helpful=judged.get(event.get("timestamp"))))
    return HistoryResponse(conversation_id=conversation_id, messages=messages)
