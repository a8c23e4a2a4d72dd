"""One operator log line and the turn counters per conversation turn, for every channel.

    chat.turn channel=api sender=5f0c2a9e41b7 intent=ask_salary confidence=0.9731
              actions=action_answer replies=1 ms=31

`sender` is a hash of the conversation id (or channel sender id): turns of one
conversation can be followed in the log, but the id, which is the key to the
conversation, is not written down. The user's text is not logged at INFO; it
appears only on a DEBUG line (`chat.turn.text`), off unless an operator turns
that logger's level down on purpose.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Optional

from bot.web import metrics
from bot.web.rasa_client import RasaStoreUnavailable, RasaTurn

log = logging.getLogger("boussole.turn")


def sender_hash(sender: str) -> str:
    """12 hex digits of SHA-256: stable across workers and restarts, not reversible."""
    return hashlib.sha256(sender.encode()).hexdigest()[:12]


def record_turn(channel: str, sender: str, turn: RasaTurn, replies: int, seconds: float,
                text: Optional[str] = None) -> None:
    """Log the turn's line and count it (turns by intent, fallbacks)."""
    metrics.count_turn(channel, turn.intent, turn.actions)
    confidence = "-" if turn.confidence is None else f"{turn.confidence:.4f}"
    log.info("chat.turn channel=%s sender=%s intent=%s confidence=%s actions=%s replies=%d ms=%.0f",
             channel, sender_hash(sender), turn.intent or "-", confidence, ",".join(turn.actions) or "-",
             replies, seconds * 1000)
    if text is not None and log.isEnabledFor(logging.DEBUG):
        log.debug("chat.turn.text channel=%s sender=%s text=%r", channel, sender_hash(sender), text)


def record_rasa_unavailable(channel: str, sender: str, reason: object) -> None:
    """A turn Rasa did not answer: a warning line and the counter.

    A turn Rasa could not save (RasaStoreUnavailable) is an ERROR of its own
    and counted apart: the service is up, and the conversation store is not.
    """
    if isinstance(reason, RasaStoreUnavailable):
        metrics.count_store_failure(channel)
        log.error("chat.turn.store_failed channel=%s sender=%s operation=%s reason=%s",
                  channel, sender_hash(sender), reason.operation, reason.reason)
        return
    metrics.count_rasa_unavailable(channel)
    log.warning("chat.turn.rasa_unavailable channel=%s sender=%s reason=%s", channel, sender_hash(sender), reason)
