"""GET /health: knowledge loaded, model loaded, Rasa reachable, actions registered."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.web.deps import State

router = APIRouter(tags=["santé"])

REQUIRED_ACTIONS = ("action_answer",)


@router.get("/health")
async def health(request: Request, state: State) -> JSONResponse:
    status = await state.rasa.status()
    registered = sorted(state.executor.actions)
    checks = {
        "knowledge": {"ok": bool(state.knowledge.sheets), "metiers": sorted(state.knowledge.sheets)},
        "rasa": {"ok": status is not None, "url": state.rasa.base_url},
        "model": {"ok": bool(status and status.get("model_file")), "file": (status or {}).get("model_file")},
        "actions": {"ok": all(a in registered for a in REQUIRED_ACTIONS), "registered": registered},
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", "checks": checks, "channels": request.app.state.channel_status}
    return JSONResponse(body, status_code=200 if ok else 503)
