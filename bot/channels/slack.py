"""Slack Events API: signed requests only, acknowledged at once, each event answered once.

Requests are checked against the signing secret (HMAC-SHA256 of
"v0:timestamp:body", constant-time, older than 5 minutes refused). Replies
go out with chat.postMessage in the same channel or thread; quick replies are
Block Kit buttons whose clicks come back on /channels/slack/interactions.

Nothing is lost once Slack got its 200: the turn always goes to Rasa and the
reply is retried (bot/channels/http_retry.py), then logged at ERROR if Slack
never takes it. A signed request Boussole can never process (not JSON, wrong
types) is acknowledged too, with a WARNING: Slack would otherwise retry it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any, Optional
from urllib.parse import parse_qs

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.channels.common import (BackgroundTurns, Malformed, ask_rasa, optional_object, optional_string,
                                 plain_text, report_undelivered, require_object, sender_id)
from bot.channels.shared_state import SharedState
from bot.channels.http_retry import DeliveryFailed, post_with_retry
from bot.render.reply import button_title, for_slack
from bot.web.deps import State

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300
APOLOGY = "Désolé, je n'ai pas pu répondre à ce message. Pouvez-vous réessayer ?"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackAdapter:
    def __init__(self, token: str, signing_secret: str, api_base: str, redis=None):
        self._token = token
        self._secret = signing_secret
        self._api = api_base.rstrip("/")
        self._http = httpx.AsyncClient(timeout=15.0)
        self.shared = SharedState(redis)
        self.turns = BackgroundTurns()

    def signature_ok(self, timestamp: Optional[str], signature: Optional[str], body: bytes) -> bool:
        if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit()):  # int("²") fails
            return False
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        return hmac.compare_digest(sign(self._secret, timestamp, body).encode(), signature.encode())

    async def post_message(self, channel: str, thread_ts: Optional[str], message: dict[str, Any]) -> None:
        text = for_slack(message.get("text") or "")
        payload: dict[str, Any] = {"channel": channel, "text": text}
        if thread_ts:
            payload["thread_ts"] = thread_ts
        buttons = message.get("buttons") or []
        if buttons:
            payload["blocks"] = [
                {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}},
                {"type": "actions", "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": button_title(b["title"])[:75]},
                     "value": b["payload"][:2000], "action_id": f"boussole_{i}"}
                    for i, b in enumerate(buttons[:25])
                ]},
            ]
        response = await post_with_retry(
            self._http, f"{self._api}/chat.postMessage", platform="slack",
            json=payload, headers={"Authorization": f"Bearer {self._token}"},
        )
        error = slack_error(response)
        if error:  # Slack answers 200 {"ok": false, "error": "channel_not_found"}: the same on every try
            raise DeliveryFailed("chat.postMessage", 1, f"Slack error {error}")

    async def close(self) -> None:
        await self._http.aclose()

    async def run_turn(self, rasa, key: bytes, channel: str, thread_ts: Optional[str], text: str) -> None:
        """The turn in Rasa (always), then the reply (retried, or an ERROR line: the rest would fail too)."""
        sender = sender_id(key, "slack", f"{channel}:{thread_ts or ''}")
        try:
            messages = await ask_rasa(rasa, sender, text)
        except Exception:
            log.exception("slack.turn.failed channel=%s", channel)
            messages = [{"text": APOLOGY}]
        try:
            for message in messages:
                await self.post_message(channel, thread_ts, message)
        except DeliveryFailed as exc:
            report_undelivered("slack", sender, exc)


def slack_error(response: httpx.Response) -> Optional[str]:
    """The `error` of a Web API answer with "ok": false, or None for a success (or a body that does not say)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("ok") is False:
        return str(body.get("error") or "unknown")
    return None


router = APIRouter(tags=["canaux"])


def acknowledge_malformed(kind: str, reason: object) -> Response:
    """200 for a signed request Boussole can never process: Slack retries anything else, to no end."""
    log.warning("slack.%s.malformed reason=%s; acknowledged so that Slack does not retry it", kind, reason)
    return Response(status_code=200)


def check_envelope(envelope: Any) -> dict[str, Any]:
    """An Events API envelope whose parts Boussole reads have Slack's types; Malformed otherwise."""
    envelope = require_object(envelope, "body")
    optional_string(envelope, "type", "body")
    optional_string(envelope, "challenge", "body")
    optional_string(envelope, "event_id", "body")
    event = optional_object(envelope, "event", "body")
    if envelope.get("type") == "event_callback" and event is None:
        raise Malformed("body.event is missing")
    for key in ("type", "subtype", "bot_id", "channel", "channel_type", "text", "ts", "thread_ts"):
        optional_string(event or {}, key, "event")
    return envelope


