"""A tracker store that cannot be read or written fails the turn instead of losing it.

Rasa 3.6 wraps the configured tracker store in `FailSafeTrackerStore`
(rasa/core/agent.py, `_create_tracker_store`), which hides every error:

- a failed `retrieve` returns None, so the processor starts a NEW tracker and
  the turn runs without the conversation's context (a wrong reply, and the
  next successful save appends to a history it never read);
- a failed `save` saves into an in-memory fallback that nothing reads: the
  reply is sent, the turn is lost.

`install()` (called by bot/rasa/launcher.py) makes those methods raise
`TrackerStoreUnavailable` instead. Rasa's processor runs inside
`LockStore.lock()`, whose `finally` hands the conversation's lock back, and
`SQLTrackerStore.save` adds the turn's events in one session committed once
(closing the session rolls an uncommitted one back): a failed turn leaves
neither a held lock nor half a turn in the store. The REST channel
(bot/rasa/channel.py) turns the exception into a 503 the public service
recognises, and the person sends the message again.

`STATUS` keeps, in this Rasa process, the failures of real turns (when,
which operation, why): a failed read stays failing until a read succeeds, a
failed save until a save succeeds (a full disk still reads). The channel
serves it on GET /webhooks/rest/store for the public service's /health. No
probe: a probe cheap enough for every /health call would not write, and so
would miss a full disk or a read-only database.

Imported by the Rasa process only: nothing of the public service here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

log = logging.getLogger(__name__)

_REASON_LIMIT = 200
_INSTALLED = "_boussole_store_guard"


class TrackerStoreUnavailable(Exception):
    """The tracker store failed a read or write of a conversation: the turn must not be acknowledged."""

    def __init__(self, operation: str, reason: str):
        super().__init__(f"tracker store {operation} failed: {reason}")
        self.operation = operation
        self.reason = reason


def describe(error: BaseException) -> str:
    """The database's own words for an error, for operators: never the SQL nor its parameters.

    SQLAlchemy's message appends the statement and its parameters (the
    events, with the user's text); the driver's error (`orig`) is the reason
    alone, e.g. "OperationalError: database is locked".
    """
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    text = f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"


@dataclass(frozen=True)
class StoreFailure:
    operation: str
    reason: str
    at: float  # Unix time

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "reason": self.reason, "at": round(self.at, 3)}


def _kind(operation: str) -> str:
    """Reads and writes fail apart (a full disk still reads): only a success of the same kind clears a failure."""
    return "write" if operation == "save" else "read"


class StoreStatus:
    """The outcome of this process's latest tracker store reads and writes."""

    def __init__(self) -> None:
        self.failing: dict[str, StoreFailure] = {}  # kind -> its latest failure, until that kind succeeds
        self.last_failure: Optional[StoreFailure] = None
        self.last_success: Optional[float] = None
        self.failures = 0

    def failed(self, operation: str, reason: str) -> None:
        failure = StoreFailure(operation, reason, time.time())
        self.failing[_kind(operation)] = self.last_failure = failure
        self.failures += 1

    def succeeded(self, operation: str) -> None:
        self.last_success = time.time()
        self.failing.pop(_kind(operation), None)

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_dict(self) -> dict[str, Any]:
        """`failing`: the failures not cleared yet, newest first; `last_failure`: the latest, cleared or not."""
        return {
            "ok": self.ok,
            "failing": [f.as_dict() for f in sorted(self.failing.values(), key=lambda f: f.at, reverse=True)],
            "failures": self.failures,
            "last_failure": None if self.last_failure is None else self.last_failure.as_dict(),
            "last_success": None if self.last_success is None else round(self.last_success, 3),
        }


STATUS = StoreStatus()


# The methods FailSafeTrackerStore wraps; `keys` too, which would answer [] on an error.
OPERATIONS = ("retrieve", "retrieve_full_tracker", "save", "keys")


def _guarded(operation: str) -> Callable[..., Awaitable[Any]]:
    """FailSafeTrackerStore's `operation`: the primary store's, its errors noted and raised."""

    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        store = self._tracker_store
        try:
            result = await getattr(store, operation)(*args, **kwargs)
        except Exception as error:
            reason = describe(error)
            STATUS.failed(operation, reason)
            log.error("tracker_store.failed operation=%s store=%s reason=%s", operation, type(store).__name__, reason)
            raise TrackerStoreUnavailable(operation, reason) from error
        STATUS.succeeded(operation)
        return result

    run.__name__ = run.__qualname__ = operation
    return run


def install() -> None:
    """Make Rasa's FailSafeTrackerStore pass errors on instead of falling back (once per process)."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore, _INSTALLED, False):
        return
    for operation in OPERATIONS:
        setattr(FailSafeTrackerStore, operation, _guarded(operation))
    setattr(FailSafeTrackerStore, _INSTALLED, True)
