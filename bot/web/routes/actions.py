"""POST /webhook: the rasa_sdk action executor, for Rasa only.

Same contract as `rasa run actions` (rasa_sdk's endpoint), so Rasa's
action_endpoint can point either here or at a separate action server, with
four guards, since this route is served by the public service:

- Rasa proves who it is with the action secret (settings.action_secret) in
  the X-Boussole-Action-Secret header, set by endpoints.yml; no or a wrong
  secret gets 401 or 403 and one WARNING line, before the body is read. A
  header and not Rasa's `token` query parameter: a URL ends up in access logs.
- The body is capped (bot/web/app.py, MAX_ACTION_CALL_BYTES: 413 beyond).
- The call is checked (bot/web/action_call.py): a malformed one gets 400
  with a short JSON error and one WARNING line, never a traceback.
- The action runs in a worker thread, at most ACTION_THREADS at once, on an
  event loop of its own: the answer is CPU work (search, composition), and on
  the service's loop one slow call froze every chat and /health with it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from pathlib import Path
from typing import Any, Optional

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot.web import messages as M
from bot.web.action_call import MalformedCall, read_action_call
from bot.web.deps import State

log = logging.getLogger(__name__)
router = APIRouter(tags=["actions"])

SECRET_HEADER = "X-Boussole-Action-Secret"
# Actions running at once in worker threads; more calls wait their turn without holding the
# event loop. Rasa sends one call per turn being answered, each a few tens of milliseconds of
# Python (one at a time under the GIL, however many threads): 4 lets the turns Rasa answers
# together overlap, and a burst of calls cannot start a thread each.
ACTION_THREADS = 4


@router.post("/webhook", include_in_schema=False)
async def run_action(request: Request, state: State) -> JSONResponse:
    refusal = _refuse_unless_rasa(request, state.settings.action_secret)
    if refusal is not None:
        return refusal
    body = await request.body()  # at most MAX_ACTION_CALL_BYTES: BodySizeLimit answered 413 beyond
    domain_file = state.settings.home / "domain.yml"
    try:
        result = await anyio.to_thread.run_sync(_execute, state.executor, body, domain_file,
                                                limiter=_limiter(request))
    except MalformedCall as exc:
        log.warning("actions.call_invalid action=%s field=%s expected=%r", exc.action_name, exc.field, exc.expected)
        return _error(400, M.ACTION_CALL_INVALID.format(field=exc.field, expected=exc.expected), "invalid_action_call",
                      exc.action_name)
    except ActionExecutionRejection as exc:
        log.info("actions.rejected action=%s", exc.action_name)
        return _error(400, M.ACTION_REJECTED.format(action=exc.action_name), "action_rejected", exc.action_name,
                      error=exc.message)
    except ActionNotFoundException as exc:
        log.error("actions.not_found action=%s", exc.action_name)
        return _error(404, M.ACTION_UNKNOWN.format(action=exc.action_name), "unknown_action", exc.action_name,
                      error=exc.message)
    return JSONResponse(result or {})


def _refuse_unless_rasa(request: Request, secret: str) -> Optional[JSONResponse]:
    """None if the call carries the action secret; else the 401 (none) or 403 (wrong) to answer."""
    sent = request.headers.get(SECRET_HEADER)
    client = request.client.host if request.client else "-"
    if sent is None:
        log.warning("actions.refused reason=no_secret client=%s", client)
        return _error(401, M.ACTION_SECRET_MISSING, "action_secret_missing")
    # Constant time, and on bytes: a header may hold any latin-1 text, compare_digest takes str as ASCII only.
    if not hmac.compare_digest(sent.encode("latin-1"), secret.encode("latin-1")):
        log.warning("actions.refused reason=wrong_secret client=%s", client)
        return _error(403, M.ACTION_SECRET_WRONG, "action_secret_wrong")
    return None


def _execute(executor: ActionExecutor, body: bytes, domain_file: Path) -> Optional[dict[str, Any]]:
    """In a worker thread: read and check the call, run the action on this thread's own loop."""
    call = read_action_call(body, domain_file)
    return asyncio.run(executor.run(call))


def _limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter of action threads (one per app, made on its event loop)."""
    app_state = request.app.state
    if getattr(app_state, "action_limiter", None) is None:
        app_state.action_limiter = anyio.CapacityLimiter(ACTION_THREADS)
    return app_state.action_limiter


def _error(status: int, message: str, code: str, action_name: Optional[str] = None, **extra: str) -> JSONResponse:
    """The service's error body ({"detail", "code"}); `action_name` too, which Rasa reads on a 400."""
    body = {"detail": message, "code": code, **extra}
    if action_name is not None or status == 400:
        body["action_name"] = action_name
    return JSONResponse(body, status_code=status)