def check_interaction(body: bytes) -> dict[str, Any]:
    """The `payload` of an interaction (a form field holding JSON) with Slack's types; Malformed otherwise."""
    try:
        fields = parse_qs(body.decode(), strict_parsing=False)
        payload = require_object(json.loads(fields["payload"][0]), "payload")
    except (KeyError, IndexError):
        raise Malformed("the form has no payload field") from None
    except (UnicodeDecodeError, RecursionError, json.JSONDecodeError):
        raise Malformed("payload is not JSON") from None
    optional_string(payload, "type", "payload")
    actions = payload.get("actions")
    if payload.get("type") == "block_actions":
        if not isinstance(actions, list) or not actions:
            raise Malformed("payload.actions is not a non-empty list")
        action = require_object(actions[0], "payload.actions[0]")
        optional_string(action, "value", "payload.actions[0]")
        optional_string(action, "action_ts", "payload.actions[0]")
        optional_string(optional_object(payload, "channel", "payload") or {}, "id", "payload.channel")
        optional_string(optional_object(payload, "message", "payload") or {}, "thread_ts", "payload.message")
    return payload


async def _verified_body(request: Request) -> tuple[Optional[SlackAdapter], Optional[bytes], Optional[Response]]:
    adapter: Optional[SlackAdapter] = request.app.state.slack
    if adapter is None:
        return None, None, JSONResponse({"detail": "Le canal Slack n'est pas activé.", "code": "channel_off"}, status_code=404)
    body = await request.body()
    if not adapter.signature_ok(request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature"), body):
        log.warning("slack.request.refused reason=bad or stale signature")
        return adapter, None, JSONResponse({"detail": "Signature invalide ou expirée.", "code": "forbidden"}, status_code=403)
    return adapter, body, None


@router.post("/channels/slack/events", include_in_schema=False)
async def slack_events(request: Request, state: State) -> Response:
    adapter, body, refused = await _verified_body(request)
    if refused:
        return refused
    try:
        envelope = check_envelope(json.loads(body))
    except (ValueError, RecursionError) as exc:  # Malformed, or not JSON (RecursionError: nested too deep)
        return acknowledge_malformed("event", exc if isinstance(exc, Malformed) else "the body is not JSON")
    if envelope.get("type") == "url_verification":
        return JSONResponse({"challenge": envelope.get("challenge", "")})
    event = envelope.get("event") or {}
    event_id = envelope.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    if envelope.get("type") != "event_callback" or not await adapter.shared.first_time(f"slack:{event_id}"):
        return Response(status_code=200)
    # The bot's own posts, edits and other subtypes are not questions.
    if event.get("bot_id") or event.get("subtype") or event.get("type") not in ("message", "app_mention"):
        return Response(status_code=200)
    if event.get("type") == "message" and event.get("channel_type") not in (None, "im"):
        return Response(status_code=200)  # in channels, only mentions (app_mention) are for the bot
    words = plain_text(event.get("text") or "").split()
    text = " ".join(w for w in words if not (w.startswith("<@") and w.endswith(">")))
    if not text:
        return Response(status_code=200)
    channel = event.get("channel")
    if not channel:
        return acknowledge_malformed("event", "event.channel is missing")
    thread_ts = event.get("thread_ts") or (event.get("ts") if event.get("type") == "app_mention" else None)
    text = text[: state.settings.max_message_chars]
    adapter.turns.start(f"slack-{event_id}", lambda: adapter.run_turn(state.rasa, state.ids.key, channel, thread_ts, text))
    return Response(status_code=200)


@router.post("/channels/slack/interactions", include_in_schema=False)
async def slack_interactions(request: Request, state: State) -> Response:
    adapter, body, refused = await _verified_body(request)
    if refused:
        return refused
    try:
        payload = check_interaction(body)
    except Malformed as exc:
        return acknowledge_malformed("interaction", exc)
    if payload.get("type") != "block_actions" or not payload.get("actions"):
        return Response(status_code=200)
    value = payload["actions"][0].get("value") or ""
    channel = (payload.get("channel") or {}).get("id")
    message = payload.get("message") or {}
    thread_ts = message.get("thread_ts")
    action_key = f"slack-action:{payload['actions'][0].get('action_ts')}:{channel}"
    if channel and value and await adapter.shared.first_time(action_key):
        adapter.turns.start(action_key, lambda: adapter.run_turn(state.rasa, state.ids.key, channel, thread_ts, value))
    return Response(status_code=200)
