"""GET /metrics: Prometheus text format, for the operator's scraper (not in the OpenAPI docs).

Operator data asks for BOUSSOLE_OPERATOR_TOKEN as a bearer token (Prometheus:
`authorization: {credentials: ...}` in the scrape config). Without a token
configured it is open to requests straight from this machine (a loopback
peer, no forwarding header: bot/web/operator.py) while the service listens on
loopback only, and refused (403, saying what to set) otherwise: what people
ask and how often it fails is nobody else's business.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from bot.web import metrics
from bot.web.operator import require_operator

router = APIRouter()


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_operator)])
def prometheus_metrics() -> Response:
    # A plain function: FastAPI runs it in a thread, so reading many workers' files does not block the loop.
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)
