"""The public service's Prometheus metrics: definitions, HTTP middleware, exposition.

Metrics (all prefixed `boussole_`):

    http_requests_total{method,route,status}        every HTTP request, by route template
    http_request_duration_seconds{method,route}     latency histogram of the same requests
    turns_total{channel,intent}                     answered turns by the intent Rasa reported
    fallbacks_total{channel}                        turns on nlu_fallback or action_default_fallback
    rasa_unavailable_total{channel}                 turns refused because Rasa did not answer
    store_failures_total{channel}                   turns refused because Rasa could not read or save the
                                                    conversation (tracker store failing): nothing was kept
    feedback_total{rating}                          « utile » / « pas utile » presses on a reply (helpful, unhelpful)

Several worker processes: prometheus_client's multiprocess mode. Whoever
starts the workers (`boussole serve --workers N`) must, before the first
worker starts, create an EMPTY directory (delete the files a previous run
left) and export PROMETHEUS_MULTIPROC_DIR=<that directory> to every worker.
Each worker then writes its values to files there and /metrics, answered by
any worker, adds up all of them. prometheus_client reads the variable when it
is first imported, so setting it later in a running process has no effect.
No gauge is defined, so nothing needs `multiprocess.mark_process_dead()` when
a worker exits. Without the variable, values live in this process's memory.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional

from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, ProcessCollector, disable_created_metrics, generate_latest,
    multiprocess,
)

MULTIPROC_DIR: Optional[str] = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")
CHANNELS = ("api", "telegram", "slack")
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
# Any other method string a client invents is labelled "other" (one series, not one per invention).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

if MULTIPROC_DIR:
    # A missing directory would fail the first increment deep inside prometheus_client.
    os.makedirs(MULTIPROC_DIR, exist_ok=True)

# The *_created series (one timestamp gauge per labelled counter) would double
# the output for nothing a dashboard uses; multiprocess mode never has them.
disable_created_metrics()

# Our own registry: nothing another library registers ends up on /metrics.
REGISTRY = CollectorRegistry()
if not MULTIPROC_DIR:
    # Memory and CPU of this process; in multiprocess mode they would describe
    # only the worker that happened to answer the scrape, so they are left out.
    ProcessCollector(registry=REGISTRY)

HTTP_REQUESTS = Counter(
    "boussole_http_requests_total", "HTTP requests answered, by route template and status.",
    ["method", "route", "status"], registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "boussole_http_request_duration_seconds", "Time to answer an HTTP request, by route template.",
    ["method", "route"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TURNS = Counter(
    "boussole_turns_total", "Conversation turns answered, by channel and the intent Rasa reported.",
    ["channel", "intent"], registry=REGISTRY,
)
FALLBACKS = Counter(
    "boussole_fallbacks_total", "Turns Rasa did not understand (nlu_fallback intent or default fallback action).",
    ["channel"], registry=REGISTRY,
)
RASA_UNAVAILABLE = Counter(
    "boussole_rasa_unavailable_total", "Turns that got no answer because Rasa was unreachable or failing.",
    ["channel"], registry=REGISTRY,
)
STORE_FAILURES = Counter(
    "boussole_store_failures_total",
    "Turns refused (503) because Rasa could not read or save the conversation in its tracker store.",
    ["channel"], registry=REGISTRY,
)
FEEDBACK = Counter(
    "boussole_feedback_total", "Presses of « utile » (helpful) or « pas utile » (unhelpful) on a reply.",
    ["rating"], registry=REGISTRY,
)
for _rating in ("helpful", "unhelpful"):
    FEEDBACK.labels(rating=_rating)
for _channel in CHANNELS:  # show zeros from the start, so that a rate() has a baseline
    FALLBACKS.labels(channel=_channel)
    RASA_UNAVAILABLE.labels(channel=_channel)
    STORE_FAILURES.labels(channel=_channel)


def count_turn(channel: str, intent: Optional[str], actions: list[str]) -> None:
    TURNS.labels(channel=channel, intent=intent or "unknown").inc()
    if intent == FALLBACK_INTENT or FALLBACK_ACTION in actions:
        FALLBACKS.labels(channel=channel).inc()


def count_feedback(helpful: bool) -> None:
    FEEDBACK.labels(rating="helpful" if helpful else "unhelpful").inc()


def count_rasa_unavailable(channel: str) -> None:
    RASA_UNAVAILABLE.labels(channel=channel).inc()


def count_store_failure(channel: str) -> None:
    STORE_FAILURES.labels(channel=channel).inc()


def render() -> tuple[bytes, str]:
    """The exposition text and its content type: this process's values, or every worker's."""
    if MULTIPROC_DIR:
        registry = CollectorRegistry()  # fresh per scrape: it reads the files as they are now
        multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def _route_label(scope: dict[str, Any]) -> str:
    """The matched route's template (/api/conversations/{conversation_id}), never the raw path.

    Raw paths would make one time series per conversation id or scanned URL.
    A request refused before routing (body too large) is labelled with its
    path only if that path is a route of the app.
    """
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    app = scope.get("app")
    path = scope.get("path", "")
    if app is not None and any(getattr(r, "path", None) == path for r in getattr(app, "routes", ())):
        return path
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI middleware (no per-request task as with BaseHTTPMiddleware): counts and times HTTP requests."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app raises before answering, the server answers 500

        async def send_and_note_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            # Routing filled scope["route"] in place on the way in, so the template is known here.
            method = scope.get("method") if scope.get("method") in METHODS else "other"
            route = _route_label(scope)
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)
