"""One report, from the settings to its text: shared by `boussole report` and GET /api/report."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Callable, Optional

from bot.rasa import stores
from bot.report.findings import DEFAULT_THRESHOLD, Findings
from bot.report.formats import render
from bot.report.store import read_conversations
from bot.settings import Settings

SINCE_HELP = "a date (2026-12-01), a date and time (2026-12-01T08:00) or a duration (7d, 12h)"
# Bounds of `since`: far wider than any tracker store's history, and narrow enough that every moment
# in them is a valid date (99999999999d went back before year 1 and answered 500).
MAX_SINCE_DAYS = 3650
EARLIEST_SINCE = 0.0  # 1970-01-01 UTC: no conversation is older
LATEST_SINCE = datetime(9999, 12, 31, tzinfo=timezone.utc).timestamp()  # later dates cannot be printed


class SinceOutOfRange(ValueError):
    """A well-formed `since` too far back (or forward) to mean anything."""


def parse_since(value: str) -> float:
    """A date (local midnight), a date and time, or a duration back from now (7d, 12h): epoch seconds.

    ValueError, saying what is expected, for anything else, and for a duration
    over MAX_SINCE_DAYS or a date outside 1970-01-01 to 9999-12-31.
    """
    match = re.fullmatch(r"(\d+)\s*([dh])", value.strip())
    if match:
        hours = int(match[1]) * (24 if match[2] == "d" else 1)
        if hours > MAX_SINCE_DAYS * 24:
            raise SinceOutOfRange(f"a duration of at most {MAX_SINCE_DAYS}d ({MAX_SINCE_DAYS * 24}h) is expected; got {value!r}")
        return time.time() - hours * 3600
    try:
        moment = datetime.fromisoformat(value.strip())
        seconds = (moment if moment.tzinfo else moment.astimezone()).timestamp()
    except (ValueError, OverflowError):  # not a date, or one the platform cannot place (year 1 in local time)
        raise ValueError(f"expected {SINCE_HELP}; got {value!r}") from None
    if not EARLIEST_SINCE <= seconds <= LATEST_SINCE:
        raise SinceOutOfRange(f"a date from 1970-01-01 to 9999-12-31 is expected; got {value!r}")
    return seconds


def build_report(settings: Settings, fmt: str = "table", since: Optional[float] = None,
                 threshold: float = DEFAULT_THRESHOLD,
                 progress: Optional[Callable[[int, int], None]] = None) -> tuple[str, Findings]:
    """The report's text in `fmt`, and its findings, read from the tracker store of `settings`."""
    findings = Findings(threshold=threshold)
    for events in read_conversations(stores.tracker_url(settings), since=since, progress=progress):
        findings.add_conversation(events)
    return render(findings, fmt, since=since), findings
