"""Telegram Bot API webhook: secret-checked, acknowledged at once, turns in the background.

Unlike Rasa 3.6's connector: the X-Telegram-Bot-Api-Secret-Token header is
required (constant-time check), nothing calls Telegram at start-up, each
update_id is answered once, edited messages and media get a French "text
only" reply, long replies are split, and button payloads longer than
Telegram's 64-byte callback_data go through a table. The answered update_ids
and that table live in bot/channels/shared_state.py: in Redis, shared by all
workers, when one is configured.

Nothing is lost once Telegram got its 200: the « typing » indicator and the
button acknowledgement are best effort (a failure is a WARNING), the turn
always goes to Rasa, and the reply is retried (bot/channels/http_retry.py),
then logged at ERROR if Telegram never takes it. An update Boussole can never
process (wrong types, missing chat, a float update_id) is acknowledged too,
with a WARNING: Telegram would otherwise send it again and again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any, Optional

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.channels.common import (BackgroundTurns, Malformed, ask_rasa, optional_object, optional_string,
                                 plain_text, report_undelivered, require_object, sender_id)
from bot.channels.shared_state import SharedState
from bot.channels.http_retry import DeliveryFailed, post_with_retry
from bot.render.reply import button_title, for_telegram
from bot.web.deps import State

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096
RENDERED_SPLIT = 3500  # characters of reply text per message, before escapes and link anchors
MAX_CALLBACK_BYTES = 64
# « typing » and the button acknowledgement are cosmetic: one short try, so a slow API never delays the reply.
COSMETIC_TIMEOUT_SECONDS = 3.0
KEYBOARD_ROW = 3  # buttons per row of an inline keyboard, at most
ROW_CHARACTERS = 32  # titles per row, at most (a phone cuts longer rows' titles to a few letters); one title always fits
MEDIA_KEYS = ("photo", "sticker", "voice", "audio", "video", "video_note", "document", "animation", "location", "contact", "poll")
COMMANDS = {"/start": "/greet", "/aide": "/help", "/help": "/help"}

TEXT_ONLY = "Je ne comprends que les messages texte : écrivez-moi votre question, par exemple « Que fait un ingénieur en Machine Learning ? »."
EDITED = "J'ai vu que vous avez modifié un message : je ne lis que les nouveaux messages. Renvoyez votre question dans un nouveau message."
EXPIRED_BUTTON = "Ce bouton a expiré : posez votre question directement."


def keyboard_rows(keys: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Buttons in rows of at most KEYBOARD_ROW and ROW_CHARACTERS: seven métier names on one row, or a long
    title beside two others, would be cut to a few letters each."""
    rows: list[list[dict[str, Any]]] = []
    for key in keys:
        row = rows[-1] if rows else None
        if row is None or len(row) == KEYBOARD_ROW or sum(len(k["text"]) for k in row) + len(key["text"]) > ROW_CHARACTERS:
            rows.append([key])
        else:
            row.append(key)
    return rows


class TelegramClient:
    def __init__(self, token: str, api_base: str):
        self._base = f"{api_base.rstrip('/')}/bot{token}"
        self._http = httpx.AsyncClient(timeout=15.0)

    async def call(self, method: str, payload: dict[str, Any]) -> httpx.Response:
        """A call that matters (a reply): retried; DeliveryFailed if Telegram never takes it."""
        return await post_with_retry(self._http, f"{self._base}/{method}", platform="telegram", json=payload)

    async def try_once(self, method: str, payload: dict[str, Any], timeout: float) -> bool:
        """A cosmetic call (typing, button acknowledgement): one try; a failure is logged, never raised."""
        try:
            await post_with_retry(self._http, f"{self._base}/{method}", platform="telegram", attempts=1,
                                  json=payload, timeout=timeout)
        except DeliveryFailed as exc:
            log.warning("telegram.api.best_effort_failed method=%s reason=%s", method, exc.reason)
            return False
        return True

    async def close(self) -> None:
        await self._http.aclose()


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks, then spaces, when possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


