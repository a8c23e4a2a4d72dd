"""GET /metrics: Prometheus text format, for the operator's scraper (not in the OpenAPI docs)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from bot.web import metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics() -> Response:  # a thread: reading many workers' files must not block the loop
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)
