"""GET /api/report: `boussole report` over HTTP, for the operator's dashboard (operator token).

Same findings, same formats (`?format=json` by default, or table, yaml,
csv) and the same `since` and `threshold` as the command; sender ids never
appear. It reads the tracker store the service is configured with
(BOUSSOLE_TRACKER_URL), in a worker thread.
"""

from __future__ import annotations

import logging
from typing import Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from bot.report.findings import DEFAULT_THRESHOLD
from bot.report.formats import FORMATS
from bot.report.run import MAX_SINCE_DAYS, SinceOutOfRange, build_report, parse_since
from bot.report.store import ReportError
from bot.web import messages as M
from bot.web.deps import State
from bot.web.errors import refuse
from bot.web.operator import require_operator

log = logging.getLogger(__name__)
router = APIRouter()
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "yaml": "application/yaml", "table": "text/plain"}



@router.get("/api/report", include_in_schema=False, dependencies=[Depends(require_operator)])
def report(state: State, since: Optional[str] = None, fmt: str = Query("json", alias="format"),
           threshold: float = Query(DEFAULT_THRESHOLD, ge=0, le=1)) -> Response:
    # A plain function: FastAPI runs it in a thread, so reading the store does not block the loop.
    if fmt not in FORMATS:
        raise refuse(422, M.REPORT_BAD_FORMAT.format(formats=", ".join(FORMATS)), "invalid_format")
    try:
        moment = parse_since(since) if since else None
    except SinceOutOfRange:
        raise refuse(422, M.REPORT_SINCE_OUT_OF_RANGE.format(days=MAX_SINCE_DAYS), "invalid_since")
    except ValueError:
        raise refuse(422, M.REPORT_BAD_SINCE, "invalid_since")
    try:
        text, _ = build_report(state.settings, fmt, since=moment, threshold=threshold)
    except ReportError as exc:
        log.warning("report.unavailable %s", exc)
        raise refuse(503, M.REPORT_UNAVAILABLE, "report_unavailable")
    return Response(content=text, media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")
