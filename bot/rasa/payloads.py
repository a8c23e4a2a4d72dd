"""Typed payloads: a message is taken as a button press only if Boussole offered that button.

Rasa reads any message that starts with "/" as an intent with entities
(`/ask_definition{"job": "..."}`, RegexMessageHandler), skipping the NLU.
Buttons rely on this: the widget, the API and the channels send a pressed
button's payload as the message text. Anyone can type one too, though:
`/restart` or `/back` acted on the conversation, and
`/ask_definition{"job": "[x](https://evil.example)"}` put a foreign link
inside the bot's own reply.

The rule: a message starting with "/" stays a payload only if it is exactly
the payload of a button shown in this conversation since its last restart,
or one of ALWAYS_ACCEPTED (harmless commands that need no button: the
Telegram adapter maps /start and /aide to them). Any other is refused: its
leading slashes are removed and the NLU reads the rest as plain text, so the
person still gets an answer. Buttons of earlier messages stay accepted: the
widget and Telegram keep them pressable, and every payload Boussole issued
is harmless by construction.

Runs inside the Rasa process (bot/rasa/channel.py calls `screen_message`):
no import of the public service.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, Collection, Iterable, Optional

from rasa.shared.constants import DEFAULT_SENDER_ID, INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import BotUttered, Event

log = logging.getLogger(__name__)

# Commands with no entities and no effect on the conversation's state: accepted without a button.
ALWAYS_ACCEPTED = frozenset({f"{INTENT_MESSAGE_PREFIX}greet", f"{INTENT_MESSAGE_PREFIX}help"})
_INTENT_NAME = re.compile(r"/+([\w-]{1,64})")


def offered_payloads(events: Iterable[Event]) -> set[str]:
    """The payloads of the buttons the bot showed in `events` (pass the tracker's applied events)."""
    offered: set[str] = set()
    for event in events:
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                payload = button.get("payload") if isinstance(button, dict) else None
                if isinstance(payload, str) and payload.strip():
                    offered.add(payload.strip())
    return offered


def is_payload(text: Any) -> bool:
    """Would Rasa read `text` as an intent (it strips the text first)?"""
    return isinstance(text, str) and text.strip().startswith(INTENT_MESSAGE_PREFIX)


def screen(text: str, offered: Collection[str]) -> Optional[str]:
    """None if `text` may go to Rasa as it is; otherwise the plain text to send instead.

    `text` must be a payload (`is_payload`).
    """
    payload = text.strip()
    if payload in ALWAYS_ACCEPTED or payload in offered:
        return None
    # Only slashes ("/", "//"): no intent name for Rasa to read, so the text goes to the NLU as it is.
    return payload.lstrip(INTENT_MESSAGE_PREFIX).strip() or payload


async def screen_message(agent: Any, sender_id: Optional[str], text: Any) -> Any:
    """`text` as Rasa should read it: a typed payload Boussole did not offer becomes plain text.

    The buttons are read from the tracker store (only for messages that start
    with "/"). If the store cannot be read, no button counts as offered: the
    turn itself will then meet the store's failure and report it.
    """
    if not is_payload(text):
        return text
    sender_id = sender_id or DEFAULT_SENDER_ID  # as UserMessage does
    offered: set[str] = set()
    store = getattr(agent, "tracker_store", None)
    if store is not None:
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as exc:  # noqa: BLE001 - any store failure: fail closed, the turn reports it
            log.warning("rasa.payload.buttons_unreadable sender=%s reason=%s", _hashed(sender_id), type(exc).__name__)
            tracker = None
        if tracker is not None:
            offered = offered_payloads(tracker.applied_events())
    plain = screen(text, offered)
    if plain is None:
        return text
    name = _INTENT_NAME.match(text.strip())
    log.info("rasa.payload.refused sender=%s intent=%s offered=%d: read as plain text",
             _hashed(sender_id), name[1] if name else "-", len(offered))
    return plain


def _hashed(sender_id: str) -> str:
    """As bot.web.turnlog.sender_hash: the id is the key to a history, never logged as is."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:12]
