"""Start a throwaway Boussole stack (`boussole run`) on free loopback ports.

Used by the end-to-end tests and the benchmark: the real processes, talked
to over HTTP, stopped as a process group so no Rasa child is left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, state_dir: Path, knowledge_dir: Optional[Path] = None, extra_env: Optional[dict] = None,
                 run_args: tuple[str, ...] = ()):
        self.run_args = run_args
        self.port = free_port()
        self.rasa_port = free_port()
        self.token = "test-token-" + os.urandom(8).hex()
        self.state_dir = Path(state_dir)
        self.log_path = self.state_dir / "boussole.log"
        self.env = dict(os.environ)
        self.env.update(
            BOUSSOLE_PORT=str(self.port),
            BOUSSOLE_RASA_PORT=str(self.rasa_port),
            BOUSSOLE_RASA_TOKEN=self.token,
            BOUSSOLE_STATE_DIR=str(self.state_dir),
        )
        if knowledge_dir:
            self.env["BOUSSOLE_KNOWLEDGE_DIR"] = str(knowledge_dir)
        self.env.update(extra_env or {})
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self, timeout: float = 240.0) -> "Stack":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *self.run_args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"boussole run exited with {self.process.returncode}; log: {self.log_path}\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"stack not healthy after {timeout:.0f} s; log: {self.log_path}\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
