"""One report, from the settings to its text: shared by `boussole report` and GET /api/report."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Callable, Optional

from bot.rasa import stores
from bot.report.findings import DEFAULT_THRESHOLD, Findings
from bot.report.formats import render
from bot.report.store import read_conversations
from bot.settings import Settings

SINCE_HELP = "a date (2026-12-01), a date and time (2026-12-01T08:00) or a duration (7d, 12h)"


def parse_since(value: str) -> float:
    """A date (local midnight), a date and time, or a duration back from now (7d, 12h): epoch seconds.

    ValueError, saying what is expected, for anything else.
    """
    match = re.fullmatch(r"(\d+)\s*([dh])", value.strip())
    if match:
        return time.time() - int(match[1]) * (86400 if match[2] == "d" else 3600)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"expected {SINCE_HELP}; got {value!r}") from None
    return (moment if moment.tzinfo else moment.astimezone()).timestamp()


def build_report(settings: Settings, fmt: str = "table", since: Optional[float] = None,
                 threshold: float = DEFAULT_THRESHOLD,
                 progress: Optional[Callable[[int, int], None]] = None) -> tuple[str, Findings]:
    """The report's text in `fmt`, and its findings, read from the tracker store of `settings`."""
    findings = Findings(threshold=threshold)
    for events in read_conversations(stores.tracker_url(settings), since=since, progress=progress):
        findings.add_conversation(events)
    return render(findings, fmt, since=since), findings
