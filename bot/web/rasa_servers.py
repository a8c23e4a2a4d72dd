"""Which Rasa server takes a conversation: a stable choice by sender, and the order to fail over in.

Rendezvous hashing: each server gets a score from a hash of (server, sender)
and the highest score owns the conversation. Every worker of every machine
computes the same owner without talking to the others, so the turns of a
conversation reach one Rasa server and its lock store is not contended. When
the owner is unreachable the next score takes over, which spreads a dead
server's conversations over all the others; adding or removing a server moves
only the conversations it gains or loses. Moving a conversation loses nothing:
all servers share the tracker store.
"""

from __future__ import annotations

import hashlib
import time
from typing import Sequence

# A server that refused a connection is tried last for this long, so that
# every turn does not pay for a connection attempt to a dead server first.
DOWN_SECONDS = 5.0


def ranking(sender: str, urls: Sequence[str]) -> list[str]:
    """The servers in the order a conversation uses them: owner first, then the failover order."""
    def score(url: str) -> bytes:
        return hashlib.sha256(f"{url}\n{sender}".encode()).digest()

    return sorted(urls, key=score, reverse=True)


class RasaServers:
    """The configured servers and which ones refused a connection lately."""

    def __init__(self, urls: Sequence[str]):
        if not urls:
            raise ValueError("at least one Rasa server URL is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self._down_until: dict[str, float] = {}

    def for_sender(self, sender: str) -> list[str]:
        """`ranking()`, with the servers that refused lately moved to the end (still tried)."""
        now = time.monotonic()
        return sorted(ranking(sender, self.urls), key=lambda url: self._down_until.get(url, 0.0) > now)

    def mark_down(self, url: str) -> None:
        self._down_until[url] = time.monotonic() + DOWN_SECONDS

    def mark_up(self, url: str) -> None:
        self._down_until.pop(url, None)
