"""Shared state of the running service, reached by routes through `Annotated` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor

from bot.knowledge import KnowledgeBase
from bot.settings import Settings
from bot.web.identity import ConversationIds
from bot.web.rasa_client import RasaClient


@dataclass
class AppState:
    settings: Settings
    knowledge: KnowledgeBase
    ids: ConversationIds
    rasa: RasaClient
    executor: ActionExecutor


def _state(request: Request) -> AppState:
    return request.app.state.boussole


State = Annotated[AppState, Depends(_state)]
