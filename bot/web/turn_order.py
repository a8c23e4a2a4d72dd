"""One turn at a time per conversation inside this worker, in arrival order.

Rasa serialises the turns of a conversation with its lock store, but a turn
that finds the lock taken sleeps and polls again every second
(`LockStore._acquire_lock`, `wait_time_in_seconds=1`): two quick messages of
one person would cost the second one up to a second. Queueing them here first,
on an asyncio.Lock (first come, first served), sends Rasa one turn of a
conversation at a time from this worker, so its lock is free when the turn
arrives; Rasa's lock still orders turns that come from different workers.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator


class ConversationLocks:
    """A lock per conversation id, kept only while a turn holds it or waits for it.

    Memory is bounded by the turns in flight, not by the conversations ever seen.
    """

    def __init__(self) -> None:
        # conversation id -> [lock, number of turns holding or waiting for it]
        self._locks: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        entry = self._locks.get(conversation_id)
        if entry is None:
            entry = self._locks[conversation_id] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            # Also runs when a waiting turn is cancelled (the client went away).
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[conversation_id]
