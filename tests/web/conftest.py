"""Helpers of the bot/web tests: the real app without Rasa, and a real uvicorn server on loopback."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
import uvicorn

from bot.devtools.stack import free_port
from bot.settings import Settings


@pytest.fixture
def settings_for(tmp_path):
    """Settings of a service whose Rasa is nowhere (a free port): /health is degraded, which is enough."""
    def make(**overrides) -> Settings:
        return Settings(rasa_port=free_port(), state_dir=tmp_path, **overrides)
    return make


@contextmanager
def running_server(app, **options) -> Iterator[tuple[str, int]]:
    """uvicorn serving `app` on 127.0.0.1 in a thread (lifespan included); yields (host, port)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(15)
