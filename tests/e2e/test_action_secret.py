"""On the real stack: Rasa's action calls carry the secret, others are refused, and var/ is private."""

from __future__ import annotations

import stat

import httpx
import psutil
import pytest

from bot.settings import Settings

pytestmark = pytest.mark.slow

# What the Rasa server may find in its environment: endpoints.yml's variables and the launcher's.
RASA_VARIABLES = {"BOUSSOLE_ACTION_URL", "BOUSSOLE_ACTION_SECRET", "BOUSSOLE_TRACKER_URL", "BOUSSOLE_LOCK_POLL_SECONDS",
                  "BOUSSOLE_RASA_TOKEN_ON_STDIN", *(f"BOUSSOLE_LOCK_STORE_{key}" for key in
                                                    ("TYPE", "HOST", "PORT", "DB", "USERNAME", "PASSWORD"))}


def _rasa_server(stack) -> psutil.Process:
    for child in psutil.Process(stack.process.pid).children(recursive=True):
        if "bot.rasa.launcher" in child.cmdline() and "run" in child.cmdline():
            return child
    raise AssertionError("no Rasa server child found")


def test_rasa_calls_the_actions_with_the_secret_and_nobody_else_can(stack, chat):
    secret = Settings(rasa_token=stack.token).action_secret  # what `boussole run` derived for its Rasa
    assert "50 k€" in chat().say("combien gagne un ingénieur ML débutant ?")  # the action ran: Rasa sent it
    refused = httpx.post(f"{stack.url}/webhook", json={"next_action": "action_answer", "tracker": {}}, timeout=10)
    assert refused.status_code == 401
    rasa = _rasa_server(stack)
    assert secret not in " ".join(rasa.cmdline())
    assert {name for name in rasa.environ() if name.upper().startswith("BOUSSOLE_")} <= RASA_VARIABLES
    for log in (stack.log_path, stack.state_dir / "rasa.log"):
        assert secret not in log.read_text(errors="replace"), log


def test_the_state_dir_is_private(stack, chat):
    chat().say("quelles compétences pour devenir data scientist ?")  # something saved
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in stack.state_dir.iterdir() if path.is_file()}
    assert stat.S_IMODE(stack.state_dir.stat().st_mode) == 0o700
    assert {"tracker.db", "secret_key", "rasa.log"} <= set(modes), modes
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