class CallbackTable:
    """Button payloads as callback_data: short ones as is, long ones by a hash key kept in the shared state."""

    def __init__(self, shared: SharedState) -> None:
        self._shared = shared

    async def encode(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_BYTES:
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:24]
        await self._shared.remember(f"telegram-callback:{key}", payload)
        return key

    async def decode(self, data: str) -> Optional[str]:
        return await self._shared.recall(f"telegram-callback:{data}") if data.startswith("#") else data


class TelegramAdapter:
    def __init__(self, token: str, secret: str, api_base: str, bot_username: Optional[str],
                 redis=None):
        self.client = TelegramClient(token, api_base)
        self._secret = secret.encode()
        self._bot_username = (bot_username or "").lstrip("@").lower()
        self.shared = SharedState(redis)
        self.callbacks = CallbackTable(self.shared)
        self.turns = BackgroundTurns()
        self.cosmetic_timeout = COSMETIC_TIMEOUT_SECONDS

    def secret_ok(self, header: Optional[str]) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self._secret)

    def _addressed(self, message: dict[str, Any]) -> Optional[str]:
        """The text meant for the bot, or None if a group message is not for it."""
        text = plain_text(message.get("text") or "").strip()
        if (message.get("chat") or {}).get("type") == "private":
            return text
        if not self._bot_username or not text:
            return None  # in groups, only messages that name the bot
        mention = f"@{self._bot_username}"
        first = text.split()[0].lower()
        if first.startswith("/") and first.endswith(mention):  # /aide@BoussoleBot
            return first[: -len(mention)] + text[len(first):]
        if mention in text.lower():
            return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()
        replied_to = ((message.get("reply_to_message") or {}).get("from") or {}).get("username") or ""
        return text if replied_to.lower() == self._bot_username else None

    async def reply(self, chat_id: int, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            buttons = message.get("buttons") or []
            # Split the text before rendering it, so no piece ends inside an HTML tag; the margin
            # leaves room for escapes and anchors within Telegram's limit.
            pieces = [for_telegram(piece) for piece in split_message(message.get("text") or "", RENDERED_SPLIT)] or [""]
            for i, piece in enumerate(pieces):
                payload: dict[str, Any] = {"chat_id": chat_id, "text": piece or "…", "parse_mode": "HTML"}
                if buttons and i == len(pieces) - 1:
                    keys = [{"text": button_title(b["title"]), "callback_data": await self.callbacks.encode(b["payload"])}
                            for b in buttons]
                    payload["reply_markup"] = {"inline_keyboard": keyboard_rows(keys)}
                await self.client.call("sendMessage", payload)

    async def run_turn(self, state_rasa, key: bytes, chat_id: int, text: str) -> None:
        """Typing (best effort), the turn in Rasa (always), then the reply (retried, or an ERROR line)."""
        await self.client.try_once("sendChatAction", {"chat_id": chat_id, "action": "typing"}, self.cosmetic_timeout)
        sender = sender_id(key, "telegram", str(chat_id))
        messages = await ask_rasa(state_rasa, sender, text)
        await self.deliver(key, chat_id, messages)

    async def deliver(self, key: bytes, chat_id: int, messages: list[dict[str, Any]]) -> None:
        """Send the reply; if Telegram never takes it, stop there and say so at ERROR (the rest would fail too)."""
        try:
            await self.reply(chat_id, messages)
        except DeliveryFailed as exc:
            report_undelivered("telegram", sender_id(key, "telegram", str(chat_id)), exc)

    async def close(self) -> None:
        await self.client.close()

    async def notice(self, key: bytes, chat_id: int, text: str) -> None:
        """A fixed French notice (text only, edited message, expired button), not a turn: nothing goes to Rasa."""
        await self.deliver(key, chat_id, [{"text": text}])


router = APIRouter(tags=["canaux"])


@router.post("/channels/telegram", include_in_schema=False)
async def telegram_webhook(request: Request, state: State) -> JSONResponse:
    adapter: Optional[TelegramAdapter] = request.app.state.telegram
    if adapter is None:
        return JSONResponse({"detail": "Le canal Telegram n'est pas activé.", "code": "channel_off"}, status_code=404)
    if not adapter.secret_ok(request.headers.get("x-telegram-bot-api-secret-token")):
        log.warning("telegram.webhook.refused reason=missing or wrong secret token client=%s",
                    request.client.host if request.client else "?")
        return JSONResponse({"detail": "Accès refusé.", "code": "forbidden"}, status_code=403)
    try:
        update = check_update(await request.json())
    except (ValueError, RecursionError) as exc:  # Malformed, or not JSON at all (RecursionError: nested too deep)
        reason = exc if isinstance(exc, Malformed) else "the body is not JSON"
        log.warning("telegram.update.malformed reason=%s; acknowledged so that Telegram does not resend it", reason)
        return JSONResponse({"ok": True})
    update_id = update["update_id"]
    if not await adapter.shared.first_time(f"telegram:{update_id}"):
        log.info("telegram.update.duplicate update_id=%s", update_id)
        return JSONResponse({"ok": True})
    _dispatch(adapter, state, update)
    return JSONResponse({"ok": True})


def check_update(update: Any) -> dict[str, Any]:
    """The update, once what Boussole reads of it has the Bot API's types; Malformed otherwise.

    update_id must be an integer: 12.0 or 1e3 would be another key than 12 or
    1000 in the table of answered updates, and a bool is not an id either.
    """
    update = require_object(update, "update")
    update_id = update.get("update_id")
    if type(update_id) is not int or update_id < 0:
        raise Malformed("update_id is not a non-negative integer")
    if "callback_query" in update:
        query = require_object(update["callback_query"], "callback_query")
        if optional_string(query, "id", "callback_query") is None:
            raise Malformed("callback_query.id is missing")
        optional_string(query, "data", "callback_query")
        if query.get("message") is not None:  # absent for buttons of inline-mode messages
            _check_message(query["message"], "callback_query.message")
    for kind in ("message", "edited_message", "edited_channel_post"):
        if kind in update:
            _check_message(update[kind], kind)
    return update


def _check_message(value: Any, where: str) -> None:
    message = require_object(value, where)
    chat = require_object(message.get("chat"), f"{where}.chat")
    if type(chat.get("id")) is not int:
        raise Malformed(f"{where}.chat.id is not an integer")
    optional_string(chat, "type", f"{where}.chat")
    optional_string(message, "text", where)
    replied_to = optional_object(message, "reply_to_message", where)
    if replied_to is not None:
        sender = optional_object(replied_to, "from", f"{where}.reply_to_message")
        if sender is not None:
            optional_string(sender, "username", f"{where}.reply_to_message.from")


def _dispatch(adapter: TelegramAdapter, state, update: dict[str, Any]) -> None:
    key = state.ids.key
    if "callback_query" in update:
        query = update["callback_query"]
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id")

        async def pressed() -> None:
            payload = await adapter.callbacks.decode(query.get("data") or "")
            await adapter.client.try_once("answerCallbackQuery", {"callback_query_id": query["id"]},
                                          adapter.cosmetic_timeout)
            if chat_id is None:
                return
            if payload is None:
                await adapter.notice(key, chat_id, EXPIRED_BUTTON)
            else:
                await adapter.run_turn(state.rasa, key, chat_id, payload)

        adapter.turns.start(f"telegram-callback-{update['update_id']}", pressed)
        return
    edited = update.get("edited_message") or update.get("edited_channel_post")
    message = update.get("message") or edited
    if not message or "chat" not in message:
        return  # updates Boussole does not handle (joins, polls…) are acknowledged and ignored
    chat_id = message["chat"]["id"]
    private = message["chat"].get("type") == "private"
    if edited:
        if private:
            adapter.turns.start(f"telegram-edited-{update['update_id']}", lambda: adapter.notice(key, chat_id, EDITED))
        return
    if "text" not in message:
        if private and any(k in message for k in MEDIA_KEYS):
            adapter.turns.start(f"telegram-media-{update['update_id']}", lambda: adapter.notice(key, chat_id, TEXT_ONLY))
        return
    text = adapter._addressed(message)
    if not text:
        return
    text = COMMANDS.get(text.split()[0].lower(), text) if text.startswith("/") else text
    limit = state.settings.max_message_chars
    text = text[:limit]
    adapter.turns.start(f"telegram-{update['update_id']}", lambda: adapter.run_turn(state.rasa, key, chat_id, text))
