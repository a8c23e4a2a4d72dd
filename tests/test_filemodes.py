"""The state directory and what it holds are readable by this user only, checked at every start."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from bot import filemodes
from bot.filemodes import FileModeError, secure_state
from bot.rasa import process as rasa_process
from bot.rasa import stores
from bot.settings import Settings
from bot.web.identity import load_or_create_key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def loose_state(root: Path) -> Path:
    """A state dir as the default umask (022) left it: every file readable by every local user."""
    state = root / "var"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    for name in ("tracker.db", "tracker.db-journal", "secret_key", "rasa.log", "boussole.log"):
        (state / name).write_text("x")
        os.chmod(state / name, 0o644)
    metrics = state / "metrics"
    metrics.mkdir()
    os.chmod(metrics, 0o755)
    (metrics / "counter_123.db").write_text("x")
    os.chmod(metrics / "counter_123.db", 0o644)
    return state


def test_loose_modes_are_tightened_with_a_warning_per_file(tmp_path, caplog):
    state = loose_state(tmp_path)
    outside = tmp_path / "someone-elses.txt"
    outside.write_text("x")
    os.chmod(outside, 0o644)
    (state / "link.log").symlink_to(outside)  # never followed: its target is not Boussole's
    with caplog.at_level(logging.WARNING, logger="bot.filemodes"):
        changed = secure_state(Settings(state_dir=state))
    assert mode(state) == 0o700 and mode(state / "metrics") == 0o700
    for name in ("tracker.db", "tracker.db-journal", "secret_key", "rasa.log", "boussole.log", "metrics/counter_123.db"):
        assert mode(state / name) == 0o600, name
    assert mode(outside) == 0o644
    assert len(changed) == 8
    lines = [r.getMessage() for r in caplog.records]
    assert f"files.mode_tightened path={state / 'tracker.db'} old=644 new=600" in lines
    assert f"files.mode_tightened path={state} old=755 new=700" in lines
    assert all(r.levelno == logging.WARNING for r in caplog.records) and len(lines) == 8
    caplog.clear()
    assert secure_state(Settings(state_dir=state)) == [] and not caplog.records  # quiet once private


def test_owner_bits_are_kept_and_nothing_is_loosened(tmp_path):
    state = tmp_path / "var"
    state.mkdir(mode=0o700)
    (state / "tracker.db").write_text("x")
    os.chmod(state / "tracker.db", 0o400)
    secure_state(Settings(state_dir=state))
    assert mode(state / "tracker.db") == 0o400


def test_an_sqlite_tracker_kept_elsewhere_is_made_private_too(tmp_path):
    elsewhere = tmp_path / "data"
    elsewhere.mkdir()
    for name in ("conversations.db", "conversations.db-wal"):
        (elsewhere / name).write_text("x")
        os.chmod(elsewhere / name, 0o664)
    secure_state(Settings(state_dir=tmp_path / "var", tracker_url=f"sqlite:///{elsewhere / 'conversations.db'}"))
    assert mode(elsewhere / "conversations.db") == 0o600 and mode(elsewhere / "conversations.db-wal") == 0o600
    assert mode(tmp_path / "var") == 0o700


@pytest.fixture
def unchangeable(monkeypatch):
    """Make a file's mode impossible to change for this user: immutable if root can, else chmod refused."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0 and shutil.which("chattr") and \
                subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
            made.append(path)
            return
        real_chmod = os.chmod

        def refuse(target, *args, **kwargs):
            if Path(target) == path:
                raise PermissionError(1, "Operation not permitted", str(target))
            return real_chmod(target, *args, **kwargs)
        monkeypatch.setattr(os, "chmod", refuse)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_file_that_cannot_be_made_private_stops_the_start(tmp_path, unchangeable):
    state = loose_state(tmp_path)
    unchangeable(state / "tracker.db")
    with pytest.raises(FileModeError) as refused:
        secure_state(Settings(state_dir=state))
    message = str(refused.value)
    assert message.startswith(f"[E060] {state / 'tracker.db'} is open to other users (mode 644)")
    assert f"chmod 600 {state / 'tracker.db'}" in message and "BOUSSOLE_STATE_DIR" in message


def test_a_shared_directory_is_refused_not_locked(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    with pytest.raises(FileModeError, match=r"^\[E061\]"):
        secure_state(Settings(state_dir=shared))
    assert mode(shared) == 0o1777


def test_what_start_up_creates_is_private(tmp_path):
    """Under the usual umask: the state dir, the tracker database and its journal, the key, Rasa's log."""
    previous = os.umask(0o022)
    try:
        settings = Settings(state_dir=tmp_path / "new" / "var")
        secure_state(settings)
        assert mode(settings.state_dir) == 0o700
        stores.preflight(settings)  # creates tracker.db
        database = settings.state_dir / "tracker.db"
        assert mode(database) == 0o600
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("CREATE TABLE events (id INTEGER)")
        connection.execute("BEGIN")
        connection.execute("INSERT INTO events VALUES (1)")
        assert mode(settings.state_dir / "tracker.db-journal") == 0o600  # SQLite copies the database's mode
        connection.execute("COMMIT")
        connection.close()
        load_or_create_key(settings.state_dir)
        assert mode(settings.state_dir / "secret_key") == 0o600
        with filemodes.open_private_log(settings.state_dir / "rasa.log") as log:
            log.write(b"rasa\n")
        assert mode(settings.state_dir / "rasa.log") == 0o600
        other = Settings(state_dir=tmp_path / "other" / "var")
        rasa_process.rasa_env(other)
        assert mode(other.state_dir) == 0o700
    finally:
        os.umask(previous)


def test_the_rasa_child_creates_its_files_private(tmp_path):
    """The umask the Rasa child runs under (start_server's preexec, `boussole rasa` before exec)."""
    target = tmp_path / "made-by-child.db"
    subprocess.run(["touch", str(target)], check=True, preexec_fn=rasa_process._child_setup)
    assert mode(target) == 0o600


def test_serve_checks_the_state_dir_before_starting(tmp_path, monkeypatch, caplog):
    import uvicorn

    from bot import cli
    from bot.devtools.stack import free_port
    from bot.settings import get_settings

    state = loose_state(tmp_path)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # the check is what is tested, not uvicorn
    for name, value in {"BOUSSOLE_RASA_TOKEN": "t" * 24, "BOUSSOLE_HOST": "127.0.0.1", "BOUSSOLE_PORT": str(free_port()),
                        "BOUSSOLE_STATE_DIR": str(state)}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.filemodes"):
            assert cli.main(["serve"]) == 0
    finally:
        get_settings.cache_clear()
    assert mode(state) == 0o700 and mode(state / "tracker.db") == 0o600
    assert "files.mode_tightened" in caplog.text


def test_a_state_dir_that_cannot_be_created_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(FileModeError, match=r"^\[E062\] cannot create the state directory .*a-file/var"):
        secure_state(Settings(state_dir=blocker / "var"))
