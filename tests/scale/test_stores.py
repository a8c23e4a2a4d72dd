"""Rasa's stores: where they are, and the start-up check that refuses unusable ones clearly.

No Rasa server is started here: the checks run before Rasa, and a refused
start must not wait for a model to load.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.rasa import process as rasa_process
from bot.rasa import stores
from bot.devtools.stack import free_port
from bot.settings import Settings
from tests.conftest import ROOT


def boussole(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=timeout)


def isolated_env(tmp_path: Path, **extra: str) -> dict:
    """Free ports and a private state dir: never clash with a stack someone else runs."""
    return {"BOUSSOLE_PORT": str(free_port()), "BOUSSOLE_RASA_PORT": str(free_port()),
            "BOUSSOLE_STATE_DIR": str(tmp_path / "state"), "BOUSSOLE_RASA_TOKEN": "test-token", **extra}


def test_the_default_tracker_store_is_sqlite_in_the_state_dir(tmp_path):
    settings = Settings(state_dir=tmp_path / "state")
    assert str(stores.tracker_url(settings)) == f"sqlite:///{tmp_path}/state/tracker.db"


def test_a_relative_sqlite_path_is_relative_to_the_project_home():
    settings = Settings(tracker_url="sqlite:///var/elsewhere.db")
    assert stores.tracker_url(settings).database == str(settings.home / "var" / "elsewhere.db")


def test_rasa_gets_every_endpoints_variable_and_reads_the_stores(tmp_path, monkeypatch):
    """Rasa refuses an unset ${VAR}: rasa_env() sets each one endpoints.yml names, for both layouts."""
    from rasa.core.utils import read_endpoints_from_path

    names = set(re.findall(r"\$\{(\w+)\}", (ROOT / "endpoints.yml").read_text()))
    one_machine = Settings(state_dir=tmp_path / "state")
    scaled = Settings(state_dir=tmp_path / "state", tracker_url="postgresql://u:pw@db.example:5432/boussole",
                      lock_store_url="redis://:secret@cache.example:6380/2")
    for settings, tracker, lock in (
        (one_machine, f"sqlite:///{tmp_path}/state/tracker.db", ("in_memory", {})),
        (scaled, "postgresql://u:pw@db.example:5432/boussole",
         ("redis", {"url": "cache.example", "port": "6380", "db": "2", "password": "secret"})),
    ):
        env = rasa_process.rasa_env(settings)
        assert names <= set(env), names - set(env)
        for name in names:
            monkeypatch.setenv(name, env[name])
        endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
        assert (endpoints.tracker_store.type, endpoints.tracker_store.url) == ("SQL", tracker)
        assert endpoints.lock_store.type == lock[0]
        seen = {"url": endpoints.lock_store.url, **endpoints.lock_store.kwargs}
        assert all(seen[key] == value for key, value in lock[1].items()), seen


def test_a_missing_folder_is_created(tmp_path):
    target = tmp_path / "not" / "yet" / "there" / "tracker.db"
    stores.preflight(Settings(tracker_url=f"sqlite:///{target}"))
    assert target.parent.is_dir()


def test_a_database_another_process_holds_is_refused_not_waited_on(tmp_path):
    path = tmp_path / "tracker.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(stores.StoreError, match=r"\[E042\].*database is locked"):
            stores.preflight(Settings(tracker_url=f"sqlite:///{path}"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_boussole_run_refuses_a_damaged_sqlite_file(tmp_path):
    damaged = tmp_path / "data" / "tracker.db"
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a database, really" * 200)
    result = boussole("run", "--no-train", env=isolated_env(tmp_path, BOUSSOLE_TRACKER_URL=f"sqlite:///{damaged}"))
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("[E043] tracker store: the SQLite file") and str(damaged) in message
    assert "file is not a database" in message and f"mv {damaged} {damaged}.damaged" in message
    assert "Traceback" not in result.stderr


def test_boussole_run_refuses_a_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = boussole("run", "--no-train",
                      env=isolated_env(tmp_path, BOUSSOLE_TRACKER_URL=f"sqlite:///{blocker}/tracker.db"))
    assert result.returncode == 1
    assert f"[E040] tracker store: cannot create the folder {blocker}" in result.stderr
    assert "Traceback" not in result.stderr


def test_boussole_run_refuses_a_directory_in_place_of_the_file(tmp_path):
    (tmp_path / "state" / "tracker.db").mkdir(parents=True)
    result = boussole("run", "--no-train", env=isolated_env(tmp_path))
    assert result.returncode == 1
    assert f"[E041] tracker store: {tmp_path}/state/tracker.db exists but is not a regular file" in result.stderr


@pytest.mark.parametrize("variable, url, expected", [
    ("BOUSSOLE_TRACKER_URL", "postgresql://boussole:secret@127.0.0.1:{port}/boussole",
     "[E044] tracker store: cannot connect to postgresql://boussole:***@127.0.0.1:{port}/boussole within 10 s"),
    ("BOUSSOLE_LOCK_STORE_URL", "redis://:secret@127.0.0.1:{port}/0",
     "[E046] lock store: cannot use Redis at redis://:***@127.0.0.1:{port}/0 within 10 s"),
])
def test_boussole_rasa_refuses_an_unreachable_store_within_30_seconds(trained_model, tmp_path, variable, url, expected):
    """Nothing listens on the port: without the check, Rasa's SQL tracker store would retry forever."""
    port = free_port()
    started = time.monotonic()
    result = boussole("rasa", "--port", str(free_port()), env=isolated_env(tmp_path, **{variable: url.format(port=port)}))
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    assert elapsed < 30, elapsed
    assert expected.format(port=port) in result.stderr and "Connection refused" in result.stderr
    assert "secret" not in result.stderr + result.stdout  # the password is masked
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["rasa", "serve"])
def test_the_separate_processes_need_a_shared_token(tmp_path, command):
    env = {k: v for k, v in {**os.environ, **isolated_env(tmp_path)}.items() if k != "BOUSSOLE_RASA_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", command], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 1
    assert f"`boussole {command}` needs BOUSSOLE_RASA_TOKEN" in result.stderr
