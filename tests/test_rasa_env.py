"""What the Rasa child is given: the action secret it must send, and none of the service's other secrets."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.rasa import process as rasa_process
from bot.settings import Settings
from tests.conftest import ROOT

# The service's secrets, as an operator sets them (pydantic also reads them in lower case).
SERVICE_SECRETS = {
    "BOUSSOLE_TELEGRAM_BOT_TOKEN": "123456:telegram-bot-token",
    "BOUSSOLE_TELEGRAM_SECRET_TOKEN": "telegram-webhook-secret",
    "BOUSSOLE_SLACK_BOT_TOKEN": "xoxb-slack-bot-token",
    "BOUSSOLE_SLACK_SIGNING_SECRET": "slack-signing-secret",
    "BOUSSOLE_OPERATOR_TOKEN": "operator-token",
    "BOUSSOLE_METRICS_TOKEN": "metrics-token",
    "BOUSSOLE_SECRET_KEY": "id-signing-key",
    "BOUSSOLE_SHARED_STATE_URL": "redis://:redis-password@cache.example:6379/1",
    "BOUSSOLE_RASA_TOKEN": "rasa-http-api-token",
    "boussole_slack_bot_token": "xoxb-lower-case-token",
}


@pytest.fixture
def operator_env(monkeypatch, tmp_path):
    for name, value in SERVICE_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BOUSSOLE_LOCK_POLL_SECONDS", "0.02")
    return Settings(state_dir=tmp_path / "state")


def test_rasa_gets_none_of_the_service_secrets(operator_env):
    for env in (rasa_process.rasa_env(operator_env), rasa_process.server_env(operator_env, token_on_stdin=True)):
        leaked = {name for name, value in env.items() if value in SERVICE_SECRETS.values() or
                  any(secret in value for secret in SERVICE_SECRETS.values())}
        assert not leaked, leaked
        assert not set(SERVICE_SECRETS) & set(env)


def test_rasa_gets_what_it_needs(operator_env):
    env = rasa_process.rasa_env(operator_env)
    assert env["BOUSSOLE_ACTION_SECRET"] == operator_env.action_secret
    assert env["BOUSSOLE_ACTION_URL"] == operator_env.action_url
    assert env["BOUSSOLE_LOCK_POLL_SECONDS"] == "0.02"  # read by bot/rasa/launcher.py
    assert env["PATH"] and "BOUSSOLE_TRACKER_URL" in env
    # `boussole rasa` becomes Rasa by exec: there the token goes through the environment, on purpose.
    assert rasa_process.server_env(operator_env)["BOUSSOLE_RASA_TOKEN"] == operator_env.rasa_token


def test_rasa_sends_the_secret_in_a_header_and_nowhere_in_the_url(operator_env, monkeypatch):
    """endpoints.yml's ${VAR} is expanded inside `headers` too (rasa/shared/utils/io.py)."""
    from rasa.core.utils import read_endpoints_from_path

    for name, value in rasa_process.rasa_env(operator_env).items():
        monkeypatch.setenv(name, value)
    action = read_endpoints_from_path(ROOT / "endpoints.yml").action
    assert action.headers == {"X-Boussole-Action-Secret": operator_env.action_secret}
    assert action.token is None and operator_env.action_secret not in action.url
    assert action.combine_parameters() == {}  # no query parameter: nothing for an access log


def test_the_action_secret_follows_the_rasa_token_unless_set():
    """Derived by default: processes sharing BOUSSOLE_RASA_TOKEN (the scaled layout) agree on it."""
    assert Settings(rasa_token="t" * 24).action_secret == Settings(rasa_token="t" * 24).action_secret
    assert Settings(rasa_token="t" * 24).action_secret != Settings(rasa_token="u" * 24).action_secret
    assert "t" * 24 not in Settings(rasa_token="t" * 24).action_secret
    assert Settings(action_secret="an-operator-chosen-secret").action_secret == "an-operator-chosen-secret"


def test_a_bad_action_secret_is_refused_by_name():
    result = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin", "BOUSSOLE_RASA_TOKEN": "x" * 24,
                                             "BOUSSOLE_ACTION_SECRET": "too short $x"})
    assert result.returncode == 2
    assert "error: BOUSSOLE_ACTION_SECRET: must be 16 to 256 characters" in result.stderr
    assert "too short" not in result.stderr and "Traceback" not in result.stderr
