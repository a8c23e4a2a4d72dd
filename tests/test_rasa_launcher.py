"""The launcher's fixes: the compiled validator keeps Rasa's checks on action responses, the token stays out of argv."""

from __future__ import annotations

import os

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa.launcher import install_cached_action_validator


@pytest.fixture(scope="module")
def action():
    install_cached_action_validator()
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_valid_response_passes(action):
    assert action._validate_action_result({"events": [{"event": "slot", "name": "job", "value": "x"}], "responses": [{"text": "Bonjour"}]})


@pytest.mark.parametrize("bad", [{"events": "pas une liste"}, {"events": [{"name": "x"}]}, {"responses": {"text": "x"}}])
def test_invalid_response_is_refused_with_rasa_message(action, bad):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(bad)


def test_spacy_model_is_loaded_once():
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from bot.rasa.launcher import share_spacy_models

    share_spacy_models()
    assert SpacyNLP.load_model("fr_core_news_md") is SpacyNLP.load_model("fr_core_news_md")


def test_a_waiting_turn_gets_the_lock_soon_after_it_is_released():
    import asyncio
    import time

    from rasa.core.lock_store import InMemoryLockStore

    from bot.rasa.launcher import poll_locks_faster

    poll_locks_faster(0.05)
    store = InMemoryLockStore()
    order = []

    async def turn(name: str, seconds: float) -> None:
        async with store.lock("conversation"):
            order.append(name)
            await asyncio.sleep(seconds)

    async def both() -> None:
        await asyncio.gather(turn("first", 0.1), turn("second", 0))

    started = time.perf_counter()
    asyncio.run(both())
    assert order == ["first", "second"]
    assert time.perf_counter() - started < 0.5  # Rasa's own poll alone would take a second


def test_the_token_reaches_rasa_run_without_being_an_argument(monkeypatch):
    """The process list shows the arguments a process started with: the token comes by environment or stdin."""
    import io

    from bot.rasa.launcher import TOKEN_ON_STDIN, TOKEN_VARIABLE, with_token

    monkeypatch.setenv(TOKEN_VARIABLE, "from-env")
    assert with_token(["launcher", "run", "--port", "5005"]) == ["launcher", "run", "--port", "5005", "--auth-token", "from-env"]
    assert TOKEN_VARIABLE not in os.environ  # Rasa's own children do not inherit it
    monkeypatch.setenv(TOKEN_ON_STDIN, "1")
    monkeypatch.setattr("sys.stdin", io.StringIO("from-pipe\n"))
    assert with_token(["launcher", "run"]) == ["launcher", "run", "--auth-token", "from-pipe"]
    assert TOKEN_ON_STDIN not in os.environ
    monkeypatch.setenv(TOKEN_VARIABLE, "unused")
    assert with_token(["launcher", "train", "--force"]) == ["launcher", "train", "--force"]  # training serves nothing
