"""Start a throwaway Boussole stack on free loopback ports.

`Stack` is `boussole run`; `ScaledStack` is the processes of
deploy/Procfile.scaled (Rasa servers and the public service with several
workers); `serve()` is one more public service in front of running Rasa servers. Used by the end-to-end tests and the benchmark: the real processes,
talked to over HTTP, stopped as process groups so no Rasa child is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

import httpx

HOME = Path(__file__).resolve().parents[2]
PROCFILE = HOME / "deploy" / "Procfile.scaled"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, state_dir: Path, workers: int, timeout: float = 60.0) -> Iterator[str]:
    """`boussole serve --workers N` on a free port with `env`; yields its URL once /health answers."""
    port = free_port()
    with open(Path(state_dir) / f"serve-{port}.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--workers", str(workers),
                                    "--port", str(port)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"boussole serve did not start; log: {state_dir}/serve-{port}.log")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


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


def read_procfile(path: Path) -> dict[str, str]:
    """Process name -> shell command, the Procfile format (comments and blank lines skipped)."""
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


class ScaledStack:
    """deploy/Procfile.scaled run as a Procfile runner would, on free loopback ports.

    The tracker and lock store URLs are given (the caller runs PostgreSQL and
    Redis); the Procfile's Rasa servers rasa1, rasa2, ... each get a free port,
    listed in BOUSSOLE_RASA_URLS for the public service.
    """

    def __init__(self, state_dir: Path, tracker_url: str, lock_store_url: str, procfile: Path = PROCFILE,
                 workers: int = 2):
        self.commands = read_procfile(procfile)
        self.state_dir = Path(state_dir)
        self.port = free_port()
        self.token = "test-token-" + os.urandom(8).hex()
        self.rasa_ports = {name: free_port() for name in self.commands if name.startswith("rasa")}
        self.env = dict(os.environ)
        self.env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            BOUSSOLE_PORT=str(self.port),
            BOUSSOLE_RASA_TOKEN=self.token,
            BOUSSOLE_STATE_DIR=str(self.state_dir),
            BOUSSOLE_TRACKER_URL=tracker_url,
            BOUSSOLE_LOCK_STORE_URL=lock_store_url,
            BOUSSOLE_RASA_URLS=",".join(self.rasa_url(name) for name in self.rasa_ports),
            WEB_CONCURRENCY=str(workers),
            **{f"{name.upper()}_PORT": str(port) for name, port in self.rasa_ports.items()},
        )
        self.processes: dict[str, subprocess.Popen] = {}
        self._stopped: set[str] = set()  # stopped on purpose by stop_process()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rasa_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[name]}"

    def log_path(self, name: str) -> Path:
        return self.state_dir / f"{name}.log"

    def start(self, timeout: float = 400.0) -> "ScaledStack":
        """Start every process at once (the Rasa servers load in parallel), then wait until all answer."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands.items():
            with open(self.log_path(name), "ab") as log:
                self.processes[name] = subprocess.Popen(
                    ["bash", "-c", command], cwd=HOME, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + timeout
        for name in self.rasa_ports:
            self._wait(name, f"{self.rasa_url(name)}/status?token={self.token}", deadline,
                       ready=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        self._wait("web", f"{self.url}/health", deadline, ready=lambda r: r.status_code == 200)
        return self

    def _wait(self, name: str, url: str, deadline: float, ready) -> None:
        while time.monotonic() < deadline:
            for other, process in self.processes.items():
                if process.poll() is not None and other not in self._stopped:
                    raise RuntimeError(f"{other} exited with {process.returncode}:\n{self.tail(other)}")
            try:
                if ready(httpx.get(url, timeout=2)):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready in time:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path(name).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop_process(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one process group (a Rasa server dying, say) and wait for it."""
        self._stopped.add(name)
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def stop(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> "ScaledStack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
