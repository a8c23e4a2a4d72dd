"""GET /metrics: Prometheus text format, for the operator's scraper (not in the OpenAPI docs).

With BOUSSOLE_METRICS_TOKEN set the scraper must send it as a bearer token
(Prometheus: `authorization: {credentials: ...}` in the scrape config);
without it the endpoint is open and belongs behind the reverse proxy.
"""

from __future__ import annotations

import hmac
from typing import Optional

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from bot.web import metrics
from bot.web.deps import State

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(state: State, authorization: Optional[str] = Header(None)) -> Response:
    # A plain function: FastAPI runs it in a thread, so reading many workers' files does not block the loop.
    expected = state.settings.metrics_token
    if expected and not hmac.compare_digest((authorization or "").encode(), f"Bearer {expected}".encode()):
        return JSONResponse({"detail": "Jeton d'accès aux métriques manquant ou invalide.", "code": "unauthorized"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)
