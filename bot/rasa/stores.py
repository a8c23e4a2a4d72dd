"""Rasa's tracker and lock stores: where they are, and a pre-flight check before Rasa starts.

Rasa 3.6 meets a bad store late or never: its SQL tracker store retries an
unreachable database every 5 s forever (the start hangs without a word), a
damaged SQLite file ends in a traceback, an unwritable one fails at the first
message, and the Redis lock store connects only when a message comes in.
`preflight()` checks each configured store once, within
`BOUSSOLE_STORES_WAIT_SECONDS`, and turns a failure into one operator message
(the store, what is wrong, what to do) raised as `StoreError`; the CLI prints
it and exits 1.

Configuration, by environment variable only (see README, "Configuration"):

- BOUSSOLE_TRACKER_URL: SQLAlchemy URL of the tracker store; default
  sqlite:///$BOUSSOLE_STATE_DIR/tracker.db. A relative SQLite path is relative
  to the project home (where Rasa runs).
- BOUSSOLE_LOCK_STORE_URL: unset for Rasa's in-memory lock store (one Rasa
  server), or redis://[[user]:password@]host[:port][/db] for Rasa's Redis lock
  store (several Rasa servers sharing the tracker store).

`rasa_env_vars()` turns them into the variables endpoints.yml reads.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Callable, Optional, TypeVar

from bot.errors import BoussoleError
from bot.filemodes import create_private_file, private_dir
from bot.settings import Settings

T = TypeVar("T")

# Operator messages; codes in the style of bot/errors.py.
E040 = ("[E040] tracker store: cannot create the folder {folder} for the SQLite file ({reason}). "
        "Make it writable by this user, or set BOUSSOLE_TRACKER_URL (or BOUSSOLE_STATE_DIR) to a writable place.")
E041 = ("[E041] tracker store: {path} exists but is not a regular file. "
        "Remove it, or set BOUSSOLE_TRACKER_URL to another file.")
E042 = ("[E042] tracker store: cannot write the SQLite file {path} ({reason}); no conversation could be saved. "
        "Give this user write access to the file and to its folder {folder} (SQLite writes its journal there), "
        "stop any other process using it, or set BOUSSOLE_TRACKER_URL to another file.")
E043 = ("[E043] tracker store: the SQLite file {path} is damaged ({reason}). "
        "Move it aside to start with no saved conversations (mv {path} {path}.damaged), "
        "or restore it from a backup.")
E044 = ("[E044] tracker store: cannot connect to {url} within {seconds:.0f} s ({reason}). "
        "Start the database server, or fix BOUSSOLE_TRACKER_URL (host, port, user, password, database); "
        "BOUSSOLE_STORES_WAIT_SECONDS sets how long start-up waits.")
E045 = ("[E045] BOUSSOLE_TRACKER_URL={url} is not usable ({reason}). Expected an SQLAlchemy URL such as "
        "sqlite:////var/lib/boussole/tracker.db or postgresql://user:password@host:5432/boussole.")
E046 = ("[E046] lock store: cannot use Redis at {url} within {seconds:.0f} s ({reason}). "
        "Start Redis, or fix BOUSSOLE_LOCK_STORE_URL (host, port, password, database number), "
        "or unset it for Rasa's in-memory lock store (one Rasa server only).")
E047 = ("[E047] BOUSSOLE_LOCK_STORE_URL={url} is not usable ({reason}). "
        "Expected redis://[[user]:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0.")

# One connection attempt may not take longer than this: the total stays bounded.
_ATTEMPT_TIMEOUT_SECONDS = 3.0
_RETRY_PAUSE_SECONDS = 1.0


class StoreError(BoussoleError):
    """A tracker or lock store Rasa cannot use; the message says which, why, and the fix."""


def tracker_url(settings: Settings):
    """The tracker store's SQLAlchemy URL, with a relative SQLite path made absolute.

    Rasa runs with the project home as its working directory, and so does this
    check: both must mean the same file.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(settings.tracker_url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        # SQLAlchemy's own message repeats the URL, password included: not shown.
        raise StoreError(E045.format(url=_mask_password(settings.tracker_url), reason="cannot be parsed")) from exc
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        if not path.is_absolute():
            path = settings.home / path
        url = url.set(database=str(path))
    return url


def _shown(url) -> str:
    """An SQLAlchemy URL as an operator may see it: the password masked."""
    return url.render_as_string(hide_password=True)


def _redis_kwargs(settings: Settings) -> dict:
    """redis-py's reading of BOUSSOLE_LOCK_STORE_URL (host, port, db, username, password)."""
    from redis.connection import parse_url

    raw = settings.lock_store_url or ""
    if not raw.startswith("redis://"):  # rediss:// and unix:// have no place in Rasa's endpoint keys
        raise StoreError(E047.format(url=_mask_password(raw), reason="the scheme must be redis://"))
    try:
        return parse_url(raw)
    except ValueError as exc:
        raise StoreError(E047.format(url=_mask_password(raw), reason=exc)) from exc


def _mask_password(raw: str) -> str:
    """A URL as an operator may see it: the password between ':' and '@' masked, even in a malformed URL."""
    return re.sub(r"(?<=:)[^:@/]+(?=@)", "***", raw)


def rasa_env_vars(settings: Settings) -> dict[str, str]:
    """The variables endpoints.yml reads, every one set: Rasa refuses an unset ${VAR}."""
    env = {"BOUSSOLE_TRACKER_URL": tracker_url(settings).render_as_string(hide_password=False)}
    lock = {"TYPE": "in_memory", "HOST": "", "PORT": "6379", "DB": "0", "USERNAME": "", "PASSWORD": ""}
    if settings.lock_store_url:
        redis = _redis_kwargs(settings)
        lock.update(TYPE="redis", HOST=redis.get("host", "localhost"), PORT=str(redis.get("port", 6379)),
                    DB=str(redis.get("db", 0)), USERNAME=redis.get("username") or "",
                    PASSWORD=redis.get("password") or "")
    env.update({f"BOUSSOLE_LOCK_STORE_{key}": value for key, value in lock.items()})
    return env


def describe(settings: Settings) -> str:
    """One line for the start-up output: which stores Rasa will use."""
    lock = f"Redis {_mask_password(settings.lock_store_url)}" if settings.lock_store_url else "in memory"
    return f"tracker store {_shown(tracker_url(settings))}, lock store {lock}"


def preflight(settings: Settings) -> None:
    """Check the tracker store and the lock store Rasa is about to use; StoreError if unusable."""
    url = tracker_url(settings)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            check_sqlite_file(Path(url.database))
    else:
        check_sql_server(url, settings.stores_wait_seconds)
    if settings.lock_store_url:
        check_redis(settings)


def check_sqlite_file(path: Path) -> None:
    """The folder exists (created if missing), the file is a sound SQLite database, and writable."""
    folder = path.parent
    try:
        private_dir(folder)
    except OSError as exc:
        raise StoreError(E040.format(folder=folder, reason=exc.strerror or exc)) from exc
    if path.exists() and not path.is_file():
        raise StoreError(E041.format(path=path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(E042.format(path=path, folder=folder, reason="the folder is not writable"))
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(E042.format(path=path, folder=folder, reason="the file is not readable and writable"))
    try:
        # Created here, private: sqlite3.connect() would make it 0644, readable by every local user.
        create_private_file(path)
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    except OSError as exc:
        raise StoreError(E042.format(path=path, folder=folder, reason=exc.strerror or exc)) from exc
    except sqlite3.Error as exc:
        raise StoreError(E042.format(path=path, folder=folder, reason=exc)) from exc
    try:
        try:
            # Reads every page: "file is not a database" or "malformed" shows up here, not mid-conversation.
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):  # locked, I/O error: not damage
                raise StoreError(E042.format(path=path, folder=folder, reason=exc)) from exc
            raise StoreError(E043.format(path=path, reason=exc)) from exc
        if verdict != "ok":
            raise StoreError(E043.format(path=path, reason=verdict))
        try:
            # A write in a transaction that is rolled back: proves write access and takes
            # the write lock (SQLite opens a read-only file silently, and fails only when
            # Rasa first saves a conversation).
            connection.execute("BEGIN IMMEDIATE")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            connection.execute(f"PRAGMA user_version = {int(version)}")
            connection.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise StoreError(E042.format(path=path, folder=folder, reason=exc)) from exc
    finally:
        connection.close()


def _retry(attempt: Callable[[float], T], wait_seconds: float, transient: tuple, final: tuple = ()) -> T:
    """Call attempt(timeout) until it succeeds or wait_seconds have passed; re-raise the last error.

    `transient` errors (refused, timed out: the server may still be starting) are retried,
    except those that are also `final` (a refused password does not change by waiting).
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        remaining = deadline - time.monotonic()
        try:
            return attempt(max(1.0, min(_ATTEMPT_TIMEOUT_SECONDS, remaining)))
        except transient as exc:
            if isinstance(exc, final) or deadline - time.monotonic() < _RETRY_PAUSE_SECONDS:
                raise
            time.sleep(_RETRY_PAUSE_SECONDS)


def _first_line(exc: BaseException) -> str:
    """A driver's error, one line (psycopg2 adds hints on further lines)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def check_sql_server(url, wait_seconds: float) -> None:
    """Connect and run SELECT 1, retrying while the server may still be starting."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    def attempt(timeout: float) -> None:
        # psycopg2's connect_timeout (whole seconds) bounds one attempt; other drivers keep their defaults.
        args = {"connect_timeout": max(1, int(timeout))} if url.get_driver_name() == "psycopg2" else {}
        engine = sa.create_engine(url, poolclass=NullPool, connect_args=args)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        finally:
            engine.dispose()

    try:
        _retry(attempt, wait_seconds, (sa.exc.OperationalError, sa.exc.InterfaceError))
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StoreError(E045.format(url=_shown(url), reason=_first_line(exc))) from exc
    except sa.exc.DBAPIError as exc:
        raise StoreError(E044.format(url=_shown(url), seconds=wait_seconds, reason=_first_line(exc))) from exc


def check_redis(settings: Settings) -> None:
    """PING the lock store's Redis, on the database number Rasa will select."""
    import redis

    kwargs = _redis_kwargs(settings)
    shown = _mask_password(settings.lock_store_url or "")

    def attempt(timeout: float) -> None:
        client = redis.Redis(**kwargs, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()

    try:
        _retry(attempt, settings.stores_wait_seconds, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError),
               final=(redis.exceptions.AuthenticationError,))
    except redis.exceptions.RedisError as exc:
        raise StoreError(E046.format(url=shown, seconds=settings.stores_wait_seconds, reason=_first_line(exc))) from exc


def lock_store_warning(settings: Settings) -> Optional[str]:
    """A shared tracker store with an in-memory lock store is unsafe once a conversation changes server."""
    if tracker_url(settings).get_backend_name() != "sqlite" and not settings.lock_store_url:
        return ("warning: the tracker store is shared but the lock store is in memory; with several Rasa "
                "servers set BOUSSOLE_LOCK_STORE_URL=redis://… so that two servers never run turns of "
                "one conversation at once")
    return None
