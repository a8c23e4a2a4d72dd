"""Stream a tracker store's events, conversation by conversation, with Rasa's own table.

Rasa's SQL tracker store (SQLite by default, PostgreSQL when shared) keeps one
row per event in its `events` table; the table is taken from Rasa's
SQLTrackerStore so that this reader follows Rasa's schema. Only the events a
report needs are read (user messages, bot messages, slots), in one query
ordered by conversation, so memory holds one conversation at a time.
"""

from __future__ import annotations

import json
import os
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from bot.errors import BoussoleError

# Rasa 3.6 declares its table the SQLAlchemy 1.4 way; the "uber warning" about 2.0 is noise
# to an operator, and SQLAlchemy reads this variable when it is first imported.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

EVENT_TYPES = ("user", "bot", "slot")
BATCH_ROWS = 1000  # rows fetched at a time, and the progress step

E050 = ("[E050] report: no tracker store at {path}: nothing to report yet. Has Boussole run with this "
        "BOUSSOLE_STATE_DIR (or BOUSSOLE_TRACKER_URL)?")
E051 = "[E051] report: cannot read the tracker store {url} ({reason}). Check BOUSSOLE_TRACKER_URL and that the database answers."


class ReportError(BoussoleError):
    """The report cannot read its store; the message says which store and why."""


def _events_table():
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore.SQLEvent.__table__


def read_conversations(url, since: Optional[float] = None,
                       progress: Optional[Callable[[int, int], None]] = None) -> Iterator[list[dict[str, Any]]]:
    """Each conversation's events (dicts as Rasa saved them, oldest first) in the store at `url`,
    an SQLAlchemy URL; only events since `since` (epoch seconds) when given.

    `progress(read, total)` is called every BATCH_ROWS rows and at the end.
    """
    import sqlalchemy as sa

    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        raise ReportError(E050.format(path=url.database))
    table = _events_table()
    where = [table.c.type_name.in_(EVENT_TYPES)]
    if since is not None:
        where.append(table.c.timestamp >= since)
    shown = url.render_as_string(hide_password=True)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(table.name):
                raise ReportError(E050.format(path=f"{shown} (no {table.name} table)"))
            total = connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
            query = (sa.select(table.c.sender_id, table.c.data).where(*where)
                     .order_by(table.c.sender_id, table.c.id).execution_options(stream_results=True))
            rows = _counted(connection.execute(query).yield_per(BATCH_ROWS), total, progress)
            for _, group in groupby(rows, key=lambda row: row.sender_id):
                yield [json.loads(row.data) for row in group]
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ReportError(E051.format(url=shown, reason=reason)) from exc
    finally:
        engine.dispose()


def _counted(rows, total: int, progress: Optional[Callable[[int, int], None]]):
    read = 0
    for read, row in enumerate(rows, start=1):
        if progress and read % BATCH_ROWS == 0:
            progress(read, total)
        yield row
    if progress:
        progress(read, total)
