"""Rasa's REST channel, plus what Rasa understood of the turn, in response headers.

Runs inside the Rasa server (credentials.yml names this class by module path;
Rasa 3.6 loads any `InputChannel` subclass that way). The route, request and
JSON body are those of `rasa.core.channels.rest.RestInput` (the channel keeps
its name, `rest`, so the URL stays /webhooks/rest/webhook); each answer also
carries:

    X-Boussole-Intent       intent of the user message (nlu_fallback included)
    X-Boussole-Confidence   its confidence, 0..1
    X-Boussole-Actions      comma-separated actions the turn ran (action_listen and
                            the per-turn action_extract_slots left out)

How the tracker reaches the channel: Rasa's processor does not hand it back,
so the channel opens a per-request `TurnReport` in a context variable and the
processor's `save_tracker` (wrapped once per processor) fills it from the
tracker it is saving anyway, at the end of the turn, inside the sender's lock.
No extra tracker-store read, nothing kept between requests, and no mixing of
senders: the context variable belongs to the request's own task.

A turn whose tracker could not be read or saved (bot/rasa/store_guard.py)
is answered 503 with `X-Boussole-Error: tracker_store_unavailable`,
`Retry-After` and the failed operation and reason in the body, never with
the replies collected before the failure: nothing of that turn was kept.
GET /webhooks/rest/store tells the public service's /health how this
server's latest tracker store operations went (no conversation data; open
to whoever reaches Rasa, like the webhook beside it).

This module is imported by the Rasa process only: it must not import the
public service (FastAPI) or anything heavy.
"""

from __future__ import annotations

import functools
import logging
from asyncio import CancelledError
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS, ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa import payloads, store_guard
from bot.rasa.store_guard import TrackerStoreUnavailable

log = logging.getLogger(__name__)

INTENT_HEADER = "X-Boussole-Intent"
CONFIDENCE_HEADER = "X-Boussole-Confidence"
ACTIONS_HEADER = "X-Boussole-Actions"
# Run on every turn whatever was said: they would only make the header longer.
_ROUTINE_ACTIONS = frozenset({ACTION_LISTEN_NAME, ACTION_EXTRACT_SLOTS})
_HOOKED = "_boussole_turn_report_hook"


@dataclass
class TurnReport:
    """What Rasa understood and did for one sender's turn."""

    sender: str
    intent: Optional[str] = None
    confidence: Optional[float] = None
    actions: list[str] = field(default_factory=list)
    filled: bool = False

    def fill_from(self, tracker: Any) -> None:
        """The last user message's intent and the actions run after it (newest turn only)."""
        actions: list[str] = []
        for event in reversed(tracker.events):  # walks back over this turn's events only
            if isinstance(event, UserUttered):
                self.intent = event.intent.get("name")
                confidence = event.intent.get("confidence")
                self.confidence = float(confidence) if confidence is not None else None
                break
            if isinstance(event, ActionExecuted) and event.action_name not in _ROUTINE_ACTIONS:
                actions.append(event.action_name)
        self.actions = actions[::-1]
        self.filled = True

    def headers(self) -> dict[str, str]:
        if not self.filled:
            return {}
        values = {
            INTENT_HEADER: self.intent or "",
            CONFIDENCE_HEADER: "" if self.confidence is None else f"{self.confidence:.4f}",
            ACTIONS_HEADER: ",".join(self.actions),
        }
        return {name: value for name, value in values.items() if value}


# A turn whose tracker could not be read or saved: 503, this header, and a JSON
# body {"error": STORE_UNAVAILABLE, "operation", "reason"} (bot/web/rasa_client.py reads it).
ERROR_HEADER = "X-Boussole-Error"
STORE_UNAVAILABLE = "tracker_store_unavailable"
# A locked SQLite file or a database restarting is usually back within seconds.
STORE_RETRY_AFTER_SECONDS = 5


def store_unavailable_response(error: TrackerStoreUnavailable) -> HTTPResponse:
    """503 for a turn Rasa ran but could not read or save: never the partial reply."""
    return response.json(
        {"error": STORE_UNAVAILABLE, "operation": error.operation, "reason": error.reason},
        status=503,
        headers={ERROR_HEADER: STORE_UNAVAILABLE, "Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
    )


_current_report: ContextVar[Optional[TurnReport]] = ContextVar("boussole_turn_report", default=None)


def _hook_processor(processor: Any) -> None:
    """Wrap this processor's `save_tracker` once so that it fills the open report.

    A new processor comes with each model load, hence the check on every
    request (an attribute lookup) rather than once at start-up.
    """
    if processor is None or getattr(processor, _HOOKED, False):
        return
    save_tracker = processor.save_tracker

    @functools.wraps(save_tracker)
    async def save_and_report(tracker: Any) -> None:
        await save_tracker(tracker)
        report = _current_report.get()
        if report is not None and report.sender == tracker.sender_id:
            report.fill_from(tracker)

    processor.save_tracker = save_and_report
    setattr(processor, _HOOKED, True)


class TurnReportingRestInput(RestInput):
    """RestInput whose non-streamed answers also say the intent, confidence and actions."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/store", methods=["GET"])
        async def store(request: Request) -> HTTPResponse:
            """The tracker store as this server's turns found it (bot/rasa/store_guard.py), for /health."""
            return response.json(store_guard.STATUS.as_dict())

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            # A typed "/intent{...}" that is not a button Boussole offered is read as plain text.
            text = await payloads.screen_message(getattr(request.app.ctx, "agent", None), sender_id, self._extract_message(request))
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if bool_arg(request, "stream", default=False):  # as RestInput: streamed, no headers
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, input_channel, metadata),
                    content_type="text/event-stream",
                )
            agent = getattr(request.app.ctx, "agent", None)
            _hook_processor(getattr(agent, "processor", None))
            report = TurnReport(sender=sender_id or "default")
            token = _current_report.set(report)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata)
                )
            except CancelledError:  # as RestInput, but the user's text stays out of the log
                log.error("rest.message.received.timeout sender=%s", sender_id)
            except TrackerStoreUnavailable as error:  # nothing was saved: the turn must not look answered
                return store_unavailable_response(error)
            except Exception:
                log.exception("rest.message.received.failure")
            finally:
                _current_report.reset(token)
            return response.json(collector.messages, headers=report.headers())

        return bp
