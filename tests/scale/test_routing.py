"""The public service's side of scale-out, without servers: which Rasa server, in which order."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
import pytest

from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.rasa_servers import RasaServers, ranking

A, B, C = "http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005"
SENDERS = [f"conversation-{i}" for i in range(3000)]


def test_each_conversation_has_one_owner_the_same_everywhere():
    owners = Counter(ranking(sender, [A, B])[0] for sender in SENDERS)
    assert ranking("x", [A, B]) == ranking("x", [B, A])  # the order of the list does not matter
    assert 0.45 < owners[A] / len(SENDERS) < 0.55, owners  # and the load is shared


def test_adding_a_server_moves_only_the_conversations_it_takes():
    moved = [s for s in SENDERS if ranking(s, [A, B])[0] != ranking(s, [A, B, C])[0]]
    assert all(ranking(s, [A, B, C])[0] == C for s in moved)
    assert 0.28 < len(moved) / len(SENDERS) < 0.38


def test_a_server_that_refused_is_tried_last_for_a_while():
    servers = RasaServers([A, B])
    owned_by_a = next(s for s in SENDERS if ranking(s, [A, B])[0] == A)
    servers.mark_down(A)
    assert servers.for_sender(owned_by_a) == [B, A]
    servers.mark_up(A)
    assert servers.for_sender(owned_by_a) == [A, B]


def _client(handler) -> RasaClient:
    client = RasaClient([A, B], token="t", timeout=5)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=5)
    return client


def _send_once(handler, sender: str = "someone"):
    """One turn through a client whose transport is `handler`; the client is closed after."""
    async def main():
        client = _client(handler)
        try:
            return await client.send(sender, "bonjour")
        finally:
            await client.close()

    return asyncio.run(main())


def test_a_turn_goes_to_the_next_server_when_its_owner_is_unreachable():
    sender = next(s for s in SENDERS if ranking(s, [A, B])[0] == A)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url.host))
        if request.url.host == "rasa-a":
            raise httpx.ConnectError("connection refused", request=request)
        assert json.loads(request.content) == {"sender": sender, "message": "bonjour"}
        return httpx.Response(200, json=[{"recipient_id": sender, "text": "Bonjour !"}])

    async def main():
        client = _client(handler)
        first = await client.send(sender, "bonjour")
        second = await client.send(sender, "bonjour")
        await client.close()
        return first, second

    first, second = asyncio.run(main())
    assert first.messages == [{"recipient_id": sender, "text": "Bonjour !"}]
    assert second.messages == first.messages
    assert calls == ["rasa-a", "rasa-b", "rasa-b"]  # the refusing server is not retried at once


def test_a_turn_that_reached_a_server_is_never_sent_twice():
    """A read timeout means Rasa may be running the turn: sending it elsewhere could run it twice."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url.host))
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RasaUnavailable):
        _send_once(handler)
    assert len(calls) == 1


def test_every_server_unreachable_is_rasa_unavailable():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(RasaUnavailable):
        _send_once(handler)
