"""Local stand-ins of the Telegram Bot API, Slack Web API and Rasa's REST channel that record what they get.

A failure plan makes them fail on purpose: `recorder.fail("sendMessage",
"500", "reset")` answers the next two sendMessage calls with an HTTP 500 and a
connection broken mid-answer, then succeeds again; `fail_always` keeps failing
until `recorder.reset()`. Faults: "500", "reset", "timeout" (no answer for
`hang_seconds`), "429:N" (Telegram's parameters.retry_after, Slack's
Retry-After header), and for Rasa ("rasa") "store" (the 503 a tracker store
that cannot save gives). A failed call is recorded as "method:fault".
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Optional

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.devtools.stack import free_port


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.plan: dict[str, list[str]] = {}  # method -> faults for its next calls, in order
        self.always: dict[str, str] = {}  # method -> fault for every call
        self.hang_seconds = 5.0
        self.lock = threading.Lock()

    def fail(self, method: str, *faults: str) -> None:
        with self.lock:
            self.plan.setdefault(method, []).extend(faults)

    def fail_always(self, method: str, fault: str) -> None:
        with self.lock:
            self.always[method] = fault

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.plan.clear()
            self.always.clear()

    def next_fault(self, method: str) -> Optional[str]:
        with self.lock:
            pending = self.plan.get(method)
            return pending.pop(0) if pending else self.always.get(method)

    def record(self, method: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append({"method": method, "body": body, "at": time.monotonic()})

    def of(self, method: str, **match: Any) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["method"] == method and all(c["body"].get(k) == v for k, v in match.items())]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"stand-in did not receive the expected call; got {self.calls}")


class BrokenResponse(Response):
    """Starts an answer of 1,000 bytes, sends 2 and fails: the client sees the connection closed mid-answer."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b"{}", "more_body": True})
        raise ConnectionResetError("stand-in: connection reset on purpose")


async def faulty(recorder: Recorder, method: str, body: dict[str, Any], platform: str) -> Optional[Response]:
    """The failure the plan has for this call (recorded as "method:fault"), or None to answer normally."""
    fault = recorder.next_fault(method)
    if fault is None:
        return None
    kind, _, value = fault.partition(":")
    recorder.record(f"{method}:{kind}", body)
    if kind == "reset":
        return BrokenResponse()
    if kind == "timeout":
        await asyncio.sleep(recorder.hang_seconds)
        return JSONResponse({"ok": False}, status_code=504)
    if kind == "429":
        if platform == "telegram":
            return JSONResponse({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                 "parameters": {"retry_after": int(value)}}, status_code=429)
        return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers={"Retry-After": value})
    if kind == "store":
        return JSONResponse({"code": "tracker_store_unavailable", "operation": "save", "reason": "disk full"},
                            status_code=503, headers={"X-Boussole-Error": "tracker_store_unavailable"})
    return JSONResponse({"ok": False, "error_code": int(kind), "description": "stand-in failure"}, status_code=int(kind))


def build_app(recorder: Recorder) -> FastAPI:
    app = FastAPI()

    @app.post("/bot{token}/{method}")
    async def telegram(token: str, method: str, request: Request):
        body = await request.json()
        failure = await faulty(recorder, method, body, "telegram")
        if failure is not None:
            return failure
        recorder.record(method, body)
        return {"ok": True, "result": True}

    @app.post("/api/{method}")
    async def slack(method: str, request: Request):
        body = {**(await request.json()), "authorization": request.headers.get("authorization")}
        failure = await faulty(recorder, method, body, "slack")
        if failure is not None:
            return failure
        recorder.record(method, body)
        return {"ok": True, "ts": "1700000000.000200"}

    @app.post("/webhooks/rest/webhook")
    async def rasa(request: Request):
        """Rasa's REST channel for the fast tests: echoes the message; the real stack uses the real one."""
        body = await request.json()
        failure = await faulty(recorder, "rasa", body, "rasa")
        if failure is not None:
            return failure
        recorder.record("rasa", body)
        return [{"recipient_id": body["sender"], "text": f"Réponse à « {body['message']} »"}]

    return app


class StandIn:
    """Both stand-ins on one loopback port, served from a thread of the test process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        config = uvicorn.Config(build_app(self.recorder), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "StandIn":
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
