"""A tracker store that cannot save a turn: the turn is refused, said so, counted, and nothing is lost.

Real stacks, real faults, one stack per backend shared by its cases:

- SQLite: the file made immutable (chattr +i), locked for 7 s by another
  connection (BEGIN EXCLUSIVE; SQLAlchemy's pysqlite waits 5 s, then fails),
  and its file system full (a small tmpfs holding the file, filled up).
- PostgreSQL: the server made read-only (default_transaction_read_only,
  reloaded so that open connections take it), a disk-full error (a trigger
  raising SQLSTATE 53100 on insert), and a table lock held 7 s. PostgreSQL
  waits for a lock instead of failing (Rasa sets no lock_timeout): that turn
  is late, answered and saved, with nothing refused.

For each refused turn: 503 with the French message and Retry-After, /health
503 naming the tracker store and the reason, an ERROR line without the
user's text, the counter; once the fault is cleared the same question is
answered from the context of the turn before the fault, and the history holds
each question once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import re
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

import httpx
import pytest

from bot.devtools.stack import Stack
from bot.render.typography import plain_spaces
from bot.web import messages as M
from tests.conftest import DATA_SCIENTIST_WORD, NO_JOB_QUESTION, WHICH_JOB_OPENING

pytestmark = pytest.mark.slow

OPENING = "c'est quoi un data scientist ?"
FOLLOW_UP = NO_JOB_QUESTION  # names no métier: only the conversation's context says which
LOCK_SECONDS = 7.0


def say(stack: Stack, message: str, conversation_id: Optional[str] = None) -> httpx.Response:
    body = {"message": message, **({"conversation_id": conversation_id} if conversation_id else {})}
    return httpx.post(f"{stack.url}/api/chat", json=body, timeout=60)


def reply_text(response: httpx.Response) -> str:
    return plain_spaces("\n".join(reply["text"] for reply in response.json()["replies"]))


def store_failures(stack: Stack) -> float:
    text = httpx.get(f"{stack.url}/metrics", timeout=10).text
    found = re.search(r'^boussole_store_failures_total\{channel="api"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def start_conversation(stack: Stack) -> str:
    response = say(stack, OPENING)
    assert response.status_code == 200, response.text
    return response.json()["conversation_id"]


def assert_refused(stack: Stack, conversation_id: str, response: httpx.Response, reason: str, counted: float) -> None:
    """What a turn the store could not save must give: the answer, /health, the log, the metric."""
    assert response.status_code == 503, response.text
    assert response.json() == {"detail": M.STORE_UNAVAILABLE, "code": "not_saved"}
    assert int(response.headers["Retry-After"]) > 0
    health = httpx.get(f"{stack.url}/health", timeout=30)
    check = health.json()["checks"]["tracker_store"]
    assert health.status_code == 503 and check["ok"] is False, health.text
    assert check["reason"].startswith("tracker store ") and reason in check["reason"], check
    assert store_failures(stack) == counted + 1
    sender = hashlib.sha256(conversation_id.encode()).hexdigest()[:12]
    lines = [line for line in stack.log_path.read_text(errors="replace").splitlines()
             if "chat.turn.store_failed" in line and f"sender={sender}" in line]
    assert len(lines) == 1 and " ERROR " in lines[0] and reason in lines[0], lines
    assert FOLLOW_UP not in lines[0] and conversation_id not in lines[0]
    rasa_lines = [line for line in (stack.state_dir / "rasa.log").read_text(errors="replace").splitlines()
                  if "tracker_store.failed" in line and reason in line]
    assert rasa_lines and all(" ERROR " in line and FOLLOW_UP not in line for line in rasa_lines)


def assert_recovered(stack: Stack, conversation_id: str) -> None:
    """The same question after the fault: answered about the métier of the turn before, saved once."""
    response = say(stack, FOLLOW_UP, conversation_id)
    assert response.status_code == 200, response.text
    text = reply_text(response)
    assert DATA_SCIENTIST_WORD in text and WHICH_JOB_OPENING not in text, text
    assert httpx.get(f"{stack.url}/health", timeout=30).status_code == 200
    history = httpx.get(f"{stack.url}/api/conversations/{conversation_id}", timeout=30).json()["messages"]
    assert [m["text"] for m in history if m["role"] == "user"] == [OPENING, FOLLOW_UP]


def refused_then_recovered(stack: Stack, inflict: Callable[[], None], clear: Callable[[], None], reason: str) -> None:
    conversation_id = start_conversation(stack)
    counted = store_failures(stack)
    inflict()
    try:
        response = say(stack, FOLLOW_UP, conversation_id)
    finally:
        clear()
    assert_refused(stack, conversation_id, response, reason, counted)
    assert_recovered(stack, conversation_id)


def hold(acquire: Callable[[], Callable[[], None]], seconds: float) -> threading.Thread:
    """Take a lock in another thread (acquire returns its release) and give it back after `seconds`."""
    taken = threading.Event()

    def run() -> None:
        release = acquire()
        taken.set()
        time.sleep(seconds)
        release()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert taken.wait(10)
    return thread


# --- SQLite ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Optional[str]]:
    """A tmpfs of `size` mounted on `where`; yields None, or why it could not be mounted."""
    where.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        yield f"cannot mount a tmpfs here: {(result.stderr or result.stdout).strip()}"
        return
    try:
        yield None
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


class SqliteStack:
    def __init__(self, stack: Stack, db: Path, no_tmpfs: Optional[str]):
        self.stack, self.db, self.no_tmpfs = stack, db, no_tmpfs


@pytest.fixture(scope="class")
def sqlite_stack(trained_model, tmp_path_factory) -> Iterator[SqliteStack]:
    """A stack whose SQLite file lies alone on a 2 MB tmpfs (when mounting is allowed), its logs elsewhere."""
    root = tmp_path_factory.mktemp("store-faults-sqlite")
    with small_tmpfs(root / "store", "2m") as no_tmpfs:
        db = root / "store" / "tracker.db"
        with Stack(root / "state", extra_env={"BOUSSOLE_TRACKER_URL": f"sqlite:///{db}"}) as stack:
            yield SqliteStack(stack, db, no_tmpfs)


class TestSqlite:
    def test_an_immutable_file(self, sqlite_stack):
        db = sqlite_stack.db
        probe = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip(f"chattr +i is not permitted here: {(probe.stderr or probe.stdout).strip()}")
        subprocess.run(["chattr", "-i", str(db)], check=True)
        refused_then_recovered(
            sqlite_stack.stack,
            inflict=lambda: subprocess.run(["chattr", "+i", str(db)], check=True),
            clear=lambda: subprocess.run(["chattr", "-i", str(db)], check=True),
            reason="readonly database",
        )

    def test_a_file_locked_for_seven_seconds(self, sqlite_stack):
        holders: list[threading.Thread] = []

        def lock_the_file() -> Callable[[], None]:
            holder = sqlite3.connect(sqlite_stack.db, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            return lambda: (holder.execute("COMMIT"), holder.close())

        refused_then_recovered(
            sqlite_stack.stack,
            inflict=lambda: holders.append(hold(lock_the_file, LOCK_SECONDS)),
            clear=lambda: holders[0].join(LOCK_SECONDS + 5),  # the lock ends by itself
            reason="database is locked",
        )

    def test_a_full_disk(self, sqlite_stack):
        if sqlite_stack.no_tmpfs:
            pytest.skip(sqlite_stack.no_tmpfs)
        filler = sqlite_stack.db.parent / "filler"

        def fill() -> None:
            with open(filler, "wb", buffering=0) as out:  # unbuffered: close() has nothing left to write
                try:
                    while True:
                        out.write(b"\0" * 4096)
                except OSError as error:
                    assert error.errno == errno.ENOSPC

        refused_then_recovered(sqlite_stack.stack, inflict=fill, clear=lambda: filler.unlink(),
                               reason="database or disk is full")


# --- PostgreSQL ----------------------------------------------------------------------------------------------


class PostgresStack:
    def __init__(self, stack: Stack, url: str):
        self.stack, self.url = stack, url

    def execute(self, *statements: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = off")  # this session is the DBA's
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()


@pytest.fixture(scope="class")
def postgres_stack(trained_model, tmp_path_factory) -> Iterator[PostgresStack]:
    from bot.devtools.services import Postgres

    try:
        postgres = Postgres().start()
    except RuntimeError as error:
        pytest.skip(str(error))
    try:
        root = tmp_path_factory.mktemp("store-faults-postgres")
        with Stack(root / "state", extra_env={"BOUSSOLE_TRACKER_URL": postgres.url}) as stack:
            yield PostgresStack(stack, postgres.url)
    finally:
        postgres.stop()


def _settle() -> None:
    """pg_reload_conf() signals the server processes and returns: give them a moment to read the file."""
    time.sleep(1.0)


class TestPostgres:
    def test_a_read_only_database(self, postgres_stack):
        pg = postgres_stack
        refused_then_recovered(
            pg.stack,
            inflict=lambda: (pg.execute("ALTER SYSTEM SET default_transaction_read_only = on",
                                        "SELECT pg_reload_conf()"), _settle()),
            clear=lambda: (pg.execute("ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()"),
                           _settle()),
            reason="read-only transaction",
        )

    def test_a_full_disk(self, postgres_stack):
        pg = postgres_stack
        refused_then_recovered(
            pg.stack,
            inflict=lambda: pg.execute(
                "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$",
                "CREATE TRIGGER disk_full BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION disk_full()"),
            clear=lambda: pg.execute("DROP TRIGGER disk_full ON events", "DROP FUNCTION disk_full()"),
            reason="DiskFull: could not extend file",
        )

    def test_a_table_locked_for_seven_seconds_delays_the_turn_and_loses_nothing(self, postgres_stack):
        """PostgreSQL waits for the lock: the turn comes late, answered and saved, nothing refused."""
        import psycopg2

        pg = postgres_stack
        conversation_id = start_conversation(pg.stack)
        counted = store_failures(pg.stack)

        def lock_the_table() -> Callable[[], None]:
            holder = psycopg2.connect(pg.url)
            holder.cursor().execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")  # psycopg2 opened a transaction
            return lambda: (holder.commit(), holder.close())

        started = time.monotonic()
        holder = hold(lock_the_table, LOCK_SECONDS)
        assert_recovered(pg.stack, conversation_id)
        assert time.monotonic() - started >= LOCK_SECONDS - 1  # it did wait for the lock
        holder.join(5)
        assert store_failures(pg.stack) == counted
