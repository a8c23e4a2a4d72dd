from __future__ import annotations

import pytest

from bot.devtools.stack import Stack
from tests.channels.standins import StandIn

TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "s3cr3t-Telegram_token"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="session")
def standin():
    with StandIn() as running:
        yield running


@pytest.fixture(scope="session")
def channel_stack(trained_model, standin, tmp_path_factory):
    env = {
        "BOUSSOLE_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "BOUSSOLE_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "BOUSSOLE_TELEGRAM_BOT_USERNAME": "BoussoleBot",
        "BOUSSOLE_TELEGRAM_API_BASE": standin.url,
        "BOUSSOLE_SLACK_BOT_TOKEN": "xoxb-test",
        "BOUSSOLE_SLACK_SIGNING_SECRET": SLACK_SECRET,
        "BOUSSOLE_SLACK_API_BASE": f"{standin.url}/api",
    }
    with Stack(tmp_path_factory.mktemp("channels"), extra_env=env) as running:
        yield running


@pytest.fixture
def recorder(standin):
    standin.recorder.calls.clear()
    return standin.recorder
