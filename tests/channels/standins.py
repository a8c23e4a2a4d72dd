"""Local stand-ins of the Telegram Bot API and Slack Web API that record what they get."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.devtools.stack import free_port


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.rate_limit: dict[str, list[int]] = {}  # method -> retry_after values to answer first
        self.lock = threading.Lock()

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


def build_app(recorder: Recorder) -> FastAPI:
    app = FastAPI()

    @app.post("/bot{token}/{method}")
    async def telegram(token: str, method: str, request: Request):
        body = await request.json()
        pending = recorder.rate_limit.get(method)
        if pending:
            retry_after = pending.pop(0)
            recorder.record(f"{method}:429", body)
            return JSONResponse({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                 "parameters": {"retry_after": retry_after}}, status_code=429)
        recorder.record(method, body)
        return {"ok": True, "result": True}

    @app.post("/api/{method}")
    async def slack(method: str, request: Request):
        recorder.record(method, {**(await request.json()), "authorization": request.headers.get("authorization")})
        return {"ok": True, "ts": "1700000000.000200"}

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
