"""Fast fixtures: the public service in-process (FastAPI's TestClient), no Rasa.

Rasa's HTTP API is replaced by `FakeRasa`, which keeps trackers as plain
event dicts, so routes that read or write a tracker run without a model.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

import pytest
from fastapi.testclient import TestClient

from bot.settings import Settings
from bot.web.app import create_app

OPERATOR_TOKEN = "jeton-operateur-de-test-0123456789abcdef"


class FakeRasa:
    """The part of bot.web.rasa_client.RasaClient the feedback route uses."""

    def __init__(self) -> None:
        self.trackers: dict[str, dict[str, Any]] = {}
        self.appended: list[tuple[str, dict[str, Any]]] = []

    async def tracker(self, sender: str) -> Optional[dict[str, Any]]:
        return self.trackers.get(sender)

    async def append_event(self, sender: str, event: dict[str, Any]) -> None:
        self.appended.append((sender, event))
        self.trackers.setdefault(sender, {"events": []})["events"].append(event)

    async def close(self) -> None:
        pass


# One service for the whole session: building it (knowledge, actions) takes about two seconds.
@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    # Port 9 (discard): nothing answers there, so a route that reaches Rasa by mistake gets 503.
    return Settings(state_dir=tmp_path_factory.mktemp("state"), rasa_urls="http://127.0.0.1:9",
                    operator_token=OPERATOR_TOKEN)


@pytest.fixture(scope="session")
def app(settings):
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as running:
        yield running


@pytest.fixture
def rasa(app, client) -> Iterator[FakeRasa]:
    """A fresh FakeRasa in place of the client to Rasa, for one test."""
    real = app.state.boussole.rasa
    fake = app.state.boussole.rasa = FakeRasa()
    yield fake
    app.state.boussole.rasa = real
