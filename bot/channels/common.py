"""What every channel adapter shares: stable sender ids, turns."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from typing import Any, Awaitable, Callable

from bot.web import messages as M
from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.turnlog import record_rasa_unavailable, record_turn

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
        return [{"text": M.RASA_DOWN}]
    messages = [m for m in turn.messages if m.get("text") or m.get("buttons")] or [{"text": M.EMPTY_REPLY}]
    record_turn(channel, sender, turn, len(messages), time.perf_counter() - started, text)
    return messages


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
