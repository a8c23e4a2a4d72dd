"""What every channel adapter shares: stable sender ids, turns, malformed input, failed deliveries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from typing import Any, Awaitable, Callable, Optional

from bot.channels.http_retry import DeliveryFailed
from bot.web import messages as M
from bot.web.guards import CONTROL_CHARACTERS, SURROGATES
from bot.web.rasa_client import RasaClient, RasaStoreUnavailable, RasaUnavailable
from bot.web.turnlog import record_rasa_unavailable, record_turn, sender_hash

log = logging.getLogger(__name__)


def sender_id(key: bytes, channel: str, chat: str) -> str:
    """One Rasa conversation per chat, unguessable from outside, stable across restarts."""
    digest = hmac.new(key, f"{channel}:{chat}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:40]}"


async def ask_rasa(rasa: RasaClient, sender: str, text: str) -> list[dict[str, Any]]:
    """The assistant's messages for one turn; a French apology instead of silence or an error.

    The turn is logged and counted like an /api/chat turn; the channel name is
    the prefix `sender_id()` put on the sender (telegram-…, slack-…).
    """
    channel = sender.split("-", 1)[0]
    started = time.perf_counter()
    try:
        turn = await rasa.send(sender, text)
    except RasaUnavailable as exc:
        record_rasa_unavailable(channel, sender, exc)
        # Unlike /api/chat, nobody gets a 503 to retry on: the platform was told 200 and will not resend.
        log.error("channel.turn.unanswered channel=%s sender=%s reason=%s", channel, sender_hash(sender), exc)
        return [{"text": M.CHANNEL_NOT_SAVED if isinstance(exc, RasaStoreUnavailable) else M.CHANNEL_RASA_DOWN}]
    messages = [m for m in turn.messages if m.get("text") or m.get("buttons")] or [{"text": M.EMPTY_REPLY}]
    record_turn(channel, sender, turn, len(messages), time.perf_counter() - started, text)
    return messages


class Malformed(ValueError):
    """A request with the right secret that Boussole can never process (wrong types, missing parts).

    It is acknowledged with 200, not refused: Telegram and Slack send again
    whatever did not get a 2xx, and this one would fail the same way forever.
    The message names the field, never the user's text.
    """


def require_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is not an object")
    return value


def optional_object(parent: dict[str, Any], key: str, where: str) -> Optional[dict[str, Any]]:
    value = parent.get(key)
    return None if value is None else require_object(value, f"{where}.{key}")


def optional_string(parent: dict[str, Any], key: str, where: str) -> Optional[str]:
    """parent[key] if it is valid Unicode text or absent: lone surrogates (JSON "\\ud800") cannot be sent on."""
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"{where}.{key} is not a string")
    if SURROGATES.search(value):
        raise Malformed(f"{where}.{key} is not valid Unicode")
    return value


def plain_text(text: str) -> str:
    """The user's text without control characters (but line breaks and tabs), which Rasa has no use for."""
    return CONTROL_CHARACTERS.sub(" ", text)


def report_undelivered(channel: str, sender: str, failure: DeliveryFailed) -> None:
    """The ERROR line of a reply the platform never took: the turn is in Rasa, the person did not see the answer."""
    log.error("channel.reply.undelivered channel=%s sender=%s method=%s attempts=%d reason=%s",
              channel, sender_hash(sender), failure.method, failure.attempts, failure.reason)


class BackgroundTurns:
    """Run turns after the webhook answered; keep references so tasks are not collected."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def start(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await work()
            except Exception:  # a failed turn must never take the service down
                log.exception("channel.turn.failed name=%s", name)

        task = asyncio.get_running_loop().create_task(guarded(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
