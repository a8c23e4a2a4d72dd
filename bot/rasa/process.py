"""Train the Rasa model and run the Rasa server as a child process on loopback."""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import httpx

from bot.filemodes import PRIVATE_UMASK, open_private_log, private_dir
from bot.rasa import stores
from bot.rasa.launcher import TOKEN_ON_STDIN, TOKEN_VARIABLE
from bot.settings import Settings

log = logging.getLogger(__name__)

MODEL_NAME = "boussole"
# The BOUSSOLE_* variables a Rasa process reads from the environment it inherits
# (bot/rasa/launcher.py); rasa_env() sets the endpoints.yml ones itself.
RASA_READS = frozenset({"BOUSSOLE_LOCK_POLL_SECONDS"})
# Rasa training inputs; data/knowledge is read by the actions, not by Rasa.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules.yml")


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{MODEL_NAME}.tar.gz"


def _fingerprint_path(settings: Settings) -> Path:
    return settings.models_dir / f"{MODEL_NAME}.inputs.sha256"


def training_fingerprint(home: Path) -> str:
    """Hash of every file Rasa trains on, to retrain only when they change."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = home / name
        files = sorted(p for p in path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(home)).encode())
            digest.update(file.read_bytes() if file.exists() else b"<missing>")
    return digest.hexdigest()


def model_is_current(settings: Settings) -> bool:
    marker = _fingerprint_path(settings)
    return (
        model_path(settings).is_file()
        and marker.is_file()
        and marker.read_text().strip() == training_fingerprint(settings.home)
    )


def rasa_env(settings: Settings) -> dict[str, str]:
    """Environment for Rasa children: every endpoints.yml variable (Rasa refuses an unset
    ${VAR}), derived from the settings, and quieter logs; none of the service's secrets."""
    private_dir(settings.state_dir)
    env = inherited_env()
    env.update(stores.rasa_env_vars(settings))
    env["BOUSSOLE_ACTION_URL"] = settings.action_url
    env["BOUSSOLE_ACTION_SECRET"] = settings.action_secret  # endpoints.yml sends it to /webhook
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def inherited_env() -> dict[str, str]:
    """This process's environment without the service's own variables.

    Every BOUSSOLE_* variable but RASA_READS stays out (pydantic reads them in any case, so
    they are matched so): the Telegram and Slack tokens, the operator token, the id-signing
    key, the Rasa token (server_env() hands it over its own way), Redis URLs with their
    passwords. Rasa needs none of them; a Rasa process, its log or a crash dump then holds
    no secret but the ones rasa_env() sets on purpose. Other variables (PATH, HOME, proxies,
    TLS bundles, TF_* ...) are the machine's and go through.
    """
    return {name: value for name, value in os.environ.items()
            if not name.upper().startswith("BOUSSOLE_") or name.upper() in RASA_READS}


def _rasa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.rasa.launcher", *args]


def train(settings: Settings, force: bool = False) -> Path:
    """Train unless the model matches the current inputs; Rasa prints its progress."""
    target = model_path(settings)
    if not force and model_is_current(settings):
        log.info("train.skipped model=%s reason=inputs unchanged", target)
        return target
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = training_fingerprint(settings.home)
    command = _rasa_command(
        "train",
        "--config", "config.yml",
        "--domain", "domain.yml",
        "--data", "data/nlu", "data/rules.yml",
        "--out", str(settings.models_dir),
        "--fixed-model-name", MODEL_NAME,
        "--force",
    )
    started = time.monotonic()
    subprocess.run(command, cwd=settings.home, env=rasa_env(settings), check=True)
    _fingerprint_path(settings).write_text(fingerprint)
    log.info("train.done model=%s seconds=%.0f", target, time.monotonic() - started)
    return target


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    """Linux: the Rasa child gets SIGTERM if the service is killed outright."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _child_setup() -> None:
    """In the Rasa child before exec: die with the parent; create files (tracker.db) 0600."""
    _die_with_parent()
    os.umask(PRIVATE_UMASK)


def server_command(settings: Settings, model: Optional[Path] = None) -> list[str]:
    """`rasa run` on rasa_host:rasa_port with its HTTP API behind the token (run it in settings.home).

    The token is not among the arguments, which anyone on the machine can read
    with ps: `server_env()` says how it reaches the launcher, which hands it to
    Rasa's argument parser inside the Rasa process.
    """
    return _rasa_command(
        "run",
        "--model", str(model or model_path(settings)),
        "--enable-api",
        "--interface", settings.rasa_host,
        "--port", str(settings.rasa_port),
        "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml",
    )


def server_env(settings: Settings, token_on_stdin: bool = False) -> dict[str, str]:
    """rasa_env() plus how the launcher gets the token of Rasa's HTTP API: on its standard
    input (nothing to read in /proc), or in its environment (a process that becomes Rasa by exec)."""
    if token_on_stdin:
        return {**rasa_env(settings), TOKEN_ON_STDIN: "1"}
    return {**rasa_env(settings), TOKEN_VARIABLE: settings.rasa_token}


def start_server(settings: Settings, model: Optional[Path] = None, log_file: Optional[Path] = None) -> subprocess.Popen:
    """Start `rasa run` as a child that dies with this process; its token goes through a pipe."""
    out = open_private_log(log_file) if log_file else None  # Rasa's log quotes what people wrote
    process = subprocess.Popen(
        server_command(settings, model), cwd=settings.home, env=server_env(settings, token_on_stdin=True),
        stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT if out else None, preexec_fn=_child_setup,
    )
    if out:
        out.close()  # the child has its own copy
    process.stdin.write(settings.rasa_token.encode() + b"\n")
    process.stdin.close()
    return process


def wait_until_ready(settings: Settings, process: subprocess.Popen, timeout: float = 180.0) -> bool:
    """Poll Rasa's /status until the model is loaded, the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            response = httpx.get(f"{settings.rasa_url}/status", params={"token": settings.rasa_token}, timeout=2.0)
            if response.status_code == 200 and response.json().get("model_file"):
                return True
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    return False
