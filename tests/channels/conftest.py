from __future__ import annotations

from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.channels import http_retry, slack, telegram
from bot.devtools.stack import Stack
from bot.web.rasa_client import RasaClient
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
    standin.recorder.reset()
    yield standin.recorder
    standin.recorder.reset()  # no failure plan left for the next test


ID_KEY = b"fast-tests-id-key"
RASA_TOKEN = "fast-tests-rasa-token"


def channels_app(api_base: str) -> FastAPI:
    """Only the channel routers, in front of the stand-ins (Rasa's REST channel included): no model, no Rasa.

    The adapters are the service's own; what `State` gives the routes is cut
    down to what they read (settings.max_message_chars, ids.key, rasa).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        rasa = RasaClient(api_base, RASA_TOKEN, 5.0)
        app.state.boussole = SimpleNamespace(settings=SimpleNamespace(max_message_chars=2000),
                                             ids=SimpleNamespace(key=ID_KEY), rasa=rasa)
        app.state.telegram = telegram.TelegramAdapter(TELEGRAM_TOKEN, TELEGRAM_SECRET, api_base, "BoussoleBot")
        app.state.telegram.cosmetic_timeout = 0.5
        app.state.slack = slack.SlackAdapter("xoxb-test", SLACK_SECRET, f"{api_base}/api")
        yield
        for adapter in (app.state.telegram, app.state.slack):
            await adapter.turns.drain()
            await adapter.close()
        await rasa.close()

    app = FastAPI(lifespan=lifespan)
    app.include_router(telegram.router)
    app.include_router(slack.router)
    return app


@pytest.fixture
def client(standin, recorder, monkeypatch):
    """A TestClient on channels_app(); retries wait 20 ms instead of 0.5 s, 1 s, 2 s."""
    monkeypatch.setattr(http_retry, "BACKOFF_SECONDS", 0.02)
    standin.recorder.hang_seconds = 2.0
    with TestClient(channels_app(standin.url), raise_server_exceptions=False) as running:
        yield running
    standin.recorder.hang_seconds = 5.0
