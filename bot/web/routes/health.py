"""GET /health: knowledge loaded, model loaded, Rasa reachable, actions registered.

With several Rasa servers (BOUSSOLE_RASA_URLS) the service is up while any
of them answers with a model loaded: a conversation goes to another server
when its own is down. Each server's state is listed for the operator.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.web.deps import State

router = APIRouter(tags=["santé"])

REQUIRED_ACTIONS = ("action_answer",)


@router.get("/health")
async def health(request: Request, state: State) -> JSONResponse:
    statuses = await state.rasa.statuses()
    servers = [{"url": url, "ok": status is not None, "model_file": (status or {}).get("model_file")}
               for url, status in statuses.items()]
    registered = sorted(state.executor.actions)
    checks = {
        "knowledge": {"ok": bool(state.knowledge.sheets), "metiers": sorted(state.knowledge.sheets)},
        "rasa": {"ok": any(server["ok"] for server in servers), "servers": servers},
        "model": {"ok": any(server["model_file"] for server in servers)},
        "actions": {"ok": all(a in registered for a in REQUIRED_ACTIONS), "registered": registered},
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", "checks": checks, "channels": request.app.state.channel_status}
    return JSONResponse(body, status_code=200 if ok else 503)
