"""Talk to the Rasa server on loopback: REST channel turns and status."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import httpx

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer (down, starting, or timed out)."""


@dataclass
class RasaTurn:
    """One turn as Rasa ran it: the bot's messages and, when reported, what it understood."""

    messages: list[dict[str, Any]]
    intent: Optional[str] = None
    confidence: Optional[float] = None
    actions: list[str] = field(default_factory=list)


def turn_from_reply(body: Any, headers: Mapping[str, str]) -> RasaTurn:
    """The REST channel's body plus the X-Boussole-* headers of bot/rasa_channel.py.

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
    def __init__(self, base_url: str, token: str, timeout: float):
        self.base_url = base_url
        self._token = token
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, message: str) -> RasaTurn:
        """One turn through Rasa's REST channel; the bot's messages in order."""
        try:
            response = await self._http.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 404:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        response.raise_for_status()
        body = response.json()
        return turn_from_reply(body, response.headers)

    async def status(self) -> Optional[dict[str, Any]]:
        """Rasa's /status (model loaded, fingerprint), or None if unreachable."""
        try:
            response = await self._http.get("/status", params={"token": self._token}, timeout=3.0)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError):
            return None

    async def tracker(self, sender: str) -> Optional[dict[str, Any]]:
        try:
            response = await self._http.get(f"/conversations/{sender}/tracker", params={"token": self._token})
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc)) from exc
