"""GET /health: knowledge loaded, model loaded, Rasa reachable, actions registered, tracker store saving.

With several Rasa servers (BOUSSOLE_RASA_URLS) the service is up while any
of them answers with a model loaded: a conversation goes to another server
when its own is down. Each server's state is listed for the operator.

Only the operator (bot/web/operator.py: the token, or a request straight
from this machine) gets the details: server URLs, model files, action
names, channel states. Anyone else, a load balancer included, gets the
overall status and each check's `ok`: enough to route traffic, nothing
about the inside.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.web.deps import State
from bot.web.operator import is_operator

router = APIRouter(tags=["santé"])

REQUIRED_ACTIONS = ("action_answer", "action_discover")


def tracker_store_check(stores: dict[str, Optional[dict[str, Any]]]) -> dict[str, Any]:
    """Failing while a Rasa server's tracker store reads or saves fail (bot/rasa/store_guard.py).

    The servers share one store, so one server's failure is the service's:
    its turns are refused with 503 until a read, or a save, succeeds again.
    A server that does not answer is left to the `rasa` check.
    """
    failing = [{"url": url, **failure}
               for url, status in stores.items() if status is not None and not status.get("ok", True)
               for failure in status.get("failing") or [{}]]
    check: dict[str, Any] = {"ok": not failing}
    if failing:
        latest = max(failing, key=lambda failure: failure.get("at") or 0)
        check.update(reason=f"tracker store {latest.get('operation')} failed: {latest.get('reason')}",
                     failing=failing)
    return check


@router.get("/health")
async def health(request: Request, state: State) -> JSONResponse:
    statuses, stores = await asyncio.gather(state.rasa.statuses(), state.rasa.store_statuses())
    servers = [{"url": url, "ok": status is not None, "model_file": (status or {}).get("model_file")}
               for url, status in statuses.items()]
    registered = sorted(state.executor.actions)
    checks = {
        "knowledge": {"ok": bool(state.knowledge.sheets), "metiers": sorted(state.knowledge.sheets)},
        "rasa": {"ok": any(server["ok"] for server in servers), "servers": servers},
        "model": {"ok": any(server["model_file"] for server in servers)},
        "actions": {"ok": all(a in registered for a in REQUIRED_ACTIONS), "registered": registered},
        "tracker_store": tracker_store_check(stores),
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", "checks": checks, "channels": request.app.state.channel_status}
    if not is_operator(request, state.settings):
        body = public_health(body)
    return JSONResponse(body, status_code=200 if ok else 503)


def public_health(body: dict) -> dict:
    """What anyone may see: the overall status and each check's ok flag, no URL, file or name."""
    return {"status": body["status"],
            "checks": {name: {"ok": bool(check.get("ok"))} for name, check in body["checks"].items()}}
