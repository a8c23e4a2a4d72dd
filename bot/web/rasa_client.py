"""Talk to the Rasa servers: REST channel turns, status and trackers.

With several servers (BOUSSOLE_RASA_URLS) each conversation goes to the one
bot/web/rasa_servers.py picks for it, and to the next when that one is
unreachable. Turns of one conversation are sent on as they come: Rasa's lock
store hands out tickets in arrival order, which is the order a person sent
them in, whichever worker they came through (a queue in each worker would
let a later message overtake one waiting in another worker's queue).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Union

import httpx

from bot.web.rasa_servers import RasaServers

log = logging.getLogger(__name__)
_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"']+")


class HideTokenInUrls(logging.Filter):
    """httpx logs every request's URL at INFO, and Rasa's HTTP API takes its token in the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_IN_QUERY.sub(r"\1***", message), ()
        return True


logging.getLogger("httpx").addFilter(HideTokenInUrls())


class RasaUnavailable(Exception):
    """Rasa did not answer (down, starting, or timed out)."""


class RasaStoreUnavailable(RasaUnavailable):
    """Rasa ran the turn but could not read or save the conversation: nothing of it was kept.

    A subclass, so that every caller that handles an unreachable Rasa (the
    Telegram and Slack adapters) refuses this turn too; /api/chat tells it apart.
    """

    def __init__(self, operation: str, reason: str, retry_after: int = 5):
        super().__init__(f"tracker store {operation} failed: {reason}")
        self.operation = operation
        self.reason = reason
        self.retry_after = retry_after  # seconds, as Rasa's channel advised


# What bot/rasa/channel.py answers for such a turn: 503 with this header (and the same code in the body).
STORE_ERROR_HEADER = "x-boussole-error"
STORE_UNAVAILABLE = "tracker_store_unavailable"


def store_failure(response: httpx.Response) -> Optional[RasaStoreUnavailable]:
    """The tracker store failure a REST channel answer reports, or None for any other answer."""
    if response.status_code != 503 or response.headers.get(STORE_ERROR_HEADER) != STORE_UNAVAILABLE:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    try:
        retry_after = max(1, min(int(response.headers.get("retry-after", "5")), 300))
    except ValueError:
        retry_after = 5
    return RasaStoreUnavailable(str(body.get("operation") or "unknown"), str(body.get("reason") or "unknown"),
                                retry_after)


@dataclass
class RasaTurn:
    """One turn as Rasa ran it: the bot's messages and, when reported, what it understood."""

    messages: list[dict[str, Any]]
    intent: Optional[str] = None
    confidence: Optional[float] = None
    actions: list[str] = field(default_factory=list)


def turn_from_reply(body: Any, headers: Mapping[str, str]) -> RasaTurn:
    """The REST channel's body plus the X-Boussole-* headers of bot/rasa/channel.py.

    Missing or unreadable headers (a plain Rasa REST channel) leave the fields
    unset: the turn is still answered, only less well described.
    """
    try:
        confidence: Optional[float] = float(headers["x-boussole-confidence"])
    except (KeyError, ValueError):
        confidence = None
    return RasaTurn(
        messages=body if isinstance(body, list) else [],
        intent=headers.get("x-boussole-intent") or None,
        confidence=confidence,
        actions=[a for a in headers.get("x-boussole-actions", "").split(",") if a],
    )


class RasaClient:
    def __init__(self, base_url: Union[str, Sequence[str]], token: str, timeout: float):
        """`base_url`: one Rasa server, or several sharing their tracker and lock stores."""
        self._servers = RasaServers([base_url] if isinstance(base_url, str) else base_url)
        self._token = token
        self._http = httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, message: str) -> RasaTurn:
        """One turn through Rasa's REST channel; the bot's messages in order."""
        try:
            response = await self._request("POST", "/webhooks/rest/webhook", self._servers.for_sender(sender),
                                           json={"sender": sender, "message": message})
        except httpx.HTTPError as exc:
            raise RasaUnavailable(self._reason(exc)) from exc
        failure = store_failure(response)
        if failure is not None:
            raise failure
        if response.status_code >= 500 or response.status_code == 404:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        response.raise_for_status()
        body = response.json()
        return turn_from_reply(body, response.headers)

    async def statuses(self) -> dict[str, Optional[dict[str, Any]]]:
        """Every configured server's /status, asked at once: None for a server that does not answer."""

        async def one(url: str) -> Optional[dict[str, Any]]:
            try:
                response = await self._http.get(f"{url}/status", params={"token": self._token}, timeout=3.0)
                response.raise_for_status()
                return response.json()
            except (httpx.HTTPError, ValueError):
                return None

        answers = await asyncio.gather(*(one(url) for url in self._servers.urls))
        return dict(zip(self._servers.urls, answers))

    async def store_statuses(self) -> dict[str, Optional[dict[str, Any]]]:
        """Every configured server's tracker store status (GET /webhooks/rest/store, bot/rasa/channel.py).

        None for a server that does not answer it (down, or a plain Rasa REST
        channel): /health's Rasa check covers a server that is down.
        """

        async def one(url: str) -> Optional[dict[str, Any]]:
            try:
                response = await self._http.get(f"{url}/webhooks/rest/store", timeout=3.0)
                response.raise_for_status()
                status = response.json()
            except (httpx.HTTPError, ValueError):
                return None
            return status if isinstance(status, dict) else None

        answers = await asyncio.gather(*(one(url) for url in self._servers.urls))
        return dict(zip(self._servers.urls, answers))

    async def tracker(self, sender: str) -> Optional[dict[str, Any]]:
        try:
            response = await self._request("GET", f"/conversations/{sender}/tracker", self._servers.for_sender(sender),
                                           params={"token": self._token})
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(self._reason(exc)) from exc

    async def append_event(self, sender: str, event: dict[str, Any]) -> None:
        """Add one event to the conversation's tracker (Rasa's HTTP API takes the conversation's lock)."""
        try:
            response = await self._request("POST", f"/conversations/{sender}/tracker/events",
                                           self._servers.for_sender(sender), params={"token": self._token},
                                           json=event)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(self._reason(exc)) from exc

    def _reason(self, exc: Exception) -> str:
        """An error for the log: httpx puts the URL in some messages, and the URL carries the token."""
        if isinstance(exc, httpx.HTTPStatusError):
            return f"Rasa answered HTTP {exc.response.status_code}"
        return f"{type(exc).__name__}: {exc}".replace(self._token, "***")

    async def _request(self, method: str, path: str, servers: list[str], **kwargs: Any) -> httpx.Response:
        """The response of the first of `servers` that accepts the connection.

        Only a refused or timed-out connection moves on to the next server: the
        request never reached that one, so a turn never runs twice. Any other
        error (a timeout while Rasa works on the turn, say) is raised.
        """
        for position, url in enumerate(servers):
            try:
                response = await self._http.request(method, url + path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self._servers.mark_down(url)
                if position == len(servers) - 1:
                    raise
                log.warning("rasa.failover unreachable=%s next=%s", url, servers[position + 1])
                continue
            self._servers.mark_up(url)
            return response
        raise AssertionError("no Rasa server configured")  # RasaServers refuses an empty list
