"""POST /webhook: the rasa_sdk action executor, served by this process.

Same contract as `rasa run actions` (rasa_sdk's endpoint), so Rasa's
action_endpoint can point either here or at a separate action server.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot.web.deps import State

log = logging.getLogger(__name__)
router = APIRouter(tags=["actions"])


@router.post("/webhook", include_in_schema=False)
async def run_action(request: Request, state: State) -> JSONResponse:
    try:
        action_call: Any = await request.json()
    except ValueError:
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    if not isinstance(action_call, dict):
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    try:
        result = await state.executor.run(action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        log.error("actions.not_found action=%s", exc.action_name)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    return JSONResponse(result or {})
