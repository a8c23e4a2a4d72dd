"""Build the public FastAPI application."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Optional

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from rasa_sdk.executor import ActionExecutor

from bot import logsetup
from bot.channels import slack, telegram
from bot.channels.setup import build_channels
from bot.discovery.conversation import tools as discovery_tools
from bot.discovery.data_check import discovery_problems
from bot.errors import KnowledgeError
from bot.knowledge import shared_knowledge
from bot.settings import Settings, get_settings
from bot.web.deps import AppState
from bot.web.errors import install_error_handlers
from bot.web.guards import BodySizeLimit, JsonBodyOnly
from bot.web.identity import ConversationIds, load_or_create_key
from bot.web.metrics import MetricsMiddleware
from bot.web.operator import operator_data_warning
from bot.web.rasa_client import RasaClient
from bot.web.ratelimit import ChatRateLimits
from bot.web.security_headers import SecurityHeaders, page_policy
from bot.web.shared_redis import close as close_redis, shared_redis
from bot.web.routes import actions, chat, docs, feedback, health, metiers, report, widget
from bot.web.routes import metrics as metrics_route

log = logging.getLogger(__name__)

# Bodies above this are refused before parsing (the message limit is smaller).
MAX_BODY_BYTES = 64 * 1024
# Rasa's action calls carry the events of the conversation's current session (a session ends
# after 60 idle minutes, domain.yml) and the domain. Measured on the real stack: a 40-turn
# conversation's call is 184 KB (4.6 KB a turn, 2.9 KB of domain); a turn whose message has
# the most characters the channels accept (BOUSSOLE_MAX_MESSAGE_CHARS, 2,000) is 14 KB. 1 MB
# holds some 220 ordinary turns, or 70 of the longest, in one session, and refuses at once the
# 3 MB forged tracker that held the service for 39 s. A session beyond it gets Rasa's apology
# until it expires.
MAX_ACTION_CALL_BYTES = 1024 * 1024
# The public routes that take a JSON body: anything else is refused before the body is read
# (the channels' webhooks check their own senders and formats).
JSON_POST_PATHS = ("/api/chat", "/api/feedback")


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    logsetup.configure()  # a worker of `boussole serve --workers N` starts with no logging configured
    settings = settings or get_settings()
    # Fail at start-up, not at the first question: a bad knowledge file stops here.
    knowledge = shared_knowledge(Path(settings.knowledge_dir).resolve())
    problems = discovery_problems(knowledge.directory) if knowledge.fiches else []
    if problems:
        raise KnowledgeError(problems)
    if knowledge.fiches:
        discovery_tools(knowledge)  # loaded once per process, before the first discovery turn
    # One Redis client per worker, shared by the rate limits and the channels (None without Redis).
    redis = shared_redis(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        executor = ActionExecutor()
        executor.register_package("actions")
        rasa = RasaClient(settings.rasa_url_list, settings.rasa_token, settings.rasa_timeout_seconds)
        app.state.boussole = AppState(
            settings=settings,
            knowledge=knowledge,
            ids=ConversationIds(load_or_create_key(settings.state_dir)),
            rasa=rasa,
            executor=executor,
        )
        app.state.telegram, app.state.slack, app.state.channel_status = build_channels(settings, redis)
        warning = operator_data_warning(settings)
        if warning:
            log.warning(warning)
        log.info("service.started metiers=%d actions=%s channels=%s", len(knowledge.sheets), sorted(executor.actions),
                 app.state.channel_status)
        yield
        for adapter in (app.state.telegram, app.state.slack):
            if adapter is not None:
                await adapter.turns.drain()
                await adapter.close()
        await rasa.close()
        await close_redis(redis)

    app = FastAPI(
        title="Boussole",
        description="Assistant d'orientation : questions en français sur un métier, réponses tirées de fiches validées.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by routes/docs.py: swagger-ui pinned, with Subresource Integrity
        redoc_url=None,  # FastAPI's ReDoc page loads an unpinned script from a CDN
    )
    install_error_handlers(app)

    app.state.redis = redis  # owned here: closed when the app stops
    app.state.chat_rate_limits = ChatRateLimits(settings, redis)
    # 413 for a body over the limit, whether it declares its length or comes chunked.
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES, path_limits={"/webhook": MAX_ACTION_CALL_BYTES})
    # 415 for a POST to the JSON API without a JSON Content-Type (headers only, the body is not read).
    app.add_middleware(JsonBodyOnly, paths=JSON_POST_PATHS)

    # Cross-origin widget: explicit origins, never credentials (the id travels in the body).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],  # the widget can say when to retry after a 429
        allow_credentials=False,
        max_age=600,
    )
    # nosniff, no framing, no referrer, and a Content-Security-Policy on every response, refusals included.
    app.add_middleware(SecurityHeaders, page_policy=page_policy(widget.STATIC / "index.html"))
    # Added last, so outermost: it also counts and times the requests refused above.
    app.add_middleware(MetricsMiddleware)
    for router in (chat.router, feedback.router, metiers.router, actions.router, health.router, telegram.router, slack.router, widget.router,
                   metrics_route.router, report.router, docs.router):
        app.include_router(router)
    return app
